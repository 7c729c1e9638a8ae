import { MemoryCounters } from '../../shared/adapters/memory/counters.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { attemptCountersContract } from './attempt-counters-contract.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async (clock) => new MemoryStore(clock));

attemptCountersContract('memory', async () => new MemoryCounters());
