import type { Config } from '../config.js';
import type { BreachedPasswords } from '../domain/breached-passwords.js';
import type { CommonPasswords } from '../domain/common-passwords.js';
import type { LatchHooks } from '../hooks/types.js';
import type { MailTemplates } from '../mail/templates.js';
import type { AccessTokenSignature } from '../ports/access-token-signature.js';
import type { AttemptCounters } from '../ports/attempt-counters.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { LegacyPasswords } from '../ports/legacy-passwords.js';
import type { OAuthProviders } from '../ports/oauth-providers.js';
import type { AuditKey, Clock, DataKeys, KeyRing, Log, Mailer, PasswordHasher } from '../ports/services.js';
import type { AuthStore } from '../ports/store.js';

/** Everything a flow may use. Built once per container by `shared/runtime/lambda-deps.ts`. */
export interface Deps {
  config: Config;
  store: AuthStore;
  /** Failed-sign-in counters (lockout); they never join a store commit. */
  counters: AttemptCounters;
  hasher: PasswordHasher;
  keys: KeyRing;
  mailer: Mailer;
  /**
   * The built-in mail templates, only where this process renders mail: the mail sender's deps
   * (`MailSenderDeps`) and the in-memory twin of the stream (tests, benchmarks). Request
   * functions queue mail as data (`OutboxTemplateMail`) and carry no templates.
   */
  templates?: MailTemplates | undefined;
  clock: Clock;
  log: Log;
  /** The HMAC key of the audit log's `emailHash` (`shared/flows/audit.ts`). */
  auditKey: AuditKey;
  /** Reading the audit log (only the `audit` function's routes and the CLI read it). */
  auditLog: AuditLog;
  /** The data-key ring: encrypts secrets at rest (TOTP secrets), `shared/adapters/crypto/data-keys.ts`. */
  dataKeys: DataKeys;
  /** The offline breached-password list (checked on every route that sets a password). */
  breached: BreachedPasswords;
  /** The common-password list (checked with the breached list), a data file read on first use. */
  commonPasswords: CommonPasswords;
  /** The deployer's hooks (`LATCH_HOOKS_MODULE`), if any. See `shared/hooks/types.ts`. */
  hooks?: LatchHooks | undefined;
  /** bcrypt and the import pepper secret, for imported legacy hashes (`shared/flows/legacy-passwords.ts`); absent: bcrypt hashes do not verify. */
  legacy?: LegacyPasswords | undefined;
  /** Social sign-in's relying party (`shared/adapters/oidc/`); absent: no providers configured. */
  oauth?: OAuthProviders | undefined;
  // --- lean4 (issue 17, row 6) ---
  /** The signature half of the access-token check (`shared/flows/token-check.ts`): composed by `WITH_TOKEN_CHECK` (aws-jwt-verify); absent: a 503 on an authenticated route. */
  accessTokenSignature?: AccessTokenSignature | undefined;
  // --- end lean4 ---
}

/** Who is calling and from where; filled by the HTTP layer (or the CLI). */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  /** API Gateway's request id (the CLI makes one), for the audit log. */
  requestId?: string | null;
  /** Set by the CLI: the operator's AWS principal ARN (or `local`); admin events then name an `operator` actor. */
  operator?: string | undefined;
  /** Set by the hosted pages: `"ui"` makes a session a flow starts a UI session (`docs/specs/hosted-ui.md` §3). */
  client?: 'ui' | undefined;
}

/** The caller behind a valid access token. */
export interface Principal {
  userId: string;
  sessionId: string;
  role: string;
  email: string;
  jti: string;
  /** How the session was authenticated (RFC 8176 values, from the session item; `["pwd"]` for older sessions). */
  amr?: string[];
  /** Epoch seconds of the session's last authentication. */
  authTime?: number;
  /** The level at check time (`docs/specs/mfa-and-passkeys.md` §3). */
  aal?: 'aal1' | 'aal2';
}

/** Epoch seconds of the deps' clock. */
export function nowSeconds(deps: Pick<Deps, 'clock'>): number {
  return Math.floor(deps.clock.now() / 1000);
}

/** ISO 8601 time of the deps' clock. */
export function nowIso(deps: Pick<Deps, 'clock'>): string {
  return new Date(deps.clock.now()).toISOString();
}
