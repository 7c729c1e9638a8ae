import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { revokeAllSessions } from '../../shared/flows/revoke.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { aSession, aUser } from '../support/fixtures.js';

test('revoke-all deletes every session but the kept one, bumps the epoch and applies the change', async () => {
  const store = new MemoryStore();
  const user = aUser();
  const sessions = [aSession(user.id), aSession(user.id), aSession(user.id)];
  await store.commit([{ type: 'createUser', user }, ...sessions.map((session) => ({ type: 'putSession' as const, session }))]);
  await revokeAllSessions({ store }, user.id, { set: { locked: true }, keepSessionId: sessions[0]?.id });
  const left = await store.listSessions(user.id);
  assert.deepEqual(
    left.map((s) => s.id),
    [sessions[0]?.id],
  );
  const after = await store.getUser(user.id);
  assert.equal(after?.locked, true);
  assert.equal(after?.sessionEpoch, 1);
});

test('a session created between listing and committing makes revoke-all retry and delete it too', async () => {
  const inner = new MemoryStore();
  const user = aUser();
  await inner.commit([
    { type: 'createUser', user },
    { type: 'putSession', session: aSession(user.id) },
  ]);
  let raced = false;
  // A store whose first listing is followed by a concurrent sign-in.
  const store: AuthStore = Object.assign(Object.create(inner), {
    listSessions: async (id: string) => {
      const listed = await inner.listSessions(id);
      if (!raced) {
        raced = true;
        const current = await inner.getUser(id);
        await inner.commit([
          { type: 'updateUser', id, guard: { sessionEpoch: current?.sessionEpoch ?? 0 }, bumpSeq: true },
          { type: 'putSession', session: aSession(id) },
        ]);
      }
      return listed;
    },
  });
  await revokeAllSessions({ store }, user.id);
  assert.equal((await inner.listSessions(user.id)).length, 0);
});

test('users with more than one transaction of sessions lose them all', async () => {
  const store = new MemoryStore();
  const user = aUser();
  await store.commit([{ type: 'createUser', user }]);
  for (let i = 0; i < 150; i++) await store.commit([{ type: 'putSession', session: aSession(user.id) }]);
  await revokeAllSessions({ store }, user.id);
  assert.equal((await store.listSessions(user.id)).length, 0);
});
