import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HOOKS_FILE, hooksBundlingCommands, hooksEnvironment, withHooksBundling } from '../../infra/constructs/hooks-bundling.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'latch-hooks-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the afterBundling command bundles the hooks module into hooks.mjs, which a CommonJS handler bundle loads from LAMBDA_TASK_ROOT', async () => {
  // Prepare: an asset folder as NodejsFunction leaves it (a CommonJS index.js), then our command.
  const asset = path.join(work, 'asset');
  const entry = path.join(work, 'handler.ts');
  writeFileSync(
    entry,
    [
      `import { lazyHooks } from ${JSON.stringify(path.join(root, 'shared/hooks/load.ts'))};`,
      `import { runBeforeHook } from ${JSON.stringify(path.join(root, 'shared/hooks/run.ts'))};`,
      'export async function handler(email: string) {',
      '  const hooks = lazyHooks(process.env.LATCH_HOOKS_MODULE as string);',
      '  const log = { info() {}, warn() {}, error() {} };',
      '  try {',
      '    await runBeforeHook({ hooks, log }, "beforeRegistration", { email, attributes: {}, request: { ip: null, userAgent: null } });',
      '    return "allowed";',
      '  } catch (error) {',
      '    return JSON.stringify({ code: (error as { code?: string }).code, errors: (error as { errors?: unknown }).errors });',
      '  }',
      '}',
    ].join('\n'),
  );
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: path.join(asset, 'index.js'), logLevel: 'error' });
  const hooks = withHooksBundling({ hooksModule: './examples/extensions/allowed-email-domains.ts' }, { afterBundling: () => ['echo other-hook'] });
  const commands = hooks.afterBundling(root, asset);
  assert.equal(commands[0], 'echo other-hook', 'commands of other hooks are kept, in order');

  // Act
  for (const command of commands) execSync(command, { cwd: root, shell: '/bin/sh', stdio: 'pipe' });
  const run = (email: string) =>
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(asset, 'index.js'))}).handler(${JSON.stringify(email)}).then((r) => process.stdout.write(r))`], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: asset, ...hooksEnvironment('examples/extensions/allowed-email-domains.ts'), ALLOWED_EMAIL_DOMAINS: 'example.com' },
    }).toString();

  // Assess: plain node (no tsx), the bundled module, and a rejection from its own copy of HookRejection.
  assert.ok(existsSync(path.join(asset, HOOKS_FILE)));
  assert.equal(run('ann@example.com'), 'allowed');
  assert.deepEqual(JSON.parse(run('eve@elsewhere.test')), { code: 'validation_failed', errors: { email: ['is not allowed'] } });
});

test('the hooks module must be a path inside the project; paths are shell-quoted', () => {
  assert.throws(() => hooksBundlingCommands({ hooksModule: '../outside.ts' }, '/in', '/out'), /inside the project/);
  assert.throws(() => hooksBundlingCommands({ hooksModule: '/abs/hooks.ts' }, '/in', '/out'), /inside the project/);
  const [command] = hooksBundlingCommands({ hooksModule: "src/it's hooks.ts", esbuildCommand: 'esbuild' }, '/asset-input', '/asset-output');
  assert.ok(command?.startsWith("esbuild '/asset-input/src/it'\\''s hooks.ts' --bundle --platform=node --format=esm --target=node22"));
  assert.ok(command?.includes("'--outfile=/asset-output/hooks.mjs'"));
  assert.deepEqual(hooksEnvironment(undefined), {});
  assert.deepEqual(hooksEnvironment('src/hooks.ts'), { LATCH_HOOKS_MODULE: 'hooks.mjs' });
});
