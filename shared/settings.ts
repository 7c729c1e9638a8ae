/**
 * The one table of environment variables. `loadConfig` (`shared/config.ts`) reads the settings
 * through it, the construct (`settingsEnvironment` in `infra/constructs/latch-auth-props.ts`)
 * writes them from it, and tests hold the README's table, `LatchSettings` and every
 * `process.env`/`env.X` read in `shared/`, `infra/` and `functions/` to it. Adding a setting is
 * one entry here plus its field in `Config` (see `docs/architecture.md`).
 */

/** How a value is written in the environment. */
export type SettingType = 'boolean' | 'integer' | 'url' | 'list' | 'text' | 'choice' | 'json';

/** How the construct passes a `LatchSettings` prop: a `Duration` becomes whole seconds (`duration`) or days (`days`). */
export type ConstructEncoding = 'duration' | 'days' | 'boolean' | 'number' | 'text' | 'list' | 'json';

export interface SettingDefinition {
  readonly name: string;
  readonly type: SettingType;
  /** The default `loadConfig` applies, as the README shows it (`undefined`: empty, or derived as `defaultText` says). */
  readonly default?: string;
  /** The README's default cell when it is not a literal value (e.g. "the API's URL"). */
  readonly defaultText?: string;
  /** Inclusive bounds of an `integer`. */
  readonly min?: number;
  readonly max?: number;
  /** The values of a `choice`. */
  readonly choices?: readonly string[];
  /** One line for the README's table. */
  readonly description: string;
  /**
   * Who sets it: `setting` (the operator: README table, `LatchAuthProps`), `runtime` (CDK, the
   * local runner or the CLI set it; listed below the table).
   */
  readonly scope: 'setting' | 'runtime';
  /** Its prop in the construct's `LatchSettings` (`settings.<prop>`), with how it is encoded. */
  readonly settingsProp?: { readonly prop: string; readonly encoding: ConstructEncoding };
  /** Its prop at the top level of `LatchAuthProps`, when it is one there instead. */
  readonly authProp?: string;
}

const TEN_YEARS = 10 * 365 * 86400;
const seconds = <P extends string>(prop: P) => ({ prop, encoding: 'duration' as const });

/** Every variable Latch reads (besides the platform's, {@link PLATFORM_VARIABLES}), in the README's order. */
export const SETTINGS = [
  {
    name: 'AUTH_REQUIRE_EMAIL_CONFIRMATION',
    type: 'boolean',
    default: 'true',
    description: 'registration answers `202` and mails a link; `false`: `201` with tokens',
    scope: 'setting',
    settingsProp: { prop: 'requireEmailConfirmation', encoding: 'boolean' },
  },
  {
    name: 'AUTH_PASSWORD_MIN_LENGTH',
    type: 'integer',
    default: '8',
    min: 8,
    max: 4096,
    description: 'at least 8 (NIST 800-63B rev 4 asks 15 for password-only accounts; raise it if you can)',
    scope: 'setting',
    settingsProp: { prop: 'passwordMinLength', encoding: 'number' },
  },
  {
    name: 'AUTH_ACCESS_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 30,
    max: 86400,
    description: "access token lifetime (at most a session's)",
    scope: 'setting',
    settingsProp: seconds('accessTokenTtl'),
  },
  {
    name: 'AUTH_SESSION_TTL_SECONDS',
    type: 'integer',
    default: '86400',
    min: 1,
    max: TEN_YEARS,
    description: "a session's lifetime without `rememberMe`",
    scope: 'setting',
    settingsProp: seconds('sessionTtl'),
  },
  {
    name: 'AUTH_REMEMBER_ME_TTL_SECONDS',
    type: 'integer',
    default: '2592000',
    min: 1,
    max: TEN_YEARS,
    description: "with `rememberMe: true` (30 days; at least a session's)",
    scope: 'setting',
    settingsProp: seconds('rememberMeTtl'),
  },
  {
    name: 'AUTH_RESET_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '3600',
    min: 1,
    max: TEN_YEARS,
    description: 'password reset links',
    scope: 'setting',
    settingsProp: seconds('resetTokenTtl'),
  },
  {
    name: 'AUTH_CONFIRMATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '172800',
    min: 1,
    max: TEN_YEARS,
    description: 'confirmation links',
    scope: 'setting',
    settingsProp: seconds('confirmationTokenTtl'),
  },
  {
    name: 'AUTH_INVITATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '604800',
    min: 1,
    max: TEN_YEARS,
    description: 'invitation links',
    scope: 'setting',
    settingsProp: seconds('invitationTokenTtl'),
  },
  {
    name: 'AUTH_MAX_FAILED_SIGN_INS',
    type: 'integer',
    default: '10',
    min: 1,
    max: 1000,
    description: 'brute-force lockout: failed sign-ins allowed within `AUTH_LOCKOUT_SECONDS`',
    scope: 'setting',
    settingsProp: { prop: 'maxFailedSignIns', encoding: 'number' },
  },
  {
    name: 'AUTH_LOCKOUT_SECONDS',
    type: 'integer',
    default: '900',
    min: 1,
    max: TEN_YEARS,
    description: 'brute-force lockout: how long it lasts',
    scope: 'setting',
    settingsProp: seconds('lockout'),
  },
  {
    name: 'AUTH_MAX_SESSIONS_PER_USER',
    type: 'integer',
    default: '100',
    min: 1,
    max: 1000,
    description: 'live sessions per user: starting one more revokes the oldest',
    scope: 'setting',
    settingsProp: { prop: 'maxSessionsPerUser', encoding: 'number' },
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_LIMIT',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,
    description:
      'mails of one kind (confirmation, reset, registration notice, invitation) per address per `AUTH_MAIL_RECIPIENT_WINDOW_SECONDS` ([`docs/mail.md`](docs/mail.md))',
    scope: 'setting',
    settingsProp: { prop: 'mailRecipientLimit', encoding: 'number' },
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_WINDOW_SECONDS',
    type: 'integer',
    default: '3600',
    min: 60,
    max: 7 * 86400,
    description: "the per-recipient mail cap's window, from the first counted mail",
    scope: 'setting',
    settingsProp: seconds('mailRecipientWindow'),
  },
  {
    name: 'AUTH_INVITATIONS',
    type: 'choice',
    default: 'any',
    choices: ['any', 'admin'],
    description: '`any` (signed-in, confirmed users) or `admin`',
    scope: 'setting',
    authProp: 'invitations',
  },
  {
    name: 'APP_URL',
    type: 'url',
    default: 'http://localhost:3000',
    description: 'the origin of every mailed link (never taken from a request)',
    scope: 'setting',
    authProp: 'appUrl',
  },
  {
    name: 'AUTH_ISSUER',
    type: 'url',
    defaultText: "the API's URL",
    description: '`iss` of access tokens (CDK sets it to the HTTP API endpoint; elsewhere `APP_URL`)',
    scope: 'setting',
    authProp: 'issuer',
  },
  {
    name: 'AUTH_AUDIENCE',
    type: 'text',
    default: 'latch',
    description: '`aud` of access tokens',
    scope: 'setting',
    settingsProp: { prop: 'audience', encoding: 'text' },
  },
  {
    name: 'AUTH_CORS_ORIGINS',
    type: 'list',
    defaultText: "`APP_URL`'s origin",
    description: 'comma-separated allowed origins',
    scope: 'setting',
    authProp: 'corsOrigins',
  },
  {
    name: 'AUTH_ROLES',
    type: 'list',
    description: 'extra roles besides `user` and `admin`, comma-separated',
    scope: 'setting',
    settingsProp: { prop: 'roles', encoding: 'list' },
  },
  { name: 'AUTH_MAIL_FROM', type: 'text', default: 'no-reply@localhost', description: 'sender address', scope: 'setting', authProp: 'mailFrom' },
  {
    name: 'AUTH_TRUSTED_PROXIES',
    type: 'list',
    description: 'local runner only: peers whose `X-Forwarded-For` is believed',
    scope: 'setting',
  },
  {
    name: 'AUTH_PASSWORD_CONTEXT_WORDS',
    type: 'list',
    description: 'extra words no password may be, comma-separated (see [`docs/passwords.md`](docs/passwords.md))',
    scope: 'setting',
    settingsProp: { prop: 'passwordContextWords', encoding: 'list' },
  },
  {
    name: 'AUTH_BREACHED_PASSWORD_ON_SIGN_IN',
    type: 'choice',
    default: 'notify',
    choices: ['notify', 'block', 'off'],
    description: 'a correct password found in the breached or common lists at sign-in: `notify` (warning + one mail), `block` (403 + reset mail), `off`',
    scope: 'setting',
    settingsProp: { prop: 'breachedPasswordOnSignIn', encoding: 'text' },
  },
  {
    name: 'AUTH_AUDIT_RETENTION_DAYS',
    type: 'integer',
    default: '365',
    min: 1,
    max: 3650,
    description: 'days an audit event is kept (see [`docs/audit.md`](docs/audit.md))',
    scope: 'setting',
    settingsProp: { prop: 'auditRetention', encoding: 'days' },
  },
  {
    name: 'AUTH_MIGRATE_USER_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 25000,
    description:
      'time limit of the `migrateUser` hook (lazy migration, see [`docs/specs/import-export.md`](docs/specs/import-export.md)); a slower answer counts as an unknown email',
    scope: 'setting',
  },
  {
    name: 'AUTH_MFA',
    type: 'choice',
    default: 'optional',
    choices: ['optional', 'required', 'off'],
    description: 'second factor: `optional` (users may enrol), `required`, `off` (no new enrolment) (see [`docs/mfa.md`](docs/mfa.md))',
    scope: 'setting',
    settingsProp: { prop: 'mfa', encoding: 'text' },
  },
  {
    name: 'AUTH_MAX_FAILED_MFA',
    type: 'integer',
    default: '10',
    min: 1,
    max: 100,
    description: 'wrong second-factor codes per account within `AUTH_LOCKOUT_SECONDS` before the MFA lockout',
    scope: 'setting',
    settingsProp: { prop: 'maxFailedMfa', encoding: 'number' },
  },
  {
    name: 'AUTH_TOTP_ISSUER',
    type: 'text',
    defaultText: "`APP_URL`'s host",
    description: '`issuer` of the `otpauth` URI (what authenticator apps show)',
    scope: 'setting',
    settingsProp: { prop: 'totpIssuer', encoding: 'text' },
  },
  {
    name: 'AUTH_TOTP_GRACE_SECONDS',
    type: 'integer',
    default: '10',
    min: 0,
    max: 15,
    description: "how long into a 30 s step the previous step's code is still accepted (a code lives at most 40 s)",
    scope: 'setting',
    settingsProp: seconds('totpGrace'),
  },
  {
    name: 'AUTH_TOTP_ENROLLMENT_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 86400,
    description: 'life of a pending TOTP enrolment (until its confirming code)',
    scope: 'setting',
    settingsProp: seconds('totpEnrollmentTtl'),
  },
  {
    name: 'AUTH_REAUTH_WINDOW_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 86400,
    description: 'how recent a sign-in or step-up must be for routes that need fresh authentication',
    scope: 'setting',
    settingsProp: seconds('reauthWindow'),
  },
  // Two-step sign-in and assurance levels (docs/specs/mfa-and-passkeys.md §3, §5, §11).
  {
    name: 'AUTH_MFA_CHALLENGE_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 60,
    max: 900,
    description: "life of an `mfaToken` (the two-step sign-in's challenge, answered with `POST /session/mfa`)",
    scope: 'setting',
    settingsProp: seconds('mfaChallengeTtl'),
  },
  {
    name: 'AUTH_MFA_MAX_ATTEMPTS',
    type: 'integer',
    default: '5',
    min: 1,
    max: 10,
    description: 'wrong second-factor answers per `mfaToken`; the next request with it is refused even with the right code',
    scope: 'setting',
    settingsProp: { prop: 'mfaMaxAttempts', encoding: 'number' },
  },
  {
    name: 'AUTH_AAL2_MAX_AGE_SECONDS',
    type: 'integer',
    default: '86400',
    min: 300,
    max: 2592000,
    description: 'age of the last authentication after which a session with a second factor counts as `aal1` (token claim `aal`, authorizer)',
    scope: 'setting',
    settingsProp: seconds('aal2MaxAge'),
  },
  {
    name: 'AUTH_AUTHORIZER_MIN_AAL',
    type: 'choice',
    default: 'aal1',
    choices: ['aal1', 'aal2'],
    description: "`aal2` makes the authorizer deny sessions below aal2 (Latch's own routes follow their own rules)",
    scope: 'setting',
    settingsProp: { prop: 'authorizerMinAal', encoding: 'text' },
  },
  // --- social sign-in (docs/specs/social-sign-in.md §7) ---
  {
    name: 'AUTH_OAUTH_PROVIDERS',
    type: 'json',
    default: '[]',
    description:
      'sign-in providers (Google, Apple, Microsoft, GitHub, any OIDC), a JSON array or the path of a JSON file (see [`docs/social-sign-in.md`](docs/social-sign-in.md))',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_STATE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,
    description: 'life of a provider sign-in flow (its `state`)',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_PENDING_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 60,
    max: 86400,
    description: 'life of a pending provider identity (`pendingToken`)',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_NONCE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,
    description: 'life of a native ID-token nonce',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_REGISTRATION',
    type: 'boolean',
    default: 'true',
    description: '`false`: providers sign in existing users and invitees only',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_HTTP_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 30000,
    description: 'time limit of each call to a sign-in provider (then `503`)',
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_ALLOW_HTTP_LOOPBACK',
    type: 'boolean',
    default: 'false',
    description: 'local runs and tests only: admits `http:` provider URLs on loopback hosts (the construct refuses it)',
    scope: 'setting',
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §11, part B).
  {
    name: 'AUTH_WEBAUTHN_RP_ID',
    type: 'text',
    defaultText: "`APP_URL`'s host",
    description: 'WebAuthn relying party id: the host of `APP_URL` or its registrable domain; never an IP address (see [`docs/passkeys.md`](docs/passkeys.md))',
    scope: 'setting',
    settingsProp: { prop: 'webauthnRpId', encoding: 'text' },
  },
  {
    name: 'AUTH_WEBAUTHN_RP_NAME',
    type: 'text',
    defaultText: '`AUTH_TOTP_ISSUER`',
    description: 'relying party name shown by authenticators',
    scope: 'setting',
    settingsProp: { prop: 'webauthnRpName', encoding: 'text' },
  },
  {
    name: 'AUTH_WEBAUTHN_ORIGINS',
    type: 'list',
    defaultText: "`APP_URL`'s origin",
    description: 'origins a WebAuthn response may come from, comma-separated (may include `android:apk-key-hash:…`)',
    scope: 'setting',
    settingsProp: { prop: 'webauthnOrigins', encoding: 'list' },
  },
  {
    name: 'AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 600,
    description: 'life of a WebAuthn challenge (single use)',
    scope: 'setting',
    settingsProp: seconds('webauthnChallengeTtl'),
  },
  {
    name: 'AUTH_WEBAUTHN_MAX_PASSKEYS',
    type: 'integer',
    default: '20',
    min: 1,
    max: 40,
    description: 'passkeys per user (keeps deleting a user within one transaction)',
    scope: 'setting',
    settingsProp: { prop: 'webauthnMaxPasskeys', encoding: 'number' },
  },
  {
    name: 'AUTH_USER_ATTRIBUTES',
    type: 'json',
    description: 'custom user attributes, JSON (see [`docs/extensions.md`](docs/extensions.md))',
    scope: 'setting',
    settingsProp: { prop: 'userAttributes', encoding: 'json' },
  },
  // --- signing-key rotation (issue #18) ---
  {
    name: 'AUTH_KEY_RING_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 0,
    max: 3600,
    description:
      'how often a warm function reads the signing key ring again, so a rotation needs no cold start (see [`docs/key-rotation.md`](docs/key-rotation.md))',
    scope: 'setting',
    settingsProp: seconds('keyRingTtl'),
  },
  {
    name: 'LATCH_HOOKS_MODULE',
    type: 'text',
    description: 'path of a hooks module (see [`docs/extensions.md`](docs/extensions.md))',
    scope: 'setting',
    authProp: 'hooksModule',
  },
  {
    name: 'LATCH_MAIL_TEMPLATES',
    type: 'text',
    description: 'mail template overrides: JSON, or the path of a JSON file (see [`docs/account-lifecycle.md`](docs/account-lifecycle.md))',
    scope: 'setting',
    authProp: 'mailTemplatesFile',
  },
  // --- hosted UI (docs/specs/hosted-ui.md §10) ---
  {
    name: 'AUTH_UI',
    type: 'boolean',
    default: 'false',
    description: 'serve the hosted pages under `/ui/` (see [`docs/hosted-ui.md`](docs/hosted-ui.md))',
    scope: 'setting',
  },
  {
    name: 'AUTH_UI_APP_NAME',
    type: 'text',
    defaultText: "`APP_URL`'s host",
    description: "the app's name on the hosted pages",
    scope: 'setting',
  },
  {
    name: 'AUTH_UI_DEFAULT_LOCALE',
    type: 'choice',
    default: 'en',
    choices: ['en', 'de'],
    description: 'the language of the hosted pages when nothing else chooses one',
    scope: 'setting',
  },
  // --- branding (hosted-ui.md §9) ---
  {
    name: 'AUTH_UI_LOGO_URL',
    type: 'url',
    description: "https URL of the logo on the hosted pages (its origin joins the CSP's `img-src`)",
    scope: 'setting',
  },
  {
    name: 'AUTH_UI_CSS_VARIABLES',
    type: 'json',
    default: '{}',
    description:
      "the hosted pages' colours, radius and font (`hostedUi.cssVariables`; patterns and WCAG contrast checked, see [`docs/hosted-ui.md`](docs/hosted-ui.md))",
    scope: 'setting',
  },
  // --- end branding ---
  {
    name: 'AUTH_UI_PSEUDO_LOCALES',
    type: 'boolean',
    default: 'false',
    description: 'also serve the pseudo-locales `en-XA` and `ar-XB` (tests, local runs)',
    scope: 'setting',
  },
  // --- end hosted UI ---
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6, §10) ---
  {
    name: 'AUTH_UI_CLIENTS',
    type: 'json',
    default: '[]',
    description:
      "the hand-off's first-party clients (`/oauth2/authorize`, `/oauth2/token`), a JSON array or the path of a JSON file (see [`docs/hosted-ui.md`](docs/hosted-ui.md))",
    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH2_CODE_TTL_SECONDS',
    type: 'integer',
    default: '60',
    min: 10,
    max: 60,
    description: "life of the hand-off's authorization code",
    scope: 'setting',
  },
  // --- end hand-off ---
  { name: 'LATCH_TABLE_NAME', type: 'text', description: 'the DynamoDB table (CDK, the local runner)', scope: 'runtime' },
  { name: 'LATCH_AUDIT_TABLE_NAME', type: 'text', description: 'the audit table (CDK; locally the table name with `-audit`)', scope: 'runtime' },
  {
    name: 'LATCH_AUDIT_KEY_SECRET',
    type: 'text',
    description: "the audit key's secret in Secrets Manager: the HMAC key of `emailHash` (CDK)",
    scope: 'runtime',
  },
  { name: 'LATCH_AUDIT_KEY', type: 'text', description: 'the audit key itself, base64url (the local runner, `.latch/local.json`)', scope: 'runtime' },
  {
    name: 'LATCH_DATA_KEY_SECRET',
    type: 'text',
    description: "the data-key ring's secret in Secrets Manager: encrypts TOTP secrets at rest (CDK, only for the functions that need it)",
    scope: 'runtime',
  },
  { name: 'LATCH_DATA_KEYS', type: 'json', description: 'the data-key ring itself, `{ current, keys }` (the local runner)', scope: 'runtime' },
  { name: 'LATCH_SIGNING_KEY_SECRET', type: 'text', description: "the signing keys' secret in Secrets Manager (CDK)", scope: 'runtime' },
  { name: 'LATCH_PUBLIC_KEY_SECRET', type: 'text', description: "the public keys' secret, for functions that only verify (CDK)", scope: 'runtime' },
  { name: 'LATCH_KEYS', type: 'choice', choices: ['none'], description: '`none`: a function that uses no key at all (CDK)', scope: 'runtime' },
  {
    name: 'LATCH_BREACHED_PASSWORDS_FILE',
    type: 'text',
    description: 'the breached-password list beside the bundle of the functions that set passwords (CDK; locally `.latch/build/`)',
    scope: 'runtime',
  },
  {
    name: 'LATCH_COMMON_PASSWORDS_FILE',
    type: 'text',
    description: 'the common-password list beside the bundle of the functions that set passwords, read on first use (CDK; locally `shared/domain/`)',
    scope: 'runtime',
  },
  {
    name: 'LATCH_IMPORT_PEPPERS_SECRET',
    type: 'text',
    description: 'the pepper secret of imported legacy hashes in Secrets Manager, `{ "<pepperId>": "<pepper>" }` (CDK, the CLI with --stack)',
    scope: 'runtime',
  },
  { name: 'LATCH_IMPORT_PEPPERS', type: 'json', description: 'that pepper secret itself, JSON (the local runner, the CLI)', scope: 'runtime' },
  {
    name: 'LATCH_SIGNING_KEYS_FILE',
    type: 'text',
    description: 'a file holding the signing keys, read again like the secret (the local runner; `latch keys` rotates it)',
    scope: 'runtime',
  },
  { name: 'LATCH_SIGNING_KEYS', type: 'json', description: 'the signing keys themselves (tests; read once)', scope: 'runtime' },
  // --- SES feedback and metrics (issue #18) ---
  {
    name: 'LATCH_SES_CONFIGURATION_SET',
    type: 'text',
    description: 'the SES configuration set every mail is sent with: bounces and complaints reach the feedback function (CDK)',
    scope: 'runtime',
  },
  { name: 'LATCH_METRICS_NAMESPACE', type: 'text', description: 'the CloudWatch namespace of the EMF metrics; none: no metrics (CDK)', scope: 'runtime' },
  { name: 'LATCH_DYNAMODB_ENDPOINT', type: 'url', description: 'a local DynamoDB (the local runner, the CLI)', scope: 'runtime' },
  { name: 'LATCH_SES_ENDPOINT', type: 'url', description: 'a local SES (the local runner, the CLI)', scope: 'runtime' },
  { name: 'PORT', type: 'integer', default: '3000', description: "the local runner's API port (`npm start`)", scope: 'runtime' },
  { name: 'DYNAMODB_PORT', type: 'integer', description: "the local runner's DynamoDB Local port", scope: 'runtime' },
  { name: 'SES_PORT', type: 'integer', description: "the local runner's local SES port", scope: 'runtime' },
  { name: 'LATCH_CLI_DEBUG', type: 'boolean', description: 'the CLI prints the stack of an unexpected error', scope: 'runtime' },
  // --- social sign-in: `npm start`'s local provider (docs/social-sign-in.md "Trying it locally") ---
  { name: 'OIDC_PORT', type: 'integer', default: '8006', description: "the local runner's sign-in provider port", scope: 'runtime' },
  { name: 'LATCH_LOCAL_OP', type: 'boolean', default: 'true', description: '`false`: `npm start` runs no local sign-in provider', scope: 'runtime' },
  {
    name: 'LATCH_LOCAL_OP_REDIRECT_URIS',
    type: 'list',
    description: "redirect URIs of `npm start`'s local sign-in provider (default: the hosted pages' and `http://localhost:5173/oauth/local/callback`)",
    scope: 'runtime',
  },
  { name: 'LATCH_LOCAL_OP_SECRET', type: 'text', description: "set by `npm start`: the local sign-in provider's client secret", scope: 'runtime' },
  // --- end social sign-in ---
] as const satisfies readonly SettingDefinition[];

/** The name of a declared variable. */
export type SettingName = (typeof SETTINGS)[number]['name'];

/** The `LatchSettings` prop names the table declares (`LatchSettings` is checked against it at compile time). */
export type SettingsPropName = Extract<(typeof SETTINGS)[number], { settingsProp: unknown }>['settingsProp']['prop'];

/**
 * Variables read but owned by the platform (AWS, Lambda, Node, npm, CDK, Powertools): not Latch
 * settings, listed so the test that scans for environment reads knows them.
 */
export const PLATFORM_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  'LAMBDA_TASK_ROOT',
  'POWERTOOLS_LOG_LEVEL',
  'CDK_DEFAULT_ACCOUNT',
  'CDK_DEFAULT_REGION',
  'NODE_OPTIONS',
  'npm_execpath',
] as const;

const BY_NAME = new Map<string, SettingDefinition>(SETTINGS.map((s) => [s.name, s]));

/** The declaration of a variable, or undefined for a name Latch does not know. */
export function settingOf(name: string): SettingDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * The README's settings table (its "Configuration" section), generated from {@link SETTINGS}:
 * `npx tsx -e "import('./shared/settings.ts').then((m) => console.log(m.settingsMarkdown()))"`.
 * A test fails when the README differs.
 */
export function settingsMarkdown(): string {
  const rows = (SETTINGS as readonly SettingDefinition[])
    .filter((s) => s.scope === 'setting')
    .map((s) => [`\`${s.name}\``, s.defaultText ?? (s.default === undefined ? '' : `\`${s.default}\``), s.description]);
  const header = ['variable', 'default', 'meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  const runtime = (SETTINGS as readonly SettingDefinition[]).filter((s) => s.scope === 'runtime').map((s) => `- \`${s.name}\`: ${s.description}`);
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
