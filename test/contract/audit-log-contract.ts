import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ulid } from 'ulid';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { AuditCursorError, type AuditLog, type AuditQuery } from '../../shared/ports/audit-log.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { aUser } from '../support/fixtures.js';

/** A store and the audit log reading what it appended; `clock` (epoch ms) is what expiry is checked against. */
export type MakeAuditPair = (clock: { now(): number }) => Promise<{ store: AuthStore; log: AuditLog }>;

function anEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  const at = overrides.at ?? '2026-03-01T10:00:00.000Z';
  return {
    id: ulid(Date.parse(at)),
    type: 'sign_in',
    outcome: 'success',
    at,
    actor: { kind: 'anonymous' },
    userId: null,
    sessionId: null,
    ip: '203.0.113.9',
    userAgent: 'test\r\n{"type":"forged"}',
    requestId: randomUUID(),
    details: { method: 'password' },
    emailHash: null,
    expiresAt: Math.floor(Date.parse(at) / 1000) + 86400 * 365,
    ...overrides,
  };
}

/** Every page of a query, following the cursors. */
async function readAll(log: AuditLog, query: Omit<AuditQuery, 'cursor'>): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await log.query({ ...query, cursor });
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return events;
}

/**
 * The audit log's behaviour on every adapter: `appendAuditEvent` in a commit (all or nothing,
 * never overwriting) and the queries (by user, address and day; newest first; bounds; cursors;
 * expiry), on the memory twin and on DynamoDB Local.
 */
export function auditLogContract(name: string, makePair: MakeAuditPair): void {
  describe(`AuditLog contract: ${name}`, () => {
    test('every state change and its audit event are written together or not at all', async () => {
      const { store, log } = await makePair({ now: () => Date.parse('2026-03-02T00:00:00Z') });
      const user = aUser();
      const event = anEvent({ type: 'registration', userId: user.id, actor: { kind: 'user', id: user.id } });
      // A failing condition elsewhere in the commit: neither the change nor the event.
      await assert.rejects(
        store.commit([
          { type: 'createUser', user },
          { type: 'appendAuditEvent', event },
          { type: 'checkUser', id: randomUUID(), guard: {} },
        ]),
        (error: unknown) => error instanceof ConflictError && error.reason === 'not_found',
      );
      assert.equal(await store.getUser(user.id), undefined);
      assert.deepEqual((await log.query({ partition: { kind: 'user', userId: user.id }, limit: 10 })).events, []);
      // Together: both.
      await store.commit([
        { type: 'createUser', user },
        { type: 'appendAuditEvent', event },
      ]);
      assert.equal((await store.getUser(user.id))?.id, user.id);
      assert.deepEqual((await log.query({ partition: { kind: 'user', userId: user.id }, limit: 10 })).events, [event]);
      // An event is never overwritten, and a refused one takes its change with it.
      await assert.rejects(
        store.commit([
          { type: 'updateUser', id: user.id, set: { role: 'admin' } },
          { type: 'appendAuditEvent', event: { ...event, type: 'admin.user_updated' } },
        ]),
        (error: unknown) => error instanceof ConflictError && error.reason === 'audit_duplicate',
      );
      assert.equal((await store.getUser(user.id))?.role, user.role);
      assert.deepEqual((await log.query({ partition: { kind: 'user', userId: user.id }, limit: 10 })).events, [event]);
    });

    test('queries read a user, an address or a day, newest first, within inclusive bounds, page by cursor and leave out expired events', async () => {
      let ms = Date.parse('2026-03-05T00:00:00Z');
      const { store, log } = await makePair({ now: () => ms });
      const userId = randomUUID();
      const emailHash = randomUUID().replaceAll('-', '');
      const day = `2026-03-0${1 + Math.floor(Math.random() * 3)}`;
      const events = Array.from({ length: 7 }, (_, i) =>
        anEvent({ at: `${day}T10:00:0${i}.000Z`, userId: i < 5 ? userId : null, emailHash: i % 2 === 0 ? emailHash : null }),
      );
      // One that expired before "now" (TTL deletes late): never returned.
      const expired = anEvent({ at: `${day}T09:00:00.000Z`, userId, emailHash, expiresAt: Math.floor(ms / 1000) - 1 });
      await store.commit([...events, expired].map((event) => ({ type: 'appendAuditEvent' as const, event })));

      const byUser = await readAll(log, { partition: { kind: 'user', userId }, limit: 2 });
      assert.deepEqual(
        byUser.map((e) => e.id),
        events
          .slice(0, 5)
          .reverse()
          .map((e) => e.id),
      );
      const byEmail = await readAll(log, { partition: { kind: 'email', emailHash }, limit: 3 });
      assert.deepEqual(
        byEmail.map((e) => e.id),
        [events[6], events[4], events[2], events[0]].map((e) => e?.id),
      );
      const byDay = (await readAll(log, { partition: { kind: 'day', day }, limit: 100 })).filter((e) => events.some((x) => x.id === e.id));
      assert.equal(byDay.length, 7);
      // Inclusive bounds on `at`.
      const bounded = await readAll(log, { partition: { kind: 'user', userId }, from: `${day}T10:00:01.000Z`, to: `${day}T10:00:03.000Z`, limit: 10 });
      assert.deepEqual(
        bounded.map((e) => e.at),
        [3, 2, 1].map((i) => `${day}T10:00:0${i}.000Z`),
      );
      // Later, everything has expired.
      ms += 366 * 86400_000;
      assert.deepEqual(await readAll(log, { partition: { kind: 'user', userId }, limit: 10 }), []);
      await assert.rejects(log.query({ partition: { kind: 'user', userId }, limit: 10, cursor: 'not a cursor' }), AuditCursorError);
    });

    test("a day's events come back newest first, each exactly once, across pages, bounds and events of the same millisecond", async () => {
      const day = '2026-04-02';
      const ms = Date.parse(`${day}T23:00:00Z`);
      const { store, log } = await makePair({ now: () => ms });
      // 40 events (the day index spreads them over its shards on DynamoDB), three to a millisecond at times.
      const events = Array.from({ length: 40 }, (_, i) =>
        anEvent({ at: `${day}T10:00:${String(Math.floor(i / 3)).padStart(2, '0')}.000Z`, userId: randomUUID() }),
      );
      await store.commit(events.map((event) => ({ type: 'appendAuditEvent' as const, event })));
      const newestFirst = [...events].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1)).map((e) => e.id);
      const mine = (list: AuditEvent[]) => list.map((e) => e.id).filter((id) => newestFirst.includes(id));
      for (const limit of [1, 4, 7, 100]) {
        assert.deepEqual(mine(await readAll(log, { partition: { kind: 'day', day }, limit })), newestFirst, `limit ${limit}`);
      }
      // Inclusive bounds, with pages.
      const from = `${day}T10:00:03.000Z`;
      const to = `${day}T10:00:08.000Z`;
      const bounded = events.filter((e) => e.at >= from && e.at <= to);
      assert.equal(bounded.length, 18);
      for (const [bounds, expected] of [
        [{ from, to }, bounded],
        [{ from }, events.filter((e) => e.at >= from)],
        [{ to }, events.filter((e) => e.at <= to)],
      ] as const) {
        const ids = expected.map((e) => e.id);
        const read = mine(await readAll(log, { partition: { kind: 'day', day }, limit: 5, ...bounds }));
        assert.deepEqual(
          read,
          newestFirst.filter((id) => ids.includes(id)),
          JSON.stringify(bounds),
        );
      }
      // Another day reads none of them; a cursor that is not the adapter's is refused.
      assert.deepEqual(mine(await readAll(log, { partition: { kind: 'day', day: '2026-04-03' }, limit: 10 })), []);
      await assert.rejects(log.query({ partition: { kind: 'day', day }, limit: 10, cursor: 'not a cursor' }), AuditCursorError);
      await assert.rejects(
        log.query({ partition: { kind: 'day', day }, limit: 10, cursor: Buffer.from(JSON.stringify({ before: 'x', pk: 'USER#1' })).toString('base64url') }),
        AuditCursorError,
      );
    });
  });
}
