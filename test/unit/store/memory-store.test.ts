import { describe, it } from 'vitest';
import { Code } from '../../../src/core/errors.js';
import { MemoryStore } from '../../../src/store/index.js';
import { describeStoreContract, expectCode } from './store-contract.js';

describeStoreContract('memory', (options) => MemoryStore.create(options));

describe('MemoryStore', () => {
  it('rejects a bad historyLimit', async () => {
    await expectCode(MemoryStore.create({ historyLimit: -1 }), Code.INVALID_ARGUMENT, 'historyLimit');
  });
});
