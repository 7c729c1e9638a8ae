import { readFileSync } from 'node:fs';
import { type AttributeDefinitions, parseAttributeDefinitions } from './domain/attributes.js';
import { ServiceUnavailableError } from './domain/errors.js';
import { type OAuthProviderConfig, parseOAuthProviders } from './domain/oauth.js';
import { parseUiClients, type UiClient } from './domain/oauth2.js';
import { SETTINGS, type SettingDefinition, type SettingName, settingOf } from './settings.js';
import { type CssVariables, checkLogoUrl, checkTheme } from './ui/theme.js';

/**
 * The one typed configuration loader, used by the deployed functions, the local runner, the CLI
 * and the tests. It fails fast: a missing or malformed setting throws a plain `Error` at cold
 * start, never a 401 at request time.
 */
export interface Config {
  requireEmailConfirmation: boolean;
  passwordMinLength: number;
  accessTokenTtlSeconds: number;
  /** How long a warm container keeps its signing key ring before reading it again (`docs/key-rotation.md`). */
  keyRingTtlSeconds: number;
  sessionTtlSeconds: number;
  rememberMeTtlSeconds: number;
  resetTokenTtlSeconds: number;
  confirmationTokenTtlSeconds: number;
  invitationTokenTtlSeconds: number;
  maxFailedSignIns: number;
  lockoutSeconds: number;
  /** Live sessions a user may have; starting one more revokes the oldest. */
  maxSessionsPerUser: number;
  /** At most this many capped mails of one kind go to one address per {@link mailRecipientWindowSeconds}. */
  mailRecipientLimit: number;
  /** The per-recipient mail cap's window, from the first counted mail. */
  mailRecipientWindowSeconds: number;
  invitations: 'any' | 'admin';
  /** Origin of the client app; every mailed link starts with it. Never taken from a request. */
  appUrl: string;
  /** `iss` of access tokens and the OpenID configuration. */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  corsOrigins: string[];
  /** Roles a user may have; always includes `user` and `admin`. */
  roles: string[];
  /** Addresses of proxies whose `X-Forwarded-For` the local runner believes. */
  trustedProxies: string[];
  /** Sender address of every mail (a verified SES identity). */
  mailFrom: string;
  /** Custom user attributes (`AUTH_USER_ATTRIBUTES`, JSON): stored on the user, returned in the user object. */
  attributes: AttributeDefinitions;
  /** Extra context words no password may be (`AUTH_PASSWORD_CONTEXT_WORDS`, comma list), e.g. the product's name. */
  passwordContextWords: string[];
  /** What a correct password found in the breached or common lists does at sign-in (`AUTH_BREACHED_PASSWORD_ON_SIGN_IN`). */
  breachedPasswordOnSignIn: 'notify' | 'block' | 'off';
  /** Days an audit event is kept (`AUTH_AUDIT_RETENTION_DAYS`): its `expiresAt`. */
  auditRetentionDays: number;
  /** Time limit of the `migrateUser` hook in milliseconds (`AUTH_MIGRATE_USER_TIMEOUT_MS`). */
  migrateUserTimeoutMs: number;
  /** Second-factor policy (`AUTH_MFA`): `off` refuses new enrolments, factors enrolled earlier keep working. */
  mfa: 'optional' | 'required' | 'off';
  /** Wrong second-factor codes per account within `lockoutSeconds` before the MFA lockout (`AUTH_MAX_FAILED_MFA`). */
  maxFailedMfa: number;
  /** `issuer` of the `otpauth` URI (`AUTH_TOTP_ISSUER`, default `APP_URL`'s host). */
  totpIssuer: string;
  /** Seconds into a step during which the previous step's code is still accepted (`AUTH_TOTP_GRACE_SECONDS`, 0–15). */
  totpGraceSeconds: number;
  /** Life of a pending TOTP enrolment (`AUTH_TOTP_ENROLLMENT_TTL_SECONDS`). */
  totpEnrollmentTtlSeconds: number;
  /** Freshness of the session's last authentication for step-up routes (`AUTH_REAUTH_WINDOW_SECONDS`). */
  reauthWindowSeconds: number;
  /** Life of an `mfaToken` (`AUTH_MFA_CHALLENGE_TTL_SECONDS`). */
  mfaChallengeTtlSeconds: number;
  /** Wrong answers per `mfaToken` (`AUTH_MFA_MAX_ATTEMPTS`). */
  mfaMaxAttempts: number;
  /** Age of the last authentication after which an MFA session counts as aal1 (`AUTH_AAL2_MAX_AGE_SECONDS`). */
  aal2MaxAgeSeconds: number;
  /** The lowest level the authorizer lets through (`AUTH_AUTHORIZER_MIN_AAL`). */
  authorizerMinAal: 'aal1' | 'aal2';
  /** The hosted pages (`AUTH_UI*`, docs/hosted-ui.md). */
  ui: {
    enabled: boolean;
    appName: string;
    defaultLocale: 'en' | 'de';
    pseudoLocales: boolean;
    /** Branding (§9): the logo (https) and the checked CSS variables. */
    logoUrl?: string;
    cssVariables: CssVariables;
    /** The hand-off's first-party clients (`AUTH_UI_CLIENTS`, §6). */
    clients: UiClient[];
  };
  /** `AUTH_OAUTH2_CODE_TTL_SECONDS`: life of the hand-off's authorization code (docs/specs/hosted-ui.md §6). */
  oauth2CodeTtlSeconds: number;
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §11, part B).
  /** WebAuthn relying party id (`AUTH_WEBAUTHN_RP_ID`, default `APP_URL`'s host); never an IP address. */
  webauthnRpId: string;
  /** Relying party name shown by authenticators (`AUTH_WEBAUTHN_RP_NAME`, default `totpIssuer`). */
  webauthnRpName: string;
  /** Origins a WebAuthn response may come from (`AUTH_WEBAUTHN_ORIGINS`, default `APP_URL`'s origin). */
  webauthnOrigins: string[];
  /** Life of a WebAuthn challenge (`AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS`). */
  webauthnChallengeTtlSeconds: number;
  /** Passkeys per user (`AUTH_WEBAUTHN_MAX_PASSKEYS`). */
  webauthnMaxPasskeys: number;
  // --- social sign-in (docs/specs/social-sign-in.md §7) ---
  /** `AUTH_OAUTH_PROVIDERS`, presets applied and validated. */
  oauthProviders: OAuthProviderConfig[];
  oauthStateTtlSeconds: number;
  oauthPendingTtlSeconds: number;
  oauthNonceTtlSeconds: number;
  /** `AUTH_OAUTH_REGISTRATION`: false, providers sign in existing users and invitees only. */
  oauthRegistration: boolean;
  oauthHttpTimeoutMs: number;
  oauthAllowHttpLoopback: boolean;
}

/** A setting that is a JSON array or the path of a JSON file holding one (`[]` when unset); parsed, not yet checked. */
function jsonArraySetting(env: Env, name: string): unknown {
  const raw = (env[name] ?? '').trim() || '[]';
  let text = raw;
  if (!raw.startsWith('[')) {
    try {
      text = readFileSync(raw, 'utf8');
    } catch {
      throw new Error(`${name} must be a JSON array or the path of a JSON file; cannot read "${raw}"`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

type Env = Record<string, string | undefined>;

/** The declaration of a setting `loadConfig` reads (a name missing from the table is a bug here). */
function declared(name: SettingName): SettingDefinition {
  const setting = settingOf(name);
  if (!setting) throw new Error(`${name} is not declared in shared/settings.ts`);
  return setting;
}

function int(env: Env, name: SettingName): number {
  const { default: fallback, min = 1, max = 10 * 365 * 86400 } = declared(name);
  const raw = env[name] || fallback;
  if (raw === undefined) throw new Error(`${name} must be set`);
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: SettingName): boolean {
  const raw = env[name] || declared(name).default;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: SettingName): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function text(env: Env, name: SettingName): string | undefined {
  return env[name] || declared(name).default;
}

function choice<T extends string>(env: Env, name: SettingName): T {
  const { choices = [], default: fallback } = declared(name);
  const raw = env[name] || fallback;
  if (raw === undefined || !choices.includes(raw)) throw new Error(`${name} must be ${choices.map((c) => `"${c}"`).join(' or ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: SettingName, fallback = declared(name).default): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw ?? '');
  } catch {
    throw new Error(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return (raw as string).replace(/\/+$/, '');
}

/** `AUTH_UI_CSS_VARIABLES`: JSON, patterns and contrast checked by `check` (hosted-ui.md §9). */
function cssVariablesOf(env: Env, check: typeof checkTheme): CssVariables {
  const raw = env.AUTH_UI_CSS_VARIABLES || '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('AUTH_UI_CSS_VARIABLES must be a JSON object');
  }
  check(parsed);
  return parsed as CssVariables;
}

/** A typo in a setting's name must not silently keep its default: unknown `AUTH_*` names fail. */
function refuseUnknownSettings(env: Env): void {
  const unknown = Object.keys(env).filter((name) => name.startsWith('AUTH_') && !settingOf(name));
  if (unknown.length > 0) {
    const known = SETTINGS.map((s) => s.name).filter((name) => name.startsWith('AUTH_'));
    throw new Error(`Unknown setting ${unknown.join(', ')} (a typo?). Latch reads these AUTH_* settings: ${known.join(', ')}`);
  }
}

/** Settings that only make sense together. */
function checkRelatedBounds(config: Config): void {
  if (config.sessionTtlSeconds < config.accessTokenTtlSeconds) {
    throw new Error(
      `AUTH_SESSION_TTL_SECONDS (${config.sessionTtlSeconds}) must be at least AUTH_ACCESS_TOKEN_TTL_SECONDS (${config.accessTokenTtlSeconds}): an access token would outlive its session`,
    );
  }
  if (config.rememberMeTtlSeconds < config.sessionTtlSeconds) {
    throw new Error(
      `AUTH_REMEMBER_ME_TTL_SECONDS (${config.rememberMeTtlSeconds}) must be at least AUTH_SESSION_TTL_SECONDS (${config.sessionTtlSeconds}): "remember me" would shorten the session`,
    );
  }
}

/**
 * Reads the configuration from environment variables, as declared in `shared/settings.ts` (the
 * README's table is generated from there). Unknown `AUTH_*` names and inconsistent values throw.
 * Every section is parsed: the CLI, the construct at synth, the local runner's tools and the tests
 * use this; a Lambda function's composition root uses {@link loadConfigWith} with its sections.
 */
export function loadConfig(env: Env = process.env): Config {
  return loadConfigWith(env, EVERY_CONFIG_SECTION);
}

/**
 * The settings whose parsers weigh (issue 17, row 6): the social sign-in providers (presets and
 * checks), the hand-off's clients and the theme (patterns and WCAG contrast). Each is parsed, and
 * checked at cold start, only by the functions whose entries compose it (`WITH_*` in
 * `shared/runtime/optional-adapters.ts`); elsewhere its fields are not set and reading one is a
 * 503 naming it, never a silent default. The settings themselves stay in `shared/settings.ts`.
 */
export interface ConfigSections {
  /** `AUTH_OAUTH_PROVIDERS` → `oauthProviders` (with `AUTH_UI` on, each provider's hosted-page callback checked). */
  oauthProviders?: typeof parseOAuthProviders;
  /** `AUTH_UI_CLIENTS` → `ui.clients`. */
  uiClients?: typeof parseUiClients;
  /** `AUTH_UI_LOGO_URL`, `AUTH_UI_CSS_VARIABLES` → `ui.logoUrl`, `ui.cssVariables`. */
  uiTheme?: { checkTheme: typeof checkTheme; checkLogoUrl: typeof checkLogoUrl };
}

/** Every section, for {@link loadConfig}. */
export const EVERY_CONFIG_SECTION: Required<ConfigSections> = {
  oauthProviders: parseOAuthProviders,
  uiClients: parseUiClients,
  uiTheme: { checkTheme, checkLogoUrl },
};

/** The configuration with the given sections parsed; the others are not set (reading one is a 503). */
export function loadConfigWith(env: Env, sections: ConfigSections): Config {
  refuseUnknownSettings(env);
  const appUrl = url(env, 'APP_URL');
  const corsOrigins = list(env, 'AUTH_CORS_ORIGINS');
  const config: Config = {
    requireEmailConfirmation: bool(env, 'AUTH_REQUIRE_EMAIL_CONFIRMATION'),
    passwordMinLength: int(env, 'AUTH_PASSWORD_MIN_LENGTH'),
    accessTokenTtlSeconds: int(env, 'AUTH_ACCESS_TOKEN_TTL_SECONDS'),
    keyRingTtlSeconds: int(env, 'AUTH_KEY_RING_TTL_SECONDS'),
    sessionTtlSeconds: int(env, 'AUTH_SESSION_TTL_SECONDS'),
    rememberMeTtlSeconds: int(env, 'AUTH_REMEMBER_ME_TTL_SECONDS'),
    resetTokenTtlSeconds: int(env, 'AUTH_RESET_TOKEN_TTL_SECONDS'),
    confirmationTokenTtlSeconds: int(env, 'AUTH_CONFIRMATION_TOKEN_TTL_SECONDS'),
    invitationTokenTtlSeconds: int(env, 'AUTH_INVITATION_TOKEN_TTL_SECONDS'),
    maxFailedSignIns: int(env, 'AUTH_MAX_FAILED_SIGN_INS'),
    lockoutSeconds: int(env, 'AUTH_LOCKOUT_SECONDS'),
    maxSessionsPerUser: int(env, 'AUTH_MAX_SESSIONS_PER_USER'),
    mailRecipientLimit: int(env, 'AUTH_MAIL_RECIPIENT_LIMIT'),
    mailRecipientWindowSeconds: int(env, 'AUTH_MAIL_RECIPIENT_WINDOW_SECONDS'),
    invitations: choice<Config['invitations']>(env, 'AUTH_INVITATIONS'),
    appUrl,
    issuer: url(env, 'AUTH_ISSUER', appUrl),
    audience: text(env, 'AUTH_AUDIENCE') as string,
    corsOrigins: corsOrigins.length > 0 ? corsOrigins : [new URL(appUrl).origin],
    roles: [...new Set(['user', 'admin', ...list(env, 'AUTH_ROLES')])],
    trustedProxies: list(env, 'AUTH_TRUSTED_PROXIES'),
    mailFrom: text(env, 'AUTH_MAIL_FROM') as string,
    attributes: parseAttributeDefinitions(env.AUTH_USER_ATTRIBUTES),
    passwordContextWords: list(env, 'AUTH_PASSWORD_CONTEXT_WORDS'),
    breachedPasswordOnSignIn: choice<Config['breachedPasswordOnSignIn']>(env, 'AUTH_BREACHED_PASSWORD_ON_SIGN_IN'),
    auditRetentionDays: int(env, 'AUTH_AUDIT_RETENTION_DAYS'),
    migrateUserTimeoutMs: int(env, 'AUTH_MIGRATE_USER_TIMEOUT_MS'),
    mfa: choice<Config['mfa']>(env, 'AUTH_MFA'),
    maxFailedMfa: int(env, 'AUTH_MAX_FAILED_MFA'),
    totpIssuer: text(env, 'AUTH_TOTP_ISSUER') ?? new URL(appUrl).host,
    totpGraceSeconds: int(env, 'AUTH_TOTP_GRACE_SECONDS'),
    totpEnrollmentTtlSeconds: int(env, 'AUTH_TOTP_ENROLLMENT_TTL_SECONDS'),
    reauthWindowSeconds: int(env, 'AUTH_REAUTH_WINDOW_SECONDS'),
    mfaChallengeTtlSeconds: int(env, 'AUTH_MFA_CHALLENGE_TTL_SECONDS'),
    mfaMaxAttempts: int(env, 'AUTH_MFA_MAX_ATTEMPTS'),
    aal2MaxAgeSeconds: int(env, 'AUTH_AAL2_MAX_AGE_SECONDS'),
    authorizerMinAal: choice<Config['authorizerMinAal']>(env, 'AUTH_AUTHORIZER_MIN_AAL'),
    ui: {
      enabled: bool(env, 'AUTH_UI'),
      appName: text(env, 'AUTH_UI_APP_NAME') ?? new URL(appUrl).host,
      defaultLocale: choice<'en' | 'de'>(env, 'AUTH_UI_DEFAULT_LOCALE'),
      pseudoLocales: bool(env, 'AUTH_UI_PSEUDO_LOCALES'),
    } as Config['ui'],
    oauth2CodeTtlSeconds: int(env, 'AUTH_OAUTH2_CODE_TTL_SECONDS'),
    oauthStateTtlSeconds: int(env, 'AUTH_OAUTH_STATE_TTL_SECONDS'),
    oauthPendingTtlSeconds: int(env, 'AUTH_OAUTH_PENDING_TTL_SECONDS'),
    oauthNonceTtlSeconds: int(env, 'AUTH_OAUTH_NONCE_TTL_SECONDS'),
    oauthRegistration: bool(env, 'AUTH_OAUTH_REGISTRATION'),
    oauthHttpTimeoutMs: int(env, 'AUTH_OAUTH_HTTP_TIMEOUT_MS'),
    oauthAllowHttpLoopback: bool(env, 'AUTH_OAUTH_ALLOW_HTTP_LOOPBACK'),
    ...webauthnSettings(env, appUrl),
  } as Config;
  checkRelatedBounds(config);
  notParsed.set(config, new Set(SECTION_NAMES));
  return addConfigSections(config, env, sections);
}

/** The sections a config built here does not have yet. */
const notParsed = new WeakMap<Config, Set<keyof ConfigSections>>();

type SectionParsers = Required<ConfigSections>;

/** The fields each section owns: left unset (a 503 on read) when a function does not compose it. */
const SECTION_FIELDS: { [S in keyof SectionParsers]: (config: Config) => Array<[target: object, field: string]> } = {
  oauthProviders: (config) => [[config, 'oauthProviders']],
  uiClients: (config) => [[config.ui, 'clients']],
  uiTheme: (config) => [
    [config.ui, 'logoUrl'],
    [config.ui, 'cssVariables'],
  ],
};

/** How each section fills its fields from the environment with the parser a function composed. */
const SECTION_APPLIERS: { [S in keyof SectionParsers]: (config: Config, env: Env, parse: SectionParsers[S]) => void } = {
  oauthProviders: (config, env, parse) => {
    const providers = parse(jsonArraySetting(env, 'AUTH_OAUTH_PROVIDERS'), config.oauthAllowHttpLoopback);
    // The hosted pages sign in through each provider at <APP_URL>/oauth/<provider>/callback (hosted-ui §2).
    if (config.ui.enabled) checkUiCallbacks(providers, config.appUrl);
    set(config, 'oauthProviders', providers);
  },
  uiClients: (config, env, parse) => set(config.ui, 'clients', parse(jsonArraySetting(env, 'AUTH_UI_CLIENTS'))),
  uiTheme: (config, env, theme) => {
    if (env.AUTH_UI_LOGO_URL) set(config.ui, 'logoUrl', theme.checkLogoUrl(env.AUTH_UI_LOGO_URL).url);
    else Reflect.deleteProperty(config.ui, 'logoUrl');
    set(config.ui, 'cssVariables', cssVariablesOf(env, theme.checkTheme));
  },
};

const SECTION_NAMES = Object.keys(SECTION_APPLIERS) as Array<keyof ConfigSections>;

/** A field of a section the function did not compose: reading it is a 503 naming the section. */
function unset(target: object, field: string, section: keyof ConfigSections): void {
  Object.defineProperty(target, field, {
    configurable: true,
    enumerable: false,
    get: () => {
      throw new ServiceUnavailableError(undefined, {
        cause: new Error(`the ${section} settings are not composed in this function (ConfigSections, shared/runtime/optional-adapters.ts)`),
      });
    },
  });
}

/** Sets a field, replacing its unset marker. */
function set(target: object, field: string, value: unknown): void {
  Object.defineProperty(target, field, { configurable: true, enumerable: true, writable: true, value });
}

/** Parses one section into `config` when `sections` composes it (and marks it parsed); else leaves its fields unset. */
function applySection<S extends keyof ConfigSections>(
  config: Config,
  env: Env,
  sections: ConfigSections,
  section: S,
  missing: Set<keyof ConfigSections>,
): void {
  // `ConfigSections[S]` is `SectionParsers[S] | undefined`; the cast only names it so the compiler correlates it with the applier of `S`.
  const parse = sections[section] as SectionParsers[S] | undefined;
  if (parse === undefined) {
    for (const [target, field] of SECTION_FIELDS[section](config)) unset(target, field, section);
    return;
  }
  SECTION_APPLIERS[section](config, env, parse);
  missing.delete(section);
}

/**
 * Parses into `config`, in place, the sections of `sections` it does not have yet (a process that
 * runs several functions, the local runner and in-process tests, shares one config). A config not
 * built by {@link loadConfigWith} (a test's own object) is taken as it is.
 */
export function addConfigSections(config: Config, env: Env, sections: ConfigSections): Config {
  const missing = notParsed.get(config);
  if (!missing) return config;
  for (const section of [...missing]) applySection(config, env, sections, section, missing);
  return config;
}

/** The passkey settings (`docs/specs/mfa-and-passkeys.md` §11): an RP ID is a domain, never an IP address. */
function webauthnSettings(
  env: Env,
  appUrl: string,
): Pick<Config, 'webauthnRpId' | 'webauthnRpName' | 'webauthnOrigins' | 'webauthnChallengeTtlSeconds' | 'webauthnMaxPasskeys'> {
  const url = new URL(appUrl);
  const explicit = text(env, 'AUTH_WEBAUTHN_RP_ID');
  // A loopback APP_URL (local runs, tests) defaults to `localhost`, the one loopback name a browser
  // accepts as an RP ID; a configured IP address is refused.
  const loopback = explicit === undefined && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
  const rpId = (loopback ? 'localhost' : (explicit ?? url.hostname)).toLowerCase();
  if (/^[0-9.]+$/.test(rpId) || rpId.includes(':') || rpId.includes('/'))
    throw new Error(`AUTH_WEBAUTHN_RP_ID must be a domain name, not ${JSON.stringify(rpId)}`);
  const origins = list(env, 'AUTH_WEBAUTHN_ORIGINS');
  return {
    webauthnRpId: rpId,
    webauthnRpName: text(env, 'AUTH_WEBAUTHN_RP_NAME') ?? text(env, 'AUTH_TOTP_ISSUER') ?? url.host,
    webauthnOrigins: origins.length > 0 ? origins : [url.origin],
    webauthnChallengeTtlSeconds: int(env, 'AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS'),
    webauthnMaxPasskeys: int(env, 'AUTH_WEBAUTHN_MAX_PASSKEYS'),
  };
}

/**
 * With the hosted pages on, every provider must list `<APP_URL>/oauth/<provider>/callback` in
 * `redirectUris` (hosted-ui §2). Checked by `loadConfig` and, so that a deployment cannot start
 * with a configuration every function would refuse, by the construct at synth.
 */
export function checkUiCallbacks(providers: ReadonlyArray<{ id: string; redirectUris: readonly string[] }>, appUrl: string): void {
  for (const provider of providers) {
    const callback = `${appUrl}/oauth/${provider.id}/callback`;
    if (!provider.redirectUris.includes(callback)) {
      throw new Error(`AUTH_OAUTH_PROVIDERS: provider "${provider.id}" must list ${callback} in redirectUris while AUTH_UI is on (the hosted pages' callback)`);
    }
  }
}
