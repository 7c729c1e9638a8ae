/**
 * Latch as an installable package: `npm pack` the project, install the tarball into a scratch
 * CDK app under the OS temp folder, and synthesize that app, which imports `LatchAuth` from the
 * package name (`latch`, through `package.json` `exports`) and attaches `httpAuthorizer` and
 * `restAuthorizer()` to APIs of its own, with real esbuild bundling from `node_modules` and
 * cdk-nag's AwsSolutions pack.
 *
 * The tarball is extracted into `node_modules/latch` as npm does; Latch's own dependencies and
 * the app's (aws-cdk-lib, constructs, cdk-nag, esbuild, tsx) are linked in from this project's
 * `node_modules`, standing in for what `npm install` would fetch from the registry (the test
 * needs no network). Nothing of the repository outside the tarball is reachable from
 * `node_modules/latch`: what the package forgets to ship fails here.
 *
 * In test/hardening (`npm run test:hardening`, run by CI): packing, then bundling every function
 * from `node_modules`, takes over a minute on a 2-core machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'latch-package-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string>;
  dependencies: Record<string, string>;
};

/** `npm pack` of the project into `dir` (npm runs `prepare`: the argon2 binaries and the breached list); the tarball's path. */
function pack(dir: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // `prepare` prints to stdout before npm's JSON.
  const [packed] = JSON.parse(out.slice(out.indexOf('\n[') + 1 || out.indexOf('['))) as Array<{ filename: string }>;
  assert.ok(packed, 'npm pack reported a tarball');
  return path.join(dir, packed.filename);
}

/** The consumer: its own HTTP API and REST API behind Latch's authorizer. */
const APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LatchAuth } from 'latch';
import type { LatchHooks } from 'latch/hooks';

const hooks: LatchHooks = {};
void hooks;
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Orders');
const auth = new LatchAuth(stack, 'Auth', { appUrl: 'https://app.acme.test', mailFrom: 'no-reply@acme.test' });
const http = new HttpApi(stack, 'OrdersHttpApi');
http.addRoutes({
  path: '/orders',
  methods: [HttpMethod.GET],
  integration: new HttpUrlIntegration('Backend', 'https://backend.acme.test/orders'),
  authorizer: auth.httpAuthorizer,
});
const rest = new apigateway.RestApi(stack, 'OrdersRestApi', { cloudWatchRole: false });
rest.root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: auth.restAuthorizer(stack, 'LatchRestAuthorizer') });
const assembly = app.synth();
const report = new AwsSolutionsChecks().validateScope(app);
const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
const template = assembly.getStackByName('Orders').template;
const session = Object.entries(template.Resources).find(
  ([, r]: [string, any]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description ?? '').startsWith('Latch session:'),
);
console.log(JSON.stringify({ findings, sessionAsset: (session?.[1] as any)?.Properties?.Code?.S3Key }));
`;

test('npm pack → install the tarball in another CDK app → LatchAuth from the package synthesizes with bundling, argon2 and cdk-nag', () => {
  const started = Date.now();
  const tarball = pack(scratch);
  const app = path.join(scratch, 'app');
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', scratch]);
  renameSync(path.join(scratch, 'package'), path.join(modules, pkg.name));
  const installed = path.join(modules, pkg.name);
  assert.ok(!existsSync(path.join(installed, 'test')), 'no tests in the package');
  assert.ok(!existsSync(path.join(installed, 'node_modules')), 'no node_modules in the package');
  for (const [entry, file] of Object.entries(pkg.exports)) assert.ok(existsSync(path.join(installed, file)), `export ${entry} → ${file} is in the package`);

  // What `npm install` would fetch from the registry: Latch's dependencies and the app's own.
  const wanted = new Set([...Object.keys(pkg.dependencies), 'aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild', 'tsx']);
  for (const name of wanted) {
    const scope = name.startsWith('@') ? name.split('/')[0] : undefined;
    if (scope) mkdirSync(path.join(modules, scope), { recursive: true });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules', name), path.join(modules, name), 'dir');
  }
  // The machine's own argon2 build comes with @node-rs/argon2's optional dependencies.
  for (const entry of readdirSync(path.join(PROJECT_ROOT, 'node_modules', '@node-rs'))) {
    if (entry.startsWith('argon2-') && !existsSync(path.join(modules, '@node-rs', entry))) {
      symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@node-rs', entry), path.join(modules, '@node-rs', entry), 'dir');
    }
  }
  // npm links the installed packages' binaries; CDK runs the app's esbuild (npx --no-install esbuild).
  mkdirSync(path.join(modules, '.bin'));
  symlinkSync(path.join('..', 'esbuild', 'bin', 'esbuild'), path.join(modules, '.bin', 'esbuild'));
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'orders', private: true, type: 'module' }));
  writeFileSync(path.join(app, 'app.ts'), APP);

  const outdir = path.join(scratch, 'cdk.out');
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'app.ts', outdir], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { findings: Array<{ rule: string; path: string }>; sessionAsset: string };

  // cdk-nag: nothing inside Latch's construct (the consumer's own APIs are its business).
  assert.deepEqual(
    result.findings.filter((f) => f.path.startsWith('Orders/Auth/')),
    [],
  );
  // The session function's bundle, built from node_modules: handler, arm64 argon2, breached list.
  const asset = path.join(outdir, `asset.${result.sessionAsset.replace(/\.zip$/, '')}`);
  assert.ok(existsSync(path.join(asset, 'index.mjs')), 'bundled handler');
  assert.ok(existsSync(path.join(asset, 'node_modules', '@node-rs', 'argon2', 'index.js')), 'argon2 wrapper');
  const binary = path.join(asset, 'node_modules', '@node-rs', 'argon2-linux-arm64-gnu', 'argon2.linux-arm64-gnu.node');
  assert.ok(existsSync(binary), 'arm64 argon2 binary');
  // ELF e_machine 0xB7: aarch64.
  assert.equal(readFileSync(binary).readUInt16LE(18), 0xb7);
  assert.ok(existsSync(path.join(asset, 'breached-passwords.bin')), 'breached-password list');
  console.log(`pack, install and synth with bundling: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
