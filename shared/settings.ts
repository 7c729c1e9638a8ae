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
  /** The default `loadConfig` applies, as the README shows it (`undefined`: empty, or derived as its `defaultText` in `settings-docs.ts` says). */
  readonly default?: string;
  /** Inclusive bounds of an `integer`. */
  readonly min?: number;
  readonly max?: number;
  /** The values of a `choice`. */
  readonly choices?: readonly string[];
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

    scope: 'setting',
    settingsProp: { prop: 'requireEmailConfirmation', encoding: 'boolean' },
  },
  {
    name: 'AUTH_PASSWORD_MIN_LENGTH',
    type: 'integer',
    default: '8',
    min: 8,
    max: 4096,

    scope: 'setting',
    settingsProp: { prop: 'passwordMinLength', encoding: 'number' },
  },
  {
    name: 'AUTH_ACCESS_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 30,
    max: 86400,

    scope: 'setting',
    settingsProp: seconds('accessTokenTtl'),
  },
  {
    name: 'AUTH_SESSION_TTL_SECONDS',
    type: 'integer',
    default: '86400',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('sessionTtl'),
  },
  {
    name: 'AUTH_REMEMBER_ME_TTL_SECONDS',
    type: 'integer',
    default: '2592000',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('rememberMeTtl'),
  },
  {
    name: 'AUTH_RESET_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '3600',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('resetTokenTtl'),
  },
  {
    name: 'AUTH_CONFIRMATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '172800',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('confirmationTokenTtl'),
  },
  {
    name: 'AUTH_INVITATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '604800',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('invitationTokenTtl'),
  },
  {
    name: 'AUTH_MAX_FAILED_SIGN_INS',
    type: 'integer',
    default: '10',
    min: 1,
    max: 1000,

    scope: 'setting',
    settingsProp: { prop: 'maxFailedSignIns', encoding: 'number' },
  },
  {
    name: 'AUTH_LOCKOUT_SECONDS',
    type: 'integer',
    default: '900',
    min: 1,
    max: TEN_YEARS,

    scope: 'setting',
    settingsProp: seconds('lockout'),
  },
  {
    name: 'AUTH_MAX_SESSIONS_PER_USER',
    type: 'integer',
    default: '100',
    min: 1,
    max: 1000,

    scope: 'setting',
    settingsProp: { prop: 'maxSessionsPerUser', encoding: 'number' },
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_LIMIT',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,

    scope: 'setting',
    settingsProp: { prop: 'mailRecipientLimit', encoding: 'number' },
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_WINDOW_SECONDS',
    type: 'integer',
    default: '3600',
    min: 60,
    max: 7 * 86400,

    scope: 'setting',
    settingsProp: seconds('mailRecipientWindow'),
  },
  {
    name: 'AUTH_INVITATIONS',
    type: 'choice',
    default: 'any',
    choices: ['any', 'admin'],

    scope: 'setting',
    authProp: 'invitations',
  },
  {
    name: 'APP_URL',
    type: 'url',
    default: 'http://localhost:3000',

    scope: 'setting',
    authProp: 'appUrl',
  },
  {
    name: 'AUTH_ISSUER',
    type: 'url',

    scope: 'setting',
    authProp: 'issuer',
  },
  {
    name: 'AUTH_AUDIENCE',
    type: 'text',
    default: 'latch',

    scope: 'setting',
    settingsProp: { prop: 'audience', encoding: 'text' },
  },
  {
    name: 'AUTH_CORS_ORIGINS',
    type: 'list',

    scope: 'setting',
    authProp: 'corsOrigins',
  },
  {
    name: 'AUTH_ROLES',
    type: 'list',

    scope: 'setting',
    settingsProp: { prop: 'roles', encoding: 'list' },
  },
  { name: 'AUTH_MAIL_FROM', type: 'text', default: 'no-reply@localhost', scope: 'setting', authProp: 'mailFrom' },
  {
    name: 'AUTH_TRUSTED_PROXIES',
    type: 'list',

    scope: 'setting',
  },
  {
    name: 'AUTH_PASSWORD_CONTEXT_WORDS',
    type: 'list',

    scope: 'setting',
    settingsProp: { prop: 'passwordContextWords', encoding: 'list' },
  },
  {
    name: 'AUTH_BREACHED_PASSWORD_ON_SIGN_IN',
    type: 'choice',
    default: 'notify',
    choices: ['notify', 'block', 'off'],

    scope: 'setting',
    settingsProp: { prop: 'breachedPasswordOnSignIn', encoding: 'text' },
  },
  {
    name: 'AUTH_AUDIT_RETENTION_DAYS',
    type: 'integer',
    default: '365',
    min: 1,
    max: 3650,

    scope: 'setting',
    settingsProp: { prop: 'auditRetention', encoding: 'days' },
  },
  {
    name: 'AUTH_MIGRATE_USER_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 25000,

    scope: 'setting',
  },
  {
    name: 'AUTH_MFA',
    type: 'choice',
    default: 'optional',
    choices: ['optional', 'required', 'off'],

    scope: 'setting',
    settingsProp: { prop: 'mfa', encoding: 'text' },
  },
  {
    name: 'AUTH_MAX_FAILED_MFA',
    type: 'integer',
    default: '10',
    min: 1,
    max: 100,

    scope: 'setting',
    settingsProp: { prop: 'maxFailedMfa', encoding: 'number' },
  },
  {
    name: 'AUTH_TOTP_ISSUER',
    type: 'text',

    scope: 'setting',
    settingsProp: { prop: 'totpIssuer', encoding: 'text' },
  },
  {
    name: 'AUTH_TOTP_GRACE_SECONDS',
    type: 'integer',
    default: '10',
    min: 0,
    max: 15,

    scope: 'setting',
    settingsProp: seconds('totpGrace'),
  },
  {
    name: 'AUTH_TOTP_ENROLLMENT_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 86400,

    scope: 'setting',
    settingsProp: seconds('totpEnrollmentTtl'),
  },
  {
    name: 'AUTH_REAUTH_WINDOW_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 86400,

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

    scope: 'setting',
    settingsProp: seconds('mfaChallengeTtl'),
  },
  {
    name: 'AUTH_MFA_MAX_ATTEMPTS',
    type: 'integer',
    default: '5',
    min: 1,
    max: 10,

    scope: 'setting',
    settingsProp: { prop: 'mfaMaxAttempts', encoding: 'number' },
  },
  {
    name: 'AUTH_AAL2_MAX_AGE_SECONDS',
    type: 'integer',
    default: '86400',
    min: 300,
    max: 2592000,

    scope: 'setting',
    settingsProp: seconds('aal2MaxAge'),
  },
  {
    name: 'AUTH_AUTHORIZER_MIN_AAL',
    type: 'choice',
    default: 'aal1',
    choices: ['aal1', 'aal2'],

    scope: 'setting',
    settingsProp: { prop: 'authorizerMinAal', encoding: 'text' },
  },
  // --- social sign-in (docs/specs/social-sign-in.md §7) ---
  {
    name: 'AUTH_OAUTH_PROVIDERS',
    type: 'json',
    default: '[]',

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_STATE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_PENDING_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 60,
    max: 86400,

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_NONCE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_REGISTRATION',
    type: 'boolean',
    default: 'true',

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_HTTP_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 30000,

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH_ALLOW_HTTP_LOOPBACK',
    type: 'boolean',
    default: 'false',

    scope: 'setting',
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §11, part B).
  {
    name: 'AUTH_WEBAUTHN_RP_ID',
    type: 'text',

    scope: 'setting',
    settingsProp: { prop: 'webauthnRpId', encoding: 'text' },
  },
  {
    name: 'AUTH_WEBAUTHN_RP_NAME',
    type: 'text',

    scope: 'setting',
    settingsProp: { prop: 'webauthnRpName', encoding: 'text' },
  },
  {
    name: 'AUTH_WEBAUTHN_ORIGINS',
    type: 'list',

    scope: 'setting',
    settingsProp: { prop: 'webauthnOrigins', encoding: 'list' },
  },
  {
    name: 'AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 600,

    scope: 'setting',
    settingsProp: seconds('webauthnChallengeTtl'),
  },
  {
    name: 'AUTH_WEBAUTHN_MAX_PASSKEYS',
    type: 'integer',
    default: '20',
    min: 1,
    max: 40,

    scope: 'setting',
    settingsProp: { prop: 'webauthnMaxPasskeys', encoding: 'number' },
  },
  {
    name: 'AUTH_USER_ATTRIBUTES',
    type: 'json',

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

    scope: 'setting',
    settingsProp: seconds('keyRingTtl'),
  },
  {
    name: 'LATCH_HOOKS_MODULE',
    type: 'text',

    scope: 'setting',
    authProp: 'hooksModule',
  },
  {
    name: 'LATCH_MAIL_TEMPLATES',
    type: 'text',

    scope: 'setting',
    authProp: 'mailTemplatesFile',
  },
  // --- hosted UI (docs/specs/hosted-ui.md §10) ---
  {
    name: 'AUTH_UI',
    type: 'boolean',
    default: 'false',

    scope: 'setting',
  },
  {
    name: 'AUTH_UI_APP_NAME',
    type: 'text',

    scope: 'setting',
  },
  {
    name: 'AUTH_UI_DEFAULT_LOCALE',
    type: 'choice',
    default: 'en',
    choices: ['en', 'de'],

    scope: 'setting',
  },
  // --- branding (hosted-ui.md §9) ---
  {
    name: 'AUTH_UI_LOGO_URL',
    type: 'url',

    scope: 'setting',
  },
  {
    name: 'AUTH_UI_CSS_VARIABLES',
    type: 'json',
    default: '{}',

    scope: 'setting',
  },
  // --- end branding ---
  {
    name: 'AUTH_UI_PSEUDO_LOCALES',
    type: 'boolean',
    default: 'false',

    scope: 'setting',
  },
  // --- end hosted UI ---
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6, §10) ---
  {
    name: 'AUTH_UI_CLIENTS',
    type: 'json',
    default: '[]',

    scope: 'setting',
  },
  {
    name: 'AUTH_OAUTH2_CODE_TTL_SECONDS',
    type: 'integer',
    default: '60',
    min: 10,
    max: 60,

    scope: 'setting',
  },
  // --- end hand-off ---
  { name: 'LATCH_TABLE_NAME', type: 'text', scope: 'runtime' },
  { name: 'LATCH_AUDIT_TABLE_NAME', type: 'text', scope: 'runtime' },
  {
    name: 'LATCH_AUDIT_KEY_SECRET',
    type: 'text',

    scope: 'runtime',
  },
  { name: 'LATCH_AUDIT_KEY', type: 'text', scope: 'runtime' },
  {
    name: 'LATCH_DATA_KEY_SECRET',
    type: 'text',

    scope: 'runtime',
  },
  { name: 'LATCH_DATA_KEYS', type: 'json', scope: 'runtime' },
  { name: 'LATCH_SIGNING_KEY_SECRET', type: 'text', scope: 'runtime' },
  { name: 'LATCH_PUBLIC_KEY_SECRET', type: 'text', scope: 'runtime' },
  { name: 'LATCH_KEYS', type: 'choice', choices: ['none'], scope: 'runtime' },
  {
    name: 'LATCH_BREACHED_PASSWORDS_FILE',
    type: 'text',

    scope: 'runtime',
  },
  {
    name: 'LATCH_COMMON_PASSWORDS_FILE',
    type: 'text',

    scope: 'runtime',
  },
  {
    name: 'LATCH_IMPORT_PEPPERS_SECRET',
    type: 'text',

    scope: 'runtime',
  },
  { name: 'LATCH_IMPORT_PEPPERS', type: 'json', scope: 'runtime' },
  {
    name: 'LATCH_SIGNING_KEYS_FILE',
    type: 'text',

    scope: 'runtime',
  },
  { name: 'LATCH_SIGNING_KEYS', type: 'json', scope: 'runtime' },
  // --- SES feedback and metrics (issue #18) ---
  {
    name: 'LATCH_SES_CONFIGURATION_SET',
    type: 'text',

    scope: 'runtime',
  },
  { name: 'LATCH_METRICS_NAMESPACE', type: 'text', scope: 'runtime' },
  { name: 'LATCH_DYNAMODB_ENDPOINT', type: 'url', scope: 'runtime' },
  { name: 'LATCH_SES_ENDPOINT', type: 'url', scope: 'runtime' },
  { name: 'PORT', type: 'integer', default: '3000', scope: 'runtime' },
  { name: 'DYNAMODB_PORT', type: 'integer', scope: 'runtime' },
  { name: 'SES_PORT', type: 'integer', scope: 'runtime' },
  { name: 'LATCH_CLI_DEBUG', type: 'boolean', scope: 'runtime' },
  // --- social sign-in: `npm start`'s local provider (docs/social-sign-in.md "Trying it locally") ---
  { name: 'OIDC_PORT', type: 'integer', default: '8006', scope: 'runtime' },
  { name: 'LATCH_LOCAL_OP', type: 'boolean', default: 'true', scope: 'runtime' },
  {
    name: 'LATCH_LOCAL_OP_REDIRECT_URIS',
    type: 'list',

    scope: 'runtime',
  },
  { name: 'LATCH_LOCAL_OP_SECRET', type: 'text', scope: 'runtime' },
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
 * The README's settings table, generated from {@link SETTINGS} and the documentation text in
 * `shared/settings-docs.ts` (kept out of this runtime table so the functions do not bundle it).
 * Re-exported here for the README command
 * `npx tsx -e "import('./shared/settings.ts').then((m) => console.log(m.settingsMarkdown()))"`;
 * the bundles leave it out (unused: esbuild drops it, `test/infra/bundles.test.ts` checks).
 */
export { settingsMarkdown } from './settings-docs.js';
