/**
 * Row 1: CPU per authorizer decision, warm, against AWS's own verifier. Latch: the real
 * `functions/authorizer.ts` handler (event parsing, JWT check, one session read from the
 * in-memory store, the response). aws-jwt-verify: `JwtVerifier` with its JWKS cache filled, no
 * network, verifying the very same EdDSA token (same header, claims and signature), which is
 * less work than a decision (no session read): the ratio is what Latch's extra safety costs.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { compareSerial, serialFigures, serialPlan } from '../lib/compare.js';
import type { BenchContext } from '../lib/context.js';
import { assertAllowed, authorizerEvent, registerUsers } from '../lib/latch.js';
import type { RowResult } from '../lib/report.js';
import { ratio } from '../lib/stats.js';

export async function run(ctx: BenchContext): Promise<RowResult> {
  const latch = await ctx.latch();
  const [user] = await registerUsers(latch.deps, 1, 'authorizer');
  if (!user) throw new Error('no user');
  const token = user.tokens.accessToken;
  const { issuer, audience } = latch.deps.config;
  const verifier = JwtVerifier.create({ issuer, audience, jwksUri: `${issuer}/.well-known/jwks.json` });
  verifier.cacheJwks((await latch.deps.keys.publicJwks()) as Parameters<typeof verifier.cacheJwks>[0]);
  const event = authorizerEvent(token);

  const c = await compareSerial(
    {
      latch: { label: 'Latch authorizer decision', op: async () => assertAllowed(await latch.authorizer(event)) },
      aws: { label: 'aws-jwt-verify verify', op: () => verifier.verify(token) },
    },
    serialPlan(ctx.options, 200, 30, 500),
    'µs',
  );
  ctx.lambdaMs.authorize = {
    ms: c.latch.cpu.median / 1000,
    source: 'row 1: CPU per decision',
    quartiles: [c.latch.cpu.p25 / 1000, c.latch.cpu.p75 / 1000],
  };
  const cpuRatio = ratio(c.latch.cpu.median, c.aws.cpu.median);
  const wallRatio = ratio(c.latch.wall.median, c.aws.wall.median);
  return {
    row: 1,
    title: 'Authorizer decision CPU (warm, valid token, in-memory store) vs aws-jwt-verify',
    figures: [...serialFigures([c.latch, c.aws], 'µs'), { label: 'wall-time ratio Latch / aws-jwt-verify (medians)', value: wallRatio, unit: '×' }],
    verdicts: [{ ratioLabel: 'authorizer CPU per decision, Latch / aws-jwt-verify', ratio: cpuRatio, goal: '≤ 1.25×', pass: cpuRatio <= 1.25 }],
    notes: [
      'Same token for both: a Latch EdDSA access token; aws-jwt-verify gets the JWKS cached (no network) and checks signature, iss, aud, exp.',
      'Latch additionally parses the event, reads the session (in-memory store) and builds the simple response.',
    ],
  };
}
