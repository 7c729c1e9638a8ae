/**
 * The audit queries on the memory twin (deps with a hand-moved clock): day reads across days
 * with their combined cursor, expiry inside a page, the admin check, and the export with its
 * `audit.exported` event.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { adminAudit, exportAudit } from '../../shared/flows/audit-queries.js';
import { anAuditEvent, seedAuditEvents } from '../support/audit-events.js';
import { aUser } from '../support/fixtures.js';
import { memoryDeps } from '../support/memory.js';

async function withDays() {
  const deps = await memoryDeps();
  deps.clock.ms = Date.parse('2026-01-05T12:00:00.000Z');
  const keep = Math.floor(deps.clock.ms / 1000) + 86400;
  const events = await seedAuditEvents(deps.store, [
    anAuditEvent({ at: '2026-01-02T10:00:00.000Z', expiresAt: keep }),
    anAuditEvent({ at: '2026-01-03T10:00:00.000Z', expiresAt: keep }),
    anAuditEvent({ at: '2026-01-03T11:00:00.000Z', expiresAt: keep - 2 * 86400 }), // expired
    anAuditEvent({ at: '2026-01-03T12:00:00.000Z', expiresAt: keep, type: 'password.reset_requested', details: {} }),
    anAuditEvent({ at: '2026-01-05T09:00:00.000Z', expiresAt: keep }),
  ]);
  return { deps, events };
}

const ids = (events: ReadonlyArray<{ id: string }>) => events.map((event) => event.id);

test('day reads walk the days from `to` back to `from` with one cursor, leaving out expired events', async () => {
  const { deps, events } = await withDays();
  const read: string[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await adminAudit(deps, 'operator', { from: '2026-01-01', to: '2026-01-05', limit: 2, cursor });
    read.push(...ids(page.events));
    pages.push(page.events.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const live = events.filter((event) => event.expiresAt > deps.clock.ms / 1000);
  assert.deepEqual(read, ids(live).reverse());
  assert.ok(pages.every((size) => size <= 2));
  const filtered = await adminAudit(deps, 'operator', { from: '2026-01-01', to: '2026-01-05', type: 'password.*', limit: 100 });
  assert.deepEqual(ids(filtered.events), [events[3]?.id]);
  assert.equal(filtered.nextCursor, null);
  // The default: the last 24 hours before the clock's now.
  assert.deepEqual(ids((await adminAudit(deps, 'operator', {})).events), [events[4]?.id]);
});

test('a non-admin caller is forbidden before anything is read; an admin is re-read from the store', async () => {
  const { deps } = await withDays();
  const user = aUser();
  const admin = aUser({ role: 'admin' });
  await deps.store.commit([
    { type: 'createUser', user },
    { type: 'createUser', user: admin },
  ]);
  await assert.rejects(adminAudit(deps, { userId: user.id }, { type: 'nope' }), (error: unknown) => error instanceof AuthError && error.code === 'forbidden');
  await assert.rejects(adminAudit(deps, { userId: admin.id }, { type: 'nope' }), ValidationError);
});

test('export: every event of the range, day by day and oldest first, then audit.exported by the operator', async () => {
  const { deps, events } = await withDays();
  const written: AuditEvent[][] = [];
  const result = await exportAudit(deps, { from: '2026-01-02', to: '2026-01-04', request: { ip: null, userAgent: null, operator: 'local' } }, async (batch) => {
    written.push(batch);
  });
  assert.deepEqual(
    written.map((batch) => ids(batch)),
    [[events[0]?.id], [events[1]?.id, events[3]?.id]],
  );
  assert.deepEqual(result, { from: '2026-01-02T00:00:00.000Z', to: '2026-01-04T23:59:59.999Z', count: 3 });
  const recorded = [...deps.store.auditEvents.values()].find((event) => event.type === 'audit.exported');
  assert.deepEqual([recorded?.actor, recorded?.details, recorded?.userId], [{ kind: 'operator', id: 'local' }, { ...result }, null]);
  await assert.rejects(
    exportAudit(deps, { request: { ip: null, userAgent: null } }, async () => undefined),
    (error: unknown) => error instanceof ValidationError && Object.keys(error.errors).sort().join() === 'from,to',
  );
});
