/**
 * Row 6: cold start. Each function bundled twice: exactly as CDK's NodejsFunction builds it
 * (`infra/constructs/latch-function.ts`: esbuild, ESM, minified, node22, the AWS SDK clients
 * bundled, argon2 external), which is what init is measured on, and with the SDK external, which
 * is the size the goal counts ("not counting the SDK"). Init: a fresh `node` process importing
 * the bundle (which builds its deps: the composition root runs at import), median of several
 * runs, divided by the same measure of a bundle of the SDK clients every function builds at
 * init (the DynamoDB client and its DocumentClient, built the same way) alone. Peak RSS: the
 * process's own peak resident set (VmHWM) after the import, and under load for the load path's functions (bench/lib/loaded-rss.ts). The functions that set passwords get their
 * password data files beside the bundle and the variables naming them, as CDK ships them
 * (`passwordDataFiles()`): the breached list is read at init, the common-password list on the first
 * password check; their sizes are shown apart from the JS.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { accessOf } from '../../infra/constructs/function-access.js';
import { BREACHED_PASSWORDS_ASSET, COMMON_PASSWORDS_ASSET, passwordDataFiles } from '../../infra/constructs/latch-function.js';
import { generateStoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { functionNames } from '../../shared/http/routes.js';
import type { BenchContext } from '../lib/context.js';
import { readDeployedShape } from '../lib/deployed-shape.js';
import { LOADED_FUNCTIONS, type LoadedFunction, loadedRss, PEAK_RSS_KB } from '../lib/loaded-rss.js';
import { count } from '../lib/options.js';
import type { Figure, RowResult } from '../lib/report.js';
import { median } from '../lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE_GOAL_KB = 150;
/** Issue 17: each function's init ≤ 1.15× the import of the SDK clients it uses alone. */
const INIT_GOAL_RATIO = 1.15;
/**
 * Recorded exceptions to the 150 KB size goal, each granted by a spec and recorded in the README:
 * `passkeys` bundles `@simplewebauthn/server`, whose attestation stack is not tree-shaken
 * (`docs/specs/mfa-and-passkeys.md` §13; issue 17 gives it its own goal, {@link PASSKEYS_GOAL_KB});
 * `ui` renders every hosted page (`docs/specs/hosted-ui.md` §2); `oauth` carries openid-client with
 * oauth4webapi and jose (`docs/specs/social-sign-in.md` §9). Their sizes are listed, not judged
 * against 150 KB; their init is judged like every function's (no spec excepts it).
 */
const ACCEPTED_EXCEPTIONS: Record<string, string> = {
  passkeys: '@simplewebauthn/server (docs/specs/mfa-and-passkeys.md §13)',
  ui: 'the hosted pages: every flow, the message catalogues and the QR code (docs/specs/hosted-ui.md §2, README)',
  oauth: 'openid-client with oauth4webapi and jose, and the step-up second factor (docs/specs/social-sign-in.md §9, README)',
};
/** Issue 17: "the passkeys function, when it lands, ≤ 450 KB". */
const PASSKEYS_GOAL_KB = 450;

/**
 * CDK's bundling options for the functions (`infra/constructs/latch-function.ts`): the SDK
 * clients are bundled (measured here: a minified bundle loads them in well under the time the
 * runtime's `node_modules` copy takes to resolve and load), argon2 is native and external.
 */
const CDK_LIKE: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __latchCreateRequire } from 'node:module'; const require = __latchCreateRequire(import.meta.url);" },
  external: ['@node-rs/argon2'],
  sourcemap: false,
};
/** The size the goal counts: the same bundle without the SDK. */
const WITHOUT_SDK: BuildOptions = { ...CDK_LIKE, external: ['@aws-sdk/*', '@node-rs/argon2'] };

interface Bundle {
  name: string;
  /** Bytes without the SDK (the goal's measure). */
  bytes: number;
  /** Bytes as deployed (SDK included). */
  deployedBytes: number;
  file: string;
  /** Largest inputs in the output, bytes. */
  top: Array<{ input: string; bytes: number }>;
  /** Data files shipped beside the bundle (the functions that set passwords): asset name → bytes. */
  data: Record<string, number>;
}

/** A function's bundle, or (with `entry`) any entry's, both ways; the no-SDK file beside it. */
async function bundle(name: string, outdir: string, entry = path.join(root, 'functions', `${name}.ts`)): Promise<Bundle> {
  const file = path.join(outdir, `${name}.mjs`);
  const deployed = await build({ ...CDK_LIKE, entryPoints: [entry], outfile: file, metafile: true, logLevel: 'silent' });
  const result = await build({ ...WITHOUT_SDK, entryPoints: [entry], outfile: path.join(outdir, `${name}.no-sdk.mjs`), metafile: true, logLevel: 'silent' });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  const deployedOutput = Object.values(deployed.metafile?.outputs ?? {})[0];
  if (!output || !deployedOutput) throw new Error(`no output for ${name}`);
  const top = Object.entries(output.inputs)
    .map(([input, v]) => ({ input: input.replace(/^.*node_modules\//, ''), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
  return { name, bytes: output.bytes, deployedBytes: deployedOutput.bytes, file, top, data: {} };
}

/** Whether CDK ships the password data files beside this function's bundle (the functions that carry argon2). */
function shipsPasswordData(name: string): boolean {
  try {
    return accessOf(name).argon2;
  } catch {
    return false;
  }
}

/** Wall milliseconds of a fresh `node` running `args`, and what it printed. */
function timeNode(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

/** A fresh process that imports the modules and prints how long the imports took inside it, and its peak RSS (KB). */
function probe(...specifiers: string[]): string[] {
  const imports = specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  return ['--input-type=module', '-e', `const t = performance.now(); ${imports} const ms = performance.now() - t; console.log(ms, ${PEAK_RSS_KB});`];
}

/**
 * What every function builds at init from the SDK: the DynamoDB client and its DocumentClient
 * (`createDocumentClient`). Other clients (SES, Secrets Manager) load on first use.
 */
const SDK_BASELINE_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), { marshallOptions: { removeUndefinedValues: true } });
`;

/**
 * The init floor of an HTTP function like `session`: the SDK clients plus the libraries it loads
 * at init and nothing of Latch (middy with its CORS middleware, the shape's framework; Powertools'
 * Logger, which the audit spec names for the mirror; zod/mini for the request schemas; jose's
 * signing, which issue 17 keeps; aws-jwt-verify's verifier, which row 1 picked), each built once
 * as the functions build it. Shown beside the goal: what no change to Latch's own code can go below.
 */
const LIBRARY_FLOOR_SOURCE = `${SDK_BASELINE_SOURCE}import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { SignJWT } from 'jose';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
export const handler = middy(async () => ({ statusCode: 204 })).use(httpCors());
export const logger = new Logger({ serviceName: 'latch' });
export const schema = z.object({ email: z.string(), password: z.optional(z.string()) });
export const signer = SignJWT;
export const verifier = JwtVerifier.create({ issuer: null, audience: null, jwksUri: 'latch:access-token-keys' });
`;

export async function run(ctx: BenchContext): Promise<RowResult> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-bench-bundles-'));
  try {
    // argon2 (external) and the node_modules SDK probe resolve from the project's node_modules.
    symlinkSync(path.join(root, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
    writeFileSync(path.join(outdir, 'package.json'), '{"type":"module"}\n');
    const names = [...functionNames(), 'not-found', 'authorizer'];
    const bundles: Bundle[] = [];
    for (const name of names) bundles.push(await bundle(name, outdir));
    // The password data files beside the bundles, as CDK copies them (one copy serves every bundle here).
    const passwordData = passwordDataFiles();
    const dataEnv: NodeJS.ProcessEnv = {};
    for (const [asset, source] of Object.entries(passwordData.files)) copyFileSync(source, path.join(outdir, asset));
    for (const [variable, value] of Object.entries(passwordData.environment)) dataEnv[variable] = path.join(outdir, path.basename(value));
    for (const b of bundles) {
      if (!shipsPasswordData(b.name)) continue;
      for (const asset of Object.keys(passwordData.files)) b.data[asset] = statSync(path.join(outdir, asset)).size;
    }

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LATCH_TABLE_NAME: 'latch-bench',
      LATCH_SIGNING_KEYS: JSON.stringify({ keys: [await generateStoredKey('bench-cold')] }),
      AUTH_ISSUER: 'https://auth.bench.example',
      APP_URL: 'https://app.bench.example',
      AUTH_MAIL_FROM: 'no-reply@bench.example',
    };
    // The SDK clients alone, bundled the same way as the functions.
    const sdkEntry = path.join(outdir, 'sdk-baseline-entry.mjs');
    writeFileSync(sdkEntry, SDK_BASELINE_SOURCE);
    const sdkProbe = path.join(outdir, 'sdk-baseline.mjs');
    await build({ ...CDK_LIKE, entryPoints: [sdkEntry], outfile: sdkProbe, logLevel: 'silent', absWorkingDir: root });
    // The same clients loaded from node_modules, as the runtime's copy would be (shown, not judged).
    const sdkExternalProbe = path.join(outdir, 'sdk-external.mjs');
    writeFileSync(sdkExternalProbe, SDK_BASELINE_SOURCE);
    // The SDK clients and the shared libraries, nothing of Latch (LIBRARY_FLOOR_SOURCE), bundled the same way.
    const floorEntry = path.join(outdir, 'library-floor-entry.mjs');
    writeFileSync(floorEntry, LIBRARY_FLOOR_SOURCE);
    const floor = await bundle('library-floor', outdir, floorEntry);
    const runs = count(ctx.options, 5, 3);
    const bare: number[] = [];
    const sdk: number[] = [];
    const sdkExternal: number[] = [];
    const libraryFloor: number[] = [];
    const wall = new Map<string, number[]>(names.map((n) => [n, []]));
    const inside = new Map<string, number[]>(names.map((n) => [n, []]));
    const rss = new Map<string, number[]>(names.map((n) => [n, []]));
    const field = (stdout: string, i: number) => Number(stdout.trim().split(/\s+/)[i]);
    // Interleaved: bare node, the SDK baselines, then each bundle, per run.
    for (let i = 0; i < runs; i++) {
      bare.push(timeNode(['-e', ''], env).ms);
      sdk.push(field(timeNode(probe(pathToFileURL(sdkProbe).href), env).stdout, 0));
      sdkExternal.push(field(timeNode(probe(pathToFileURL(sdkExternalProbe).href), env).stdout, 0));
      libraryFloor.push(field(timeNode(probe(pathToFileURL(floor.file).href), env).stdout, 0));
      for (const b of bundles) {
        const run = timeNode(probe(pathToFileURL(b.file).href), Object.keys(b.data).length ? { ...env, ...dataEnv } : env);
        wall.get(b.name)?.push(run.ms);
        inside.get(b.name)?.push(field(run.stdout, 0));
        rss.get(b.name)?.push(field(run.stdout, 1));
      }
    }
    const med = (xs: number[] | undefined) => median([...(xs ?? [])].sort((a, b) => a - b));
    const bareMs = med(bare);
    const figures: Figure[] = [
      { label: 'bare node start-up (median)', value: bareMs, unit: 'ms' },
      { label: 'SDK clients alone (DynamoDB + DocumentClient), bundled as the functions are: init (median)', value: med(sdk), unit: 'ms' },
      { label: 'the same clients loaded from node_modules (as the runtime provides them): init (median)', value: med(sdkExternal), unit: 'ms' },
    ];
    const sdkMs = med(sdk);
    figures.push({
      label:
        "init floor: the SDK clients + the libraries an HTTP function like session loads at init, nothing of Latch's (middy + http-cors, Powertools' Logger, zod/mini, jose's SignJWT, aws-jwt-verify): init / ÷ SDK alone · size without SDK",
      value: med(libraryFloor),
      unit: `ms / ${(med(libraryFloor) / sdkMs).toFixed(2)}× · ${(floor.bytes / 1024).toFixed(0)} KB`,
    });
    const rows = bundles.map((b) => ({
      ...b,
      initMs: med(inside.get(b.name)),
      aboveBareMs: med(wall.get(b.name)) - bareMs,
      rssMb: med(rss.get(b.name)) / 1024,
      initRatio: med(inside.get(b.name)) / sdkMs,
    }));
    const kb = (bytes: number | undefined) => ((bytes ?? 0) / 1024).toFixed(0);
    for (const r of rows) {
      ctx.initMs[r.name] = r.initMs;
      // Data beside the bundle, not JS: the common list read on the first password check, the breached list at init.
      const data = Object.keys(r.data).length
        ? ` + data ${kb(r.data[COMMON_PASSWORDS_ASSET])} KB read on first use, ${kb(r.data[BREACHED_PASSWORDS_ASSET])} KB breached list read at init`
        : '';
      figures.push({
        label: `${r.name}: JS bundle without SDK / as deployed · init / ÷ SDK alone · peak RSS`,
        value: r.bytes / 1024,
        unit: `KB / ${(r.deployedBytes / 1024).toFixed(0)} KB JS${data} · ${r.initMs.toFixed(0)} ms / ${r.initRatio.toFixed(2)}× · ${r.rssMb.toFixed(0)} MB`,
      });
    }
    // Peak RSS under load: the bundles of the load path, serving invocations back to back on DynamoDB Local.
    const loadedBundles = Object.fromEntries(
      (Object.keys(LOADED_FUNCTIONS) as LoadedFunction[]).map((name) => [name, bundles.find((b) => b.name === name)?.file ?? '']),
    ) as Record<LoadedFunction, string>;
    const shape = readDeployedShape();
    const loaded = await loadedRss(await ctx.dynamo(), loadedBundles, { ...env, ...dataEnv });
    for (const [name, l] of Object.entries(loaded)) {
      const deployedMb = shape.functions[name]?.memoryMb;
      figures.push({
        label: `${name}: peak RSS under load (${l.invocations} invocations back to back on DynamoDB Local, ${l.ok} answered as expected) / after init / deployed memory`,
        value: l.peakMb,
        unit: `MB / ${l.afterInitMb.toFixed(0)} MB / ${deployedMb} MB (synthesized template)`,
      });
      if (l.ok !== l.invocations) throw new Error(`${name} under load: ${l.invocations - l.ok} of ${l.invocations} invocations did not answer as expected`);
    }
    const judged = rows.filter((r) => !(r.name in ACCEPTED_EXCEPTIONS));
    const largest = [...judged].sort((a, b) => b.bytes - a.bytes)[0];
    const maxKb = Math.max(...judged.map((r) => r.bytes / 1024));
    const slowest = [...rows].sort((a, b) => b.initRatio - a.initRatio)[0];
    const maxInitRatio = slowest?.initRatio ?? 0;
    const passkeysKb = (rows.find((r) => r.name === 'passkeys')?.bytes ?? 0) / 1024;
    const over = judged.filter((r) => r.bytes / 1024 > SIZE_GOAL_KB).map((r) => r.name);
    const notes = [
      `esbuild ${JSON.stringify({ ...CDK_LIKE, banner: '(createRequire)' })} (as CDK builds them); size = the same bundle with @aws-sdk/* external; init = median of ${runs} fresh processes of the time of await import(bundle) inside the process (its module scope runs getDeps()), divided by the same for a bundle of the DynamoDB client and DocumentClient alone; peak RSS = VmHWM of /proc/self/status after the import (at init; not getrusage's maxRSS, which Linux carries over from the parent across exec); under load for ${Object.keys(LOADED_FUNCTIONS).join(', ')} (the load path of row 7's profile): the same bundle in a plain node process on DynamoDB Local serving ${Object.entries(
        LOADED_FUNCTIONS,
      )
        .map(([n, k]) => `${k} ${n === 'session' ? 'sign-ins' : n === 'renewal' ? 'renewals' : 'decisions'}`)
        .join(', ')} one after another, as one Lambda container does (bench/lib/loaded-rss.ts); the other functions at init only.`,
    ];
    if (largest) notes.push(`largest (${largest.name}): ${largest.top.map((t) => `${t.input} ${(t.bytes / 1024).toFixed(1)} KB`).join(', ')}`);
    // What the others over the goal carry most of (esbuild's metafile), so the next step is chosen by measure.
    for (const r of judged.filter((r) => r !== largest && r.bytes / 1024 > SIZE_GOAL_KB)) {
      notes.push(`${r.name} ${(r.bytes / 1024).toFixed(0)} KB: ${r.top.map((t) => `${t.input} ${(t.bytes / 1024).toFixed(1)}`).join(', ')}`);
    }
    for (const r of rows.filter((r) => r.name in ACCEPTED_EXCEPTIONS)) {
      notes.push(
        `accepted exception (size not judged against ${SIZE_GOAL_KB} KB): ${r.name} ${(r.bytes / 1024).toFixed(0)} KB, init ${r.initMs.toFixed(0)} ms: ${ACCEPTED_EXCEPTIONS[r.name]}`,
      );
    }
    if (over.length) notes.push(`over ${SIZE_GOAL_KB} KB: ${over.join(', ')}`);
    notes.push(
      `the DynamoDB client + DocumentClient take ${sdkMs.toFixed(0)} ms bundled and ${med(sdkExternal).toFixed(0)} ms from node_modules here: the reason CDK bundles the SDK clients (infra/constructs/latch-function.ts).`,
    );
    return {
      row: 6,
      title: 'Cold start: bundle size (minified, as CDK builds it) and init time per function',
      figures,
      verdicts: [
        {
          ratioLabel: `largest bundle (KB) (${largest?.name ?? 'none'}; without the recorded exceptions)`,
          ratio: maxKb,
          goal: `≤ ${SIZE_GOAL_KB} KB`,
          pass: maxKb <= SIZE_GOAL_KB,
        },
        { ratioLabel: `passkeys bundle (KB)`, ratio: passkeysKb, goal: `≤ ${PASSKEYS_GOAL_KB} KB`, pass: passkeysKb > 0 && passkeysKb <= PASSKEYS_GOAL_KB },
        {
          ratioLabel: `slowest init ÷ SDK clients alone (${slowest?.name ?? 'none'}; every function)`,
          ratio: maxInitRatio,
          goal: `≤ ${INIT_GOAL_RATIO}×`,
          pass: maxInitRatio <= INIT_GOAL_RATIO,
        },
      ],
      notes,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
