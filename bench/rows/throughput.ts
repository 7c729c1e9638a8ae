/**
 * Row 4: sign-ins per second against the floor, 8 in flight. Floor: argon2id verifications per
 * second this machine sustains at that concurrency. Latch: the sign-in handler in-process with
 * the in-memory store (worker i signs in user i). Better Auth runs in the same rounds, for row 5.
 * Then the local runner on DynamoDB Local under autocannon load from this process (no goal).
 */
import { verify } from '@node-rs/argon2';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import { compareLoaded, loadedFigures } from '../lib/compare.js';
import { type BenchContext, CONCURRENCY } from '../lib/context.js';
import { assertStatus, BENCH_PASSWORD, lambdaContext, signInPool } from '../lib/latch.js';
import { duration } from '../lib/options.js';
import type { RowResult } from '../lib/report.js';
import { loadLocalRunner } from '../lib/runner-load.js';
import { ratio } from '../lib/stats.js';

/** Users per worker. */
const PER_WORKER = 8;

export async function run(ctx: BenchContext): Promise<RowResult> {
  const latch = await ctx.latch();
  const peer = await ctx.betterAuth();
  // Each worker signs in its own PER_WORKER users round robin, their sessions ended before each
  // round (row 3's reason: a user with a few live sessions, not one at the session cap).
  const pool = await signInPool(latch.deps, CONCURRENCY * PER_WORKER, 'row4');
  const hashes: string[] = [];
  for (const user of pool.users) {
    const stored = await latch.deps.store.findUserByEmail(canonicalizeEmail(user.email));
    if (!stored?.passwordHash) throw new Error('bench user has no hash');
    hashes.push(stored.passwordHash);
  }
  const turns = Array.from({ length: CONCURRENCY }, () => 0);
  const eventOf = (w: number) => {
    const worker = w % CONCURRENCY;
    const turn = (turns[worker] ?? 0) + 1;
    turns[worker] = turn;
    return pool.events[worker + CONCURRENCY * (turn % PER_WORKER)];
  };
  const context = lambdaContext('session');

  const c = await compareLoaded(
    ctx.options,
    {
      argon2: {
        label: 'argon2id verify (floor)',
        op: async (w) => {
          if (!(await verify(hashes[w % hashes.length] as string, BENCH_PASSWORD))) throw new Error('verify failed');
        },
      },
      latch: {
        label: 'Latch sign-in handler',
        op: async (w) => assertStatus(await latch.session(eventOf(w) as (typeof pool.events)[number], context), 200),
        reset: pool.reset,
      },
      betterAuth: { label: 'Better Auth signInEmail', op: (w) => peer.signIn(w) },
    },
    { concurrency: CONCURRENCY, roundMs: 4000, rounds: 4 },
  );
  ctx.signIn.loaded = c;
  const share = ratio(c.latch.perSecond, c.argon2.perSecond);

  const dynamo = await ctx.dynamo();
  const runner = await loadLocalRunner(dynamo.endpoint, dynamo.tableName, CONCURRENCY, Math.round(duration(ctx.options, 15000, 3000) / 1000));
  return {
    row: 4,
    title: `Sign-in throughput vs the argon2 floor, ${CONCURRENCY} in flight`,
    figures: [
      ...loadedFigures([c.argon2, c.latch], CONCURRENCY),
      { label: `local runner + DynamoDB Local: sign-ins/s (autocannon, ${CONCURRENCY} connections)`, value: runner.perSecond, unit: '/s' },
      { label: 'local runner: latency p50 / p99', value: runner.latencyP50Ms, unit: `ms / p99 ${runner.latencyP99Ms} ms` },
      { label: 'local runner: non-2xx + errors', value: runner.non2xx + runner.errors, unit: `of ${runner.ok + runner.non2xx + runner.errors} requests` },
      { label: 'local runner: share of the in-process rate', value: (100 * runner.perSecond) / c.latch.perSecond, unit: '%' },
    ],
    verdicts: [
      { ratioLabel: 'sign-ins/s, Latch in-process / argon2 floor', ratio: share, goal: '≥ 0.95', pass: share >= 0.95 },
      { ratioLabel: 'sign-in errors under load (Latch in-process)', ratio: c.latch.errors, goal: '= 0', pass: c.latch.errors === 0 },
    ],
    notes: [
      `${CONCURRENCY} workers, each signing in its own ${PER_WORKER} users round robin (sessions ended before each round: a few live sessions per user, not the session cap); rounds alternate floor, Latch, Better Auth. argon2 runs on libuv's thread pool (${process.env.UV_THREADPOOL_SIZE ?? 4} threads).`,
      'The local runner (bench/local-server.ts, same handlers and API Gateway emulation as npm start) runs in a child process; autocannon loads it from this one over loopback. No goal: it shows the share of DynamoDB Local (Java) and HTTP on this 2-core machine.',
    ],
  };
}
