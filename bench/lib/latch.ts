/**
 * Latch in this process with in-memory adapters, exactly as the functions run on Lambda except
 * for the store: the deps are injected with `useDeps` BEFORE the function modules load, so their
 * composition root picks them up (a function builds its deps once, at import).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { commonPasswordsFile, lazyCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { breachedPasswordsFile, lazyBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { AesGcmDataKeys, generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, StaticKeyRing } from '../../shared/adapters/crypto/key-ring.js';
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { MemoryAuditLog } from '../../shared/adapters/memory/audit-log.js';
import { MemoryCounters } from '../../shared/adapters/memory/counters.js';
import { MemoryMailer } from '../../shared/adapters/memory/mailer.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { loadConfig } from '../../shared/config.js';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import type { Deps } from '../../shared/flows/deps.js';
import { register } from '../../shared/flows/registration.js';
import type { TokenPair } from '../../shared/flows/token-pair.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import type { AttemptCounters } from '../../shared/ports/attempt-counters.js';
import type { AuditLog } from '../../shared/ports/audit-log.js';
import type { Log } from '../../shared/ports/services.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';

/** Logs nothing: a benchmark measures the flows, not stdout. */
export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The audit log of a bench whose store is not in memory and that passed no reader: reading it is a bug of the row. */
const unwiredAuditLog: AuditLog = {
  query: () => Promise.reject(new Error('this bench row passed no audit log reader (benchDeps({ auditLog }))')),
};

/** The password every bench user has (not in the common-passwords list, long enough). */
export const BENCH_PASSWORD = 'correct horse battery staple 42';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type AuthorizerHandler = (event: unknown) => Promise<{ isAuthorized?: boolean }>;

export interface LatchInProcess {
  deps: Deps;
  /** `functions/authorizer.ts`'s handler. */
  authorizer: AuthorizerHandler;
  /** `functions/session.ts`'s handler. */
  session: HttpHandler;
}

const benchAuditKey = new Uint8Array(32).fill(7);
const benchDataKeys = parseDataKeyRing(generateDataKeyRing('bench'), 'bench data keys');

/** Config of the in-process Latch: defaults, except that registration signs in at once. */
export function benchConfig(env: Record<string, string> = {}) {
  return loadConfig({ AUTH_ISSUER: 'https://auth.bench.example', APP_URL: 'https://app.bench.example', AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false', ...env });
}

/**
 * Deps with the real argon2id hasher, clock and a fresh key ring; the in-memory store, counters
 * and mailer unless told otherwise (rows 2 and 7 pass a metered DynamoDB store and counters).
 */
export async function benchDeps(
  overrides: { store?: AuthStore; counters?: AttemptCounters; auditLog?: AuditLog; configEnv?: Record<string, string> } = {},
): Promise<Deps & { mailer: MemoryMailer }> {
  const store = overrides.store ?? new MemoryStore();
  return {
    config: benchConfig(overrides.configEnv),
    store,
    auditKey: { key: async () => benchAuditKey },
    // No bench row reads the audit log; over a metered store a read would need the row to pass its own.
    auditLog: overrides.auditLog ?? (store instanceof MemoryStore ? new MemoryAuditLog(store) : unwiredAuditLog),
    dataKeys: new AesGcmDataKeys(async () => benchDataKeys),
    counters: overrides.counters ?? new MemoryCounters(),
    hasher: new Argon2Hasher(),
    keys: new StaticKeyRing([await generateStoredKey('bench-1')]),
    // The token check of authenticated routes, as `WITH_TOKEN_CHECK` composes it in the functions.
    accessTokenSignature: AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE,
    mailer: new MemoryMailer(),
    templates: defaultTemplates,
    breached: lazyBreachedPasswords(breachedPasswordsFile({})),
    commonPasswords: lazyCommonPasswords(commonPasswordsFile({})),
    clock: { now: () => Date.now() },
    log: silentLog,
  };
}

/** Injects in-memory deps and loads the functions. Once per process (modules are cached). */
export async function loadLatchInProcess(): Promise<LatchInProcess> {
  const deps = await benchDeps();
  useDeps(deps);
  const authorizer = ((await import('../../functions/authorizer.js')) as { handler: AuthorizerHandler }).handler;
  const session = ((await import('../../functions/session.js')) as unknown as { handler: HttpHandler }).handler;
  return { deps, authorizer, session };
}

export interface BenchUser {
  email: string;
  password: string;
  tokens: TokenPair;
}

/** Registers `n` users (signed in at once, since confirmation is off in the bench config). */
export async function registerUsers(deps: Deps, n: number, prefix = 'bench'): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < n; i++) {
    const email = `${prefix}-${i}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const result = await register(deps, { email, password: BENCH_PASSWORD, passwordConfirmation: BENCH_PASSWORD }, { ip: null, userAgent: null });
    if (result.kind !== 'signedIn') throw new Error('bench registration did not sign in: is email confirmation on?');
    users.push({ email, password: BENCH_PASSWORD, tokens: result.tokens });
  }
  return users;
}

/**
 * Users that rows 3 and 4 sign in round robin, and a reset that ends all their sessions. Signing
 * one user in thousands of times would measure a user at the session cap
 * (`AUTH_MAX_SESSIONS_PER_USER`, 100), whose every sign-in lists 100 sessions and ends the
 * oldest; with the reset before each round and `n` users, each user has at most
 * `1 + calls per round / n` live sessions, as a user signing in from a few devices has.
 */
export async function signInPool(
  deps: Deps,
  n: number,
  prefix: string,
): Promise<{ users: BenchUser[]; events: APIGatewayProxyEventV2[]; reset: () => Promise<void> }> {
  const users = await registerUsers(deps, n, prefix);
  const ids: string[] = [];
  for (const user of users) {
    const stored = await deps.store.findUserByEmail(canonicalizeEmail(user.email));
    if (!stored) throw new Error('bench user not stored');
    ids.push(stored.id);
  }
  const reset = async () => {
    for (const userId of ids) {
      const sessions = await deps.store.listSessions(userId);
      for (let i = 0; i < sessions.length; i += 99)
        await deps.store.commit(sessions.slice(i, i + 99).map((s) => ({ type: 'deleteSession' as const, userId, id: s.id })));
    }
  };
  return { users, events: users.map((u) => signInEvent(u.email, u.password)), reset };
}

/** The token of the last link to `path` mailed to an address by the memory mailer. */
export function lastMailedToken(mailer: MemoryMailer, address: string, path: string): string {
  const mails = mailer.to(address);
  const match = new RegExp(`/${path}/([A-Za-z0-9._~-]+)`).exec(mails[mails.length - 1]?.text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link mailed to the bench user`);
  return match[1];
}

/** A Lambda context good enough for middy. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1769',
    awsRequestId: 'bench',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The HTTP API payload 2.0 event of a JSON `POST` to `path`, as API Gateway sends it. */
export function jsonPostEvent(path: string, body: Record<string, unknown>): APIGatewayProxyEventV2 {
  const now = new Date();
  const routeKey = `POST ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'latch-bench', host: 'auth.bench.example' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'auth.bench.example',
      domainPrefix: 'auth',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'latch-bench' },
      requestId: 'bench',
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** The HTTP API payload 2.0 event of `POST /session`. */
export function signInEvent(email: string, password: string): APIGatewayProxyEventV2 {
  return jsonPostEvent('/session', { email, password });
}

/** The HTTP API payload 2.0 event of `POST /session/renew`. */
export function renewEvent(renewalToken: string): APIGatewayProxyEventV2 {
  return jsonPostEvent('/session/renew', { renewalToken });
}

/** The HTTP API payload 2.0 authorizer event (simple responses) for a bearer token. */
export function authorizerEvent(token: string) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET/orders',
    identitySource: [`Bearer ${token}`],
    routeKey: 'GET /orders',
    rawPath: '/orders',
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}` },
    requestContext: { http: { method: 'GET', path: '/orders', sourceIp: '198.51.100.7' } },
  };
}

/** Throws unless the authorizer allowed: a bench counts only successful decisions. */
export function assertAllowed(result: { isAuthorized?: boolean }): void {
  if (result.isAuthorized !== true) throw new Error('the authorizer denied a valid token');
}

/** Throws unless the response has this status. */
export function assertStatus(result: APIGatewayProxyStructuredResultV2, status: number): void {
  if (result.statusCode !== status) throw new Error(`expected ${status}, got ${result.statusCode}: ${String(result.body).slice(0, 200)}`);
}
