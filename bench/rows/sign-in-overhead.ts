/**
 * Row 3: what a sign-in costs on top of its password check, one at a time. Floor: a bare
 * `@node-rs/argon2` verify of a user's own hash (same parameters). Latch: `functions/session.ts`'s
 * handler on a `POST /session` payload 2.0 event with the in-memory store (parse, validate, one
 * verify, sign a JWT, commit the session, build the response), signing in {@link POOL} users round
 * robin whose sessions end before each round (`signInPool`): a user with a few live sessions.
 * Beside it, no goal: the same sign-in of a user at the session cap, whose every sign-in lists
 * 100 sessions and ends the oldest. Better Auth runs in the same rounds, for row 5.
 */
import { verify } from '@node-rs/argon2';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import { compareSerial, serialFigures, serialPlan } from '../lib/compare.js';
import type { BenchContext } from '../lib/context.js';
import { assertStatus, BENCH_PASSWORD, lambdaContext, signInEvent, signInPool } from '../lib/latch.js';
import { sampleSerial } from '../lib/measure.js';
import type { RowResult } from '../lib/report.js';
import { ratio, summarize } from '../lib/stats.js';

/** Users signed in round robin. */
const POOL = 16;

/**
 * A fixed piece of JavaScript with no I/O and nothing of Latch's (builds, walks and serialises a
 * few thousand small objects: about 0.2 ms back to back here), to price the same work in three
 * places: back to back, after an idle wait, and right after an argon2id verify (whose 19 MiB pass
 * leaves the caches cold). What the row's end-to-end ratio charges Latch's own work.
 */
function fixedWork(): number {
  const objects: Array<{ i: number; key: string; pair: [number, number] }> = [];
  for (let i = 0; i < 3000; i++) objects.push({ i, key: `k${i}`, pair: [i, i * 2] });
  let total = 0;
  for (const o of objects) total += o.pair[1] + o.key.length;
  return JSON.stringify(objects.slice(0, 200)).length + total;
}

export async function run(ctx: BenchContext): Promise<RowResult> {
  const latch = await ctx.latch();
  const peer = await ctx.betterAuth();
  const pool = await signInPool(latch.deps, POOL, 'row3');
  const [user] = pool.users;
  if (!user) throw new Error('no user');
  const stored = await latch.deps.store.findUserByEmail(canonicalizeEmail(user.email));
  if (!stored?.passwordHash) throw new Error('bench user has no hash');
  const hash = stored.passwordHash;
  const context = lambdaContext('session');
  let next = 0;
  const signIn = async () => assertStatus(await latch.session(pool.events[next++ % POOL] as (typeof pool.events)[number], context), 200);
  const bareVerify = async () => {
    if (!(await verify(hash, BENCH_PASSWORD))) throw new Error('verify failed');
  };

  const c = await compareSerial(
    {
      argon2: {
        label: 'bare argon2id verify',
        op: bareVerify,
      },
      latch: { label: 'Latch sign-in handler', op: signIn, reset: pool.reset },
      betterAuth: { label: 'Better Auth signInEmail', op: () => peer.signIn(0) },
    },
    serialPlan(ctx.options, 10, 12, 5),
    'ms',
  );
  ctx.signIn.serial = c;

  // The overhead on its own: the same handler with a hasher that answers at once. Far steadier
  // than the difference of two ~11 ms numbers on a busy machine.
  const realHasher = latch.deps.hasher;
  /** An idle wait as long as the floor's verify (no CPU of its own). */
  const waitMs = Math.max(1, Math.round(c.argon2.wall.p50));
  const wait = () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), waitMs));
  const stub = { hash: realHasher.hash.bind(realHasher), hashLookupSecret: realHasher.hashLookupSecret.bind(realHasher), verify: async () => true };
  latch.deps.hasher = stub;
  let alone: Awaited<ReturnType<typeof compareSerial<'latch'>>>;
  let atCap: Awaited<ReturnType<typeof compareSerial<'latch'>>>;
  let inSitu: Awaited<ReturnType<typeof compareSerial<'wait' | 'latch'>>>;
  try {
    // The overhead where it runs: the hash replaced by an idle wait as long as the floor's verify
    // (no CPU of its own), beside the bare wait. The handler's work then runs after an idle gap, as
    // it does around a real verify, and costs more CPU than back to back (caches gone cold).
    inSitu = await compareSerial(
      {
        wait: { label: `a bare ${waitMs} ms wait`, op: wait },
        latch: {
          label: `Latch sign-in handler, hash replaced by a ${waitMs} ms wait`,
          op: async () => {
            latch.deps.hasher = { ...stub, verify: wait };
            try {
              await signIn();
            } finally {
              latch.deps.hasher = stub;
            }
          },
          reset: pool.reset,
        },
      },
      serialPlan(ctx.options, 10, 10, 5),
      'ms',
    );
    alone = await compareSerial(
      { latch: { label: 'Latch sign-in handler, hash stubbed', op: signIn, reset: pool.reset } },
      serialPlan(ctx.options, 100, 10, 50),
      'ms',
    );
    // One user at the cap: the warm-up fills it, every call after lists the cap and ends the oldest.
    const capped = signInEvent(user.email, BENCH_PASSWORD);
    const cap = latch.deps.config.maxSessionsPerUser;
    atCap = await compareSerial(
      { latch: { label: 'Latch sign-in handler, hash stubbed', op: async () => assertStatus(await latch.session(capped, context), 200) } },
      { ...serialPlan(ctx.options, 50, 6, 10), warmup: cap + 10 },
      'ms',
    );
  } finally {
    latch.deps.hasher = realHasher;
  }
  // The price of place: the same fixed work back to back, after an idle wait and after a verify.
  // Paired per round (each round runs all five in turn): the work's price after a wait or a
  // verify is that round's difference, so a slow drift of the machine cancels; the median of the
  // rounds' differences is the figure, and their quartiles show how far to trust it.
  const place = await sampleSerial(
    {
      work: async () => void fixedWork(),
      wait,
      waitThenWork: async () => {
        await wait();
        fixedWork();
      },
      verify: bareVerify,
      verifyThenWork: async () => {
        await bareVerify();
        fixedWork();
      },
    },
    serialPlan(ctx.options, 20, 24, 5),
  );
  const paired = (a: number[], b: number[]) => summarize(a.map((x, i) => (x - (b[i] ?? 0)) / 1000));
  const workAlone = summarize(place.work.cpuUs.map((x) => x / 1000)).median;
  const workAfterWait = paired(place.waitThenWork.cpuUs, place.wait.cpuUs).median;
  const afterVerify = paired(place.verifyThenWork.cpuUs, place.verify.cpuUs);
  const workAfterVerify = afterVerify.median;
  const afterVerifyFactor = workAfterVerify / workAlone;
  /** A quick run has too few rounds for a median of paired differences: it can even come out negative. */
  const quickCaveat = ctx.options.quick ? '; a quick run has too few rounds for this figure, run it in full' : '';
  const overheadMs = alone.latch.cpu.median;
  ctx.lambdaMs['sign-in'] = { ms: c.latch.cpu.median, source: 'row 3: CPU per sign-in', quartiles: [c.latch.cpu.p25, c.latch.cpu.p75] };
  const cpuRatio = ratio(c.latch.cpu.median, c.argon2.cpu.median);
  const wallRatio = ratio(c.latch.wall.median, c.argon2.wall.median);
  return {
    row: 3,
    title: 'Sign-in overhead: sign-in handler (in-memory store) vs bare argon2id verify, one at a time',
    figures: [
      ...serialFigures([c.argon2, c.latch], 'ms'),
      { label: 'wall-time ratio Latch / argon2 (medians)', value: wallRatio, unit: '×' },
      { label: 'Latch overhead beyond the hash (CPU difference)', value: c.latch.cpu.median - c.argon2.cpu.median, unit: 'ms' },
      { label: 'Latch sign-in handler with the hash stubbed: CPU per call', value: overheadMs, unit: 'ms' },
      { label: '(argon2 + stubbed-hash sign-in) / argon2, CPU', value: (c.argon2.cpu.median + overheadMs) / c.argon2.cpu.median, unit: '×' },
      {
        label: `Latch overhead in place: CPU of the handler with the hash replaced by an idle wait, minus the bare wait's`,
        value: inSitu.latch.cpu.median - inSitu.wait.cpu.median,
        unit: `ms (${((c.argon2.cpu.median + inSitu.latch.cpu.median - inSitu.wait.cpu.median) / c.argon2.cpu.median).toFixed(3)} × with the verify)`,
      },
      {
        label: "the price of place: a fixed piece of JavaScript (nothing of Latch's): CPU back to back / after an idle wait / right after a verify",
        value: workAlone,
        unit: `ms / ${workAfterWait.toFixed(3)} ms / ${workAfterVerify.toFixed(3)} ms (${afterVerifyFactor.toFixed(1)}× after a verify; quartiles of the rounds' differences ${afterVerify.p25.toFixed(3)}-${afterVerify.p75.toFixed(3)} ms${quickCaveat})`,
      },
      {
        label: 'so the goal leaves a handler, measured back to back (0.05 × the verify ÷ that factor)',
        value: (0.05 * c.argon2.cpu.median) / afterVerifyFactor,
        unit: `ms of CPU (the stubbed-hash handler: ${overheadMs.toFixed(3)} ms${quickCaveat})`,
      },
      {
        label: `no goal: the same, hash stubbed, for a user at the session cap (${latch.deps.config.maxSessionsPerUser}): CPU per call / (argon2 + it) / argon2`,
        value: atCap.latch.cpu.median,
        unit: `ms / ${((c.argon2.cpu.median + atCap.latch.cpu.median) / c.argon2.cpu.median).toFixed(3)} ×`,
      },
    ],
    verdicts: [{ ratioLabel: 'sign-in CPU, Latch handler / bare argon2id verify', ratio: cpuRatio, goal: '≤ 1.05×', pass: cpuRatio <= 1.05 }],
    notes: [
      `argon2id m=19 MiB, t=2, p=1 (ARGON2_PARAMS) for both; Latch signs in ${POOL} users round robin, their sessions ended before each round (at most ${Math.ceil(10 / POOL) + 1} live sessions each in the judged rounds, ${Math.ceil(100 / POOL) + 1} in the stubbed ones); rounds alternate floor, Latch, Better Auth.`,
      'A user at the session cap pays for listing the cap on every sign-in (the in-memory store copies 100 sessions; on DynamoDB one Query of the session items at the cap): shown, not judged.',
      'The goal is judged end to end; on a busy machine its rounds scatter by several %, so the stubbed-hash figures show the overhead itself: back to back (warm caches), and in place, after an idle wait as long as a verify (what the end-to-end ratio pays).',
      'The price of place: the same fixed JavaScript (bench/rows/sign-in-overhead.ts, fixedWork) measured back to back, after an idle wait as long as a verify, and right after a bare verify (each minus the wait or the verify alone in the same round, the median of the differences round by round). Whatever a sign-in does after its verify pays that factor; the last figure is the back-to-back CPU a handler could spend and still meet 1.05× at it.',
    ],
  };
}
