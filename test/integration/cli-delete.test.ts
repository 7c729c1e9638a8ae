/**
 * `latch users delete`: asks at a terminal (only "y"/"yes" deletes), refuses without a terminal
 * unless `--yes` (exit 2, nothing deleted), and never deletes the last admin (exit 1). Each test
 * has a table of its own on DynamoDB Local, so "the last admin" is exactly the one it made.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ensureTable } from '../../infra/local/services.js';
import { generateAuditKey } from '../../shared/adapters/secrets/audit-key.js';
import { runCli } from '../../shared/cli/program.js';
import { testServices, uniqueEmail } from '../support/services.js';

/** The audit key the commands hash addresses with (their `admin.*` events name addresses by hash). */
const env = { ...process.env, LATCH_AUDIT_KEY: generateAuditKey() };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh table and a runner of the CLI (in process) against it; `answer` is typed at a fake terminal. */
async function freshTable() {
  const tableName = `latch-cli-delete-${randomUUID().slice(0, 8)}`;
  const endpoint = testServices().dynamoDbEndpoint;
  await ensureTable(endpoint, tableName);
  const run = async (args: string[], options: { tty?: boolean; answer?: string } = {}): Promise<Run> => {
    const stdin = Object.assign(new PassThrough(), { isTTY: options.tty === true });
    if (options.tty) stdin.write(`${options.answer ?? ''}\n`);
    else stdin.end();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => {
      out += c;
    });
    stderr.on('data', (c) => {
      err += c;
    });
    const code = await runCli([...args, '--table', tableName, '--endpoint', endpoint], { stdin, stdout, stderr, env, cwd: process.cwd() });
    return { code, stdout: out, stderr: err };
  };
  const create = async (email: string, role: string) => {
    const created = await run(['users', 'create', '--email', email, '--role', role, '--no-password']);
    assert.equal(created.code, 0, created.stderr);
  };
  const exists = async (email: string) => (await run(['users', 'show', '--email', email])).code === 0;
  return { run, create, exists };
}

test('users delete without a terminal and without --yes refuses with exit 2 and deletes nothing', async () => {
  const t = await freshTable();
  const email = uniqueEmail('cli-del');
  await t.create(email, 'user');
  const refused = await t.run(['users', 'delete', '--email', email]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /not a terminal.*--yes/);
  assert.ok(await t.exists(email));
  const forced = await t.run(['users', 'delete', '--email', email, '--yes']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await t.exists(email), false);
});

test('users delete at a terminal asks first: "n" keeps the user (exit 1), "y" deletes', async () => {
  const t = await freshTable();
  const email = uniqueEmail('cli-del');
  await t.create(email, 'user');
  const kept = await t.run(['users', 'delete', '--email', email], { tty: true, answer: 'n' });
  assert.equal(kept.code, 1);
  assert.match(kept.stderr, new RegExp(`Delete ${email.replace(/[.+]/g, '\\$&')} .*\\[y/N\\]`));
  assert.match(kept.stderr, /Not deleted/);
  assert.ok(await t.exists(email));
  const deleted = await t.run(['users', 'delete', '--email', email], { tty: true, answer: 'y' });
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(await t.exists(email), false);
});

test('users delete refuses the last admin (exit 1, clear message), and deletes an admin once another exists', async () => {
  const t = await freshTable();
  const admin = uniqueEmail('cli-admin');
  await t.create(admin, 'admin');
  await t.create(uniqueEmail('cli-user'), 'user');
  const refused = await t.run(['users', 'delete', '--email', admin, '--yes']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /last admin/);
  assert.ok(await t.exists(admin));
  const json = await t.run(['users', 'delete', '--email', admin, '--yes', '--json']);
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stderr).error.code, 'failed');

  await t.create(uniqueEmail('cli-admin2'), 'admin');
  const deleted = await t.run(['users', 'delete', '--email', admin, '--yes']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(await t.exists(admin), false);
});
