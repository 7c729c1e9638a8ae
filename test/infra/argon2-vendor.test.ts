/**
 * Where bundles get argon2's Linux binaries from, and the message synth gives when one is missing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ARGON2_WRAPPER, argon2BinaryPackage, locateArgon2 } from '../../infra/constructs/argon2-vendor.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('both Linux binaries are available to bundles after npm install (installed or vendored)', () => {
  for (const arch of ['arm64', 'x64'] as const) {
    const located = locateArgon2(PROJECT_ROOT, arch);
    assert.ok(!('missing' in located), 'missing' in located ? located.missing : '');
    assert.ok(located.binaryDir.endsWith(argon2BinaryPackage(arch)));
  }
});

test('a missing binary is reported with the command that fetches it', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'latch-vendor-'));
  dirs.push(root);
  // A project with the wrapper installed but no binary for any Linux architecture.
  mkdirSync(path.join(root, 'node_modules', '@node-rs'), { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'node_modules', ARGON2_WRAPPER), path.join(root, 'node_modules', ARGON2_WRAPPER), { recursive: true });
  const located = locateArgon2(root, 'arm64');
  assert.ok('missing' in located);
  assert.match(located.missing, /npm run vendor:argon2/);
  assert.match(located.missing, /argon2-linux-arm64-gnu@\d+\.\d+\.\d+/);
});
