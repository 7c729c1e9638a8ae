/**
 * `latch audit list` and `latch audit export` against DynamoDB Local (the real CLI as a child
 * process, as in cli.test.ts): filters, text and JSON output, exit codes, the export file and its
 * `audit.exported` event with the operator as actor.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { seedUser } from '../support/accounts.js';
import { anAuditEvent, minutesAgo, seedAuditEvents, stackEmailHash } from '../support/audit-events.js';
import { type CliRun, runLatchCli } from '../support/cli.js';
import { testServices, uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let dir: string;

before(async () => {
  api = await startTestStack();
  dir = mkdtempSync(path.join(tmpdir(), 'latch-cli-audit-'));
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

type Run = CliRun;

/** Runs the real CLI as a child process (the audit key of the stack comes with the environment). */
function latch(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runLatchCli(args, { cwd: options.cwd ?? dir, ...(options.env ? { env: options.env } : {}) });
}

const onTable = () => ['--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint];
const ids = (events: ReadonlyArray<{ id: string }>) => events.map((event) => event.id);
const newestFirst = (events: AuditEvent[]) => [...events].sort((a, b) => `${b.at}#${b.id}`.localeCompare(`${a.at}#${a.id}`));

describe('latch audit list', () => {
  test('by --user (a live user), --user-id and --email; --type, --limit; text and --json', async () => {
    const user = await seedUser(api);
    const events = await seedAuditEvents(api.store, [
      anAuditEvent({ userId: user.id, at: minutesAgo(30), emailHash: stackEmailHash(user.emailCanonical) }),
      anAuditEvent({ userId: user.id, at: minutesAgo(20), type: 'admin.locked', actor: { kind: 'operator', id: 'local' }, details: {} }),
      anAuditEvent({ userId: user.id, at: minutesAgo(10), type: 'password.changed', details: { first: false } }),
    ]);
    const byUser = await latch(['audit', 'list', '--user', user.email.toUpperCase(), '--json', ...onTable()]);
    assert.equal(byUser.code, 0, byUser.stderr);
    assert.deepEqual(ids(byUser.json.events), ids(newestFirst(events)));
    assert.ok(byUser.json.events.every((event: Record<string, unknown>) => !('expiresAt' in event)));

    const text = await latch(['audit', 'list', '--user-id', user.id, '--type', 'admin.*', ...onTable()]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, `${events[1]?.at}\tadmin.locked\tsuccess\toperator:local\t${user.id}\t203.0.113.7\t{}\n`);

    const limited = await latch(['audit', 'list', '--user-id', user.id, '--limit', '2', '--json', ...onTable()]);
    assert.deepEqual(ids(limited.json.events), ids(newestFirst(events).slice(0, 2)));

    const byEmail = await latch(['audit', 'list', '--email', user.email, '--json', ...onTable()]);
    assert.deepEqual(ids(byEmail.json.events), [events[0]?.id]);

    const none = await latch(['audit', 'list', '--user-id', '00000000-0000-4000-8000-000000000000', ...onTable()]);
    assert.equal(none.stdout, 'No events.\n');
  });

  test('exit codes: 1 for an unknown --user or a refused query (with the field errors), 2 for a usage error', async () => {
    const unknown = await latch(['audit', 'list', '--user', uniqueEmail('nobody'), '--json', ...onTable()]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json.error.code, 'not_found');
    const refused = await latch(['audit', 'list', '--from', '2026-02-01', '--to', '2026-01-01', '--type', 'nope', '--json', ...onTable()]);
    assert.equal(refused.code, 1);
    assert.deepEqual(Object.keys(refused.json.error.errors).sort(), ['from', 'type']);
    const badLimit = await latch(['audit', 'list', '--limit', '0', ...onTable()]);
    assert.equal(badLimit.code, 1);
    assert.match(badLimit.stderr, /limit must be a whole number/);
    const both = await latch(['audit', 'list', '--user', 'a@example.com', '--email', 'a@example.com', ...onTable()]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /one of --user, --user-id and --email/);
    assert.equal((await latch(['audit', 'export', '--from', '2026-01-01', '--to', '2026-01-02', ...onTable()])).code, 2, 'no --file');
    assert.equal((await latch(['audit', 'list', '--bogus', ...onTable()])).code, 2);
  });
});

describe('latch audit export', () => {
  test('one event per line, day by day and oldest first, a file only its owner reads; records audit.exported by the operator', async () => {
    const events = await seedAuditEvents(
      api.store,
      ['2025-04-03', '2025-04-01', '2025-04-02'].flatMap((day) => [anAuditEvent({ at: `${day}T08:00:00.000Z` }), anAuditEvent({ at: `${day}T20:00:00.000Z` })]),
    );
    await seedAuditEvents(api.store, [anAuditEvent({ at: '2025-04-04T00:00:00.000Z' }), anAuditEvent({ at: '2025-03-31T23:59:59.999Z' })]);
    // The folder must exist: the CLI does not create it (and records no export).
    const run = await latch(['audit', 'export', '--from', '2025-04-01', '--to', '2025-04-03', '--file', 'out/audit.jsonl', ...onTable()]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ENOENT/);
    mkdirSync(path.join(dir, 'out'));
    const done = await latch(['audit', 'export', '--from', '2025-04-01', '--to', '2025-04-03', '--file', 'out/audit.jsonl', '--json', ...onTable()]);
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(done.json.exported, { file: 'out/audit.jsonl', from: '2025-04-01T00:00:00.000Z', to: '2025-04-03T23:59:59.999Z', count: 6 });
    const file = path.join(dir, 'out', 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    const written = lines.map((line) => JSON.parse(line) as AuditEvent);
    assert.deepEqual(ids(written), ids(newestFirst(events).reverse()));
    assert.deepEqual(
      written[0],
      events.find((event) => event.id === written[0]?.id),
      'the stored event, whole',
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const recorded = await latch(['audit', 'list', '--type', 'audit.exported', '--json', ...onTable()]);
    const exported = recorded.json.events.find((event: AuditEvent) => event.details.count === 6);
    assert.ok(exported, recorded.stdout);
    assert.deepEqual(exported.actor, { kind: 'operator', id: 'local' });
    assert.deepEqual(exported.details, { from: '2025-04-01T00:00:00.000Z', to: '2025-04-03T23:59:59.999Z', count: 6 });
    assert.equal(exported.userId, null);
  });

  test('a refused range leaves a file that was there alone; on the local stack the audit key and table come from .latch/local.json', async () => {
    const keep = path.join(dir, 'keep.jsonl');
    writeFileSync(keep, 'mine\n');
    const refused = await latch(['audit', 'export', '--from', 'soon', '--to', '2025-04-03', '--file', 'keep.jsonl', ...onTable()]);
    assert.equal(refused.code, 1);
    assert.equal(readFileSync(keep, 'utf8'), 'mine\n');

    const project = mkdtempSync(path.join(tmpdir(), 'latch-cli-audit-local-'));
    mkdirSync(path.join(project, '.latch'));
    const state = {
      pid: process.pid,
      apiUrl: api.url,
      dynamoDbEndpoint: testServices().dynamoDbEndpoint,
      tableName: api.tableName,
      auditTableName: `${api.tableName}-audit`,
      auditKey: process.env.LATCH_AUDIT_KEY,
      region: 'us-east-1',
    };
    writeFileSync(path.join(project, '.latch', 'local.json'), JSON.stringify(state));
    const email = uniqueEmail('cli-audit-unknown');
    const [event] = await seedAuditEvents(api.store, [anAuditEvent({ at: minutesAgo(5), emailHash: stackEmailHash(email), outcome: 'failure' })]);
    const run = await latch(['audit', 'list', '--email', email, '--json'], { cwd: project, env: { LATCH_DYNAMODB_ENDPOINT: '', LATCH_AUDIT_KEY: '' } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(ids(run.json.events), [event?.id]);
    const exported = await latch(['audit', 'export', '--from', '2025-01-01', '--to', '2025-01-01', '--file', 'empty.jsonl'], {
      cwd: project,
      env: { LATCH_DYNAMODB_ENDPOINT: '' },
    });
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout, 'Exported 0 events from 2025-01-01T00:00:00.000Z to 2025-01-01T23:59:59.999Z into empty.jsonl.\n');
    assert.ok(existsSync(path.join(project, 'empty.jsonl')));
    rmSync(project, { recursive: true, force: true });
  });
});
