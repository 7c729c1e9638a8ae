/**
 * The audit log's routes on the local stack (DynamoDB Local): `GET /admin/users/{id}/audit`,
 * `GET /admin/audit` (by user, by address, by day) and `GET /me/activity`, with their filters,
 * ranges, cursors and every `422` of spec §4; the typed client's methods; retention on the
 * memory twin with a hand-moved clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LatchClient } from '../../client/index.js';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { recordAudit } from '../../shared/flows/audit.js';
import { adminUserAudit, myActivity } from '../../shared/flows/audit-queries.js';
import { anAdmin, assertProblem, seedUser, signInAs } from '../support/accounts.js';
import { anAuditEvent, minutesAgo, seedAuditEvents, stackEmailHash } from '../support/audit-events.js';
import { memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let admin: { token: string; user: { id: string } };
const NEVER = '00000000-0000-4000-8000-000000000000';

before(async () => {
  api = await startTestStack();
  admin = await anAdmin(api);
});
after(async () => {
  await api.close();
});

const get = (path: string, token = admin.token) => api.request('GET', path, { token });

/** Every event of a query, following `nextCursor`; the pages' sizes too. */
async function readAll(path: string, token = admin.token): Promise<{ events: Array<Record<string, unknown>>; pages: number[] }> {
  const events: Array<Record<string, unknown>> = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path, token);
    assert.equal(response.status, 200, response.text);
    events.push(...response.body.events);
    pages.push(response.body.events.length);
    cursor = response.body.nextCursor;
    assert.ok(pages.length < 100, 'the cursors never end');
  } while (cursor);
  return { events, pages };
}

const ids = (events: ReadonlyArray<{ id?: unknown }>) => events.map((event) => event.id);
/** Newest first, as the routes answer. */
const newestFirst = (events: AuditEvent[]) => [...events].sort((a, b) => `${b.at}#${b.id}`.localeCompare(`${a.at}#${a.id}`));

/** Five events of one user over the last hours, of several types. */
async function userWithEvents() {
  const user = await seedUser(api);
  const events = await seedAuditEvents(api.store, [
    anAuditEvent({ userId: user.id, at: minutesAgo(300), type: 'registration', details: { method: 'password' } }),
    anAuditEvent({ userId: user.id, at: minutesAgo(240) }),
    anAuditEvent({ userId: user.id, at: minutesAgo(180), type: 'password.changed', details: { first: false } }),
    anAuditEvent({ userId: user.id, at: minutesAgo(120), type: 'admin.locked', actor: { kind: 'admin', id: admin.user.id }, details: {} }),
    anAuditEvent({ userId: user.id, at: minutesAgo(60), type: 'admin.unlocked', actor: { kind: 'operator', id: 'local' }, details: {} }),
  ]);
  return { user, events };
}

describe('GET /admin/users/{id}/audit', () => {
  test("a user's events, newest first, with emailHash and without expiresAt or requestId", async () => {
    const { user, events } = await userWithEvents();
    const response = await get(`/admin/users/${user.id}/audit`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(ids(response.body.events), ids(newestFirst(events)));
    assert.equal(response.body.nextCursor, null);
    const shown = response.body.events[0];
    assert.deepEqual(Object.keys(shown).sort(), ['actor', 'at', 'details', 'emailHash', 'id', 'ip', 'outcome', 'sessionId', 'type', 'userAgent', 'userId']);
    assert.deepEqual(shown.actor, { kind: 'operator', id: 'local' });
  });

  test('cursors walk several pages without gaps or repeats', async () => {
    const { user, events } = await userWithEvents();
    const { events: read, pages } = await readAll(`/admin/users/${user.id}/audit?limit=2`);
    assert.deepEqual(ids(read), ids(newestFirst(events)));
    assert.deepEqual(pages.slice(0, 2), [2, 2]);
    assert.ok(pages.length >= 3);
  });

  test('type filters a type or a family after the read: pages may be short while nextCursor is set', async () => {
    const { user, events } = await userWithEvents();
    const admins = events.filter((event) => event.type.startsWith('admin.'));
    const family = await readAll(`/admin/users/${user.id}/audit?type=admin.*&limit=2`);
    assert.deepEqual(ids(family.events), ids(newestFirst(admins)));
    const exact = await readAll(`/admin/users/${user.id}/audit?type=password.changed&limit=1`);
    assert.deepEqual(ids(exact.events), ids(events.filter((event) => event.type === 'password.changed')));
    assert.ok(exact.pages.includes(0), 'a page of filtered-out events is empty with a cursor');
  });

  test('from and to bound the events inclusively, and need no 31-day limit on one user', async () => {
    const { user, events } = await userWithEvents();
    const [, second, third, fourth] = events as [AuditEvent, AuditEvent, AuditEvent, AuditEvent, AuditEvent];
    const ranged = await get(`/admin/users/${user.id}/audit?from=${second.at}&to=${fourth.at}`);
    assert.deepEqual(ids(ranged.body.events), ids([fourth, third, second]));
    const wide = await get(`/admin/users/${user.id}/audit?from=2020-01-01&to=2030-12-31`);
    assert.equal(wide.status, 200, wide.text);
    assert.equal(wide.body.events.length, events.length);
  });

  test("a deleted user's events stay readable by id; an id that never existed gives an empty list", async () => {
    const { user, events } = await userWithEvents();
    assert.equal((await api.request('DELETE', `/admin/users/${user.id}`, { token: admin.token })).status, 204);
    assert.equal(await api.store.getUser(user.id), undefined);
    // The seeded events, and the deletion's own event (newest).
    const after = (await get(`/admin/users/${user.id}/audit`)).body.events as AuditEvent[];
    assert.equal(after[0]?.type, 'admin.user_deleted');
    assert.ok(after[0]?.emailHash && !JSON.stringify(after[0]).includes(user.emailCanonical));
    assert.deepEqual(ids(after.slice(1)), ids(newestFirst(events)));
    const never = await get(`/admin/users/${NEVER}/audit`);
    assert.equal(never.status, 200);
    assert.deepEqual(never.body, { events: [], nextCursor: null });
  });
});

describe('GET /admin/audit', () => {
  test('userId reads the same partition as /admin/users/{id}/audit', async () => {
    const { user, events } = await userWithEvents();
    assert.deepEqual(ids((await get(`/admin/audit?userId=${user.id}`)).body.events), ids(newestFirst(events)));
  });

  test("email (canonicalised, then hashed) finds an address's events: a live account, a deleted one and an address nobody registered", async () => {
    const email = uniqueEmail('audit-address');
    const hash = stackEmailHash(email.toLowerCase());
    const gone = '11111111-1111-4111-8111-111111111111';
    const events = await seedAuditEvents(api.store, [
      anAuditEvent({ userId: null, emailHash: hash, at: minutesAgo(50), type: 'password.reset_requested', details: {} }),
      anAuditEvent({ userId: gone, emailHash: hash, at: minutesAgo(40), type: 'admin.user_deleted', actor: { kind: 'admin', id: admin.user.id }, details: {} }),
      anAuditEvent({ userId: null, emailHash: hash, at: minutesAgo(30), outcome: 'failure', details: { method: 'password', reason: 'unknown_user' } }),
      anAuditEvent({ userId: null, emailHash: stackEmailHash(`other-${email}`), at: minutesAgo(20) }),
    ]);
    const response = await get(`/admin/audit?email=${encodeURIComponent(`  ${email.toUpperCase()} `)}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(ids(response.body.events), ids(newestFirst(events.slice(0, 3))));
    assert.ok(response.body.events.every((event: AuditEvent) => event.emailHash === hash));
    assert.ok(!response.text.includes(email), 'the address itself is nowhere in the answer');
  });

  test('with neither, the day partitions from `to` back to `from`, across days, with a cursor that carries the day', async () => {
    const days = ['2025-03-10', '2025-03-11', '2025-03-12'];
    const events = await seedAuditEvents(
      api.store,
      days.flatMap((day, d) => [0, 1, 2].map((i) => anAuditEvent({ at: `${day}T1${i}:00:0${d}.000Z` }))),
    );
    const { events: read, pages } = await readAll('/admin/audit?from=2025-03-10&to=2025-03-12&limit=2');
    assert.deepEqual(ids(read), ids(newestFirst(events)));
    assert.ok(pages.length >= 5, `pages ${pages}`);
    // Inclusive ISO bounds inside a day; a whole-day `to` includes that day's last events.
    const part = await readAll('/admin/audit?from=2025-03-10T11:00:00.000Z&to=2025-03-11T11:00:00.000Z');
    assert.deepEqual(
      ids(part.events),
      ids(newestFirst(events.filter((event) => event.at >= '2025-03-10T11:00:00.000Z' && event.at <= '2025-03-11T11:00:00.000Z'))),
    );
    const oneDay = await readAll('/admin/audit?from=2025-03-12&to=2025-03-12');
    assert.equal(oneDay.events.length, 3);
    // Exactly 31 days is allowed; a page can end exactly at a day's end and go on with the next day.
    assert.equal((await get('/admin/audit?from=2025-02-10T00:00:00Z&to=2025-03-13T00:00:00Z')).status, 200);
    const exact = await readAll('/admin/audit?from=2025-03-10&to=2025-03-12&limit=3');
    assert.deepEqual(ids(exact.events), ids(newestFirst(events)));
  });

  test('the default range is the last 24 hours; type filters across days too', async () => {
    const recent = await seedAuditEvents(api.store, [
      anAuditEvent({ at: minutesAgo(10), type: 'password.reset_requested', details: {} }),
      anAuditEvent({ at: minutesAgo(60 * 23), type: 'password.reset_requested', details: {} }),
    ]);
    const [old] = await seedAuditEvents(api.store, [anAuditEvent({ at: minutesAgo(60 * 25), type: 'password.reset_requested', details: {} })]);
    const read = await readAll('/admin/audit?type=password.reset_requested');
    for (const event of recent) assert.ok(ids(read.events).includes(event.id));
    assert.ok(!ids(read.events).includes(old?.id));
    assert.ok(read.events.every((event) => event.type === 'password.reset_requested'));
    const family = await readAll('/admin/audit?type=password.*&from=2025-03-10&to=2025-03-12');
    assert.deepEqual(family.events, []);
  });

  test('every 422 of the contract, with errors per field, and nothing read', async () => {
    const { user } = await userWithEvents();
    const userCursor = (await get(`/admin/users/${user.id}/audit?limit=1`)).body.nextCursor as string;
    const dayCursor = (await get('/admin/audit?from=2025-03-10&to=2025-03-12&limit=1')).body.nextCursor as string;
    assert.ok(userCursor && dayCursor);
    const cases: Array<[string, string[]]> = [
      ['/admin/audit?from=yesterday', ['from']],
      ['/admin/audit?to=2026-13-01', ['to']],
      ['/admin/audit?from=2026-02-30', ['from']],
      ['/admin/audit?from=2026-01-01T10:00:00', ['from']],
      ['/admin/audit?from=2026-01-02&to=2026-01-01', ['from']],
      ['/admin/audit?from=2025-01-01&to=2025-03-01', ['from']],
      ['/admin/audit?limit=0', ['limit']],
      ['/admin/audit?limit=101', ['limit']],
      ['/admin/audit?limit=ten', ['limit']],
      ['/admin/audit?type=sign_up', ['type']],
      ['/admin/audit?type=nothing.*', ['type']],
      [`/admin/audit?userId=${user.id}&email=a%40example.com`, ['email', 'userId']],
      ['/admin/audit?userId=not-an-id', ['userId']],
      ['/admin/audit?email=not-an-address', ['email']],
      ['/admin/audit?cursor=%%%', ['cursor']],
      ['/admin/audit?cursor=bm90IGpzb24', ['cursor']],
      [`/admin/audit?cursor=${userCursor}`, ['cursor']],
      [`/admin/users/${user.id}/audit?cursor=${dayCursor}`, ['cursor']],
      [`/admin/users/${NEVER}/audit?cursor=${userCursor}`, ['cursor']],
      ['/admin/users/not-an-id/audit', ['id']],
      ['/admin/users/not-an-id/audit?limit=0&type=x&from=x', ['from', 'id', 'limit', 'type']],
      ['/me/activity?limit=0', ['limit']],
      ['/me/activity?cursor=x', ['cursor']],
    ];
    const { accessToken } = await signInAs(api, user);
    for (const [path, fields] of cases) {
      const response = await get(path, path.startsWith('/me') ? accessToken : admin.token);
      assertProblem(response, 422, 'validation_failed');
      assert.deepEqual(Object.keys(response.body.errors).sort(), fields, path);
    }
  });
});

describe('GET /me/activity', () => {
  test("the caller's events of the types marked me, without emailHash; an admin's or operator's id hidden", async () => {
    const user = await seedUser(api);
    const mine = await seedAuditEvents(api.store, [
      anAuditEvent({ userId: user.id, at: minutesAgo(9), sessionId: 's1' }),
      anAuditEvent({ userId: user.id, at: minutesAgo(8), type: 'account.deleted', details: {} }),
      anAuditEvent({ userId: user.id, at: minutesAgo(7), type: 'authz.denied', details: { route: 'GET /admin/audit' } }),
      anAuditEvent({ userId: user.id, at: minutesAgo(6), type: 'admin.locked', actor: { kind: 'admin', id: admin.user.id }, details: {} }),
      anAuditEvent({ userId: user.id, at: minutesAgo(5), type: 'password.changed', emailHash: stackEmailHash(user.emailCanonical), details: { first: false } }),
    ]);
    const { accessToken } = await signInAs(api, user);
    const response = await get('/me/activity', accessToken);
    assert.equal(response.status, 200, response.text);
    // The seeded ones (the sign-in above writes its own sign_in event too).
    const seeded = new Set(mine.map((event) => event.id));
    const shown = (response.body.events as Array<Record<string, unknown>>).filter((event) => seeded.has(event.id as string));
    assert.deepEqual(
      shown.map((event) => event.type),
      ['password.changed', 'admin.locked', 'sign_in'],
    );
    assert.ok(shown.every((event) => !('emailHash' in event) && !('expiresAt' in event) && !('requestId' in event)));
    assert.deepEqual(shown[1]?.actor, { kind: 'admin' });
    assert.deepEqual(shown[2]?.actor, { kind: 'user', id: user.id });
    assert.equal(shown[2]?.sessionId, 's1');
    assert.ok(mine.length === 5);
    const paged = await readAll('/me/activity?limit=2', accessToken);
    assert.deepEqual(
      paged.events.filter((event) => seeded.has(event.id as string)).map((event) => event.type),
      ['password.changed', 'admin.locked', 'sign_in'],
    );
  });
});

describe('the typed client', () => {
  test('myActivity, adminAudit and adminUserAudit against the stack', async () => {
    const { user, events } = await userWithEvents();
    const signedIn = await signInAs(api, user);
    const me = new LatchClient({ baseUrl: api.url, storage: null }).withAccessToken(signedIn.accessToken);
    const asAdmin = new LatchClient({ baseUrl: api.url, storage: null }).withAccessToken(admin.token);
    const seeded = new Set(events.map((event) => event.id));
    assert.deepEqual(ids((await me.myActivity({ limit: 100 })).events.filter((event) => seeded.has(event.id))), ids(newestFirst(events)));
    // A type filter applies after the read: pages of one may be empty while the cursor goes on.
    const adminEvents: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof asAdmin.adminUserAudit>> = await asAdmin.adminUserAudit(user.id, {
        type: 'admin.*',
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      assert.ok(page.events.length <= 1);
      adminEvents.push(...page.events.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(adminEvents, ids(newestFirst(events.filter((e) => e.type.startsWith('admin.')))));
    const byDay = await asAdmin.adminAudit({ from: new Date(Date.now() - 6 * 3600_000), to: new Date(), limit: 100 });
    for (const event of events) assert.ok(ids(byDay.events).includes(event.id));
    await assert.rejects(me.adminAudit(), (error: unknown) => (error as { code?: string }).code === 'forbidden');
  });
});

describe('retention', () => {
  test('expiresAt is at + AUTH_AUDIT_RETENTION_DAYS; events past it are left out of every read', async () => {
    const deps = await memoryDeps({ AUTH_AUDIT_RETENTION_DAYS: '30' });
    const userId = '22222222-2222-4222-8222-222222222222';
    await recordAudit(deps, { type: 'sign_in', userId, details: { method: 'password' } });
    deps.clock.advance(10 * 86400);
    await recordAudit(deps, { type: 'password.changed', userId, details: { first: false } });
    const stored = [...deps.store.auditEvents.values()];
    assert.equal(stored.length, 2);
    for (const event of stored) assert.equal(event.expiresAt, Date.parse(event.at) / 1000 + 30 * 86400);

    assert.equal((await myActivity(deps, userId, {})).events.length, 2);
    deps.clock.advance(20 * 86400 + 1); // the first event is 30 days and 1 second old
    assert.deepEqual(
      (await myActivity(deps, userId, {})).events.map((event) => event.type),
      ['password.changed'],
    );
    assert.deepEqual(
      (await adminUserAudit(deps, 'operator', userId, {})).events.map((event) => event.type),
      ['password.changed'],
    );
    deps.clock.advance(10 * 86400);
    assert.deepEqual((await adminUserAudit(deps, 'operator', userId, {})).events, []);
  });
});
