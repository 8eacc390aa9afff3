import { ObjectCache } from '../cache/object-cache.js';
import type { ObjectKind } from '../cache/object-kind.js';
import { internal } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Op, Store } from '../store/store.js';
import { decodeMessage } from '../wire/decode.js';

/** Store key of an object: `<full type name>/<key string>`, e.g. `edgeproto.Flavor/{"name":"x1"}`. */
export function storeKeyOf(kind: ObjectKind, key: string): string {
  return `${kind.name}/${key}`;
}

/** The writes of one transaction, collected by {@link WriteTx}. */
type Pending = Map<string, { kind: ObjectKind; key: string; value: unknown; bytes?: Uint8Array }>;

/**
 * A transaction under the controller's write lock. Reads see the committed caches plus this transaction's own
 * writes; nothing is visible to others until `ObjectStore.write` commits, and then all of it at once.
 */
export class WriteTx {
  readonly pending: Pending = new Map();

  constructor(private readonly store: ObjectStore) {}

  /** The object as this transaction sees it. */
  get<T>(kind: ObjectKind<T>, key: string): T | undefined {
    const own = this.pending.get(storeKeyOf(kind, key));
    if (own) return own.value as T | undefined;
    return this.store.cache(kind).get(key);
  }

  /** Every object of a kind as this transaction sees it. */
  list<T>(kind: ObjectKind<T>): T[] {
    const out = new Map<string, T>();
    for (const key of this.store.cache(kind).keys()) {
      const v = this.store.cache(kind).get(key);
      if (v !== undefined) out.set(key, v);
    }
    for (const p of this.pending.values()) {
      if (p.kind.name !== kind.name) continue;
      if (p.value === undefined) out.delete(p.key);
      else out.set(p.key, p.value as T);
    }
    return [...out.values()];
  }

  /**
   * The objects of a cloudlet-scoped kind (ClusterInst, AppInst...) on one cloudlet, as this transaction sees
   * them, with their key strings, sorted by key. Uses the store's per-cloudlet index: the cost is the number of
   * objects on that cloudlet, not of all objects.
   */
  listOnCloudlet<T>(kind: ObjectKind<T>, cloudletKey: string): Array<[key: string, value: T]> {
    const cache = this.store.cache(kind);
    const out = new Map<string, T>();
    for (const key of this.store.keysOnCloudlet(kind, cloudletKey)) {
      const v = cache.get(key);
      if (v !== undefined) out.set(key, v);
    }
    for (const p of this.pending.values()) {
      if (p.kind.name !== kind.name) continue;
      if (p.value !== undefined && kind.cloudletKeyOf?.(p.value as T) === cloudletKey) out.set(p.key, p.value as T);
      else out.delete(p.key);
    }
    return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Stores (creates or replaces) `value`. */
  put<T>(kind: ObjectKind<T>, value: T): void {
    const key = kind.keyOf(value);
    this.pending.set(storeKeyOf(kind, key), { kind, key, value });
  }

  /** Deletes the object with this key (a no-op if absent). */
  delete(kind: ObjectKind, key: string): void {
    this.pending.set(storeKeyOf(kind, key), { kind, key, value: undefined });
  }
}

/**
 * The controller's objects: one {@link ObjectCache} per kind, loaded from the Store at start, and transactional
 * writes that change the Store and then the caches. All writes are serialized by one lock, so a transaction's
 * checks (references, resources) and its writes are atomic with respect to every other API call. Reads come from
 * the caches and never wait.
 */
export class ObjectStore {
  private readonly caches = new Map<string, ObjectCache<unknown>>();
  /** Per cloudlet-scoped kind: cloudlet key string → keys of the objects on it. Kept in step with the caches. */
  private readonly byCloudlet = new Map<string, Map<string, Set<string>>>();
  private lock: Promise<void> = Promise.resolve();

  private constructor(private readonly store: Store, private readonly log: Logger) {}

  /** Opens the object store over `store`, loading every object of `kinds` into memory. */
  static async open(store: Store, kinds: readonly ObjectKind[], log: Logger): Promise<ObjectStore> {
    const objects = new ObjectStore(store, log);
    for (const kind of kinds) {
      const cache = new ObjectCache<unknown>(kind);
      objects.caches.set(kind.name, cache);
      let startAfter: string | undefined;
      for (;;) {
        const page = await store.list(`${kind.name}/`, { limit: 1000, startAfter });
        for (const kv of page.kvs) {
          try {
            cache.update(decodeMessage(kind.codec, kv.value, kv.key), kv.value);
          } catch (err) {
            log.error({ err, key: kv.key }, 'stored object unreadable, skipped');
          }
        }
        const last = page.kvs[page.kvs.length - 1];
        if (!page.more || !last) break;
        startAfter = last.key;
      }
      if (kind.cloudletKeyOf) {
        const index = new Map<string, Set<string>>();
        objects.byCloudlet.set(kind.name, index);
        for (const key of cache.keys()) objects.index(kind, key, undefined, cache.get(key));
      }
    }
    return objects;
  }

  /** Keys of the objects of `kind` on a cloudlet (empty for kinds not tied to a cloudlet). Read only. */
  keysOnCloudlet(kind: ObjectKind, cloudletKey: string): ReadonlySet<string> {
    return this.byCloudlet.get(kind.name)?.get(cloudletKey) ?? new Set();
  }

  private index(kind: ObjectKind, key: string, old: unknown, value: unknown): void {
    const index = this.byCloudlet.get(kind.name);
    if (!index || !kind.cloudletKeyOf) return;
    if (old !== undefined) {
      const cloudlet = kind.cloudletKeyOf(old);
      const keys = index.get(cloudlet);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(cloudlet);
    }
    if (value !== undefined) {
      const cloudlet = kind.cloudletKeyOf(value);
      let keys = index.get(cloudlet);
      if (!keys) index.set(cloudlet, (keys = new Set()));
      keys.add(key);
    }
  }

  /** The cache of a kind. Throws INTERNAL for a kind the store was not opened with (a programming error). */
  cache<T>(kind: ObjectKind<T>): ObjectCache<T> {
    const cache = this.caches.get(kind.name);
    if (!cache) throw internal(`object store has no kind ${kind.name}`);
    return cache as ObjectCache<T>;
  }

  /**
   * Runs `fn` under the write lock and commits what it wrote as one Store transaction; the caches (and their
   * watchers, such as notify) change only after the commit succeeded. If `fn` throws, nothing is written and the
   * error propagates. Resolves to `fn`'s result.
   */
  async write<R>(fn: (tx: WriteTx) => R | Promise<R>): Promise<R> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      const tx = new WriteTx(this);
      const result = await fn(tx);
      if (tx.pending.size > 0) await this.commit(tx.pending);
      return result;
    } finally {
      release();
    }
  }

  private async commit(pending: Pending): Promise<void> {
    const ops: Op[] = [];
    for (const [storeKey, p] of pending) {
      if (p.value === undefined) {
        ops.push({ delete: { key: storeKey } });
      } else {
        p.bytes = p.kind.codec.encode(p.value).finish();
        ops.push({ put: { key: storeKey, value: p.bytes } });
      }
    }
    await this.store.txn({ success: ops });
    for (const p of pending.values()) {
      const cache = this.cache(p.kind);
      this.index(p.kind, p.key, cache.get(p.key), p.value);
      if (p.value === undefined) cache.delete(p.key);
      else cache.update(p.value, p.bytes);
    }
    this.log.trace({ ops: ops.length }, 'objects committed');
  }
}
