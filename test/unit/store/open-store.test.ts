import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Code } from '../../../src/core/errors.js';
import { LmdbStore, MemoryStore, STORE_KINDS, openStore } from '../../../src/store/index.js';
import { expectCode, put } from './store-contract.js';

describe('openStore', () => {
  it('opens a memory store', async () => {
    const store = await openStore({ kind: 'memory' });
    expect(store).toBeInstanceOf(MemoryStore);
    await store.close();
  });

  it('opens an lmdb store in dataDir, persistent across opens', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cloudletd-open-'));
    try {
      const store = await openStore({ kind: 'lmdb', dataDir });
      expect(store).toBeInstanceOf(LmdbStore);
      await store.txn({ success: [put('k', 'v')] });
      await store.close();
      const again = await openStore({ kind: 'lmdb', dataDir });
      expect(await again.revision()).toBe(1);
      await again.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown kind naming the store field', async () => {
    const error = await expectCode(openStore({ kind: 'etcd' as never }), Code.INVALID_ARGUMENT, 'store');
    expect(String(error)).toContain('memory, lmdb');
    expect(STORE_KINDS).toEqual(['memory', 'lmdb']);
  });

  it('requires dataDir for lmdb', async () => {
    await expectCode(openStore({ kind: 'lmdb' }), Code.INVALID_ARGUMENT, 'dataDir');
  });
});
