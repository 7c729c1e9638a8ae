/**
 * The one way every row measures. Rows that compare two things interleave them in rounds
 * (A, B, A, B, ...), so drift on a shared machine (another job starts, the CPU throttles) hits
 * both sides alike and the ratio stays meaningful even when absolute times move.
 */

/** One operation under test; `worker` tells concurrent callers apart (0 when serial). */
export type Operation = (worker: number) => Promise<unknown>;

/** Runs before each round of a case (and before its warm-up), outside what is measured. */
export type Reset = () => Promise<void>;

/** Microseconds since an arbitrary origin. */
function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

export interface SerialPlan {
  /** Calls of each case before anything is recorded (JIT, caches, lazy imports). */
  warmup: number;
  /** Calls of each case per round. */
  perRound: number;
  rounds: number;
}

/** What {@link sampleSerial} records per case. */
export interface SerialSample {
  /** Wall-clock microseconds of each call. */
  wallUs: number[];
  /**
   * Process CPU microseconds (user + system, every thread: argon2 runs on libuv's pool) per call,
   * one value per round. On a machine shared with other jobs, waiting for a core inflates wall
   * time but not CPU time, so ratios of CPU time are the steadier ones.
   */
  cpuUs: number[];
}

/**
 * Runs the cases one call at a time, in alternating rounds, and returns each case's samples.
 * A call that throws aborts the run: a serial row measures success.
 */
export async function sampleSerial<K extends string>(
  cases: Record<K, Operation>,
  plan: SerialPlan,
  resets: Partial<Record<K, Reset>> = {},
): Promise<Record<K, SerialSample>> {
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, { wallUs: [], cpuUs: [] }])) as unknown as Record<K, SerialSample>;
  for (const name of names) {
    await resets[name]?.();
    for (let i = 0; i < plan.warmup; i++) await cases[name](0);
  }
  for (let round = 0; round < plan.rounds; round++) {
    for (const name of names) {
      const op = cases[name];
      const out = samples[name];
      await resets[name]?.();
      const cpu = process.cpuUsage();
      for (let i = 0; i < plan.perRound; i++) {
        const start = nowUs();
        await op(0);
        out.wallUs.push(nowUs() - start);
      }
      const used = process.cpuUsage(cpu);
      out.cpuUs.push((used.user + used.system) / plan.perRound);
    }
  }
  return samples;
}

export interface Throughput {
  completed: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** The first error's message, to say why a row has errors. */
  firstError?: string;
}

/** Keeps `concurrency` calls in flight for `durationMs`, then waits for the last ones. */
export async function runLoaded(op: Operation, concurrency: number, durationMs: number): Promise<Throughput> {
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = nowUs();
  const deadline = start + durationMs * 1000;
  const worker = async (id: number) => {
    while (nowUs() < deadline) {
      try {
        await op(id);
        completed += 1;
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  const seconds = (nowUs() - start) / 1e6;
  return { completed, errors, seconds, perSecond: completed / seconds, ...(firstError ? { firstError } : {}) };
}

export interface LoadPlan {
  concurrency: number;
  /** Milliseconds per case per round. */
  roundMs: number;
  rounds: number;
  /** Milliseconds of load per case before recording. */
  warmupMs: number;
}

/** {@link runLoaded} for each case in alternating rounds; totals per case. */
export async function sampleLoaded<K extends string>(
  cases: Record<K, Operation>,
  plan: LoadPlan,
  resets: Partial<Record<K, Reset>> = {},
): Promise<Record<K, Throughput>> {
  const names = Object.keys(cases) as K[];
  const totals = Object.fromEntries(names.map((name) => [name, { completed: 0, errors: 0, seconds: 0, perSecond: 0 }])) as Record<K, Throughput>;
  for (const name of names) {
    await resets[name]?.();
    await runLoaded(cases[name], plan.concurrency, plan.warmupMs);
  }
  for (let round = 0; round < plan.rounds; round++) {
    for (const name of names) {
      await resets[name]?.();
      const run = await runLoaded(cases[name], plan.concurrency, plan.roundMs);
      const total = totals[name];
      total.completed += run.completed;
      total.errors += run.errors;
      total.seconds += run.seconds;
      if (run.firstError && !total.firstError) total.firstError = run.firstError;
    }
  }
  for (const name of names) totals[name].perSecond = totals[name].completed / totals[name].seconds;
  return totals;
}

/** Wall and process CPU microseconds of one call, with its result. */
export async function measureOnce<T>(op: () => Promise<T>): Promise<{ result: T; wallUs: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const start = nowUs();
  const result = await op();
  const wallUs = nowUs() - start;
  const used = process.cpuUsage(cpu);
  return { result, wallUs, cpuUs: used.user + used.system };
}
