import type { ObjectCache } from '../cache/object-cache.js';
import type { Logger } from '../core/logger.js';
import { MAX_TXN_OPS, type Op, type Store } from '../store/store.js';

const PREFIX = 'desired/';

/**
 * Keeps the desired state the controller sent (the notify mirrors) in the CRM's local crash-safe store, so that a
 * CRM started while the controller is unreachable restores its workloads from it.
 *
 * `restore()` loads what was kept into the caches (call it before `attach()` and before notify starts).
 * `attach()` then writes every cache change behind, in batched transactions (the latest value per key wins).
 * A change that was received but not yet written when the process dies is simply received again on the next
 * resync. A write that fails is logged and retried on the next change or `flush()`. Nothing here waits except
 * `flush()`.
 */
export class DesiredStore {
  private readonly dirty = new Map<string, { cache: ObjectCache<unknown>; key: string }>();
  private readonly unwatch: (() => void)[] = [];
  private writing: Promise<boolean> | undefined;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly caches: readonly ObjectCache<unknown>[],
    private readonly log: Logger,
  ) {}

  /** Loads every kept object into its cache (as its stored bytes). Returns how many. Undecodable entries are skipped. */
  async restore(): Promise<number> {
    let restored = 0;
    for (const cache of this.caches) {
      const prefix = `${PREFIX}${cache.kind.name}/`;
      let startAfter: string | undefined;
      for (;;) {
        const page = await this.store.list(prefix, { limit: 1000, startAfter });
        for (const kv of page.kvs) {
          try {
            const value = cache.kind.codec.decode(kv.value);
            // A fresh string: a slice would keep the whole store key alive for the life of the cache entry.
            cache.update(value, kv.value, Buffer.from(kv.key.slice(prefix.length), 'utf8').toString('utf8'));
            restored++;
          } catch (err) {
            this.log.warn({ key: kv.key, err }, 'kept desired object unreadable, skipped');
          }
        }
        if (!page.more) break;
        startAfter = page.kvs[page.kvs.length - 1]?.key;
      }
    }
    return restored;
  }

  /** Starts writing cache changes behind. Idempotent per call site; undone by `close()`. */
  attach(): void {
    for (const cache of this.caches) {
      this.unwatch.push(cache.watch((change) => {
        this.dirty.set(`${PREFIX}${cache.kind.name}/${change.key}`, { cache, key: change.key });
        this.schedule();
      }));
    }
  }

  /** Resolves once every change made before the call is written (or its write failed and was logged). */
  async flush(): Promise<void> {
    while (this.writing || this.dirty.size > 0) {
      if (!this.writing) this.writing = this.writeBatch();
      if (!(await this.writing)) return;
    }
  }

  /** Stops watching and writes what is pending. */
  async close(): Promise<void> {
    for (const u of this.unwatch.splice(0)) u();
    await this.flush();
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.writing && this.dirty.size > 0) this.writing = this.writeBatch();
    });
  }

  private async writeBatch(): Promise<boolean> {
    const batch = [...this.dirty.entries()].slice(0, MAX_TXN_OPS);
    for (const [storeKey] of batch) this.dirty.delete(storeKey);
    const ops: Op[] = batch.map(([storeKey, { cache, key }]) => {
      const entry = cache.getEntry(key);
      return entry ? { put: { key: storeKey, value: entry.bytes } } : { delete: { key: storeKey } };
    });
    let ok = true;
    try {
      await this.store.txn({ success: ops });
    } catch (err) {
      ok = false;
      this.log.error({ err, count: ops.length }, 'desired state write failed');
      for (const [storeKey, ref] of batch) if (!this.dirty.has(storeKey)) this.dirty.set(storeKey, ref);
    }
    this.writing = undefined;
    if (this.dirty.size > 0 && this.unwatch.length > 0) {
      if (ok) this.schedule();
      else setTimeout(() => this.schedule(), 200).unref();
    }
    return ok;
  }
}
