/**
 * Row 7: DynamoDB request units per flow (from `ReturnConsumedCapacity: 'TOTAL'` on DynamoDB
 * Local, summed by the bench's SDK middleware), function time per flow, and a monthly cost model
 * at 10k, 100k and 1M monthly active users beside Cognito's list prices.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchContext, FLOWS, type Flow } from '../lib/context.js';
import { type FlowCost, monthlyCost, PRICES, USAGE } from '../lib/cost-model.js';
import type { MeterReading } from '../lib/dynamodb.js';
import { runFlowScript } from '../lib/flows.js';
import { benchDeps } from '../lib/latch.js';
import { measureOnce } from '../lib/measure.js';
import { count } from '../lib/options.js';
import type { Figure, RowResult } from '../lib/report.js';
import { median } from '../lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFIRMATION_ON = { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'true' };

/** Request units and round trips per flow, one user's life on DynamoDB Local. */
async function meterFlows(ctx: BenchContext): Promise<Record<Flow, MeterReading>> {
  const dynamo = await ctx.dynamo();
  const { store, counters, meter } = dynamo.meteredStore();
  const deps = await benchDeps({ store, counters, configEnv: CONFIRMATION_ON });
  const readings = {} as Record<Flow, MeterReading>;
  await runFlowScript(deps, async (flow, step) => {
    meter.reset();
    const result = await step();
    readings[flow] = meter.read();
    return result;
  });
  return readings;
}

/** Median CPU milliseconds per flow over a few lives in memory. */
async function timeFlows(ctx: BenchContext): Promise<Record<Flow, number>> {
  const deps = await benchDeps({ configEnv: CONFIRMATION_ON });
  const cpu = Object.fromEntries(FLOWS.map((f) => [f, [] as number[]])) as Record<Flow, number[]>;
  const lives = count(ctx.options, 15, 3);
  for (let i = 0; i < lives; i++) {
    await runFlowScript(deps, async (flow, step) => {
      const { result, cpuUs } = await measureOnce(step);
      cpu[flow].push(cpuUs / 1000);
      return result;
    });
  }
  return Object.fromEntries(FLOWS.map((f) => [f, median([...cpu[f]].sort((a, b) => a - b))])) as Record<Flow, number>;
}

export async function run(ctx: BenchContext): Promise<RowResult> {
  const units = await meterFlows(ctx);
  const measured = await timeFlows(ctx);
  const flows: Record<Flow, FlowCost> = {} as Record<Flow, FlowCost>;
  const figures: Figure[] = [];
  for (const flow of FLOWS) {
    const fromRows = ctx.lambdaMs[flow];
    const cpuMs = fromRows?.ms ?? measured[flow];
    const u = units[flow];
    flows[flow] = { cpuMs, readUnits: u.readUnits, writeUnits: u.writeUnits, roundTrips: u.roundTrips, mails: flow === 'register' ? 1 : 0 };
    figures.push({
      label: `${flow}: read / write units, round trips, function CPU`,
      value: u.readUnits,
      unit: `RRU / ${u.writeUnits} WRU, ${u.roundTrips} round trips (${Object.entries(u.commands)
        .map(([c, n]) => `${c.replace('Command', '')} × ${n}`)
        .join(', ')}), ${cpuMs.toFixed(2)} ms CPU (${fromRows?.source ?? 'this row, in memory'})`,
    });
  }
  const model = monthlyCost(flows);
  for (const m of model) {
    figures.push({
      label: `${m.mau.toLocaleString('en-US')} MAU: Latch / month`,
      value: m.latch.total,
      unit: `$ (API ${m.latch.api.toFixed(2)}, Lambda ${m.latch.lambda.toFixed(2)}, DynamoDB ${m.latch.dynamodb.toFixed(2)}, SES ${m.latch.ses.toFixed(2)}) · Cognito Lite $${m.cognito.lite.toFixed(0)}, Essentials $${m.cognito.essentials.toFixed(0)}, Plus $${m.cognito.plus.toFixed(0)}`,
    });
  }
  const at100k = model.find((m) => m.mau === 100_000);
  if (!at100k) throw new Error('no 100k MAU line');
  const share = at100k.latch.total / at100k.cognito.lite;
  const hasReset = existsSync(path.join(root, 'shared', 'flows', 'password-reset.ts'));
  return {
    row: 7,
    title: 'Request units per flow and monthly cost vs Cognito',
    figures,
    verdicts: [{ ratioLabel: 'Latch cost / Cognito Lite at 100k MAU', ratio: share, goal: '≤ 0.05 (1/20)', pass: share <= 0.05 }],
    notes: [
      hasReset
        ? 'reset: the password-reset flow exists but is not yet in the flow script.'
        : 'reset: no password-reset flow on this branch yet, so no row for it.',
      `Usage per MAU per month: ${USAGE.signIns} sign-ins, ${USAGE.renewals} renewals, ${USAGE.otherCalls} other call priced as a registration (argon2 hash + mail + writes), ${USAGE.authorizerDecisions} authorizer decisions (one per access token: API Gateway caches the decision for the token's life), ${USAGE.mails} mail.`,
      `Lambda: arm64, ${PRICES.lambdaMemoryMb} MB (one full vCPU, like one core here), billed ms = CPU measured here + ${PRICES.dynamoRoundTripMs} ms per DynamoDB round trip + ${PRICES.sesCallMs} ms per SES call; cold starts and the customer API's own requests are not included.`,
      `Prices (us-east-1 list, 2024-11): HTTP API $${PRICES.httpApiPerMillion}/M requests; Lambda arm64 $${PRICES.lambdaGbSecond}/GB-s + $${PRICES.lambdaPerMillion}/M requests; DynamoDB on demand $${PRICES.writeUnitPerMillion}/M WRU, $${PRICES.readUnitPerMillion}/M RRU; SES $${PRICES.sesPerThousand}/1000 mails; Cognito per MAU above 10k free: Lite $${PRICES.cognito.lite}, Essentials $${PRICES.cognito.essentials}, Plus $${PRICES.cognito.plus}.`,
      'Request units are what DynamoDB Local reports with ReturnConsumedCapacity TOTAL; storage ($0.25/GB-month, about 1 KB per user and session) is left out.',
    ],
  };
}
