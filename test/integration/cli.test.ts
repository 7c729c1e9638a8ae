import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { type CliRun, runLatchCli } from '../support/cli.js';
import { testServices, uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'a piped passphrase';
let api: TestStack;
let emptyDir: string;

before(async () => {
  api = await startTestStack({ AUTH_ROLES: 'editor' });
  emptyDir = mkdtempSync(path.join(tmpdir(), 'latch-cli-'));
});
after(async () => {
  await api.close();
  rmSync(emptyDir, { recursive: true, force: true });
});

type Run = CliRun;

/** Runs the real CLI as a child process; `input` is piped to its stdin (which is then closed). */
function latch(args: string[], options: { input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runLatchCli(args, {
    cwd: options.cwd ?? emptyDir,
    env: { AUTH_ROLES: 'editor', ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

/** The options that point the CLI at this test's table on DynamoDB Local. */
const onTable = () => ['--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint];

describe('latch users (on a table given with --table/--endpoint)', () => {
  test('create with a piped password and --json; the CLI-made admin signs in and calls the admin API', async () => {
    const email = uniqueEmail('cli-admin');
    const run = await latch(['users', 'create', '--email', email, '--role', 'admin', '--confirmed', '--json', ...onTable()], { input: `${PASSWORD}\n` });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([run.json.user.email, run.json.user.role, run.json.user.emailConfirmed, run.json.user.locked], [email, 'admin', true, false]);
    assert.equal(run.json.user.passwordHash, undefined);
    assert.ok(!run.stdout.includes(PASSWORD));

    const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
    assert.equal(signIn.status, 200);
    assert.equal(decodeJwt(signIn.body.accessToken).role, 'admin');
    const list = await api.request('GET', '/admin/users', { token: signIn.body.accessToken });
    assert.equal(list.status, 200);
    assert.ok(list.body.users.some((u: { email: string }) => u.email === email));
  });

  test('create with an explicit --password, or --no-password; a taken or malformed email exits 1 with the field errors', async () => {
    const email = uniqueEmail('cli-explicit');
    assert.equal((await latch(['users', 'create', '--email', email, '--password', PASSWORD, '--confirmed', ...onTable()])).code, 0);
    assert.equal((await api.request('POST', '/session', { body: { email, password: PASSWORD } })).status, 200);

    const bare = uniqueEmail('cli-bare');
    const created = await latch(['users', 'create', '--email', bare, '--no-password', '--json', ...onTable()]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await api.store.getUser(created.json.user.id))?.passwordHash, null);

    const taken = await latch(['users', 'create', '--email', email, '--no-password', '--json', ...onTable()]);
    assert.equal(taken.code, 1);
    assert.deepEqual(taken.json.error.errors, { email: ['has already been taken'] });
    const malformed = await latch(['users', 'create', '--email', 'not-an-email', '--no-password', ...onTable()]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /email has invalid format/);
    const noPassword = await latch(['users', 'create', '--email', uniqueEmail(), ...onTable()]);
    assert.equal(noPassword.code, 1, 'an empty stdin gives no password');
    assert.match(noPassword.stderr, /No password given/);
  });

  test('show and list, as text and --json; an unknown email exits 1', async () => {
    const user = await seedUser(api);
    const shown = await latch(['users', 'show', '--email', user.email.toUpperCase(), '--json', ...onTable()]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.json.user.id, user.id);
    const text = await latch(['users', 'show', '--email', user.email, ...onTable()]);
    assert.match(text.stdout, new RegExp(`id\\s+${user.id}`));

    const list = await latch(['users', 'list', '--json', ...onTable()]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.json.users.some((u: { id: string }) => u.id === user.id));
    const listText = await latch(['users', 'list', ...onTable()]);
    assert.match(listText.stdout, new RegExp(`${user.email}\\tuser\\tactive\\tconfirmed\\t${user.id}`));

    const unknown = await latch(['users', 'show', '--email', uniqueEmail('nobody'), '--json', ...onTable()]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json.error.code, 'not_found');
  });

  test('set-password with a piped password: the new one works, every session is revoked', async () => {
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    const run = await latch(['users', 'set-password', '--email', user.email, ...onTable()], { input: `${PASSWORD}\n` });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await api.request('GET', '/me', { token: tokens.accessToken })).status, 401);
    assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })).status, 401);
    assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: PASSWORD } })).status, 200);
    const short = await latch(['users', 'set-password', '--email', user.email, ...onTable()], { input: 'short\n' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /password should be at least 8 character/);
  });

  test('set-role changes the role (configured roles only)', async () => {
    const user = await seedUser(api);
    const run = await latch(['users', 'set-role', '--email', user.email, '--role', 'editor', '--json', ...onTable()]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.user.role, 'editor');
    assert.equal((await api.store.getUser(user.id))?.role, 'editor');
    const bad = await latch(['users', 'set-role', '--email', user.email, '--role', 'root', '--json', ...onTable()]);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.json.error.errors, { role: ['is invalid'] });
  });

  test('lock refuses sign-in and kills sessions; unlock restores sign-in; delete removes the user', async () => {
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    const locked = await latch(['users', 'lock', '--email', user.email, '--json', ...onTable()]);
    assert.equal(locked.code, 0, locked.stderr);
    assert.equal(locked.json.user.locked, true);
    assert.equal((await api.request('GET', '/me', { token: tokens.accessToken })).status, 401);
    const refused = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
    assert.equal(refused.body.code, 'account_locked');

    assert.equal((await latch(['users', 'unlock', '--email', user.email, ...onTable()])).code, 0);
    assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })).status, 200);

    const deleted = await latch(['users', 'delete', '--email', user.email, '--yes', '--json', ...onTable()]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(deleted.json, { deleted: { id: user.id, email: user.email } });
    assert.equal(await api.store.getUser(user.id), undefined);
    assert.equal((await latch(['users', 'delete', '--email', user.email, '--yes', ...onTable()])).code, 1);

    // Each command wrote its admin event, the operator (`local` on DynamoDB Local) as the actor,
    // with a request id of its own.
    const { events } = await scanAuditTable(api.tableName);
    const mine = events.filter((e) => e.userId === user.id && e.type.startsWith('admin.'));
    assert.deepEqual(mine.map((e) => e.type).sort(), ['admin.locked', 'admin.unlocked', 'admin.user_deleted']);
    for (const event of mine) assert.deepEqual(event.actor, { kind: 'operator', id: 'local' });
    assert.equal(new Set(mine.map((e) => e.requestId)).size, 3);
    const revoked = events.find((e) => e.userId === user.id && e.type === 'session.revoked');
    assert.deepEqual(revoked?.details, { by: 'operator', reason: 'lock', count: 1 });
  });

  test('the endpoint may come from LATCH_DYNAMODB_ENDPOINT instead of --endpoint', async () => {
    const user = await seedUser(api);
    const run = await latch(['users', 'show', '--email', user.email, '--json', '--table', api.tableName], {
      env: { LATCH_DYNAMODB_ENDPOINT: testServices().dynamoDbEndpoint },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.user.id, user.id);
  });
});

describe('latch: targets and exit codes', () => {
  test('usage errors exit 2: unknown command, missing --email, --stack with --table', async () => {
    for (const args of [['users', 'frobnicate'], ['users', 'show'], ['users', 'lock', '--email', 'a@example.com', '--stack', 's', '--table', 't'], []]) {
      const run = await latch(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.notEqual(run.stderr, '');
    }
    assert.equal((await latch(['--help'])).code, 0);
  });

  test('without a running local stack: a clear message and exit 1', async () => {
    const none = await latch(['users', 'list']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No local Latch stack is running here: start one with `npm start`/);

    // A stale .latch/local.json left by a stack that died.
    const stale = mkdtempSync(path.join(tmpdir(), 'latch-cli-stale-'));
    // Above Linux's largest pid_max (2^22), so no live process can have it: a pid of a process that
    // just exited could be handed to a new one at once on a busy machine.
    const deadPid = 2 ** 22 + 1;
    mkdirSync(path.join(stale, '.latch'));
    writeFileSync(path.join(stale, '.latch', 'local.json'), JSON.stringify({ pid: deadPid, dynamoDbEndpoint: 'http://127.0.0.1:1', tableName: 'x' }));
    const run = await latch(['users', 'list', '--json'], { cwd: stale });
    assert.equal(run.code, 1);
    assert.equal(run.json.error.code, 'no_local_stack');
    rmSync(stale, { recursive: true, force: true });
  });

  test('by default the CLI works on the local stack recorded in .latch/local.json (found from a subfolder too)', async () => {
    const user = await seedUser(api);
    const project = mkdtempSync(path.join(tmpdir(), 'latch-cli-local-'));
    mkdirSync(path.join(project, '.latch'));
    mkdirSync(path.join(project, 'sub'));
    const state = { pid: process.pid, apiUrl: api.url, dynamoDbEndpoint: testServices().dynamoDbEndpoint, tableName: api.tableName, region: 'us-east-1' };
    writeFileSync(path.join(project, '.latch', 'local.json'), JSON.stringify(state));
    const run = await latch(['users', 'show', '--email', user.email, '--json'], { cwd: path.join(project, 'sub'), env: { LATCH_DYNAMODB_ENDPOINT: '' } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.user.id, user.id);
    rmSync(project, { recursive: true, force: true });
  });
});
