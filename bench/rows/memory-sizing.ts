/**
 * Row 8: memory sizing of the sign-in function, as Lambda Power Tuning would do it but modelled
 * (no AWS account): latency and cost per invocation at 512 / 1,024 / 1,769 / 3,008 MB from the
 * sign-in's measured CPU time (row 3, or measured here) and its DynamoDB round trips (row 7, or
 * measured here), and Lambda's CPU share per MB. The goal: the deployed default (read from the
 * synthesized template) is the cheapest size within 10 % of the fastest.
 */
import { type BenchContext, CONCURRENCY } from '../lib/context.js';
import { FULL_VCPU_MB, LATENCY, memoryTable } from '../lib/cost-model.js';
import { readDeployedShape } from '../lib/deployed-shape.js';
import { lambdaContext, signInEvent } from '../lib/latch.js';
import { measureOnce } from '../lib/measure.js';
import { count } from '../lib/options.js';
import type { Figure, RowResult } from '../lib/report.js';
import { median } from '../lib/stats.js';

/** Round trips of a sign-in when row 7 did not meter them (its figure on DynamoDB Local at the time of writing). */
const DEFAULT_ROUND_TRIPS = 7;

async function signInCpuMs(ctx: BenchContext): Promise<{ ms: number; source: string }> {
  const fromRow3 = ctx.lambdaMs['sign-in'];
  if (fromRow3) return fromRow3;
  const latch = await ctx.latch();
  const samples: number[] = [];
  const n = count(ctx.options, 40, 6);
  for (let i = 0; i < n; i++) {
    const user = latch.users[i % CONCURRENCY];
    if (!user) throw new Error('no bench user');
    const { cpuUs } = await measureOnce(() => latch.session(signInEvent(user.email, user.password), lambdaContext('session')));
    samples.push(cpuUs / 1000);
  }
  return { ms: median(samples.sort((a, b) => a - b)), source: `this row: median CPU of ${n} sign-ins (handler, in memory)` };
}

export async function run(ctx: BenchContext): Promise<RowResult> {
  const cpu = await signInCpuMs(ctx);
  const roundTrips = ctx.signInRoundTrips ?? DEFAULT_ROUND_TRIPS;
  const { options, pick } = memoryTable({ cpuMs: cpu.ms, roundTrips });
  const deployed = readDeployedShape().functions.session?.memoryMb;
  const figures: Figure[] = options.map((o) => ({
    label: `session function at ${o.memoryMb} MB: modelled duration / cost`,
    value: o.latencyMs,
    unit: `ms / $${o.costPerMillion.toFixed(2)} per million sign-ins${o === pick ? '  ← cheapest within 10 % of the fastest' : ''}`,
  }));
  figures.push({ label: 'deployed default (synthesized template)', value: deployed ?? 0, unit: 'MB' });
  return {
    row: 8,
    title: 'Memory sizing of the sign-in function (modelled from measured CPU, like Lambda Power Tuning)',
    figures,
    verdicts: [
      { ratioLabel: 'deployed sign-in memory (MB) = the pick', ratio: deployed ?? 0, goal: `= ${pick.memoryMb} MB`, pass: deployed === pick.memoryMb },
    ],
    notes: [
      `CPU per sign-in ${cpu.ms.toFixed(1)} ms (${cpu.source}); ${roundTrips} DynamoDB round trips${ctx.signInRoundTrips === undefined ? ' (row 7 did not run: its last measured count)' : ' (row 7)'} at ${LATENCY.dynamoRoundTripMs} ms each.`,
      `Lambda gives one full vCPU at ${FULL_VCPU_MB} MB and a proportional share below; argon2id runs with p=1 (one thread), so sizes above ${FULL_VCPU_MB} MB are no faster, only dearer. Cost = duration × memory at the arm64 GB-second price, plus the request price.`,
    ],
  };
}
