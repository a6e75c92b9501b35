import { createMemoryWatchStore } from '../../src/store/index.js';
import { watchStoreContract } from './watch-store-contract.js';

watchStoreContract('createMemoryWatchStore()', async () => createMemoryWatchStore());
