/** Summary of a sample of durations (or any numbers), all in the sample's unit. */
export interface Summary {
  n: number;
  mean: number;
  median: number;
  p50: number;
  /** Lower and upper quartiles (nearest rank): the spread rows 3 and 8 use. */
  p25: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value with at least p % of the
 * sample at or below it. No interpolation, so every reported percentile was actually observed.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty sample');
  if (p < 0 || p > 100) throw new Error(`percentile out of range: ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Median: the middle value, or the mean of the two middle values of an even-sized sample. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) throw new Error('median of an empty sample');
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** n, mean, median, p50, p99, min and max of a sample. */
export function summarize(sample: readonly number[]): Summary {
  if (sample.length === 0) throw new Error('summary of an empty sample');
  const sorted = [...sample].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, x) => acc + x, 0);
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    median: median(sorted),
    p50: percentile(sorted, 50),
    p25: percentile(sorted, 25),
    p75: percentile(sorted, 75),
    p99: percentile(sorted, 99),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

/** a / b, the way every row states a ratio ("Latch takes 1.2× the peer's time"). */
export function ratio(a: number, b: number): number {
  if (b === 0) throw new Error('ratio with a zero denominator');
  return a / b;
}
