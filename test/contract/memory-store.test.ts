import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async (clock) => new MemoryStore(clock));
