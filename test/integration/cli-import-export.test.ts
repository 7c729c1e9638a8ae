import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateAuditKey } from '../../shared/adapters/secrets/audit-key.js';
import { partitionOf } from '../support/accounts.js';
import { type CliRun, runLatchCli } from '../support/cli.js';
import { LEGACY_PASSWORD, PEPPERS_JSON, powHash } from '../support/legacy-fixtures.js';
import { testServices, uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * `latch users import` and `latch users export` as a child process against DynamoDB Local
 * (`docs/specs/import-export.md` §3, §6, §10): report lines, exit codes 0/1/2, `--dry-run`,
 * `--on-conflict fail`, concurrency, the export file's mode, and every migration guide's sample
 * lines (`test/fixtures/migration/`, quoted verbatim in the guides).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ATTRIBUTES = JSON.stringify({ legacyId: { type: 'string', editableBy: 'admin' } });
const ENV = { AUTH_ROLES: 'editor', AUTH_USER_ATTRIBUTES: ATTRIBUTES, LATCH_IMPORT_PEPPERS: PEPPERS_JSON };
let api: TestStack;
let dir: string;
let auditKey: string;

before(async () => {
  api = await startTestStack(ENV);
  dir = mkdtempSync(path.join(tmpdir(), 'latch-import-'));
  auditKey = generateAuditKey();
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

type Run = CliRun;

function latch(args: string[]): Promise<Run> {
  return runLatchCli(args, { cwd: dir, env: { ...ENV, LATCH_AUDIT_KEY: auditKey } });
}

const onTable = () => ['--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint];
let files = 0;
const fileOf = (lines: Array<Record<string, unknown> | string>): string => {
  const file = path.join(dir, `users-${files++}.jsonl`);
  writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
};
// biome-ignore lint/suspicious/noExplicitAny: report lines are JSON
const reportOf = (text: string): any[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{"line"'))
    .map((l) => JSON.parse(l));

describe('latch users import', () => {
  test('reports each line (never a hash), exits 1 when a line failed, and an imported user signs in with the legacy password', async () => {
    const [good, bad] = [uniqueEmail('imp-good'), uniqueEmail('imp-bad')];
    const hash = powHash(LEGACY_PASSWORD, 1000);
    const file = fileOf([{ email: good, emailConfirmed: true, password: { format: 'pbkdf2', hash } }, '{"email": 42', { email: bad, role: 'owner' }]);
    const reportFile = path.join(dir, 'report.jsonl');
    const run = await latch(['users', 'import', '--file', file, '--report', reportFile, ...onTable()]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /3 lines: imported 1, skipped 0, failed 2\./);
    const report = reportOf(readFileSync(reportFile, 'utf8'));
    assert.deepEqual(
      report.map((r) => [r.line, r.status, r.reason]),
      [
        [1, 'imported', undefined],
        [2, 'failed', 'invalid: line is not valid JSON'],
        [3, 'failed', 'invalid: role is not a configured role'],
      ],
    );
    assert.ok(report[0].id);
    assert.equal(statSync(reportFile).mode & 0o777, 0o600);
    assert.ok(!readFileSync(reportFile, 'utf8').includes(hash) && !run.stdout.includes(hash), 'no hash in the report');

    const signIn = await api.request('POST', '/session', { body: { email: good, password: LEGACY_PASSWORD } });
    assert.equal(signIn.status, 200, signIn.text);
    const profile = (await partitionOf(api, report[0].id)).find((item) => item.sk === 'PROFILE');
    assert.ok(String(profile?.passwordHash).startsWith('$argon2id$'), 'upgraded to argon2id');
    assert.ok(profile?.importedAt && profile?.passwordUpgradedAt);
  });

  test('--dry-run writes nothing; a re-run skips everything (exit 0); --on-conflict fail exits 1', async () => {
    const lines = [{ email: uniqueEmail('dry') }, { email: uniqueEmail('dry'), role: 'editor' }];
    const file = fileOf(lines);
    const before = (await api.scan()).length;
    const dry = await latch(['users', 'import', '--file', file, '--dry-run', ...onTable()]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: 2 lines: would import 2/);
    assert.equal((await api.scan()).length, before, 'nothing written');

    const first = await latch(['users', 'import', '--file', file, '--json', ...onTable()]);
    assert.equal(first.code, 0, first.stderr);
    const again = await latch(['users', 'import', '--file', file, ...onTable()]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      reportOf(again.stdout).map((r) => [r.status, r.reason]),
      [
        ['skipped', 'email taken'],
        ['skipped', 'email taken'],
      ],
    );
    const strict = await latch(['users', 'import', '--file', file, '--on-conflict', 'fail', ...onTable()]);
    assert.equal(strict.code, 1);
    assert.deepEqual(new Set(reportOf(strict.stdout).map((r) => r.status)), new Set(['failed']));
  });

  test('usage errors exit 2', async () => {
    const file = fileOf([{ email: uniqueEmail('usage') }]);
    for (const args of [['--file', file, '--concurrency', '0'], ['--file', file, '--concurrency', '33'], ['--file', file, '--on-conflict', 'merge'], []]) {
      const run = await latch(['users', 'import', ...args, ...onTable()]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    }
    assert.equal((await latch(['users', 'export', '--file', path.join(dir, 'x.jsonl'), '--include-identities', ...onTable()])).code, 2);
  });

  test('500 users at --concurrency 16: every one imported once', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => ({ email: uniqueEmail(`bulk${i}`), emailConfirmed: i % 2 === 0, attributes: { legacyId: String(i) } }));
    const run = await latch(['users', 'import', '--file', fileOf(lines), '--concurrency', '16', '--report', path.join(dir, 'bulk.jsonl'), ...onTable()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /500 lines: imported 500, skipped 0, failed 0\./);
    const emails = new Set(lines.map((l) => l.email));
    const profiles = (await api.scan()).filter((item) => item.sk === 'PROFILE' && emails.has(String(item.email)));
    assert.equal(profiles.length, 500);
  });
});

describe('latch users export', () => {
  test('a 0600 file that is never overwritten without --force; hashes only with the flag, after a warning', async () => {
    const email = uniqueEmail('exp');
    await latch(['users', 'import', '--file', fileOf([{ email, password: { format: 'pbkdf2', hash: powHash(LEGACY_PASSWORD, 1000) } }]), ...onTable()]);
    const file = path.join(dir, 'export.jsonl');
    const plain = await latch(['users', 'export', '--file', file, ...onTable()]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Exported \d+ users to /);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes(email));
    assert.ok(line);
    assert.equal(JSON.parse(line).password, undefined);
    assert.equal(plain.stderr, '');

    const refused = await latch(['users', 'export', '--file', file, ...onTable()]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists/);
    const forced = await latch(['users', 'export', '--file', file, '--force', '--include-password-hashes', ...onTable()]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /WARNING: this export holds password hashes/);
    const withHash = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes(email));
    assert.equal(JSON.parse(withHash ?? '{}').password.format, 'pbkdf2');
  });
});

describe('migration guides', () => {
  const fixtures = path.join(root, 'test', 'fixtures', 'migration');
  const guides: Record<string, string> = {
    'pow.jsonl': 'migrate-from-pow.md',
    'devise.jsonl': 'migrate-from-devise.md',
    'cognito.jsonl': 'migrate-from-cognito.md',
    'better-auth-and-authjs.jsonl': 'migrate-from-better-auth-and-authjs.md',
  };
  test('every guide quotes its sample lines, which import and sign in with the documented password', async () => {
    assert.deepEqual(readdirSync(fixtures).sort(), Object.keys(guides).sort());
    for (const [fixture, guide] of Object.entries(guides)) {
      const lines = readFileSync(path.join(fixtures, fixture), 'utf8').trim().split('\n');
      const text = readFileSync(path.join(root, 'docs', guide), 'utf8');
      for (const line of lines) assert.ok(text.includes(line), `${guide} quotes ${line.slice(0, 60)}…`);
      const run = await latch(['users', 'import', '--file', path.join(fixtures, fixture), ...onTable()]);
      assert.equal(run.code, 0, `${fixture}: ${run.stdout}${run.stderr}`);
      assert.equal(reportOf(run.stdout).filter((r) => r.status === 'imported').length, lines.length, fixture);
      for (const line of lines.map((l) => JSON.parse(l))) {
        if (!line.password || !line.emailConfirmed || line.locked) continue;
        const signIn = await api.request('POST', '/session', { body: { email: line.email, password: LEGACY_PASSWORD } });
        assert.equal(signIn.status, 200, `${fixture} ${line.email}: ${signIn.text}`);
      }
    }
  });
});
