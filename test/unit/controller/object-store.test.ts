import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import type { ObjectKind } from '../../../src/cache/object-kind.js';
import { ObjectStore } from '../../../src/controller/object-store.js';
import { Code, alreadyExists, isCodedError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store, TxnRequest, TxnResult } from '../../../src/store/store.js';
import { keyString } from '../../../src/wire/object-key.js';
import { flavor } from '../../helpers/edgeproto-fixtures.js';

const kinds = edgeprotoKinds();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real store whose commits can be made to fail, as a full disk would. */
function failingCommits(store: Store): Store & { failNext: boolean } {
  const wrapper = Object.create(store) as Store & { failNext: boolean };
  wrapper.failNext = false;
  wrapper.txn = (request: TxnRequest): Promise<TxnResult> => {
    if (wrapper.failNext) return Promise.reject(new Error('disk full'));
    return store.txn(request);
  };
  return wrapper;
}

async function lmdbObjects(): Promise<ObjectStore> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudletd-objects-'));
  dirs.push(dir);
  return ObjectStore.open(await openStore({ kind: 'lmdb', dataDir: dir }), [kinds.flavor] as ObjectKind[], silentLogger());
}

function createFlavor(objects: ObjectStore, name: string, ram = 1024n): Promise<void> {
  return objects.write((tx) => {
    if (tx.get(kinds.flavor, keyString.flavor({ name }))) throw alreadyExists(`flavor ${name}`, 'key');
    tx.put(kinds.flavor, flavor(name, ram));
  });
}

describe('ObjectStore group commit', () => {
  it('lets a transaction see writes that are submitted but not yet durable: one of two concurrent creates wins', async () => {
    const objects = await lmdbObjects();
    const results = await Promise.allSettled([createFlavor(objects, 'x1'), createFlavor(objects, 'x1'), createFlavor(objects, 'x1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isCodedError(r.reason) && r.reason.code).toBe(Code.ALREADY_EXISTS);
  });

  it('resolves a write only when it is durable and in the cache, and applies concurrent writes in order', async () => {
    const objects = await lmdbObjects();
    const seen: string[] = [];
    objects.cache(kinds.flavor).watch((c) => seen.push(`${c.kind}:${c.key}`));
    const writes = Array.from({ length: 50 }, (_, i) => createFlavor(objects, `f${i}`).then(() => {
      expect(objects.cache(kinds.flavor).has(keyString.flavor({ name: `f${i}` }))).toBe(true);
    }));
    await Promise.all(writes);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `update:${keyString.flavor({ name: `f${i}` })}`));
  });

  it('stops all writes after a failed commit (fail-stop), leaving caches equal to what was committed', async () => {
    const store = failingCommits(await MemoryStore.create());
    const objects = await ObjectStore.open(store, [kinds.flavor] as ObjectKind[], silentLogger());
    await createFlavor(objects, 'ok');
    store.failNext = true;
    await expect(createFlavor(objects, 'lost')).rejects.toThrow('disk full');
    store.failNext = false;
    const after = await createFlavor(objects, 'later').then(() => 'written', (e: unknown) => (isCodedError(e) ? e.code : 'other'));
    expect(after).toBe(Code.UNAVAILABLE);
    expect([...objects.cache(kinds.flavor).keys()]).toEqual([keyString.flavor({ name: 'ok' })]);
  });
});
