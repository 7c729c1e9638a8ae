/**
 * Row 6's peak RSS under load: a function's bundle, exactly as row 6 built it, in a fresh plain
 * `node` process on DynamoDB Local, serving a few hundred invocations back to back (as one Lambda
 * container serves its requests, one at a time), then its `process.resourceUsage().maxRSS`. The
 * three functions on the load path of row 7's usage profile are driven: `session` (sign-ins),
 * `renewal` (renewals, each with the token the previous one returned) and `authorizer`
 * (decisions). The users and their tokens are made beforehand in this process through the flows,
 * on the same table, with the key ring the bundles are given.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { generateDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, StaticKeyRing } from '../../shared/adapters/crypto/key-ring.js';
import { auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import { generateAuditKey } from '../../shared/adapters/secrets/audit-key.js';
import type { LocalDynamo } from './dynamodb.js';
import { authorizerEvent, benchDeps, lambdaContext, registerUsers, renewEvent, signInEvent } from './latch.js';

/** The functions driven under load, and how many invocations each serves. */
export const LOADED_FUNCTIONS = { session: 120, renewal: 300, authorizer: 1000 } as const;
export type LoadedFunction = keyof typeof LOADED_FUNCTIONS;

export interface LoadedRss {
  invocations: number;
  /** Invocations that answered as expected (200, or an allow). */
  ok: number;
  /** Peak RSS of the process (MB). */
  peakMb: number;
  /** RSS after the import, before the first invocation (MB). */
  afterInitMb: number;
}

/** What the driver is handed: the events to send round robin, and for renewals where the next token comes from. */
interface Work {
  bundle: string;
  kind: LoadedFunction;
  invocations: number;
  events: unknown[];
  context: unknown;
}

/**
 * The process's own peak RSS in KB, as a JS expression for a driver (ESM, `node -e`). Linux keeps
 * `getrusage`'s `ru_maxrss` across `execve`, so a child's `process.resourceUsage().maxRSS` reads at
 * least the parent's peak when it forked (measured here: a child of a 340 MB parent reported 304 MB
 * while its own RSS was 39 MB); `VmHWM` of `/proc/self/status` is the peak of the child's own memory
 * map. Off Linux, `maxRSS` (and the caveat) stands.
 */
export const PEAK_RSS_KB = `(await (async () => { try { const { readFileSync } = await import('node:fs'); return Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } })())`;

/**
 * The driver, run by plain `node` (no loader, so the RSS is the bundle's): imports the bundle,
 * invokes its handler `invocations` times, prints one JSON line.
 */
const DRIVER = `
const work = JSON.parse(process.env.BENCH_WORK);
const { handler } = await import(work.bundle);
work.context.getRemainingTimeInMillis = () => 30000;
const afterInit = process.memoryUsage().rss;
const events = work.events.map((e) => structuredClone(e));
let ok = 0;
let failure;
for (let i = 0; i < work.invocations; i++) {
  const j = i % events.length;
  const result = await handler(structuredClone(events[j]), work.context);
  if (work.kind === 'authorizer') { if (result && result.isAuthorized === true) ok++; else failure ??= JSON.stringify(result).slice(0, 300); continue; }
  if (!result || result.statusCode !== 200) failure ??= JSON.stringify([result.statusCode, result.body]).slice(0, 300);
  if (result && result.statusCode === 200) {
    ok++;
    if (work.kind === 'renewal') events[j].body = JSON.stringify({ renewalToken: JSON.parse(result.body).renewalToken });
  }
}
console.log(JSON.stringify({ ok, failure, peakKb: ${PEAK_RSS_KB}, afterInit }));
`;

/** Runs each loaded function's bundle (`bundles`: name → file) under load; `env` is row 6's environment. */
export async function loadedRss(
  dynamo: LocalDynamo,
  bundles: Record<LoadedFunction, string>,
  env: NodeJS.ProcessEnv,
): Promise<Record<LoadedFunction, LoadedRss>> {
  const storedKey = await generateStoredKey('bench-rss');
  const { store, counters } = dynamo.meteredStore();
  const deps = await benchDeps({ store, counters });
  deps.keys = new StaticKeyRing([storedKey]);
  const users = await registerUsers(deps, 8, 'rss');
  // Their own users: a renewal rotates the session's current token, after which the old access token is refused.
  const deciding = await registerUsers(deps, 8, 'rss-authorizer');
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LATCH_TABLE_NAME: dynamo.tableName,
    LATCH_AUDIT_TABLE_NAME: auditTableNameOf(dynamo.tableName),
    LATCH_DYNAMODB_ENDPOINT: dynamo.endpoint,
    LATCH_SIGNING_KEYS: JSON.stringify({ keys: [storedKey] }),
    LATCH_AUDIT_KEY: generateAuditKey(),
    LATCH_DATA_KEYS: generateDataKeyRing('bench-rss'),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // As the bench's own config (benchConfig): the users registered above signed in at once.
    AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false',
  };
  const eventsOf: Record<LoadedFunction, unknown[]> = {
    session: users.map((u) => signInEvent(u.email, u.password)),
    renewal: users.map((u) => renewEvent(u.tokens.renewalToken ?? '')),
    authorizer: deciding.map((u) => authorizerEvent(u.tokens.accessToken ?? '')),
  };
  const results = {} as Record<LoadedFunction, LoadedRss>;
  for (const kind of Object.keys(LOADED_FUNCTIONS) as LoadedFunction[]) {
    const work: Work = {
      bundle: pathToFileURL(bundles[kind]).href,
      kind,
      invocations: LOADED_FUNCTIONS[kind],
      events: eventsOf[kind],
      context: { ...lambdaContext(kind), getRemainingTimeInMillis: undefined },
    };
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', DRIVER], {
      env: { ...childEnv, BENCH_WORK: JSON.stringify(work) },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (run.status !== 0) throw new Error(`${kind} under load failed: ${run.stderr}`);
    const line = run.stdout.trim().split('\n').pop() ?? '{}';
    const out = JSON.parse(line) as { ok: number; failure?: string; peakKb: number; afterInit: number };
    if (out.ok !== work.invocations)
      throw new Error(
        `${kind} under load: ${work.invocations - out.ok} of ${work.invocations} invocations did not answer as expected; the first: ${out.failure}`,
      );
    results[kind] = { invocations: work.invocations, ok: out.ok, peakMb: out.peakKb / 1024, afterInitMb: out.afterInit / 1024 / 1024 };
  }
  return results;
}
