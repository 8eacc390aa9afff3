/** Store contract: transactions, revisions and argument validation. */
import { describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { MAX_KEY_BYTES, MAX_TXN_BYTES, MAX_TXN_OPS, type TxnRequest } from '../../../../src/store/index.js';
import { bytes, del, delPrefix, expectCode, keysOf, put, text, type OpenStore } from './helpers.js';

export function transactionContract(open: OpenStore): void {
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

}
