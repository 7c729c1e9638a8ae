/**
 * `npm run bench`: every row of the benchmark table (`docs/benchmarks.md`), one after the other, in one process (rows that need a
 * second process start it themselves). Prints a table and writes `bench/results.json`.
 * Settings (env): BENCH_QUICK=1 (smoke run), BENCH_SCALE=<factor>, BENCH_ROWS=1,3,6.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchContext, createContext } from './lib/context.js';
import { readOptions } from './lib/options.js';
import { machine, type Results, type RowResult, renderTable } from './lib/report.js';
import * as authorizer from './rows/authorizer.js';
import * as betterAuth from './rows/better-auth.js';
import * as coldStart from './rows/cold-start.js';
import * as cost from './rows/cost.js';
import * as memorySizing from './rows/memory-sizing.js';
import * as partitions from './rows/partitions.js';
import * as roundTrips from './rows/round-trips.js';
import * as signInOverhead from './rows/sign-in-overhead.js';
import * as throughput from './rows/throughput.js';

// The SDK's notice that Node 20 support ends in 2027: the deployed functions run Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

interface RowModule {
  run(ctx: BenchContext): Promise<RowResult>;
}

/** In order: row 7 prices what rows 1-4 measured. */
const ROWS: Array<[number, RowModule]> = [
  [1, authorizer],
  [2, roundTrips],
  [3, signInOverhead],
  [4, throughput],
  [5, betterAuth],
  [6, coldStart],
  [7, cost],
  [8, memorySizing],
  [9, partitions],
];

async function main(): Promise<void> {
  const options = readOptions();
  const ctx = createContext(options);
  const started = Date.now();
  const results: RowResult[] = [];
  const m = machine();
  try {
    // DynamoDB Local (Java) takes a while to start on a busy machine: start it before anything is measured.
    if ([2, 4, 7, 9].some((n) => options.rows.has(n))) await ctx.dynamo();
    for (const [n, row] of ROWS) {
      if (!options.rows.has(n)) continue;
      const t = Date.now();
      process.stderr.write(`row ${n}… `);
      results.push(await row.run(ctx));
      process.stderr.write(`${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await ctx.close();
  }
  const out: Results = {
    date: new Date().toISOString(),
    machine: m,
    options: { quick: options.quick, scale: options.scale, rows: [...options.rows] },
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    rows: results,
  };
  const header = [
    `Latch benchmarks · ${out.date} · ${m.cpuModel} × ${m.cores} cores · ${m.memoryGiB} GiB · node ${m.node} · ${m.platform}`,
    `${options.quick ? 'QUICK smoke run (numbers indicative only) · ' : ''}scale ${options.scale} · ${out.durationSeconds} s`,
  ].join('\n');
  console.log(renderTable(results, header));
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwritten: bench/results.json`);
  // Handlers keep SDK sockets and timers alive; the run is over.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
