/** Store contract: watch delivery, order and replay. */
import { describe, expect, it } from 'vitest';
import { bytes, del, delPrefix, put, recorder, summary, text, type OpenStore } from './helpers.js';

export function watchContract(open: OpenStore): void {
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

}
