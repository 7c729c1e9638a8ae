/**
 * `npm test`: type check, lint, then every test file under `test/` with node's test runner,
 * against real services this script starts: DynamoDB Local (Java) and a local SES. A missing
 * service fails the run with a clear message; nothing is skipped.
 *
 *   npm test                      everything but test/hardening
 *   npm test -- test/unit         only files under a folder (or single files)
 *   npm run test:hardening        the slow hardening suites (fault matrix, load): test/hardening
 *   LATCH_TEST_SKIP_CHECKS=1      skip type check and lint (quicker local loops)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Service, startDynamoDbLocal, startSesLocal } from '../infra/local/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The SDK's notice that Node 20 support ends in 2027: the deployed functions run Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Folders only run when named (`npm run test:hardening`): too slow for every `npm test`. */
const ON_DEMAND = [path.join('test', 'hardening')];

function testFiles(targets: string[]): string[] {
  const found: string[] = [];
  const skip = targets.length ? [] : ON_DEMAND;
  for (const target of targets.length ? targets : ['test']) {
    const full = path.resolve(root, target);
    if (statSync(full).isFile()) {
      found.push(path.relative(root, full));
      continue;
    }
    for (const entry of readdirSync(full, { recursive: true }) as string[]) {
      const file = path.relative(root, path.join(full, entry));
      if (entry.endsWith('.test.ts') && !entry.includes('node_modules') && !skip.some((s) => file.startsWith(s + path.sep))) found.push(file);
    }
  }
  return [...new Set(found)].sort();
}

function step(title: string, command: string, args: string[]): void {
  const started = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✖ ${title} failed`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const files = testFiles(process.argv.slice(2));
  if (files.length === 0) throw new Error('no test files found');
  const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
  if (!process.env.LATCH_TEST_SKIP_CHECKS) {
    step('type check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    step('lint (biome check)', bin('biome'), ['check', '.']);
  }

  const services: Service[] = [];
  const stopAll = () => Promise.all(services.map((s) => s.stop().catch(() => undefined)));
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  let code = 1;
  try {
    process.stdout.write('\n▶ starting DynamoDB Local and local SES\n');
    const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal()]);
    services.push(dynamo, ses);
    process.stdout.write(`✔ DynamoDB Local at ${dynamo.url}, local SES at ${ses.url}\n`);
    process.stdout.write(`\n▶ ${files.length} test files\n`);
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          LATCH_TEST_DYNAMODB_ENDPOINT: dynamo.url,
          LATCH_TEST_SES_URL: ses.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
  } catch (error) {
    console.error(`\n✖ could not start the services the tests need:\n${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  } finally {
    await stopAll();
  }
  process.stdout.write(`\nnpm test finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code}\n`);
  process.exit(code);
}

void main();
