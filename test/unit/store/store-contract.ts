/**
 * The Store contract suite: every backend must pass the same checks. A backend test file calls
 * `describeStoreContract(name, factory)` with a factory that opens a fresh, empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Code, isCodedError } from '../../../src/core/errors.js';
import {
  MAX_KEY_BYTES,
  MAX_TXN_BYTES,
  MAX_TXN_OPS,
  compareKeys,
  type KV,
  type Op,
  type Store,
  type TxnRequest,
  type WatchBatch,
} from '../../../src/store/index.js';

/** Opens a fresh, empty store. */
export type StoreFactory = (options?: { historyLimit?: number }) => Promise<Store>;

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);
export const put = (key: string, value: string): Op => ({ put: { key, value: bytes(value) } });
export const del = (key: string): Op => ({ delete: { key } });
export const delPrefix = (prefix: string): Op => ({ deletePrefix: { prefix } });

/** Expects `promise` to reject with a CodedError of `code` (and `field`, if given); returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string, field?: string): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCodedError(error), `expected a CodedError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (field !== undefined) expect((error as { field: string }).field).toBe(field);
  return error;
}

const keysOf = (kvs: readonly KV[]): string[] => kvs.map((kv) => kv.key);

/** Collects the batches a watch receives. */
function recorder(): { batches: WatchBatch[]; listener: (b: WatchBatch) => void } {
  const batches: WatchBatch[] = [];
  return { batches, listener: (b) => batches.push(b) };
}

/** Summary of batches for compact assertions: `rev:type:key[:prevRev]`. */
function summary(batches: readonly WatchBatch[]): string[] {
  return batches.map(
    (b) =>
      `${b.revision}${b.snapshot ? '(snapshot)' : ''}:` +
      b.events.map((e) => `${e.type} ${e.kv.key}${e.prevKv ? `@${e.prevKv.modRevision}` : ''}`).join(','),
  );
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async (options?: { historyLimit?: number }): Promise<Store> => {
      const store = await factory(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('reads', () => {
      it('starts empty at revision 0', async () => {
        const store = await open();
        expect(await store.revision()).toBe(0);
        expect(await store.get('a')).toBeUndefined();
        expect(await store.list('')).toEqual({ kvs: [], more: false, revision: 0 });
        expect(await store.count('')).toBe(0);
      });

      it('puts and gets with revisions and versions', async () => {
        const store = await open();
        expect(await store.txn({ success: [put('k', 'v1')] })).toEqual({ succeeded: true, revision: 1 });
        const first = await store.get('k');
        expect(first).toEqual({ key: 'k', value: bytes('v1'), createRevision: 1, modRevision: 1, version: 1 });
        expect(first?.value).toBeInstanceOf(Uint8Array);
        await store.txn({ success: [put('other', 'x')] });
        expect(await store.txn({ success: [put('k', 'v2')] })).toEqual({ succeeded: true, revision: 3 });
        expect(await store.get('k')).toEqual({ key: 'k', value: bytes('v2'), createRevision: 1, modRevision: 3, version: 2 });
      });

      it('stores an empty value and binary bytes exactly', async () => {
        const store = await open();
        const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
        await store.txn({ success: [{ put: { key: 'empty', value: new Uint8Array(0) } }, { put: { key: 'bin', value: binary } }] });
        expect((await store.get('empty'))?.value).toEqual(new Uint8Array(0));
        expect((await store.get('bin'))?.value).toEqual(binary);
      });

      it('isolates stored values from caller buffers', async () => {
        const store = await open();
        const value = bytes('abc');
        await store.txn({ success: [{ put: { key: 'k', value } }] });
        value[0] = 0x7a;
        const got = await store.get('k');
        expect(text(got?.value)).toBe('abc');
        got!.value[0] = 0x7a;
        expect(text((await store.get('k'))?.value)).toBe('abc');
        expect(text((await store.list('k')).kvs[0]?.value)).toBe('abc');
      });

      it('matches prefixes as plain string prefixes (a/ never matches ab)', async () => {
        const store = await open();
        const keys = ['a', 'a/', 'a/1', 'a/2/x', 'ab', 'a0', 'a.', 'b/1', 'A/1'];
        await store.txn({ success: keys.map((k) => put(k, k)) });
        expect(keysOf((await store.list('a/')).kvs)).toEqual(['a/', 'a/1', 'a/2/x']);
        expect(await store.count('a/')).toBe(3);
        expect(await store.count('a')).toBe(7);
        expect(await store.count('ab')).toBe(1);
        expect(await store.count('zz')).toBe(0);
        expect(keysOf((await store.list('')).kvs)).toEqual(['A/1', 'a', 'a.', 'a/', 'a/1', 'a/2/x', 'a0', 'ab', 'b/1']);
        expect(await store.count('')).toBe(keys.length);
      });

      it('orders keys by UTF-8 bytes (code points), not UTF-16 units', async () => {
        const store = await open();
        const keys = ['k/😀', 'k/\uFFFD', 'k/é', 'k/z', 'k/a', 'k/\u{10FFFF}'];
        await store.txn({ success: keys.map((k) => put(k, k)) });
        const expected = ['k/a', 'k/z', 'k/é', 'k/\uFFFD', 'k/😀', 'k/\u{10FFFF}'];
        expect(keysOf((await store.list('k/')).kvs)).toEqual(expected);
        expect([...keys].sort(compareKeys)).toEqual(expected);
        const page = await store.list('k/', { startAfter: 'k/\uFFFD' });
        expect(keysOf(page.kvs)).toEqual(['k/😀', 'k/\u{10FFFF}']);
        expect(await store.count('k/😀')).toBe(1);
      });

      it('pages large lists with limit and startAfter', async () => {
        const store = await open();
        const keys = Array.from({ length: 25 }, (_, i) => `p/${String(i).padStart(2, '0')}`);
        await store.txn({ success: [...keys.map((k) => put(k, k)), put('q/0', 'q'), put('o/9', 'o')] });
        const seen: string[] = [];
        const pages: Array<[number, boolean]> = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await store.list('p/', { limit: 10, startAfter });
          expect(page.revision).toBe(1);
          pages.push([page.kvs.length, page.more]);
          seen.push(...keysOf(page.kvs));
          if (!page.more) break;
          startAfter = page.kvs.at(-1)!.key;
        }
        expect(pages).toEqual([
          [10, true],
          [10, true],
          [5, false],
        ]);
        expect(seen).toEqual(keys);
        // an exact multiple ends with more=false on the page that reaches the end
        expect((await store.list('p/', { limit: 5, startAfter: 'p/19' })).more).toBe(false);
        expect((await store.list('p/', { limit: 25 })).more).toBe(false);
        // startAfter before the prefix starts at the prefix; between keys starts at the next one
        expect(keysOf((await store.list('p/', { limit: 2, startAfter: 'a' })).kvs)).toEqual(['p/00', 'p/01']);
        expect(keysOf((await store.list('p/', { limit: 2, startAfter: 'p/05x' })).kvs)).toEqual(['p/06', 'p/07']);
        expect((await store.list('p/', { startAfter: 'p/24' })).kvs).toEqual([]);
        expect((await store.list('p/', { startAfter: 'z' })).kvs).toEqual([]);
      });
    });

    describe('transactions', () => {
      it('applies only the failure ops when a compare fails', async () => {
        const store = await open();
        await store.txn({ success: [put('k', 'v')] });
        const result = await store.txn({
          compare: [{ key: 'k', modRevision: 99 }],
          success: [put('s1', 'x'), put('s2', 'x')],
          failure: [put('f1', 'y'), del('k')],
        });
        expect(result).toEqual({ succeeded: false, revision: 2 });
        expect(await store.get('s1')).toBeUndefined();
        expect(await store.get('s2')).toBeUndefined();
        expect(await store.get('k')).toBeUndefined();
        expect((await store.get('f1'))?.modRevision).toBe(2);
      });

      it('creates only if absent with modRevision 0 (and exists: false)', async () => {
        const store = await open();
        const create = (value: string, compare: TxnRequest['compare']): Promise<unknown> =>
          store.txn({ compare, success: [put('obj', value)] });
        expect(await create('first', [{ key: 'obj', modRevision: 0 }])).toEqual({ succeeded: true, revision: 1 });
        expect(await create('second', [{ key: 'obj', modRevision: 0 }])).toEqual({ succeeded: false, revision: 1 });
        expect(await create('third', [{ key: 'obj', exists: false }])).toEqual({ succeeded: false, revision: 1 });
        expect(text((await store.get('obj'))?.value)).toBe('first');
        expect(await create('fourth', [{ key: 'other', exists: false }])).toEqual({ succeeded: true, revision: 2 });
      });

      it('compares and swaps on modRevision', async () => {
        const store = await open();
        await store.txn({ success: [put('obj', 'v1')] });
        const read = (await store.get('obj'))!;
        await store.txn({ success: [put('unrelated', 'x')] });
        const swap = await store.txn({ compare: [{ key: 'obj', modRevision: read.modRevision }], success: [put('obj', 'v2')] });
        expect(swap).toEqual({ succeeded: true, revision: 3 });
        const stale = await store.txn({ compare: [{ key: 'obj', modRevision: read.modRevision }], success: [put('obj', 'v3')] });
        expect(stale).toEqual({ succeeded: false, revision: 3 });
        expect(await store.get('obj')).toMatchObject({ value: bytes('v2'), modRevision: 3, version: 2 });
      });

      it('requires every compare to hold', async () => {
        const store = await open();
        await store.txn({ success: [put('a', '1')] });
        const both = (compare: TxnRequest['compare']): Promise<unknown> => store.txn({ compare, success: [put('z', 'z')] });
        expect(await both([{ key: 'a', exists: true }, { key: 'b', exists: true }])).toMatchObject({ succeeded: false });
        expect(await both([{ key: 'a', exists: true, modRevision: 2 }])).toMatchObject({ succeeded: false });
        expect(await both([{ key: 'a', exists: true, modRevision: 1 }, { key: 'b', modRevision: 0 }])).toMatchObject({
          succeeded: true,
        });
      });

      it('applies an object and its refs together at one revision', async () => {
        const store = await open();
        await store.txn({ success: [put('refs/old', 'x'), put('obj/1', 'v1')] });
        const result = await store.txn({
          compare: [{ key: 'obj/1', modRevision: 1 }],
          success: [put('obj/1', 'v2'), put('refs/new', 'y'), del('refs/old')],
        });
        expect(result).toEqual({ succeeded: true, revision: 2 });
        expect((await store.get('obj/1'))?.modRevision).toBe(2);
        expect((await store.get('refs/new'))?.modRevision).toBe(2);
        expect(await store.get('refs/old')).toBeUndefined();
        expect(await store.revision()).toBe(2);
      });

      it('writes nothing when a request is invalid', async () => {
        const store = await open();
        await expectCode(store.txn({ success: [put('good', 'x'), put('', 'bad')] }), Code.INVALID_ARGUMENT, 'success[1].put.key');
        expect(await store.get('good')).toBeUndefined();
        expect(await store.revision()).toBe(0);
      });

      it('deletes by prefix in one revision, respecting the prefix boundary', async () => {
        const store = await open();
        await store.txn({ success: ['a/1', 'a/2', 'a/3/x', 'ab', 'a'].map((k) => put(k, k)) });
        const result = await store.txn({ success: [delPrefix('a/')] });
        expect(result).toEqual({ succeeded: true, revision: 2 });
        expect(keysOf((await store.list('')).kvs)).toEqual(['a', 'ab']);
        expect(await store.txn({ success: [delPrefix('a/')] })).toEqual({ succeeded: true, revision: 2 });
      });

      it('bumps the revision by one per changing transaction and never for a no-op', async () => {
        const store = await open();
        const revisions: number[] = [];
        for (let i = 0; i < 5; i++) revisions.push((await store.txn({ success: [put(`k${i}`, 'x'), put(`j${i}`, 'y')] })).revision);
        expect(revisions).toEqual([1, 2, 3, 4, 5]);
        expect(await store.txn({ success: [] })).toEqual({ succeeded: true, revision: 5 });
        expect(await store.txn({ success: [del('absent')] })).toEqual({ succeeded: true, revision: 5 });
        expect(await store.txn({ compare: [{ key: 'absent', exists: true }], success: [put('x', 'x')] })).toEqual({
          succeeded: false,
          revision: 5,
        });
        expect(await store.txn({ success: [put('k0', 'same')] })).toEqual({ succeeded: true, revision: 6 });
        expect(await store.revision()).toBe(6);
      });

      it('restarts version and createRevision after a delete', async () => {
        const store = await open();
        await store.txn({ success: [put('k', 'a')] });
        await store.txn({ success: [put('k', 'b')] });
        await store.txn({ success: [del('k')] });
        await store.txn({ success: [put('k', 'c')] });
        expect(await store.get('k')).toMatchObject({ createRevision: 4, modRevision: 4, version: 1 });
      });

      it('gives concurrent transactions distinct consecutive revisions, and one winner per CAS race', async () => {
        const store = await open();
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.txn({ success: [put(`c/${i}`, 'x')] })));
        expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const race = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.txn({ compare: [{ key: 'lock', modRevision: 0 }], success: [put('lock', `${i}`)] })),
        );
        expect(race.filter((r) => r.succeeded)).toHaveLength(1);
        expect((await store.get('lock'))?.version).toBe(1);
      });

      it('sees the effects of earlier concurrent transactions (same commit batch)', async () => {
        const store = await open();
        const pending = [
          store.txn({ success: [put('b/1', 'x')] }),
          store.txn({ success: [put('b/2', 'x')] }),
          store.txn({ success: [delPrefix('b/')] }),
          store.txn({ compare: [{ key: 'b/1', exists: false }], success: [put('b/done', 'x')] }),
        ];
        expect(await Promise.all(pending)).toEqual([
          { succeeded: true, revision: 1 },
          { succeeded: true, revision: 2 },
          { succeeded: true, revision: 3 },
          { succeeded: true, revision: 4 },
        ]);
        expect(keysOf((await store.list('b/')).kvs)).toEqual(['b/done']);
      });

      it('rejects malformed requests with INVALID_ARGUMENT naming the field', async () => {
        const store = await open();
        const cases: Array<[Promise<unknown>, string]> = [
          [store.get(''), 'key'],
          [store.get('\uD800x'), 'key'],
          [store.get('k'.repeat(MAX_KEY_BYTES + 1)), 'key'],
          [store.get('é'.repeat(MAX_KEY_BYTES / 2 + 1)), 'key'],
          [store.get(42 as never), 'key'],
          [store.list('a', { limit: 0 }), 'limit'],
          [store.list('a', { limit: 1.5 }), 'limit'],
          [store.list('\uDC00'), 'prefix'],
          [store.count(undefined as never), 'prefix'],
          [store.txn({ success: [put('a', '1'), put('a', '2')] }), 'success[1].put.key'],
          [store.txn({ success: [put('a/1', '1'), delPrefix('a/')] }), 'success[1].deletePrefix.prefix'],
          [store.txn({ success: [] , failure: [del('a'), put('a', '1')] }), 'failure[0].delete.key'],
          [store.txn({ success: [delPrefix('')] }), 'success[0].deletePrefix.prefix'],
          [store.txn({ success: [{ put: { key: 'a', value: 'text' as never } }] }), 'success[0].put.value'],
          [store.txn({ success: [{ put: { key: 'a', value: bytes('1') }, delete: { key: 'b' } } as never] }), 'success[0]'],
          [store.txn({ success: [{} as never] }), 'success[0]'],
          [store.txn({ compare: [{ key: 'a' }], success: [] }), 'compare[0]'],
          [store.txn({ compare: [{ key: 'a', modRevision: -1 }], success: [] }), 'compare[0].modRevision'],
          [store.txn({ success: undefined as never }), 'success'],
          [store.txn({ success: Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => put(`k${i}`, 'x')) }), 'success'],
          [store.txn({ success: [{ put: { key: 'big', value: new Uint8Array(MAX_TXN_BYTES) } }] }), 'success[0]'],
          [store.watch('p', { fromRevision: 0 }, () => undefined), 'fromRevision'],
        ];
        for (const [promise, field] of cases) await expectCode(promise, Code.INVALID_ARGUMENT, field);
        expect(await store.revision()).toBe(0);
        // the limits themselves are accepted
        await store.txn({ success: Array.from({ length: MAX_TXN_OPS }, (_, i) => put(`k${i}`, 'x')) });
        await store.txn({ success: [put('k'.repeat(MAX_KEY_BYTES), 'x')] });
        expect(await store.count('')).toBe(MAX_TXN_OPS + 1);
      });
    });

    describe('watch', () => {
      it('delivers one batch per transaction under the prefix, in order, with prevKv', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        await store.watch('a/', {}, listener);
        await store.txn({ success: [put('a/1', 'v1')] });
        await store.txn({ success: [put('a/1', 'v2'), put('b/1', 'x'), put('a/2', 'y')] });
        await store.txn({ success: [put('b/2', 'x')] });
        await store.txn({ success: [del('a/1')] });
        await store.txn({ success: [put('ab', 'not a/')] });
        await store.txn({ success: [delPrefix('a/')] });
        expect(summary(batches)).toEqual(['1:put a/1', '2:put a/1@1,put a/2', '4:delete a/1@2', '6:delete a/2@2']);
        const [, second, third] = batches;
        expect(second?.events[0]?.kv).toEqual({ key: 'a/1', value: bytes('v2'), createRevision: 1, modRevision: 2, version: 2 });
        expect(text(second?.events[0]?.prevKv?.value)).toBe('v1');
        expect(third?.events[0]?.kv).toMatchObject({ key: 'a/1', modRevision: 4, version: 0, createRevision: 0 });
        expect(text(third?.events[0]?.prevKv?.value)).toBe('v2');
      });

      it('calls listeners before txn() resolves', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        await store.watch('', {}, listener);
        const result = await store.txn({ success: [put('k', 'v')] });
        expect(batches.map((b) => b.revision)).toEqual([result.revision]);
      });

      it('lets a listener read the committed state of its batch', async () => {
        const store = await open();
        const reads: Array<Promise<unknown>> = [];
        await store.watch('', {}, (b) => {
          reads.push(Promise.all([store.get('k'), store.revision()]).then(([kv, rev]) => [text(kv?.value), kv?.modRevision, rev, b.revision]));
        });
        await store.txn({ success: [put('k', 'v1')] });
        await store.txn({ success: [put('k', 'v2')] });
        expect(await Promise.all(reads)).toEqual([
          ['v1', 1, 1, 1],
          ['v2', 2, 2, 2],
        ]);
      });

      it('delivers concurrent commits in revision order to every watcher', async () => {
        const store = await open();
        const all = recorder();
        const evens = recorder();
        await store.watch('', {}, all.listener);
        await store.watch('even/', {}, evens.listener);
        await Promise.all(Array.from({ length: 40 }, (_, i) => store.txn({ success: [put(`${i % 2 ? 'odd' : 'even'}/${i}`, 'x')] })));
        expect(all.batches.map((b) => b.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        const evenRevs = evens.batches.map((b) => b.revision);
        expect(evenRevs).toHaveLength(20);
        expect([...evenRevs].sort((a, b) => a - b)).toEqual(evenRevs);
      });

      it('stops on unsubscribe (idempotent) and on signal abort', async () => {
        const store = await open();
        const first = recorder();
        const second = recorder();
        const ac = new AbortController();
        const unsubscribe = await store.watch('', {}, first.listener);
        await store.watch('', { signal: ac.signal }, second.listener);
        await store.txn({ success: [put('k', '1')] });
        unsubscribe();
        unsubscribe();
        ac.abort();
        await store.txn({ success: [put('k', '2')] });
        expect(first.batches).toHaveLength(1);
        expect(second.batches).toHaveLength(1);
        const aborted = new AbortController();
        aborted.abort();
        await expect(store.watch('', { signal: aborted.signal }, () => undefined)).rejects.toMatchObject({ name: 'AbortError' });
      });

      it('isolates a throwing listener', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        await store.watch('', {}, () => {
          throw new Error('listener bug');
        });
        await store.watch('', {}, listener);
        expect(await store.txn({ success: [put('k', 'v')] })).toEqual({ succeeded: true, revision: 1 });
        expect(batches).toHaveLength(1);
      });

      it('keeps order when a listener commits from inside a batch', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        const inner: Promise<unknown>[] = [];
        await store.watch('in/', {}, (b) => {
          inner.push(store.txn({ success: [put(`out/${b.revision}`, 'x')] }));
        });
        await store.watch('', {}, listener);
        await store.txn({ success: [put('in/1', 'x')] });
        await store.txn({ success: [put('in/2', 'x')] });
        await store.txn({ success: [put('last', 'x')] });
        await Promise.all(inner);
        const revisions = batches.map((b) => b.revision);
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        expect(revisions).toHaveLength(5);
      });

      it('replays exactly from a revision within the history', async () => {
        const store = await open();
        await store.txn({ success: [put('w/1', 'a')] });
        const listed = await store.list('w/');
        await store.txn({ success: [put('w/2', 'b')] });
        await store.txn({ success: [put('x/1', 'b')] });
        await store.txn({ success: [del('w/1')] });
        const { batches, listener } = recorder();
        await store.watch('w/', { fromRevision: listed.revision + 1 }, listener);
        expect(summary(batches)).toEqual(['2:put w/2', '4:delete w/1@1']);
        await store.txn({ success: [put('w/3', 'c')] });
        expect(summary(batches).at(-1)).toBe('5:put w/3');
      });

      it('replays a snapshot when the revision is older than the history', async () => {
        const store = await open({ historyLimit: 2 });
        for (const op of [put('s/1', 'a'), put('s/2', 'b'), put('t/1', 'c'), del('s/1'), put('s/3', 'd')]) {
          await store.txn({ success: [op] });
        }
        const { batches, listener } = recorder();
        await store.watch('s/', { fromRevision: 2 }, listener);
        expect(summary(batches)).toEqual(['5(snapshot):put s/2,put s/3']);
        const empty = recorder();
        await store.watch('none/', { fromRevision: 1 }, empty.listener);
        expect(summary(empty.batches)).toEqual(['5(snapshot):']);
        const recent = recorder();
        await store.watch('s/', { fromRevision: 4 }, recent.listener);
        expect(summary(recent.batches)).toEqual(['4:delete s/1@1', '5:put s/3']);
        await store.txn({ success: [put('s/4', 'e')] });
        expect(summary(batches).at(-1)).toBe('6:put s/4');
        expect(summary(recent.batches).at(-1)).toBe('6:put s/4');
      });

      it('waits for a future fromRevision', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        await store.watch('', { fromRevision: 3 }, listener);
        for (let i = 1; i <= 4; i++) await store.txn({ success: [put(`k${i}`, 'x')] });
        expect(batches.map((b) => b.revision)).toEqual([3, 4]);
      });
    });

    describe('lifecycle', () => {
      it('rejects every call after close with UNAVAILABLE; close is idempotent', async () => {
        const store = await open();
        const { batches, listener } = recorder();
        await store.watch('', {}, listener);
        await store.txn({ success: [put('k', 'v')] });
        const closing = store.close();
        expect(store.close()).toBe(closing);
        await closing;
        await store.close();
        await expectCode(store.get('k'), Code.UNAVAILABLE);
        await expectCode(store.list(''), Code.UNAVAILABLE);
        await expectCode(store.count(''), Code.UNAVAILABLE);
        await expectCode(store.txn({ success: [put('k', 'v')] }), Code.UNAVAILABLE);
        await expectCode(store.watch('', {}, () => undefined), Code.UNAVAILABLE);
        await expectCode(store.revision(), Code.UNAVAILABLE);
        expect(batches).toHaveLength(1);
      });

      it('finishes transactions started before close', async () => {
        const store = await open();
        const pending = store.txn({ success: [put('k', 'v')] });
        const closing = store.close();
        expect(await pending).toEqual({ succeeded: true, revision: 1 });
        await closing;
      });

      it('rejects with the reason of an aborted signal and writes nothing', async () => {
        const store = await open();
        const ac = new AbortController();
        ac.abort();
        await expect(store.get('k', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
        await expect(store.list('', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
        const timedOut = new AbortController();
        timedOut.abort(new DOMException('deadline', 'TimeoutError'));
        await expect(store.txn({ success: [put('k', 'v')] }, { signal: timedOut.signal })).rejects.toMatchObject({
          name: 'TimeoutError',
        });
        expect(await store.revision()).toBe(0);
      });
    });
  });
}
