/**
 * How much work each row does. `BENCH_QUICK=1` shrinks everything for a smoke run (tens of
 * seconds, numbers only indicative); `BENCH_SCALE=2` doubles the default; `BENCH_ROWS=1,3`
 * runs only some rows (row 7 then uses whatever the rows that ran measured).
 */
export interface BenchOptions {
  quick: boolean;
  /** Multiplies every iteration count and duration. */
  scale: number;
  /** Row numbers to run. */
  rows: Set<number>;
}

export const ALL_ROWS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export function readOptions(env: Record<string, string | undefined> = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const scale = env.BENCH_SCALE ? Number(env.BENCH_SCALE) : quick ? 0.1 : 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, got "${env.BENCH_SCALE}"`);
  const rows = new Set<number>(
    env.BENCH_ROWS
      ? env.BENCH_ROWS.split(',').map((s) => {
          const n = Number(s.trim());
          if (!ALL_ROWS.includes(n as (typeof ALL_ROWS)[number])) throw new Error(`BENCH_ROWS: no row "${s}"`);
          return n;
        })
      : ALL_ROWS,
  );
  return { quick, scale, rows };
}

/** An iteration count scaled by the options, never below `min`. */
export function count(options: BenchOptions, base: number, min = 5): number {
  return Math.max(min, Math.round(base * options.scale));
}

/** A duration in milliseconds scaled by the options, never below `minMs`. */
export function duration(options: BenchOptions, baseMs: number, minMs = 500): number {
  return Math.max(minMs, Math.round(baseMs * options.scale));
}
