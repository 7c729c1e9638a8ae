/**
 * Row 8: memory sizing, as Lambda Power Tuning would do it but modelled (no AWS account): latency
 * and cost per invocation at 512 / 1,024 / 1,769 / 3,008 MB from a flow's measured CPU time and
 * its DynamoDB round trips, and Lambda's CPU share per MB. Three functions: `session` (sign-in,
 * argon2id: its CPU from row 3 or measured here), `renewal` and `authorizer` (their CPU and round
 * trips from row 7, or the last measured figures when row 7 did not run). The goal, per function:
 * the deployed size (read from the synthesized template) is the cheapest within 10 % of the fastest.
 */
import { type BenchContext, CONCURRENCY, type Flow } from '../lib/context.js';
import { FULL_VCPU_MB, LATENCY, MEMORY_SIZES, memoryTable } from '../lib/cost-model.js';
import { readDeployedShape } from '../lib/deployed-shape.js';
import { lambdaContext, signInEvent } from '../lib/latch.js';
import { measureOnce } from '../lib/measure.js';
import { count } from '../lib/options.js';
import type { Figure, RowResult, Verdict } from '../lib/report.js';
import { median, percentile } from '../lib/stats.js';

/** Round trips of a sign-in when row 7 did not meter them (its figure on DynamoDB Local at the time of writing). */
const DEFAULT_ROUND_TRIPS = 6;

/** Renewal and authorizer figures when rows 7 and 1 did not run: the full runs of 2026-12-03 (CPU in memory, the authorizer's from row 1; round trips on DynamoDB Local). */
const LAST_MEASURED: Partial<Record<Flow, { cpuMs: number; roundTrips: number }>> = {
  renew: { cpuMs: 0.62, roundTrips: 3 },
  authorize: { cpuMs: 0.2, roundTrips: 1 },
};

async function signInCpuMs(ctx: BenchContext): Promise<{ ms: number; source: string; quartiles?: [number, number] }> {
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
  const sorted = samples.sort((a, b) => a - b);
  return {
    ms: median(sorted),
    source: `this row: median CPU of ${n} sign-ins (handler, in memory)`,
    quartiles: [percentile(sorted, 25), percentile(sorted, 75)],
  };
}

export async function run(ctx: BenchContext): Promise<RowResult> {
  const shape = readDeployedShape();
  const cpu = await signInCpuMs(ctx);
  const sized: Array<{ fn: string; what: string; cpuMs: number; roundTrips: number; source: string; quartiles?: [number, number] | undefined }> = [
    {
      fn: 'session',
      what: 'sign-ins',
      cpuMs: cpu.ms,
      quartiles: cpu.quartiles,
      roundTrips: ctx.signInRoundTrips ?? DEFAULT_ROUND_TRIPS,
      source: `${cpu.source}; round trips ${ctx.signInRoundTrips === undefined ? '(row 7 did not run: its last measured count)' : '(row 7)'}`,
    },
  ];
  for (const [flow, fn, what] of [
    ['renew', 'renewal', 'renewals'],
    ['authorize', 'authorizer', 'decisions'],
  ] as const) {
    const last = LAST_MEASURED[flow];
    // Row 7's figures; else the CPU of a row that measured it (row 1 for the authorizer) with the last round trips.
    const fromRow = ctx.lambdaMs[flow];
    const measured =
      ctx.flowCosts?.[flow] ??
      (fromRow && last
        ? {
            cpuMs: fromRow.ms,
            roundTrips: last.roundTrips,
            source: `${fromRow.source}; round trips: row 7 did not run, its last count`,
            quartiles: fromRow.quartiles,
          }
        : undefined);
    if (!measured && !last) throw new Error(`no figures for ${flow}`);
    sized.push({
      fn,
      what,
      cpuMs: measured?.cpuMs ?? last?.cpuMs ?? 0,
      quartiles: measured?.quartiles,
      roundTrips: measured?.roundTrips ?? last?.roundTrips ?? 0,
      source: measured?.source ?? 'row 7 did not run: its last measured figures (2026-12-03)',
    });
  }
  const figures: Figure[] = [];
  const verdicts: Verdict[] = [];
  const notes: string[] = [];
  for (const s of sized) {
    const { options, pick } = memoryTable({ cpuMs: s.cpuMs, roundTrips: s.roundTrips });
    const deployed = shape.functions[s.fn]?.memoryMb;
    for (const o of options) {
      figures.push({
        label: `${s.fn} function at ${o.memoryMb} MB: modelled duration / cost`,
        value: o.latencyMs,
        unit: `ms / $${o.costPerMillion.toFixed(2)} per million ${s.what}${o === pick ? '  ← cheapest within 10 % of the fastest' : ''}`,
      });
    }
    figures.push({ label: `${s.fn}: deployed (synthesized template)`, value: deployed ?? 0, unit: 'MB' });
    // The pick at the CPU measured, and at the quartiles of its rounds: where the CPU sits near
    // the 10 % line the pick moves with a few % of noise, and any size picked within the
    // measurement's interquartile range is one the measurement cannot tell from the median's.
    const picks = new Set([pick.memoryMb, ...(s.quartiles ?? []).map((cpuMs) => memoryTable({ cpuMs, roundTrips: s.roundTrips }).pick.memoryMb)]);
    const low = Math.min(...picks);
    const high = Math.max(...picks);
    const sizes: number[] = MEMORY_SIZES.filter((mb) => mb >= low && mb <= high);
    if (s.quartiles)
      figures.push({
        label: `${s.fn}: the pick at the quartiles of the measured CPU (${s.quartiles.map((q) => q.toFixed(3)).join(' / ')} ms)`,
        value: sizes[0] ?? 0,
        unit: `MB${sizes.length > 1 ? ` to ${sizes.at(-1)} MB` : ''}`,
      });
    verdicts.push({
      ratioLabel: `deployed ${s.fn} memory (MB) = the pick${s.quartiles ? ' (at the median CPU or its quartiles)' : ''}`,
      ratio: deployed ?? 0,
      goal: `= ${sizes.join(' or ')} MB`,
      pass: deployed !== undefined && sizes.includes(deployed),
    });
    notes.push(`${s.fn}: CPU per call ${s.cpuMs.toFixed(2)} ms, ${s.roundTrips} DynamoDB round trips at ${LATENCY.dynamoRoundTripMs} ms each (${s.source}).`);
  }
  return {
    row: 8,
    title: 'Memory sizing of the sign-in, renewal and authorizer functions (modelled from measured CPU, like Lambda Power Tuning)',
    figures,
    verdicts,
    notes: [
      ...notes,
      `Lambda gives one full vCPU at ${FULL_VCPU_MB} MB and a proportional share below; argon2id runs with p=1 (one thread), so sizes above ${FULL_VCPU_MB} MB are no faster, only dearer. Cost = duration × memory at the arm64 GB-second price, plus the request price. The renewal and the authorizer spend most of their time waiting for DynamoDB, so the CPU share decides only a few tenths of a millisecond: their picks sit close to the 10 % line and can move with the measured CPU.`,
    ],
  };
}
