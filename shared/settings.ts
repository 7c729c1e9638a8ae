/**
 * The one table of environment variables. `loadConfig` (`shared/config.ts`) reads the settings
 * through it, the construct (`settingsEnvironment` in `infra/constructs/latch-auth-props.ts`)
 * writes them from it, and tests hold the README's table, `LatchSettings` and every
 * `process.env`/`env.X` read in `shared/`, `infra/` and `functions/` to it. Adding a setting is
 * one entry here plus its field in `Config` (see `docs/architecture.md`), its placement in
 * `settings-props.ts` (who sets it, the construct's prop) and its text in `settings-docs.ts`, both
 * keyed by `SettingName` and kept out of this table so that no function bundles them.
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
}

const TEN_YEARS = 10 * 365 * 86400;

/** Every variable Latch reads (besides the platform's, {@link PLATFORM_VARIABLES}), in the README's order. */
export const SETTINGS = [
  {
    name: 'AUTH_REQUIRE_EMAIL_CONFIRMATION',
    type: 'boolean',
    default: 'true',
  },
  {
    name: 'AUTH_PASSWORD_MIN_LENGTH',
    type: 'integer',
    default: '8',
    min: 8,
    max: 4096,
  },
  {
    name: 'AUTH_ACCESS_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 30,
    max: 86400,
  },
  {
    name: 'AUTH_SESSION_TTL_SECONDS',
    type: 'integer',
    default: '86400',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_REMEMBER_ME_TTL_SECONDS',
    type: 'integer',
    default: '2592000',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_RESET_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '3600',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_CONFIRMATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '172800',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_INVITATION_TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '604800',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_MAX_FAILED_SIGN_INS',
    type: 'integer',
    default: '10',
    min: 1,
    max: 1000,
  },
  {
    name: 'AUTH_LOCKOUT_SECONDS',
    type: 'integer',
    default: '900',
    min: 1,
    max: TEN_YEARS,
  },
  {
    name: 'AUTH_MAX_SESSIONS_PER_USER',
    type: 'integer',
    default: '100',
    min: 1,
    max: 1000,
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_LIMIT',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,
  },
  {
    name: 'AUTH_MAIL_RECIPIENT_WINDOW_SECONDS',
    type: 'integer',
    default: '3600',
    min: 60,
    max: 7 * 86400,
  },
  {
    name: 'AUTH_INVITATIONS',
    type: 'choice',
    default: 'any',
    choices: ['any', 'admin'],
  },
  {
    name: 'APP_URL',
    type: 'url',
    default: 'http://localhost:3000',
  },
  {
    name: 'AUTH_ISSUER',
    type: 'url',
  },
  {
    name: 'AUTH_AUDIENCE',
    type: 'text',
    default: 'latch',
  },
  {
    name: 'AUTH_CORS_ORIGINS',
    type: 'list',
  },
  {
    name: 'AUTH_ROLES',
    type: 'list',
  },
  { name: 'AUTH_MAIL_FROM', type: 'text', default: 'no-reply@localhost' },
  {
    name: 'AUTH_TRUSTED_PROXIES',
    type: 'list',
  },
  {
    name: 'AUTH_PASSWORD_CONTEXT_WORDS',
    type: 'list',
  },
  {
    name: 'AUTH_BREACHED_PASSWORD_ON_SIGN_IN',
    type: 'choice',
    default: 'notify',
    choices: ['notify', 'block', 'off'],
  },
  {
    name: 'AUTH_AUDIT_RETENTION_DAYS',
    type: 'integer',
    default: '365',
    min: 1,
    max: 3650,
  },
  {
    name: 'AUTH_MIGRATE_USER_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 25000,
  },
  {
    name: 'AUTH_MFA',
    type: 'choice',
    default: 'optional',
    choices: ['optional', 'required', 'off'],
  },
  {
    name: 'AUTH_MAX_FAILED_MFA',
    type: 'integer',
    default: '10',
    min: 1,
    max: 100,
  },
  {
    name: 'AUTH_TOTP_ISSUER',
    type: 'text',
  },
  {
    name: 'AUTH_TOTP_GRACE_SECONDS',
    type: 'integer',
    default: '10',
    min: 0,
    max: 15,
  },
  {
    name: 'AUTH_TOTP_ENROLLMENT_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 86400,
  },
  {
    name: 'AUTH_REAUTH_WINDOW_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 86400,
  },
  // Two-step sign-in and assurance levels (docs/specs/mfa-and-passkeys.md §3, §5, §11).
  {
    name: 'AUTH_MFA_CHALLENGE_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 60,
    max: 900,
  },
  {
    name: 'AUTH_MFA_MAX_ATTEMPTS',
    type: 'integer',
    default: '5',
    min: 1,
    max: 10,
  },
  {
    name: 'AUTH_AAL2_MAX_AGE_SECONDS',
    type: 'integer',
    default: '86400',
    min: 300,
    max: 2592000,
  },
  {
    name: 'AUTH_AUTHORIZER_MIN_AAL',
    type: 'choice',
    default: 'aal1',
    choices: ['aal1', 'aal2'],
  },
  // --- social sign-in (docs/specs/social-sign-in.md §7) ---
  {
    name: 'AUTH_OAUTH_PROVIDERS',
    type: 'json',
    default: '[]',
  },
  {
    name: 'AUTH_OAUTH_STATE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,
  },
  {
    name: 'AUTH_OAUTH_PENDING_TTL_SECONDS',
    type: 'integer',
    default: '900',
    min: 60,
    max: 86400,
  },
  {
    name: 'AUTH_OAUTH_NONCE_TTL_SECONDS',
    type: 'integer',
    default: '600',
    min: 60,
    max: 3600,
  },
  {
    name: 'AUTH_OAUTH_REGISTRATION',
    type: 'boolean',
    default: 'true',
  },
  {
    name: 'AUTH_OAUTH_HTTP_TIMEOUT_MS',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 30000,
  },
  {
    name: 'AUTH_OAUTH_ALLOW_HTTP_LOOPBACK',
    type: 'boolean',
    default: 'false',
  },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §11, part B).
  {
    name: 'AUTH_WEBAUTHN_RP_ID',
    type: 'text',
  },
  {
    name: 'AUTH_WEBAUTHN_RP_NAME',
    type: 'text',
  },
  {
    name: 'AUTH_WEBAUTHN_ORIGINS',
    type: 'list',
  },
  {
    name: 'AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 30,
    max: 600,
  },
  {
    name: 'AUTH_WEBAUTHN_MAX_PASSKEYS',
    type: 'integer',
    default: '20',
    min: 1,
    max: 40,
  },
  {
    name: 'AUTH_USER_ATTRIBUTES',
    type: 'json',
  },
  // --- signing-key rotation (issue #18) ---
  {
    name: 'AUTH_KEY_RING_TTL_SECONDS',
    type: 'integer',
    default: '300',
    min: 0,
    max: 3600,
  },
  {
    name: 'LATCH_HOOKS_MODULE',
    type: 'text',
  },
  {
    name: 'LATCH_MAIL_TEMPLATES',
    type: 'text',
  },
  // --- hosted UI (docs/specs/hosted-ui.md §10) ---
  {
    name: 'AUTH_UI',
    type: 'boolean',
    default: 'false',
  },
  {
    name: 'AUTH_UI_APP_NAME',
    type: 'text',
  },
  {
    name: 'AUTH_UI_DEFAULT_LOCALE',
    type: 'choice',
    default: 'en',
    choices: ['en', 'de'],
  },
  // --- branding (hosted-ui.md §9) ---
  {
    name: 'AUTH_UI_LOGO_URL',
    type: 'url',
  },
  {
    name: 'AUTH_UI_CSS_VARIABLES',
    type: 'json',
    default: '{}',
  },
  // --- end branding ---
  {
    name: 'AUTH_UI_PSEUDO_LOCALES',
    type: 'boolean',
    default: 'false',
  },
  // --- end hosted UI ---
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6, §10) ---
  {
    name: 'AUTH_UI_CLIENTS',
    type: 'json',
    default: '[]',
  },
  {
    name: 'AUTH_OAUTH2_CODE_TTL_SECONDS',
    type: 'integer',
    default: '60',
    min: 10,
    max: 60,
  },
  // --- end hand-off ---
  { name: 'LATCH_TABLE_NAME', type: 'text' },
  { name: 'LATCH_AUDIT_TABLE_NAME', type: 'text' },
  {
    name: 'LATCH_AUDIT_KEY_SECRET',
    type: 'text',
  },
  { name: 'LATCH_AUDIT_KEY', type: 'text' },
  {
    name: 'LATCH_DATA_KEY_SECRET',
    type: 'text',
  },
  { name: 'LATCH_DATA_KEYS', type: 'json' },
  { name: 'LATCH_SIGNING_KEY_SECRET', type: 'text' },
  { name: 'LATCH_PUBLIC_KEY_SECRET', type: 'text' },
  { name: 'LATCH_KEYS', type: 'choice', choices: ['none'] },
  {
    name: 'LATCH_BREACHED_PASSWORDS_FILE',
    type: 'text',
  },
  {
    name: 'LATCH_COMMON_PASSWORDS_FILE',
    type: 'text',
  },
  {
    name: 'LATCH_IMPORT_PEPPERS_SECRET',
    type: 'text',
  },
  { name: 'LATCH_IMPORT_PEPPERS', type: 'json' },
  {
    name: 'LATCH_SIGNING_KEYS_FILE',
    type: 'text',
  },
  { name: 'LATCH_SIGNING_KEYS', type: 'json' },
  // --- SES feedback and metrics (issue #18) ---
  {
    name: 'LATCH_SES_CONFIGURATION_SET',
    type: 'text',
  },
  { name: 'LATCH_METRICS_NAMESPACE', type: 'text' },
  { name: 'LATCH_DYNAMODB_ENDPOINT', type: 'url' },
  { name: 'LATCH_SES_ENDPOINT', type: 'url' },
  { name: 'PORT', type: 'integer', default: '3000' },
  { name: 'DYNAMODB_PORT', type: 'integer' },
  { name: 'SES_PORT', type: 'integer' },
  { name: 'LATCH_CLI_DEBUG', type: 'boolean' },
  // --- social sign-in: `npm start`'s local provider (docs/social-sign-in.md "Trying it locally") ---
  { name: 'OIDC_PORT', type: 'integer', default: '8006' },
  { name: 'LATCH_LOCAL_OP', type: 'boolean', default: 'true' },
  {
    name: 'LATCH_LOCAL_OP_REDIRECT_URIS',
    type: 'list',
  },
  { name: 'LATCH_LOCAL_OP_SECRET', type: 'text' },
  // --- end social sign-in ---
] as const satisfies readonly SettingDefinition[];

/** The name of a declared variable. */
export type SettingName = (typeof SETTINGS)[number]['name'];

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
