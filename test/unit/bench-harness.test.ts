import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { auditBytesPerEvent, authorizerDecisions, billedMs, memoryTable, monthlyCost, USAGE } from '../../bench/lib/cost-model.js';
import { PEAK_RSS_KB } from '../../bench/lib/loaded-rss.js';
import { sampleLoaded, sampleSerial } from '../../bench/lib/measure.js';
import { readOptions } from '../../bench/lib/options.js';
import { shardedLoad } from '../../bench/lib/partitions.js';
import { median, percentile, ratio, summarize } from '../../bench/lib/stats.js';

// The benchmark's arithmetic, on fixed numbers. No test here measures or asserts a time.

test('summary statistics of a fixed sample: nearest-rank percentiles, median, mean', () => {
  const sample = [5, 1, 4, 2, 3, 100, 6, 7, 8, 9];
  const s = summarize(sample);
  assert.equal(s.n, 10);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  assert.equal(s.mean, 14.5);
  assert.equal(s.median, 5.5); // mean of the two middle values (5 and 6)
  assert.equal(s.p50, 5); // nearest rank: the 5th of 10
  assert.equal(s.p99, 100);
  assert.equal(s.p25, 3); // nearest rank: the 3rd of 10
  assert.equal(s.p75, 8); // the 8th of 10
  assert.deepEqual(sample, [5, 1, 4, 2, 3, 100, 6, 7, 8, 9], 'the input is not sorted in place');
});

test('percentile and median edges: one value, odd sizes, p0 and p100', () => {
  assert.equal(median([42]), 42);
  assert.equal(median([1, 2, 3]), 2);
  const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0), 1);
  assert.equal(percentile(sorted, 99), 198);
  assert.equal(percentile(sorted, 100), 200);
  assert.throws(() => percentile([], 50));
  assert.throws(() => summarize([]));
  assert.equal(ratio(3, 2), 1.5);
  assert.throws(() => ratio(1, 0));
});

test('bench options: quick mode shrinks the work, BENCH_ROWS picks rows, bad values fail', () => {
  assert.equal(readOptions({}).scale, 1);
  assert.equal(readOptions({ BENCH_QUICK: '1' }).scale, 0.1);
  assert.deepEqual([...readOptions({ BENCH_ROWS: '1, 6' }).rows], [1, 6]);
  assert.throws(() => readOptions({ BENCH_ROWS: '10' }));
  assert.throws(() => readOptions({ BENCH_SCALE: '-1' }));
});

test('cost model: Cognito is free up to 10k MAU; Latch scales linearly with MAU; the deployed shape decides authorizer calls and CPU share', () => {
  const flow = { cpuMs: 1, readUnits: 1, writeUnits: 2, roundTrips: 1, mails: 0, auditEvents: 1 };
  const flows = { register: flow, confirm: flow, 'sign-in': flow, renew: flow, authorize: flow, 'sign-out': flow, 'reset-request': flow, reset: flow };
  const fn = { memoryMb: 1024, architecture: 'arm64' as const };
  const functions = Object.fromEntries(
    ['registration', 'email-confirmation', 'session', 'renewal', 'authorizer', 'password-reset', 'mail-sender'].map((n) => [n, fn]),
  );
  const shape = { functions, authorizerCacheTtlSeconds: 0, accessTokenTtlSeconds: 900, auditIndexProjections: ['KEYS_ONLY' as const, 'KEYS_ONLY' as const] };
  const [at10k, at100k, at1m] = monthlyCost(flows, shape);
  assert.ok(at10k && at100k && at1m);
  assert.equal(at10k.cognito.lite, 0);
  assert.equal(Math.round(at100k.cognito.lite), 495); // 90,000 × $0.0055
  assert.ok(Math.abs(at1m.latch.total - 10 * at100k.latch.total) < 1e-6);
  // Authorizer cache 0 (as deployed by default): every protected call is a decision.
  assert.equal(at100k.calls.authorize, 100_000 * USAGE.protectedCalls);
  assert.equal(authorizerDecisions({ authorizerCacheTtlSeconds: 900, accessTokenTtlSeconds: 900 }), USAGE.signIns + USAGE.renewals + USAGE.registrations);
  // HTTP API requests: everything but the authorizer, at $1 per million.
  const apiCalls = USAGE.signIns + USAGE.renewals + USAGE.signOuts + 2 * USAGE.registrations + 2 * USAGE.resets;
  assert.ok(Math.abs(at100k.latch.api - apiCalls * 0.1) < 1e-9);
  // Below one vCPU the same CPU work takes longer: 1 ms at 512 MB bills 1769/512 ms plus waits.
  assert.ok(Math.abs(billedMs({ cpuMs: 1, roundTrips: 0 }, 512) - 1769 / 512) < 1e-9);
  assert.equal(billedMs({ cpuMs: 1, roundTrips: 2 }, 3008), 11);
  // Audit storage follows the deployed projections: keys-only entries instead of whole copies.
  assert.equal(auditBytesPerEvent({ auditIndexProjections: ['ALL', 'ALL'] }), 3 * USAGE.auditEventBytes);
  assert.equal(auditBytesPerEvent(shape), USAGE.auditEventBytes + 2 * USAGE.auditIndexEntryBytes);
  const allIndexes = monthlyCost(flows, { ...shape, auditIndexProjections: ['ALL', 'ALL'] })[1];
  assert.ok(allIndexes && allIndexes.latch.storage > at100k.latch.storage);
});

test('memory sizing: CPU-bound work stops getting faster at one vCPU, and the pick is the cheapest size within 10 % of the fastest', () => {
  const { options, pick } = memoryTable({ cpuMs: 30, roundTrips: 5 });
  const at = (mb: number) => options.find((o) => o.memoryMb === mb);
  assert.equal(at(1769)?.latencyMs, at(3008)?.latencyMs);
  assert.ok((at(512)?.latencyMs ?? 0) > (at(1024)?.latencyMs ?? 0));
  assert.equal(pick.memoryMb, 1769);
  // A call that mostly waits: the smallest size is within 10 % and cheapest.
  assert.equal(memoryTable({ cpuMs: 0.1, roundTrips: 10 }).pick.memoryMb, 512);
});

test('sharded keys: the hottest shard is the mean share plus 3 standard deviations of the calls spread by a hash', () => {
  // 4 lives, each a register (1 unit) on some shard; at 1,600 registrations/s over 16 shards.
  const lives = 4;
  const touches = [0, 1, 2, 3].map(() => ({ byFlow: new Map([['register', { reads: 0, writes: 1 }]]) }));
  const load = shardedLoad(touches, 16, { register: 1600 }, lives);
  assert.equal(load.mean.writes, 100); // 1,600 units/s over 16 shards
  const sd = Math.sqrt(1600 * 1 * (1 / 16) * (15 / 16));
  assert.ok(Math.abs(load.writes - (100 + 3 * sd)) < 1e-9);
  assert.deepEqual(load.flows, ['register']);
  // However unevenly the sample's lives fell on the shards, the group's load is the same.
  const lopsided = [{ byFlow: new Map([['register', { reads: 0, writes: 4 }]]) }];
  assert.equal(shardedLoad(lopsided, 16, { register: 1600 }, lives).writes, load.writes);
});

test('bench resets run before every round (and the warm-up) of their case, outside its samples', async () => {
  const events: string[] = [];
  const op = (name: string) => async () => {
    events.push(name);
  };
  await sampleSerial({ a: op('a'), b: op('b') }, { warmup: 1, perRound: 2, rounds: 2 }, { a: async () => void events.push('reset a') });
  assert.deepEqual(events, ['reset a', 'a', 'b', 'reset a', 'a', 'a', 'b', 'b', 'reset a', 'a', 'a', 'b', 'b']);
  let resets = 0;
  await sampleLoaded({ a: op('x') }, { concurrency: 1, roundMs: 1, rounds: 3, warmupMs: 1 }, { a: async () => void resets++ });
  assert.equal(resets, 4);
});

test("a bench child's peak RSS is its own, not its parent's (rows 6: getrusage's maxRSS survives exec on Linux)", {
  skip: process.platform !== 'linux' && 'VmHWM is Linux only',
}, () => {
  const ballast = Buffer.alloc(256 * 1024 * 1024, 1); // the parent's resident set grows by 256 MB
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `console.log(${PEAK_RSS_KB}, process.resourceUsage().maxRSS)`], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [own, inherited] = run.stdout.trim().split(/\s+/).map(Number);
  assert.ok(ballast[ballast.length - 1] === 1);
  assert.ok((own ?? 0) > 0 && (own ?? 0) < 200 * 1024, `own peak ${own} KB`);
  // What the measure avoids did happen here: maxRSS carried the parent's peak over.
  assert.ok((inherited ?? 0) > 256 * 1024, `maxRSS ${inherited} KB`);
});
