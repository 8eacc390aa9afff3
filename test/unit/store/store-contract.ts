/**
 * The Store contract suite: every backend must pass the same checks. A backend's test file calls
 * `describeStoreContract(name, factory)` with a factory that opens a fresh, empty store; the suite closes every
 * store it opened after each test. The checks live in `contract/` by concern.
 */
import { afterEach, describe } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { OpenStore } from './contract/helpers.js';
import { readContract } from './contract/reads.js';
import { transactionContract } from './contract/transactions.js';
import { watchContract } from './contract/watch.js';

export * from './contract/helpers.js';

/** Opens a fresh, empty store of the backend under test. */
export type StoreFactory = OpenStore;

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open: OpenStore = async (options) => {
      const store = await factory(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    readContract(open);
    transactionContract(open);
    watchContract(open);
  });
}
