import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../shared/adapters/memory/audit-log.js';
import { MemoryCounters } from '../../shared/adapters/memory/counters.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { aSession, aUser } from '../support/fixtures.js';
import { attemptCountersContract } from './attempt-counters-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import { passkeyStoreContract } from './passkey-store-contract.js';
import { storeContract } from './store-contract.js';

// The stored record without `sessionSeq` (the memory twin of the sequence item lives in it).
storeContract(
  'memory',
  async (clock) => new MemoryStore(clock),
  async (store, userId) => {
    const record = (store as MemoryStore).users.get(userId);
    if (!record) return undefined;
    const { sessionSeq: _seq, ...rest } = structuredClone(record);
    return rest;
  },
);

passkeyStoreContract('memory', async (clock) => new MemoryStore(clock));

attemptCountersContract('memory', async () => new MemoryCounters());

auditLogContract('memory', async (clock) => {
  const store = new MemoryStore(clock);
  return { store, log: new MemoryAuditLog(store, clock) };
});

test('memory store: a read returns a copy, nested values too: changing it changes nothing stored', async () => {
  const store = new MemoryStore();
  const user = aUser();
  const session = aSession(user.id, { amr: ['pwd'] });
  await store.commit([{ type: 'createUser', user }]);
  await store.commit([{ type: 'putSession', session }]);
  const read = await store.getSession(user.id, session.id);
  assert.ok(read);
  read.amr?.push('otp');
  read.role = 'admin';
  const again = await store.getSession(user.id, session.id);
  assert.deepEqual(again?.amr, ['pwd']);
  assert.equal(again?.role, session.role);
  assert.notEqual(again, read);
});
