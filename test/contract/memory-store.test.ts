import { MemoryAuditLog } from '../../shared/adapters/memory/audit-log.js';
import { MemoryCounters } from '../../shared/adapters/memory/counters.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { attemptCountersContract } from './attempt-counters-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import { passkeyStoreContract } from './passkey-store-contract.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async (clock) => new MemoryStore(clock));

passkeyStoreContract('memory', async (clock) => new MemoryStore(clock));

attemptCountersContract('memory', async () => new MemoryCounters());

auditLogContract('memory', async (clock) => {
  const store = new MemoryStore(clock);
  return { store, log: new MemoryAuditLog(store, clock) };
});
