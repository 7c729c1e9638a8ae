/**
 * Row 3: what a sign-in costs on top of its password check, one at a time. Floor: a bare
 * `@node-rs/argon2` verify of the user's own hash (same parameters). Latch: `functions/session.ts`'s
 * handler on a `POST /session` payload 2.0 event with the in-memory store (parse, validate, one
 * verify, sign a JWT, commit the session, build the response). Better Auth runs in the same
 * rounds, for row 5.
 */
import { verify } from '@node-rs/argon2';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import { compareSerial, serialFigures, serialPlan } from '../lib/compare.js';
import type { BenchContext } from '../lib/context.js';
import { assertStatus, BENCH_PASSWORD, lambdaContext, signInEvent } from '../lib/latch.js';
import type { RowResult } from '../lib/report.js';
import { ratio } from '../lib/stats.js';

export async function run(ctx: BenchContext): Promise<RowResult> {
  const latch = await ctx.latch();
  const peer = await ctx.betterAuth();
  const [user] = latch.users;
  if (!user) throw new Error('no user');
  const stored = await latch.deps.store.findUserByEmail(canonicalizeEmail(user.email));
  if (!stored?.passwordHash) throw new Error('bench user has no hash');
  const hash = stored.passwordHash;
  const event = signInEvent(user.email, BENCH_PASSWORD);
  const context = lambdaContext('session');

  const c = await compareSerial(
    {
      argon2: {
        label: 'bare argon2id verify',
        op: async () => {
          if (!(await verify(hash, BENCH_PASSWORD))) throw new Error('verify failed');
        },
      },
      latch: { label: 'Latch sign-in handler', op: async () => assertStatus(await latch.session(event, context), 200) },
      betterAuth: { label: 'Better Auth signInEmail', op: () => peer.signIn(0) },
    },
    serialPlan(ctx.options, 10, 12, 5),
    'ms',
  );
  ctx.signIn.serial = c;

  // The overhead on its own: the same handler with a hasher that answers at once. Far steadier
  // than the difference of two ~11 ms numbers on a busy machine.
  const realHasher = latch.deps.hasher;
  latch.deps.hasher = { hash: realHasher.hash.bind(realHasher), hashLookupSecret: realHasher.hashLookupSecret.bind(realHasher), verify: async () => true };
  let alone: Awaited<ReturnType<typeof compareSerial<'latch'>>>;
  try {
    alone = await compareSerial(
      { latch: { label: 'Latch sign-in handler, hash stubbed', op: async () => assertStatus(await latch.session(event, context), 200) } },
      serialPlan(ctx.options, 100, 10, 50),
      'ms',
    );
  } finally {
    latch.deps.hasher = realHasher;
  }
  const overheadMs = alone.latch.cpu.median;
  ctx.lambdaMs['sign-in'] = { ms: c.latch.cpu.median, source: 'row 3: CPU per sign-in' };
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
    ],
    verdicts: [{ ratioLabel: 'sign-in CPU, Latch handler / bare argon2id verify', ratio: cpuRatio, goal: '≤ 1.05×', pass: cpuRatio <= 1.05 }],
    notes: [
      'argon2id m=19 MiB, t=2, p=1 (ARGON2_PARAMS) for both; the same user and password every call; rounds alternate floor, Latch, Better Auth.',
      'The goal is judged end to end; on a busy machine its rounds scatter by several %, so the stubbed-hash figure shows the overhead itself.',
    ],
  };
}
