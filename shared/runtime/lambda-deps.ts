import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Argon2Hasher } from '../adapters/crypto/argon2-hasher.js';
import { auditTableNameOf } from '../adapters/dynamodb/audit-table.js';
import { PlannedDynamoDbStore } from '../adapters/dynamodb/planned-store.js';
import type { WritePlans } from '../adapters/dynamodb/write-plan.js';
import { metricsOf } from '../adapters/metrics/emf.js';
import { auditKeyOf } from '../adapters/secrets/audit-key.js';
import { addConfigSections, type Config, type ConfigSections, loadConfigWith } from '../config.js';
import type { BreachedPasswords } from '../domain/breached-passwords.js';
import type { CommonPasswords } from '../domain/common-passwords.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { withAuditMirror } from '../flows/audit.js';
import type { Deps } from '../flows/deps.js';
import { withMetrics } from '../flows/metrics.js';
import { lazyHooks } from '../hooks/load.js';
import type { AccessTokenSignature } from '../ports/access-token-signature.js';
import type { AttemptCounters } from '../ports/attempt-counters.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { LegacyPasswords } from '../ports/legacy-passwords.js';
import type { OAuthProviders } from '../ports/oauth-providers.js';
import type { AuditKey, DataKeys, KeyRing, Log, Mailer } from '../ports/services.js';
import { container } from './container.js';
import { createDocumentClient } from './documents.js';
import { createLog } from './logger.js';

export { existingDeps } from './container.js';
export { createDocumentClient } from './documents.js';
export { keyRingOf } from './key-ring-of.js';

type Env = Record<string, string | undefined>;

/**
 * Adapters that only some functions use. A function's entry passes the ones its routes reach
 * (`shared/runtime/optional-adapters.ts`); the composition root never imports them itself, so
 * the other bundles leave them out (esbuild bundles every module the entry can reach, dynamic
 * imports included): openid-client and oauth4webapi only in `oauth`, bcryptjs only where a
 * password is verified or users are imported. The configuration sections it extends (`ConfigSections`,
 * `shared/config.ts`) are the settings whose parsers only those functions carry.
 */
export interface Composition extends ConfigSections {
  /** Social sign-in's relying party (`docs/social-sign-in.md`); composed only when providers are configured. */
  oauth?: (config: Config, options: { env?: Env; log?: Log }) => OAuthProviders | undefined;
  /** bcrypt and the import pepper secret (`docs/specs/import-export.md` §4–§5). */
  legacy?: (env: Env) => LegacyPasswords;
  /**
   * Families of write plans beyond the core ones (`shared/adapters/dynamodb/write-plan.ts`): the
   * ops of the function's flows. `test/infra/bundles.test.ts` checks each bundle carries the plan
   * of every op its flows write; one key per family, so compositions spread together.
   */
  /**
   * The audit table's reader (`GET /admin/audit`, `/me/activity`): only where a route reads it;
   * elsewhere a read is a 503 (and IAM grants `Query` to the `audit` function only anyway).
   */
  auditLog?: (documents: DynamoDBDocumentClient, auditTableName: string) => AuditLog;
  /** The data-key ring that encrypts TOTP secrets: only where a flow encrypts or decrypts one. */
  dataKeys?: (env: Env) => DataKeys;
  /**
   * The signing or public key ring (`keyRingOf`): the functions that sign or verify tokens or serve
   * the JWKS, exactly those the construct gives key access (`keys` in `infra/constructs/function-access.ts`).
   */
  keys?: (env: Env, reload: { ttlSeconds: number }) => KeyRing;
  /** The failure and attempt counters (lockout, mail caps): only where a flow counts. */
  counters?: (documents: DynamoDBDocumentClient, tableName: string) => AttemptCounters;
  /**
   * The breached and common password lists (data files beside the bundles that set or check
   * passwords, `passwordDataFiles` in `infra/constructs/latch-function.ts`): only where a flow
   * checks a password against them.
   */
  passwordLists?: (env: Env) => { breached: BreachedPasswords; commonPasswords: CommonPasswords };
  mfaWrites?: WritePlans;
  passkeyWrites?: WritePlans;
  oauthWrites?: WritePlans;
  oauth2Writes?: WritePlans;
  /** The signature half of the access-token check (`WITH_TOKEN_CHECK`, aws-jwt-verify): only where a route is authenticated. */
  accessTokenSignature?: AccessTokenSignature;
}

/** What `addOptional` needs of deps built here (not of injected deps): their store, DynamoDB client and audit table. */
const builtParts = new WeakMap<Deps, { store: PlannedDynamoDbStore; documents: DynamoDBDocumentClient; tableName: string; auditTableName: string }>();

/** A port the function's entry did not compose: a 503 naming it, never a silent answer. */
function notComposed(what: string): () => Promise<never> {
  return () =>
    Promise.reject(
      new ServiceUnavailableError(undefined, { cause: new Error(`${what} is not composed in this function (shared/runtime/optional-adapters.ts)`) }),
    );
}
const AUDIT_LOG_NOT_COMPOSED: AuditLog = { query: notComposed('the audit log reader') };
const DATA_KEYS_NOT_COMPOSED: DataKeys = { encrypt: notComposed('the data-key ring'), decrypt: notComposed('the data-key ring') };
const counterNotComposed = notComposed('the attempt counters');
const COUNTERS_NOT_COMPOSED: AttemptCounters = {
  getCounters: counterNotComposed,
  recordFailure: counterNotComposed,
  reserveAttempt: counterNotComposed,
  settleFailure: counterNotComposed,
  releaseAttempt: counterNotComposed,
  clearCounter: counterNotComposed,
};
const refuseCheck = (): never => {
  throw new ServiceUnavailableError(undefined, {
    cause: new Error('the breached and common password lists are not composed in this function (shared/runtime/optional-adapters.ts)'),
  });
};
const BREACHED_NOT_COMPOSED: BreachedPasswords = {
  get entries(): number {
    return refuseCheck();
  },
  get minLength(): number {
    return refuseCheck();
  },
  has: refuseCheck,
};
const COMMON_NOT_COMPOSED: CommonPasswords = { has: refuseCheck };
const KEYS_NOT_COMPOSED: KeyRing = {
  signingKey: notComposed('the key ring'),
  verificationKey: notComposed('the key ring'),
  publicJwks: notComposed('the key ring'),
  publicKeySet: notComposed('the key ring'),
};
/** Flows queue mail as data; the mail sender (its own composition root, `mail-sender-deps.ts`) sends it. */
const MAILER_NOT_COMPOSED: Mailer = { send: notComposed('the mailer (mail is queued and sent by the mail sender)') };

/**
 * Adds to `deps` the optional adapters of `compose` that it does not have yet, in place: where
 * several functions share a process (the local runner, in-process tests) they share one deps
 * object, as before, which then holds every optional adapter any of them composed.
 */
function addOptional(deps: Deps, env: Env, compose: Composition): Deps {
  const families = [compose.mfaWrites, compose.passkeyWrites, compose.oauthWrites, compose.oauth2Writes].filter((f): f is WritePlans => f !== undefined);
  const parts = builtParts.get(deps);
  if (parts) {
    parts.store.addWritePlans(...families);
    if (deps.auditLog === AUDIT_LOG_NOT_COMPOSED && compose.auditLog) deps.auditLog = compose.auditLog(parts.documents, parts.auditTableName);
    if (deps.dataKeys === DATA_KEYS_NOT_COMPOSED && compose.dataKeys) deps.dataKeys = compose.dataKeys(env);
    if (deps.counters === COUNTERS_NOT_COMPOSED && compose.counters) deps.counters = compose.counters(parts.documents, parts.tableName);
  }
  addConfigSections(deps.config, env, compose);
  if (deps.keys === KEYS_NOT_COMPOSED && compose.keys) deps.keys = compose.keys(env, { ttlSeconds: deps.config.keyRingTtlSeconds });
  if (deps.breached === BREACHED_NOT_COMPOSED && compose.passwordLists) {
    Object.assign(deps, compose.passwordLists(env));
    // Where the deployment ships the list (the functions that set passwords), a missing or broken
    // file fails the cold start instead of a request.
    if (env.LATCH_BREACHED_PASSWORDS_FILE) void deps.breached.entries;
  }
  if (!deps.legacy && compose.legacy) deps.legacy = compose.legacy(env);
  if (!deps.accessTokenSignature && compose.accessTokenSignature) deps.accessTokenSignature = compose.accessTokenSignature;
  if (!deps.oauth && compose.oauth) {
    const oauth = compose.oauth(deps.config, { env, log: deps.log });
    if (oauth) deps.oauth = oauth;
  }
  return deps;
}

/**
 * The composition root: builds every adapter from environment variables. Configuration errors
 * throw here, at cold start. Adapters load heavy modules (argon2, SES, Secrets Manager) on
 * first use, so a function pays only for what it calls.
 */
export function buildDeps(env: Env = process.env, compose: Composition = {}): Deps {
  // The sections the function composes (`ConfigSections`); `addOptional` adds none a second time.
  const config = loadConfigWith(env, compose);
  const tableName = env.LATCH_TABLE_NAME;
  if (!tableName) throw new Error('LATCH_TABLE_NAME is not set');
  const documents = createDocumentClient(env);
  const log = createLog();
  const auditTableName = env.LATCH_AUDIT_TABLE_NAME || auditTableNameOf(tableName);
  // The core write plans; `addOptional` adds the families the function composes.
  const store = new PlannedDynamoDbStore(documents, tableName, undefined, auditTableName);
  const deps: Deps = {
    config,
    // Composed by the functions that check passwords against the lists (`addOptional`).
    breached: BREACHED_NOT_COMPOSED,
    commonPasswords: COMMON_NOT_COMPOSED,
    // Counts (EMF, shared/flows/metrics.ts) after each commit, then the audit mirror's log lines.
    store: withMetrics(withAuditMirror(store, log), metricsOf(env)),
    auditKey: auditKeyOf(env) ?? NO_AUDIT_KEY,
    // Composed by the functions that read the audit table or TOTP secrets (`addOptional`).
    auditLog: AUDIT_LOG_NOT_COMPOSED,
    dataKeys: DATA_KEYS_NOT_COMPOSED,
    counters: COUNTERS_NOT_COMPOSED,
    hasher: new Argon2Hasher(),
    // Composed by the functions with key access (`addOptional`): a missing key setting fails their cold start.
    keys: KEYS_NOT_COMPOSED,
    mailer: MAILER_NOT_COMPOSED,
    // No mail templates: flows queue mail as data, the mail sender renders it (`mail-sender-deps.ts`).
    clock: { now: () => Date.now() },
    log,
    // The deployer's module (CDK bundles it as latch-hooks.mjs beside the handler; locally any .ts/.js path).
    hooks: env.LATCH_HOOKS_MODULE ? lazyHooks(env.LATCH_HOOKS_MODULE) : undefined,
  };
  builtParts.set(deps, { store, documents, tableName, auditTableName });
  return addOptional(deps, env, compose);
}

/** An audit key that was not configured: events that name an address fail (503), naming the settings. */
const NO_AUDIT_KEY: AuditKey = {
  key: () => Promise.reject(new Error('no audit key: set LATCH_AUDIT_KEY_SECRET (AWS) or LATCH_AUDIT_KEY (local)')),
};

/** The container's deps, built once, with the optional adapters the calling function composes. */
export function getDeps(compose: Composition = {}): Deps {
  const current = container.current;
  if (!current) {
    const deps = buildDeps(process.env, compose);
    container.set(deps, true);
    return deps;
  }
  return container.built ? addOptional(current, process.env, compose) : current;
}

/** Replaces the container's deps (benchmarks and in-process tests with in-memory adapters). */
export function useDeps(deps: Deps): void {
  container.set(deps, false);
}
