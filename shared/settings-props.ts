import type { ConstructEncoding, SettingName } from './settings.js';

/**
 * Who sets each setting of {@link SETTINGS} (`shared/settings.ts`, the one table) and how the
 * construct passes it: read by the construct (`settingsEnvironment` in
 * `infra/constructs/latch-auth-props.ts`) and the README generator (`settings-docs.ts`), never at
 * run time, so it sits beside the table instead of in it and no function bundles it (issue 17,
 * row 6). Keyed by `SettingName`: a setting without its entry, or an entry without a setting,
 * does not compile.
 */
export interface SettingPlacement {
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

/** Every setting's placement, in the table's order (literals only: a bundle that reaches this module through `settings-docs.ts` without reading it drops it). */
export const SETTING_PROPS = {
  AUTH_REQUIRE_EMAIL_CONFIRMATION: { scope: 'setting', settingsProp: { prop: 'requireEmailConfirmation', encoding: 'boolean' } },
  AUTH_PASSWORD_MIN_LENGTH: { scope: 'setting', settingsProp: { prop: 'passwordMinLength', encoding: 'number' } },
  AUTH_ACCESS_TOKEN_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'accessTokenTtl', encoding: 'duration' } },
  AUTH_SESSION_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'sessionTtl', encoding: 'duration' } },
  AUTH_REMEMBER_ME_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'rememberMeTtl', encoding: 'duration' } },
  AUTH_RESET_TOKEN_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'resetTokenTtl', encoding: 'duration' } },
  AUTH_CONFIRMATION_TOKEN_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'confirmationTokenTtl', encoding: 'duration' } },
  AUTH_INVITATION_TOKEN_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'invitationTokenTtl', encoding: 'duration' } },
  AUTH_MAX_FAILED_SIGN_INS: { scope: 'setting', settingsProp: { prop: 'maxFailedSignIns', encoding: 'number' } },
  AUTH_LOCKOUT_SECONDS: { scope: 'setting', settingsProp: { prop: 'lockout', encoding: 'duration' } },
  AUTH_MAX_SESSIONS_PER_USER: { scope: 'setting', settingsProp: { prop: 'maxSessionsPerUser', encoding: 'number' } },
  AUTH_MAIL_RECIPIENT_LIMIT: { scope: 'setting', settingsProp: { prop: 'mailRecipientLimit', encoding: 'number' } },
  AUTH_MAIL_RECIPIENT_WINDOW_SECONDS: { scope: 'setting', settingsProp: { prop: 'mailRecipientWindow', encoding: 'duration' } },
  AUTH_INVITATIONS: { scope: 'setting', authProp: 'invitations' },
  APP_URL: { scope: 'setting', authProp: 'appUrl' },
  AUTH_ISSUER: { scope: 'setting', authProp: 'issuer' },
  AUTH_AUDIENCE: { scope: 'setting', settingsProp: { prop: 'audience', encoding: 'text' } },
  AUTH_CORS_ORIGINS: { scope: 'setting', authProp: 'corsOrigins' },
  AUTH_ROLES: { scope: 'setting', settingsProp: { prop: 'roles', encoding: 'list' } },
  AUTH_MAIL_FROM: { scope: 'setting', authProp: 'mailFrom' },
  AUTH_TRUSTED_PROXIES: { scope: 'setting' },
  AUTH_PASSWORD_CONTEXT_WORDS: { scope: 'setting', settingsProp: { prop: 'passwordContextWords', encoding: 'list' } },
  AUTH_BREACHED_PASSWORD_ON_SIGN_IN: { scope: 'setting', settingsProp: { prop: 'breachedPasswordOnSignIn', encoding: 'text' } },
  AUTH_AUDIT_RETENTION_DAYS: { scope: 'setting', settingsProp: { prop: 'auditRetention', encoding: 'days' } },
  AUTH_MIGRATE_USER_TIMEOUT_MS: { scope: 'setting' },
  AUTH_MFA: { scope: 'setting', settingsProp: { prop: 'mfa', encoding: 'text' } },
  AUTH_MAX_FAILED_MFA: { scope: 'setting', settingsProp: { prop: 'maxFailedMfa', encoding: 'number' } },
  AUTH_TOTP_ISSUER: { scope: 'setting', settingsProp: { prop: 'totpIssuer', encoding: 'text' } },
  AUTH_TOTP_GRACE_SECONDS: { scope: 'setting', settingsProp: { prop: 'totpGrace', encoding: 'duration' } },
  AUTH_TOTP_ENROLLMENT_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'totpEnrollmentTtl', encoding: 'duration' } },
  AUTH_REAUTH_WINDOW_SECONDS: { scope: 'setting', settingsProp: { prop: 'reauthWindow', encoding: 'duration' } },
  AUTH_MFA_CHALLENGE_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'mfaChallengeTtl', encoding: 'duration' } },
  AUTH_MFA_MAX_ATTEMPTS: { scope: 'setting', settingsProp: { prop: 'mfaMaxAttempts', encoding: 'number' } },
  AUTH_AAL2_MAX_AGE_SECONDS: { scope: 'setting', settingsProp: { prop: 'aal2MaxAge', encoding: 'duration' } },
  AUTH_AUTHORIZER_MIN_AAL: { scope: 'setting', settingsProp: { prop: 'authorizerMinAal', encoding: 'text' } },
  AUTH_OAUTH_PROVIDERS: { scope: 'setting' },
  AUTH_OAUTH_STATE_TTL_SECONDS: { scope: 'setting' },
  AUTH_OAUTH_PENDING_TTL_SECONDS: { scope: 'setting' },
  AUTH_OAUTH_NONCE_TTL_SECONDS: { scope: 'setting' },
  AUTH_OAUTH_REGISTRATION: { scope: 'setting' },
  AUTH_OAUTH_HTTP_TIMEOUT_MS: { scope: 'setting' },
  AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: { scope: 'setting' },
  AUTH_WEBAUTHN_RP_ID: { scope: 'setting', settingsProp: { prop: 'webauthnRpId', encoding: 'text' } },
  AUTH_WEBAUTHN_RP_NAME: { scope: 'setting', settingsProp: { prop: 'webauthnRpName', encoding: 'text' } },
  AUTH_WEBAUTHN_ORIGINS: { scope: 'setting', settingsProp: { prop: 'webauthnOrigins', encoding: 'list' } },
  AUTH_WEBAUTHN_CHALLENGE_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'webauthnChallengeTtl', encoding: 'duration' } },
  AUTH_WEBAUTHN_MAX_PASSKEYS: { scope: 'setting', settingsProp: { prop: 'webauthnMaxPasskeys', encoding: 'number' } },
  AUTH_USER_ATTRIBUTES: { scope: 'setting', settingsProp: { prop: 'userAttributes', encoding: 'json' } },
  AUTH_KEY_RING_TTL_SECONDS: { scope: 'setting', settingsProp: { prop: 'keyRingTtl', encoding: 'duration' } },
  LATCH_HOOKS_MODULE: { scope: 'setting', authProp: 'hooksModule' },
  LATCH_MAIL_TEMPLATES: { scope: 'setting', authProp: 'mailTemplatesFile' },
  AUTH_UI: { scope: 'setting' },
  AUTH_UI_APP_NAME: { scope: 'setting' },
  AUTH_UI_DEFAULT_LOCALE: { scope: 'setting' },
  AUTH_UI_LOGO_URL: { scope: 'setting' },
  AUTH_UI_CSS_VARIABLES: { scope: 'setting' },
  AUTH_UI_PSEUDO_LOCALES: { scope: 'setting' },
  AUTH_UI_CLIENTS: { scope: 'setting' },
  AUTH_OAUTH2_CODE_TTL_SECONDS: { scope: 'setting' },
  LATCH_TABLE_NAME: { scope: 'runtime' },
  LATCH_AUDIT_TABLE_NAME: { scope: 'runtime' },
  LATCH_AUDIT_KEY_SECRET: { scope: 'runtime' },
  LATCH_AUDIT_KEY: { scope: 'runtime' },
  LATCH_DATA_KEY_SECRET: { scope: 'runtime' },
  LATCH_DATA_KEYS: { scope: 'runtime' },
  LATCH_SIGNING_KEY_SECRET: { scope: 'runtime' },
  LATCH_PUBLIC_KEY_SECRET: { scope: 'runtime' },
  LATCH_KEYS: { scope: 'runtime' },
  LATCH_BREACHED_PASSWORDS_FILE: { scope: 'runtime' },
  LATCH_COMMON_PASSWORDS_FILE: { scope: 'runtime' },
  LATCH_IMPORT_PEPPERS_SECRET: { scope: 'runtime' },
  LATCH_IMPORT_PEPPERS: { scope: 'runtime' },
  LATCH_SIGNING_KEYS_FILE: { scope: 'runtime' },
  LATCH_SIGNING_KEYS: { scope: 'runtime' },
  LATCH_SES_CONFIGURATION_SET: { scope: 'runtime' },
  LATCH_METRICS_NAMESPACE: { scope: 'runtime' },
  LATCH_DYNAMODB_ENDPOINT: { scope: 'runtime' },
  LATCH_SES_ENDPOINT: { scope: 'runtime' },
  PORT: { scope: 'runtime' },
  DYNAMODB_PORT: { scope: 'runtime' },
  SES_PORT: { scope: 'runtime' },
  LATCH_CLI_DEBUG: { scope: 'runtime' },
  OIDC_PORT: { scope: 'runtime' },
  LATCH_LOCAL_OP: { scope: 'runtime' },
  LATCH_LOCAL_OP_REDIRECT_URIS: { scope: 'runtime' },
  LATCH_LOCAL_OP_SECRET: { scope: 'runtime' },
} as const satisfies { readonly [N in SettingName]: SettingPlacement };

/** The placement of a declared setting. */
export function placementOf(name: SettingName): SettingPlacement {
  return SETTING_PROPS[name];
}

/** The `LatchSettings` prop names the table declares (`LatchSettings` is checked against it at compile time). */
export type SettingsPropName = Extract<(typeof SETTING_PROPS)[SettingName], { settingsProp: unknown }>['settingsProp']['prop'];
