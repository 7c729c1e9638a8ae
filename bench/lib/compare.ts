/**
 * The comparisons rows 1, 3, 4 and 5 share: operations measured side by side by the same code,
 * serial (one call at a time) or under load, and reported with the same figures.
 */

import { type Operation, type Reset, type SerialPlan, sampleLoaded, sampleSerial, type Throughput } from './measure.js';
import type { BenchOptions } from './options.js';
import { count, duration } from './options.js';
import type { Figure } from './report.js';
import { type Summary, summarize } from './stats.js';

export interface Side {
  /** Shown in the table, e.g. "Latch authorizer". */
  label: string;
  op: Operation;
  /** Before each of this side's rounds, unmeasured (e.g. ending the sessions the last round started). */
  reset?: Reset;
}

export interface SerialResult {
  label: string;
  /** Wall time per call, in the comparison's unit. */
  wall: Summary;
  /** Process CPU time per call (one value per round), in the comparison's unit. */
  cpu: Summary;
}

/** The sides' resets, by key. */
function resetsOf<K extends string>(sides: Record<K, Side>): Partial<Record<K, Reset>> {
  const out: Partial<Record<K, Reset>> = {};
  for (const k of Object.keys(sides) as K[]) {
    const reset = sides[k].reset;
    if (reset) out[k] = reset;
  }
  return out;
}

/** Serial plan scaled by the options. */
export function serialPlan(options: BenchOptions, perRound: number, rounds: number, warmup: number): SerialPlan {
  return { warmup: count(options, warmup, 3), perRound: count(options, perRound, 5), rounds: Math.max(3, Math.round(rounds * Math.min(1, options.scale * 2))) };
}

/** Runs the sides one call at a time in alternating rounds. */
export async function compareSerial<K extends string>(sides: Record<K, Side>, plan: SerialPlan, unit: 'µs' | 'ms'): Promise<Record<K, SerialResult>> {
  const keys = Object.keys(sides) as K[];
  const samples = await sampleSerial(Object.fromEntries(keys.map((k) => [k, sides[k].op])) as Record<K, Operation>, plan, resetsOf(sides));
  const div = unit === 'ms' ? 1000 : 1;
  const out = {} as Record<K, SerialResult>;
  for (const k of keys) {
    const s = samples[k];
    out[k] = { label: sides[k].label, wall: summarize(s.wallUs.map((x) => x / div)), cpu: summarize(s.cpuUs.map((x) => x / div)) };
  }
  return out;
}

/** Calls/s, wall p50/p99 and CPU per call of each side. */
export function serialFigures(results: SerialResult[], unit: 'µs' | 'ms'): Figure[] {
  const perSecond = unit === 'ms' ? 1e3 : 1e6;
  return results.flatMap((r) => [
    { label: `${r.label}: calls/s, one at a time`, value: perSecond / r.wall.mean, unit: '/s' },
    { label: `${r.label}: wall per call p50 / p99`, value: r.wall.p50, unit: `${unit} / p99 ${r.wall.p99.toFixed(unit === 'ms' ? 1 : 0)} ${unit}` },
    { label: `${r.label}: CPU per call (median of ${r.cpu.n} rounds)`, value: r.cpu.median, unit },
  ]);
}

export interface LoadedResult extends Throughput {
  label: string;
}

/** Keeps `concurrency` calls of each side in flight in alternating rounds; calls/s and errors. */
export async function compareLoaded<K extends string>(
  options: BenchOptions,
  sides: Record<K, Side>,
  plan: { concurrency: number; roundMs: number; rounds: number },
): Promise<Record<K, LoadedResult>> {
  const keys = Object.keys(sides) as K[];
  const totals = await sampleLoaded(
    Object.fromEntries(keys.map((k) => [k, sides[k].op])) as Record<K, Operation>,
    {
      concurrency: plan.concurrency,
      roundMs: duration(options, plan.roundMs, 300),
      rounds: Math.max(2, Math.round(plan.rounds * Math.min(1, options.scale * 2))),
      warmupMs: duration(options, 1000, 200),
    },
    resetsOf(sides),
  );
  const out = {} as Record<K, LoadedResult>;
  for (const k of keys) out[k] = { label: sides[k].label, ...totals[k] };
  return out;
}

/** Calls/s and errors of each side. */
export function loadedFigures(results: LoadedResult[], concurrency: number): Figure[] {
  return results.flatMap((r) => [
    { label: `${r.label}: calls/s, ${concurrency} in flight`, value: r.perSecond, unit: '/s' },
    { label: `${r.label}: errors`, value: r.errors, unit: `of ${r.completed + r.errors} calls${r.firstError ? ` (first: ${r.firstError})` : ''}` },
  ]);
}
