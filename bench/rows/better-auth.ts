/**
 * Row 5: Better Auth side by side. Sign-in time and sign-ins per second come from rows 3 and 4,
 * where Better Auth ran in the same alternating rounds as Latch and the argon2 floor. Session
 * checks: Better Auth's `getSession` with its session cookie against Latch's `checkAccessToken`
 * on a valid access token, both on in-memory storage, one at a time.
 */
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { BETTER_AUTH_CONFIGURATION } from '../lib/better-auth.js';
import { compareSerial, serialFigures, serialPlan } from '../lib/compare.js';
import type { BenchContext } from '../lib/context.js';
import { registerUsers } from '../lib/latch.js';
import type { Figure, RowResult, Verdict } from '../lib/report.js';
import { ratio } from '../lib/stats.js';

export async function run(ctx: BenchContext): Promise<RowResult> {
  const latch = await ctx.latch();
  const peer = await ctx.betterAuth();
  const [user] = await registerUsers(latch.deps, 1, 'session-check');
  if (!user) throw new Error('no user');
  const token = user.tokens.accessToken;

  const checks = await compareSerial(
    {
      latch: { label: 'Latch checkAccessToken', op: () => checkAccessToken(latch.deps, token) },
      betterAuth: { label: 'Better Auth getSession', op: () => peer.checkSession() },
    },
    serialPlan(ctx.options, 200, 20, 300),
    'µs',
  );
  const checkRatio = ratio(checks.betterAuth.cpu.median, checks.latch.cpu.median);
  const figures: Figure[] = [...serialFigures([checks.latch, checks.betterAuth], 'µs')];
  const verdicts: Verdict[] = [];
  const notes = [
    `Latch: in-memory store, the real argon2id hasher, EdDSA access tokens (15 min) + renewal tokens; sign-in through functions/session.ts's handler on a payload 2.0 event; token check = JWT verify + one session read.`,
    BETTER_AUTH_CONFIGURATION,
  ];

  const { serial, loaded } = ctx.signIn;
  if (serial) {
    const r = ratio(serial.latch.cpu.median, serial.betterAuth.cpu.median);
    figures.push(
      { label: 'Better Auth sign-in: CPU per call (row 3 rounds)', value: serial.betterAuth.cpu.median, unit: 'ms' },
      {
        label: 'Better Auth sign-in: wall per call p50 / p99',
        value: serial.betterAuth.wall.p50,
        unit: `ms / p99 ${serial.betterAuth.wall.p99.toFixed(1)} ms`,
      },
      { label: 'Better Auth sign-in / bare argon2id verify (CPU)', value: ratio(serial.betterAuth.cpu.median, serial.argon2.cpu.median), unit: '×' },
      { label: 'Latch sign-in / bare argon2id verify (CPU)', value: ratio(serial.latch.cpu.median, serial.argon2.cpu.median), unit: '×' },
    );
    verdicts.push({ ratioLabel: 'sign-in CPU, Latch / Better Auth', ratio: r, goal: '≤ 1.0', pass: r <= 1 });
  } else notes.push('Sign-in time not compared: row 3 did not run (BENCH_ROWS).');
  if (loaded) {
    const r = ratio(loaded.latch.perSecond, loaded.betterAuth.perSecond);
    figures.push(
      { label: 'Better Auth sign-ins/s, 8 in flight (row 4 rounds)', value: loaded.betterAuth.perSecond, unit: '/s' },
      { label: 'Better Auth errors under load', value: loaded.betterAuth.errors, unit: `of ${loaded.betterAuth.completed + loaded.betterAuth.errors} calls` },
      { label: 'Better Auth share of the argon2 floor', value: (100 * loaded.betterAuth.perSecond) / loaded.argon2.perSecond, unit: '%' },
      { label: 'Latch share of the argon2 floor', value: (100 * loaded.latch.perSecond) / loaded.argon2.perSecond, unit: '%' },
    );
    verdicts.push({ ratioLabel: 'sign-ins/s, Latch / Better Auth', ratio: r, goal: '≥ 1.0', pass: r >= 1 });
  } else notes.push('Sign-ins per second not compared: row 4 did not run (BENCH_ROWS).');
  verdicts.push({ ratioLabel: 'session checks/s, Latch / Better Auth (CPU)', ratio: checkRatio, goal: '≥ 2×', pass: checkRatio >= 2 });
  figures.push({ label: 'session checks/s ratio by wall time (medians)', value: ratio(checks.betterAuth.wall.median, checks.latch.wall.median), unit: '×' });

  return { row: 5, title: 'Peer side by side: Better Auth 1.7 (same argon2id) vs Latch', figures, verdicts, notes };
}
