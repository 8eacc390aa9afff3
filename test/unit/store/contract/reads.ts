/** Store contract: reads, key order, paging, and the lifecycle. */
import { describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { compareKeys } from '../../../../src/store/index.js';
import { bytes, expectCode, keysOf, put, recorder, text, type OpenStore } from './helpers.js';

export function readContract(open: OpenStore): void {
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
      expect((await store.list('', { startAfter: '' })).kvs).toHaveLength(27);
      expect(keysOf((await store.list('', { startAfter: 'o/9', limit: 1 })).kvs)).toEqual(['p/00']);
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
}
