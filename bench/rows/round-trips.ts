/**
 * Row 2: DynamoDB round trips per authorizer decision, on DynamoDB Local, counted by SDK
 * middleware on the store's client (every HTTP attempt, retries included). The decision is
 * `checkAccessToken`, the very call `functions/authorizer.ts` makes (its module is bound to the
 * in-memory deps of row 1 in this process, so this row calls the flow with DynamoDB deps).
 */
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { BenchContext } from '../lib/context.js';
import { benchDeps, registerUsers } from '../lib/latch.js';
import { count } from '../lib/options.js';
import type { RowResult } from '../lib/report.js';

export async function run(ctx: BenchContext): Promise<RowResult> {
  const dynamo = await ctx.dynamo();
  const { store, counters, meter } = dynamo.meteredStore();
  const deps = await benchDeps({ store, counters });
  const [user] = await registerUsers(deps, 1, 'round-trips');
  if (!user) throw new Error('no user');
  const decisions = count(ctx.options, 200, 20);

  meter.reset();
  for (let i = 0; i < decisions; i++) await checkAccessToken(deps, user.tokens.accessToken);
  const valid = meter.read();

  // A token with a broken signature is refused before any read.
  const [head, payload] = user.tokens.accessToken.split('.');
  const forged = `${head}.${payload}.${'A'.repeat(86)}`;
  meter.reset();
  for (let i = 0; i < decisions; i++) await checkAccessToken(deps, forged).catch(() => undefined);
  const denied = meter.read();

  const perDecision = valid.roundTrips / decisions;
  const commands = Object.entries(valid.commands)
    .map(([name, n]) => `${name} × ${n}`)
    .join(', ');
  return {
    row: 2,
    title: 'DynamoDB round trips per authorizer decision (DynamoDB Local, SDK middleware count)',
    figures: [
      { label: 'decisions (valid token)', value: decisions, unit: 'decisions' },
      { label: 'round trips per valid decision', value: perDecision, unit: 'round trips' },
      { label: 'round trips per bad-signature decision', value: denied.roundTrips / decisions, unit: 'round trips' },
    ],
    verdicts: [{ ratioLabel: 'DynamoDB round trips per decision', ratio: perDecision, goal: '= 1', pass: perDecision === 1 }],
    notes: [`commands sent for the valid decisions: ${commands || 'none'} (strongly consistent GetItem of the session item)`],
  };
}
