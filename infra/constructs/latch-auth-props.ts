import { type Duration, type RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { loadConfig } from '../../shared/config.js';
import type { AttributeDefinitions } from '../../shared/domain/attributes.js';
import { type ConstructEncoding, SETTINGS, type SettingDefinition, type SettingName } from '../../shared/settings.js';
import { placementOf, type SettingsPropName } from '../../shared/settings-props.js';
import type { CssVariables } from '../../shared/ui/theme.js';
import type { LatchCustomDomainProps } from './custom-domain.js';
import type { LatchOAuthProvider } from './oauth-providers.js';

/**
 * Overrides of the `AUTH_*` settings, declared with their defaults in `shared/settings.ts` (a
 * compile-time check holds these props to that table). Anything left out keeps the default.
 */
export interface LatchSettings {
  /** `AUTH_REQUIRE_EMAIL_CONFIRMATION` @default true */
  readonly requireEmailConfirmation?: boolean;
  /** `AUTH_PASSWORD_MIN_LENGTH` @default 8 */
  readonly passwordMinLength?: number;
  /** `AUTH_ACCESS_TOKEN_TTL_SECONDS` @default 15 minutes */
  readonly accessTokenTtl?: Duration;
  /** `AUTH_SESSION_TTL_SECONDS`, a session without `rememberMe` @default 1 day */
  readonly sessionTtl?: Duration;
  /** `AUTH_REMEMBER_ME_TTL_SECONDS` @default 30 days */
  readonly rememberMeTtl?: Duration;
  /** `AUTH_RESET_TOKEN_TTL_SECONDS` @default 1 hour */
  readonly resetTokenTtl?: Duration;
  /** `AUTH_CONFIRMATION_TOKEN_TTL_SECONDS` @default 2 days */
  readonly confirmationTokenTtl?: Duration;
  /** `AUTH_INVITATION_TOKEN_TTL_SECONDS` @default 7 days */
  readonly invitationTokenTtl?: Duration;
  /** `AUTH_MAX_FAILED_SIGN_INS` within `lockout` @default 10 */
  readonly maxFailedSignIns?: number;
  /** `AUTH_LOCKOUT_SECONDS` @default 15 minutes */
  readonly lockout?: Duration;
  /** `AUTH_MAX_SESSIONS_PER_USER`: live sessions per user (1..1000); a new one revokes the oldest @default 100 */
  readonly maxSessionsPerUser?: number;
  /** `AUTH_MAIL_RECIPIENT_LIMIT`: capped mails of one kind per address per `mailRecipientWindow` @default 5 */
  readonly mailRecipientLimit?: number;
  /** `AUTH_MAIL_RECIPIENT_WINDOW_SECONDS` @default Duration.hours(1) */
  readonly mailRecipientWindow?: Duration;
  /** `AUTH_AUDIENCE`, the `aud` of access tokens @default "latch" */
  readonly audience?: string;
  /** `AUTH_ROLES`, roles besides `user` and `admin` @default none */
  readonly roles?: string[];
  /** `AUTH_USER_ATTRIBUTES`, custom user attributes (checked at synth) @default none */
  readonly userAttributes?: AttributeDefinitions;
  /** `AUTH_PASSWORD_CONTEXT_WORDS`, words no password may be (e.g. the product's name) @default none */
  readonly passwordContextWords?: string[];
  /** `AUTH_BREACHED_PASSWORD_ON_SIGN_IN`: a correct password found in the breached lists at sign-in @default 'notify' */
  readonly breachedPasswordOnSignIn?: 'notify' | 'block' | 'off';
  /** `AUTH_AUDIT_RETENTION_DAYS`: how long audit events are kept, in whole days (1..3650) @default Duration.days(365) */
  readonly auditRetention?: Duration;
  /** `AUTH_MFA`: second-factor policy @default 'optional' */
  readonly mfa?: 'optional' | 'required' | 'off';
  /** `AUTH_MAX_FAILED_MFA`: wrong second-factor codes per account before the MFA lockout @default 10 */
  readonly maxFailedMfa?: number;
  /** `AUTH_TOTP_ISSUER`: `issuer` of the `otpauth` URI @default APP_URL's host */
  readonly totpIssuer?: string;
  /** `AUTH_TOTP_GRACE_SECONDS`: how long the previous step's code is still accepted (0–15 s) @default Duration.seconds(10) */
  readonly totpGrace?: Duration;
  /** `AUTH_TOTP_ENROLLMENT_TTL_SECONDS`: life of a pending TOTP enrolment @default Duration.minutes(10) */
  readonly totpEnrollmentTtl?: Duration;
  /** `AUTH_REAUTH_WINDOW_SECONDS`: freshness for step-up routes @default Duration.minutes(5) */
  readonly reauthWindow?: Duration;
  // Two-step sign-in and assurance levels (mfa2).
  /** `AUTH_MFA_CHALLENGE_TTL_SECONDS`: life of an `mfaToken` @default Duration.minutes(5) */
  readonly mfaChallengeTtl?: Duration;
  /** `AUTH_MFA_MAX_ATTEMPTS`: wrong answers per `mfaToken` @default 5 */
  readonly mfaMaxAttempts?: number;
  /** `AUTH_AAL2_MAX_AGE_SECONDS`: age after which an MFA session counts as aal1 @default Duration.days(1) */
  readonly aal2MaxAge?: Duration;
  /** `AUTH_AUTHORIZER_MIN_AAL`: `aal2` makes the authorizer deny lower sessions @default 'aal1' */
  readonly authorizerMinAal?: 'aal1' | 'aal2';
  /** `AUTH_KEY_RING_TTL_SECONDS`: how often warm functions read the signing key ring again (a rotation needs no cold start) @default Duration.minutes(5) */
  readonly keyRingTtl?: Duration;
  // Passkeys (part B): AUTH_WEBAUTHN_* (see `shared/settings.ts`).
  readonly webauthnRpId?: string;
  readonly webauthnRpName?: string;
  readonly webauthnOrigins?: string[];
  readonly webauthnChallengeTtl?: Duration;
  readonly webauthnMaxPasskeys?: number;
}

/** Stage-wide request limits of the HTTP API. */
/** The audit table's index projections (`auditIndexProjection`). */
export interface AuditIndexProjections {
  readonly day?: 'keys-only' | 'all' | 'none';
  readonly email?: 'keys-only' | 'all' | 'none';
}

export interface LatchThrottle {
  /** Steady requests per second. @default 100 */
  readonly rateLimit?: number;
  /** Burst. @default 200 */
  readonly burstLimit?: number;
}

/** Properties of {@link LatchAuth}. */
export interface LatchAuthProps {
  /** `APP_URL`: origin (and path prefix) of the client app; every mailed link starts with it. */
  readonly appUrl: string;
  /**
   * The hosted pages (docs/hosted-ui.md): a `ui` function on one route of the same API per page
   * row of the route table, down to the catch-all `GET /ui/{proxy+}` (`AUTH_UI=true`). Set `appUrl` to `<API or custom domain origin>/ui` so mailed links land on them.
   * @default no hosted pages
   */
  readonly hostedUi?: HostedUiProps;
  /**
   * A custom domain (docs/hosted-ui.md, "Custom domain"): a regional API Gateway domain name with
   * TLS 1.2, mapped to the API; an alias record with `hostedZone`; output `UiUrl`. `issuer`
   * defaults to `https://<domainName>`; set `appUrl` to `https://<domainName>/ui`.
   * @default the API's execute-api URL
   */
  readonly customDomain?: LatchCustomDomainProps;
  /** `AUTH_MAIL_FROM`: sender of every mail, an address of a verified SES identity. */
  readonly mailFrom: string;
  /**
   * The SES identity (domain or address) `ses:SendEmail` is scoped to.
   * @default the domain of `mailFrom`
   */
  readonly sesIdentity?: string;
  /**
   * More identities the functions may send through. In the SES sandbox, SES also authorizes the
   * recipient's identity, so list the verified test recipients here until production access.
   * @default none
   */
  readonly additionalSesIdentities?: string[];
  /** `AUTH_*` overrides. @default the defaults of `shared/config.ts` */
  readonly settings?: LatchSettings;
  /** `AUTH_INVITATIONS`: who may invite. @default 'any' */
  readonly invitations?: 'any' | 'admin';
  /** `AUTH_CORS_ORIGINS`. @default the origin of `appUrl` */
  readonly corsOrigins?: string[];
  /**
   * `AUTH_ISSUER` (`iss` of access tokens). Set it when a custom domain fronts the API.
   * @default the HTTP API's endpoint URL
   */
  readonly issuer?: string;
  /**
   * API Gateway's authorizer result cache for other services' APIs. A lock or sign-out takes
   * effect only once a cached allow expires, hence 0 by default. At most 1 hour.
   * @default Duration.seconds(0)
   */
  readonly authorizerCacheTtl?: Duration;
  // --- cost (issue 17) ---
  /**
   * What the audit table's indexes (`day`: `gsi1`, every user's events by time; `email`: `gsi2`,
   * an address's history) hold: `keys-only` (the keys; the reader fetches events from the table by
   * key), `all` (a whole copy of every event: tables created before issue 17), or `none` (no
   * index: only for the deploys of a rebuild, when reads through it answer 503). CloudFormation
   * cannot change an index's projection in place: an existing deployment sets `all` for both,
   * then rebuilds one index at a time as `docs/migrations.md` says.
   * @default { day: 'keys-only', email: 'keys-only' }
   */
  readonly auditIndexProjection?: AuditIndexProjections;
  // --- end cost ---
  /** @default Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /** @default 100 requests/s, burst 200 */
  readonly throttle?: LatchThrottle;
  /**
   * Of the tables (users, audit log), the key secrets and the log groups. Users, keys and the
   * audit trail are not re-creatable.
   * @default RemovalPolicy.RETAIN (and DynamoDB deletion protection on, on both tables)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Customer managed key for the tables (users, audit log) and the key secrets.
   * @default AWS managed keys (`aws/dynamodb`, `aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;
  /** Of every log group (functions and API access logs). @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Customer managed key for every log group (functions, API access logs, the key generator's
   * provider). CloudWatch Logs must be allowed to use it: for a key defined in the same stack the
   * construct adds that statement to the key policy; an imported key's policy must already allow
   * `logs.<region>.amazonaws.com` (see the CloudWatch Logs docs on encrypting log data).
   * @default CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * AWS Backup of the user and audit tables, beside point-in-time recovery (which is always on
   * and restores to any second of the last 35 days). `true`: a plan of the construct's own (daily
   * backups kept 35 days, monthly ones kept a year, in a vault of its own, encrypted with
   * `encryptionKey` if given); a `BackupPlan`: both tables are added to that plan.
   * @default no AWS Backup plan (point-in-time recovery only)
   */
  readonly backup?: boolean | backup.BackupPlan;
  /**
   * Reserved concurrency of the authorizer: capacity no other function in the account can take,
   * so other services' requests are still authorized while the account is busy. Lambda refuses a
   * reservation that leaves the account less than its minimum unreserved concurrency (100 with the
   * default quota of 1,000; a new account's quota may be as low as 10, where any reservation
   * fails the deploy): check `aws lambda get-account-settings` (`UnreservedConcurrentExecutions`).
   * @default no reservation (deploys on any quota)
   */
  readonly authorizerReservedConcurrency?: number;
  /**
   * Reserved concurrency of each function that runs argon2id (registration, session, account,
   * password-reset, invitations, admin-users): a cap on how many run at once, each a full vCPU,
   * so a flood of sign-ins cannot take the account's whole concurrency (and the cost with it).
   * The same account limit as {@link authorizerReservedConcurrency} applies, to the sum.
   * @default no reservation (the API stage's throttle already bounds the request rate)
   */
  readonly argon2ReservedConcurrency?: number;
  /**
   * Where every alarm ({@link LatchMonitoring}) sends ALARM and OK notifications.
   * @default the alarms exist, without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /** One CloudWatch dashboard of the API, the authorizer, sign-ins, functions, tables and SES. @default true */
  readonly dashboard?: boolean;
  /** CloudWatch namespace of the counts Latch derives from its logs (sign-ins, failures, …). @default `Latch/<stack name>` */
  readonly metricNamespace?: string;
  /** AWS X-Ray active tracing on every function. @default false */
  readonly tracing?: boolean;
  /**
   * A module of hooks around the flows (`shared/hooks/types.ts`), absolute or relative to the
   * repository root, bundled into every function next to its handler (`LatchFunction`'s `hooksModule`).
   * @default no hooks
   */
  readonly hooksModule?: string;
  /**
   * A JSON file of mail template overrides (`LATCH_MAIL_TEMPLATES`, see
   * docs/account-lifecycle.md), absolute or relative to the repository root. It is checked at
   * synth and shipped inside every function that mails, since Lambda limits the environment to 4 KB.
   * @default the built-in templates
   */
  readonly mailTemplatesFile?: string;
  // --- social sign-in (docs/specs/social-sign-in.md §3.1, §7) ---
  /**
   * Sign-in providers (Google, Apple, Microsoft, GitHub, any OIDC; `docs/social-sign-in.md`),
   * checked at synth. Client secrets and Apple's key are Secrets Manager secrets (`ISecret` or
   * ARN), never values: only the `oauth` function (and `ui` with the hosted pages) may read them.
   * @default no providers (the `/oauth/*` routes answer 404)
   */
  readonly oauthProviders?: LatchOAuthProvider[];
  // --- end social sign-in ---
}

/** Options of {@link LatchAuth.restAuthorizer}. */
export interface RestAuthorizerOptions {
  /**
   * `token`: a TOKEN authorizer on the `Authorization` header; `request`: a REQUEST authorizer
   * whose identity source is that header.
   * @default 'token'
   */
  readonly type?: 'token' | 'request';
}

/** `LatchSettings` has exactly the props `shared/settings.ts` declares (this fails to compile otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const settingsPropsMatch: Same<keyof LatchSettings, SettingsPropName> = true;
void settingsPropsMatch;

function encode(value: unknown, encoding: ConstructEncoding): string {
  switch (encoding) {
    case 'duration':
      return String((value as Duration).toSeconds());
    case 'days':
      return String((value as Duration).toDays());
    case 'list':
      return (value as string[]).join(',');
    case 'json':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** The `AUTH_*` environment of the settings, from the table of `shared/settings.ts` and its props (`shared/settings-props.ts`; unset ones are left to `loadConfig`'s defaults). */
export function settingsEnvironment(settings: LatchSettings): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const setting of SETTINGS as readonly SettingDefinition[]) {
    const { settingsProp } = placementOf(setting.name as SettingName);
    if (!settingsProp) continue;
    const value = (settings as Record<string, unknown>)[settingsProp.prop];
    if (value !== undefined) environment[setting.name] = encode(value, settingsProp.encoding);
  }
  return environment;
}

/**
 * Runs the functions' own config loader on the environment at synth, so a bad setting fails
 * `cdk synth` instead of every cold start. Values only known at deploy time are stood in for.
 */
export function validateEnvironment(environment: Record<string, string>): void {
  // Social sign-in: plain-http loopback providers are for local runs and tests only (docs/specs/social-sign-in.md §3.3).
  const loopback = environment.AUTH_OAUTH_ALLOW_HTTP_LOOPBACK;
  if (loopback !== undefined && loopback !== 'false' && loopback !== '0') {
    throw new Error('AUTH_OAUTH_ALLOW_HTTP_LOOPBACK is for local runs and tests only: a deployed stack never talks to a provider over plain http');
  }
  const resolvable = Object.fromEntries(
    Object.entries(environment).map(([k, v]) => [
      k,
      Token.isUnresolved(v) ? (k === 'AUTH_ISSUER' || k === 'APP_URL' ? 'https://deploy-time.invalid' : 'deploy-time') : v,
    ]),
  );
  loadConfig(resolvable);
}

/** The hosted pages' props (docs/hosted-ui.md). */
export interface HostedUiProps {
  /** `AUTH_UI_APP_NAME`: the app's name in titles and headings. @default `appUrl`'s host */
  readonly appName?: string;
  /** `AUTH_UI_DEFAULT_LOCALE`. @default 'en' */
  readonly defaultLocale?: 'en' | 'de';
  // --- branding (hosted-ui.md §9) ---
  /** `AUTH_UI_LOGO_URL`: an https URL; its origin joins the pages' CSP `img-src`. Shown with the app's name as its alt text. */
  readonly logoUrl?: string;
  /**
   * `AUTH_UI_CSS_VARIABLES`: colours (`#rrggbb`, each with a `-dark` twin), `--latch-radius`
   * (`<n>px`/`<n>rem`) and `--latch-font-family`, written into the theme stylesheet. Synth fails on
   * a value outside its pattern or a pair below WCAG contrast (docs/hosted-ui.md, "Branding").
   */
  readonly cssVariables?: CssVariables;
  // --- end branding ---
  /**
   * `AUTH_UI_CLIENTS`: the hand-off's first-party clients (docs/specs/hosted-ui.md §6). A
   * confidential client's `clientSecret` is `{ secretArn }` (the `oauth2-token` function may read
   * exactly that secret) or `{ env }`. @default none
   */
  readonly clients?: readonly HostedUiClient[];
}

/** One hand-off client (`docs/hosted-ui.md`, "The hand-off"). */
export interface HostedUiClient {
  readonly clientId: string;
  readonly name: string;
  readonly type: 'public' | 'confidential';
  /** Exact redirect URIs: https, a private-use scheme (`com.example.app:/cb`) or http on loopback. */
  readonly redirectUris: readonly string[];
  /** Where `GET /oauth2/logout` may send the browser afterwards. */
  readonly logoutUris?: readonly string[];
  readonly clientSecret?: { readonly secretArn: string } | { readonly env: string };
}
