import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Code } from '../../../src/core/errors.js';
import { LMDB_FILE, LmdbStore, type Store, type WatchBatch } from '../../../src/store/index.js';
import { bytes, del, describeStoreContract, expectCode, put, text } from './store-contract.js';

const tmpRoot = await mkdtemp(join(tmpdir(), 'cloudletd-lmdb-'));
let dirCount = 0;
const freshDir = (): string => join(tmpRoot, `s${++dirCount}`);

afterAll(async () => {
  await rm(tmpRoot, { recursive: true, force: true });
});

describeStoreContract('lmdb', (options) => LmdbStore.open({ dataDir: freshDir(), ...options }));

describe('LmdbStore', () => {
  const opened: Store[] = [];
  const openAt = async (dataDir: string): Promise<Store> => {
    const store = await LmdbStore.open({ dataDir });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('keeps data, revisions and the revision counter across reopen', async () => {
    const dataDir = freshDir();
    const first = await openAt(dataDir);
    await first.txn({ success: [put('a/1', 'one'), put('a/2', 'two')] });
    await first.txn({ success: [put('a/1', 'uno'), put('b/1', 'x')] });
    await first.txn({ success: [del('b/1')] });
    const before = await first.list('');
    await first.close();
    expect(existsSync(join(dataDir, LMDB_FILE))).toBe(true);

    const second = await openAt(dataDir);
    expect(await second.revision()).toBe(3);
    expect(await second.list('')).toEqual(before);
    expect(await second.get('a/1')).toEqual({ key: 'a/1', value: bytes('uno'), createRevision: 1, modRevision: 2, version: 2 });
    expect(await second.txn({ success: [put('a/3', 'three')] })).toEqual({ succeeded: true, revision: 4 });
  });

  it('replays a snapshot for a revision committed before the reopen', async () => {
    const dataDir = freshDir();
    const first = await openAt(dataDir);
    await first.txn({ success: [put('w/1', 'a')] });
    await first.txn({ success: [put('w/2', 'b')] });
    await first.close();
    const second = await openAt(dataDir);
    const batches: WatchBatch[] = [];
    await second.watch('w/', { fromRevision: 2 }, (b) => batches.push(b));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ revision: 2, snapshot: true });
    expect(batches[0]?.events.map((e) => `${e.type} ${e.kv.key} ${text(e.kv.value)}`)).toEqual(['put w/1 a', 'put w/2 b']);
  });

  it('cancels a queued transaction whose signal aborts before it is applied', async () => {
    const store = await openAt(freshDir());
    const ac = new AbortController();
    const pending = store.txn({ success: [put('k', 'v')] }, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await store.revision()).toBe(0);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.txn({ success: [put('k', 'v')] })).toEqual({ succeeded: true, revision: 1 });
  });

  it('stores large values', async () => {
    const store = await openAt(freshDir());
    const value = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff);
    await store.txn({ success: [{ put: { key: 'big', value } }] });
    const got = (await store.get('big'))?.value;
    expect(got && Buffer.compare(got, value)).toBe(0);
  });

  it('refuses a store of an unknown format', async () => {
    const dataDir = freshDir();
    await (await openAt(dataDir)).close();
    const raw = open({ path: join(dataDir, LMDB_FILE), noSubdir: true, maxDbs: 4, overlappingSync: false });
    const meta = raw.openDB('meta', { encoding: 'binary', keyEncoding: 'binary' });
    await meta.put(Buffer.from('format'), Uint8Array.of(9));
    await raw.close();
    await expectCode(LmdbStore.open({ dataDir }), Code.FAILED_PRECONDITION, 'dataDir');
  });

  it('rejects a missing dataDir', async () => {
    await expectCode(LmdbStore.open({ dataDir: '' }), Code.INVALID_ARGUMENT, 'dataDir');
  });

  it('reports an unopenable directory as UNAVAILABLE', async () => {
    const dataDir = freshDir();
    await (await openAt(dataDir)).close();
    await expectCode(LmdbStore.open({ dataDir: join(dataDir, LMDB_FILE, 'below-a-file') }), Code.UNAVAILABLE);
  });
});
