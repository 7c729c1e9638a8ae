/**
 * The settings' documentation: one line per variable of `shared/settings.ts` for the README's
 * table (and the default cell where it is not a literal value). Kept apart from the runtime table
 * (name, type, parsing, default), which every function bundles: only the README generator and the
 * tests use this text. Keyed by name with `Record<SettingName, …>`, so a setting without its
 * documentation, or documentation of no setting, does not compile.
 */
import { SETTINGS, type SettingDefinition, type SettingName } from './settings.js';
import { placementOf } from './settings-props.js';

export interface SettingDoc {
  /** One line for the README's table. */
  readonly description: string;
  /** The README's default cell when it is not a literal value (e.g. "the API's URL"). */
  readonly defaultText?: string;
}

export const SETTING_DOCS: Record<SettingName, SettingDoc> = {
  AUTH_REQUIRE_EMAIL_CONFIRMATION: { description: 'registration answers `202` and mails a link; `false`: `201` with tokens' },
  AUTH_PASSWORD_MIN_LENGTH: { description: 'at least 8 (NIST 800-63B rev 4 asks 15 for password-only accounts; raise it if you can)' },
  AUTH_ACCESS_TOKEN_TTL_SECONDS: { description: "access token lifetime (at most a session's)" },
  AUTH_SESSION_TTL_SECONDS: { description: "a session's lifetime without `rememberMe`" },
  AUTH_REMEMBER_ME_TTL_SECONDS: { description: "with `rememberMe: true` (30 days; at least a session's)" },
  AUTH_RESET_TOKEN_TTL_SECONDS: { description: 'password reset links' },
  AUTH_CONFIRMATION_TOKEN_TTL_SECONDS: { description: 'confirmation links' },
  AUTH_INVITATION_TOKEN_TTL_SECONDS: { description: 'invitation links' },
  AUTH_MAX_FAILED_SIGN_INS: { description: 'brute-force lockout: failed sign-ins allowed within `AUTH_LOCKOUT_SECONDS`' },
  AUTH_LOCKOUT_SECONDS: { description: 'brute-force lockout: how long it lasts' },
  AUTH_MAX_SESSIONS_PER_USER: { description: 'live sessions per user: starting one more revokes the oldest' },
  AUTH_MAIL_RECIPIENT_LIMIT: {
    description:
      'mails of one kind (confirmation, reset, registration notice, invitation) per address per `AUTH_MAIL_RECIPIENT_WINDOW_SECONDS` ([`docs/mail.md`](docs/mail.md))',
  },
  AUTH_MAIL_RECIPIENT_WINDOW_SECONDS: { description: "the per-recipient mail cap's window, from the first counted mail" },
  AUTH_INVITATIONS: { description: '`any` (signed-in, confirmed users) or `admin`' },
  APP_URL: { description: 'the origin of every mailed link (never taken from a request)' },
  AUTH_ISSUER: { defaultText: "the API's URL", description: '`iss` of access tokens (CDK sets it to the HTTP API endpoint; elsewhere `APP_URL`)' },
  AUTH_AUDIENCE: { description: '`aud` of access tokens' },
  AUTH_CORS_ORIGINS: { defaultText: "`APP_URL`'s origin", description: 'comma-separated allowed origins' },
  AUTH_ROLES: { description: 'extra roles besides `user` and `admin`, comma-separated' },
  AUTH_MAIL_FROM: { description: 'sender address' },
  AUTH_TRUSTED_PROXIES: { description: 'local runner only: peers whose `X-Forwarded-For` is believed' },
  AUTH_PASSWORD_CONTEXT_WORDS: { description: 'extra words no password may be, comma-separated (see [`docs/passwords.md`](docs/passwords.md))' },
  AUTH_BREACHED_PASSWORD_ON_SIGN_IN: {
    description: 'a correct password found in the breached or common lists at sign-in: `notify` (warning + one mail), `block` (403 + reset mail), `off`',
  },
  AUTH_AUDIT_RETENTION_DAYS: { description: 'days an audit event is kept (see [`docs/audit.md`](docs/audit.md))' },
  AUTH_MIGRATE_USER_TIMEOUT_MS: {
    description:
      'time limit of the `migrateUser` hook (lazy migration, see [`docs/specs/import-export.md`](docs/specs/import-export.md)); a slower answer counts as an unknown email',
  },
  AUTH_MFA: { description: 'second factor: `optional` (users may enrol), `required`, `off` (no new enrolment) (see [`docs/mfa.md`](docs/mfa.md))' },
  AUTH_MAX_FAILED_MFA: { description: 'wrong second-factor codes per account within `AUTH_LOCKOUT_SECONDS` before the MFA lockout' },
  AUTH_TOTP_ISSUER: { defaultText: "`APP_URL`'s host", description: '`issuer` of the `otpauth` URI (what authenticator apps show)' },
  AUTH_TOTP_GRACE_SECONDS: { description: "how long into a 30 s step the previous step's code is still accepted (a code lives at most 40 s)" },
  AUTH_TOTP_ENROLLMENT_TTL_SECONDS: { description: 'life of a pending TOTP enrolment (until its confirming code)' },
  AUTH_REAUTH_WINDOW_SECONDS: { description: 'how recent a sign-in or step-up must be for routes that need fresh authentication' },
  AUTH_MFA_CHALLENGE_TTL_SECONDS: { description: "life of an `mfaToken` (the two-step sign-in's challenge, answered with `POST /session/mfa`)" },
  AUTH_MFA_MAX_ATTEMPTS: { description: 'wrong second-factor answers per `mfaToken`; the next request with it is refused even with the right code' },
  AUTH_AAL2_MAX_AGE_SECONDS: {
    description: 'age of the last authentication after which a session with a second factor counts as `aal1` (token claim `aal`, authorizer)',
  },
  AUTH_AUTHORIZER_MIN_AAL: { description: "`aal2` makes the authorizer deny sessions below aal2 (Latch's own routes follow their own rules)" },
  AUTH_OAUTH_PROVIDERS: {
    description:
      'sign-in providers (Google, Apple, Microsoft, GitHub, any OIDC), a JSON array or the path of a JSON file (see [`docs/social-sign-in.md`](docs/social-sign-in.md))',
  },
  AUTH_OAUTH_STATE_TTL_SECONDS: { description: 'life of a provider sign-in flow (its `state`)' },
  AUTH_OAUTH_PENDING_TTL_SECONDS: { description: 'life of a pending provider identity (`pendingToken`)' },
  AUTH_OAUTH_NONCE_TTL_SECONDS: { description: 'life of a native ID-token nonce' },
  AUTH_OAUTH_REGISTRATION: { description: '`false`: providers sign in existing users and invitees only' },
  AUTH_OAUTH_HTTP_TIMEOUT_MS: { description: 'time limit of each call to a sign-in provider (then `503`)' },
  AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: { description: 'local runs and tests only: admits `http:` provider URLs on loopback hosts (the construct refuses it)' },
  AUTH_WEBAUTHN_RP_ID: {
    defaultText: "`APP_URL`'s host",
    description: 'WebAuthn relying party id: the host of `APP_URL` or its registrable domain; never an IP address (see [`docs/passkeys.md`](docs/passkeys.md))',
  },
  AUTH_WEBAUTHN_RP_NAME: { defaultText: '`AUTH_TOTP_ISSUER`', description: 'relying party name shown by authenticators' },
  AUTH_WEBAUTHN_ORIGINS: {
    defaultText: "`APP_URL`'s origin",
    description: 'origins a WebAuthn response may come from, comma-separated (may include `android:apk-key-hash:…`)',
  },
  AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS: { description: 'life of a WebAuthn challenge (single use)' },
  AUTH_WEBAUTHN_MAX_PASSKEYS: { description: 'passkeys per user (keeps deleting a user within one transaction)' },
  AUTH_USER_ATTRIBUTES: { description: 'custom user attributes, JSON (see [`docs/extensions.md`](docs/extensions.md))' },
  AUTH_KEY_RING_TTL_SECONDS: {
    description:
      'how often a warm function reads the signing key ring again, so a rotation needs no cold start (see [`docs/key-rotation.md`](docs/key-rotation.md))',
  },
  LATCH_HOOKS_MODULE: { description: 'path of a hooks module (see [`docs/extensions.md`](docs/extensions.md))' },
  LATCH_MAIL_TEMPLATES: {
    description: 'mail template overrides: JSON, or the path of a JSON file (see [`docs/account-lifecycle.md`](docs/account-lifecycle.md))',
  },
  AUTH_UI: { description: 'serve the hosted pages under `/ui/` (see [`docs/hosted-ui.md`](docs/hosted-ui.md))' },
  AUTH_UI_APP_NAME: { defaultText: "`APP_URL`'s host", description: "the app's name on the hosted pages" },
  AUTH_UI_DEFAULT_LOCALE: { description: 'the language of the hosted pages when nothing else chooses one' },
  AUTH_UI_LOGO_URL: { description: "https URL of the logo on the hosted pages (its origin joins the CSP's `img-src`)" },
  AUTH_UI_CSS_VARIABLES: {
    description:
      "the hosted pages' colours, radius and font (`hostedUi.cssVariables`; patterns and WCAG contrast checked, see [`docs/hosted-ui.md`](docs/hosted-ui.md))",
  },
  AUTH_UI_PSEUDO_LOCALES: { description: 'also serve the pseudo-locales `en-XA` and `ar-XB` (tests, local runs)' },
  AUTH_UI_CLIENTS: {
    description:
      "the hand-off's first-party clients (`/oauth2/authorize`, `/oauth2/token`), a JSON array or the path of a JSON file (see [`docs/hosted-ui.md`](docs/hosted-ui.md))",
  },
  AUTH_OAUTH2_CODE_TTL_SECONDS: { description: "life of the hand-off's authorization code" },
  LATCH_TABLE_NAME: { description: 'the DynamoDB table (CDK, the local runner)' },
  LATCH_AUDIT_TABLE_NAME: { description: 'the audit table (CDK; locally the table name with `-audit`)' },
  LATCH_AUDIT_KEY_SECRET: { description: "the audit key's secret in Secrets Manager: the HMAC key of `emailHash` (CDK)" },
  LATCH_AUDIT_KEY: { description: 'the audit key itself, base64url (the local runner, `.latch/local.json`)' },
  LATCH_DATA_KEY_SECRET: {
    description: "the data-key ring's secret in Secrets Manager: encrypts TOTP secrets at rest (CDK, only for the functions that need it)",
  },
  LATCH_DATA_KEYS: { description: 'the data-key ring itself, `{ current, keys }` (the local runner)' },
  LATCH_SIGNING_KEY_SECRET: { description: "the signing keys' secret in Secrets Manager (CDK)" },
  LATCH_PUBLIC_KEY_SECRET: { description: "the public keys' secret, for functions that only verify (CDK)" },
  LATCH_KEYS: { description: '`none`: a function that uses no key at all (CDK)' },
  LATCH_BREACHED_PASSWORDS_FILE: {
    description: 'the breached-password list beside the bundle of the functions that set passwords (CDK; locally `.latch/build/`)',
  },
  LATCH_COMMON_PASSWORDS_FILE: {
    description: 'the common-password list beside the bundle of the functions that set passwords, read on first use (CDK; locally `shared/domain/`)',
  },
  LATCH_IMPORT_PEPPERS_SECRET: {
    description: 'the pepper secret of imported legacy hashes in Secrets Manager, `{ "<pepperId>": "<pepper>" }` (CDK, the CLI with --stack)',
  },
  LATCH_IMPORT_PEPPERS: { description: 'that pepper secret itself, JSON (the local runner, the CLI)' },
  LATCH_SIGNING_KEYS_FILE: { description: 'a file holding the signing keys, read again like the secret (the local runner; `latch keys` rotates it)' },
  LATCH_SIGNING_KEYS: { description: 'the signing keys themselves (tests; read once)' },
  LATCH_SES_CONFIGURATION_SET: { description: 'the SES configuration set every mail is sent with: bounces and complaints reach the feedback function (CDK)' },
  LATCH_METRICS_NAMESPACE: { description: 'the CloudWatch namespace of the EMF metrics; none: no metrics (CDK)' },
  LATCH_DYNAMODB_ENDPOINT: { description: 'a local DynamoDB (the local runner, the CLI)' },
  LATCH_SES_ENDPOINT: { description: 'a local SES (the local runner, the CLI)' },
  PORT: { description: "the local runner's API port (`npm start`)" },
  DYNAMODB_PORT: { description: "the local runner's DynamoDB Local port" },
  SES_PORT: { description: "the local runner's local SES port" },
  LATCH_CLI_DEBUG: { description: 'the CLI prints the stack of an unexpected error' },
  OIDC_PORT: { description: "the local runner's sign-in provider port" },
  LATCH_LOCAL_OP: { description: '`false`: `npm start` runs no local sign-in provider' },
  LATCH_LOCAL_OP_REDIRECT_URIS: {
    description: "redirect URIs of `npm start`'s local sign-in provider (default: the hosted pages' and `http://localhost:5173/oauth/local/callback`)",
  },
  LATCH_LOCAL_OP_SECRET: { description: "set by `npm start`: the local sign-in provider's client secret" },
};

/**
 * The README's settings table (its "Configuration" section), generated from {@link SETTINGS} and
 * {@link SETTING_DOCS}: `npx tsx -e "import('./shared/settings-docs.ts').then((m) => console.log(m.settingsMarkdown()))"`
 * (also re-exported by `shared/settings.ts`). A test fails when the README differs.
 */
export function settingsMarkdown(): string {
  const settings = SETTINGS as readonly SettingDefinition[];
  const doc = (s: SettingDefinition): SettingDoc => SETTING_DOCS[s.name as SettingName];
  const rows = settings
    .filter((s) => placementOf(s.name as SettingName).scope === 'setting')
    .map((s) => [`\`${s.name}\``, doc(s).defaultText ?? (s.default === undefined ? '' : `\`${s.default}\``), doc(s).description]);
  const header = ['variable', 'default', 'meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  const runtime = settings.filter((s) => placementOf(s.name as SettingName).scope === 'runtime').map((s) => `- \`${s.name}\`: ${doc(s).description}`);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Set by CDK, the local runner or the CLI rather than by hand:',
    '',
    ...runtime,
  ].join('\n');
}
