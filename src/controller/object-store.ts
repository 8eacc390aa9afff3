import { ObjectCache } from '../cache/object-cache.js';
import type { ObjectKind } from '../cache/object-kind.js';
import { Code, CodedError, internal, invalidArgument } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { MAX_TXN_BYTES, MAX_TXN_OPS, type Op, type Store } from '../store/store.js';
import { decodeMessage } from '../wire/decode.js';

/** Store key of an object: `<full type name>/<key string>`, e.g. `edgeproto.Flavor/{"name":"x1"}`. */
export function storeKeyOf(kind: ObjectKind, key: string): string {
  return `${kind.name}/${key}`;
}

/** One write of a transaction: the new value, or undefined for a delete. */
interface PendingWrite {
  kind: ObjectKind;
  key: string;
  value: unknown;
  bytes?: Uint8Array;
}

/** The writes of one transaction, collected by {@link WriteTx}, by store key. */
type Pending = Map<string, PendingWrite>;

/**
 * A transaction under the controller's write lock. Reads see the committed caches, then the writes of earlier
 * transactions that are submitted but not yet durable, then this transaction's own writes. Nothing is visible in
 * the caches (and to notify) until `ObjectStore.write` has made it durable, and then all of it at once.
 */
export class WriteTx {
  readonly pending: Pending = new Map();

  constructor(private readonly store: ObjectStore) {}

  /** The object as this transaction sees it. */
  get<T>(kind: ObjectKind<T>, key: string): T | undefined {
    const own = this.pending.get(storeKeyOf(kind, key));
    if (own) return own.value as T | undefined;
    return this.store.latest(kind, key);
  }

  /** Every object of a kind as this transaction sees it. */
  list<T>(kind: ObjectKind<T>): T[] {
    const out = new Map<string, T>();
    for (const key of this.store.cache(kind).keys()) {
      const v = this.store.cache(kind).get(key);
      if (v !== undefined) out.set(key, v);
    }
    for (const p of [...this.store.inFlightWrites(), ...this.pending.values()]) {
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
    for (const p of [...this.store.inFlightWrites(), ...this.pending.values()]) {
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
 * writes that change the Store and then the caches. Transactions run one at a time under one lock, so a
 * transaction's checks (references, resources) and its writes are atomic with respect to every other API call.
 * The lock is released as soon as a transaction is submitted to the Store, not when it is durable: the next
 * transaction already sees the submitted writes, and the Store commits them in order, so concurrent callers share
 * one durable commit (group commit). A caller's `write` resolves only once its own writes are durable and in the
 * caches. If a commit ever fails, every later write is refused with UNAVAILABLE (fail-stop): the controller must
 * restart and reload from the Store, which holds exactly what was committed. Reads come from the caches and never
 * wait.
 */
export class ObjectStore {
  private readonly caches = new Map<string, ObjectCache<unknown>>();
  /** Per cloudlet-scoped kind: cloudlet key string → keys of the objects on it. Kept in step with the caches. */
  private readonly byCloudlet = new Map<string, Map<string, Set<string>>>();
  private lock: Promise<void> = Promise.resolve();
  /** Writes submitted to the Store but not yet durable, latest per store key, with the submitting sequence. */
  private readonly inFlight = new Map<string, PendingWrite & { seq: number }>();
  private seq = 0;
  private applied: Promise<void> = Promise.resolve();
  private failure: unknown;

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

  /** The latest submitted version of an object: in flight if a pending commit changes it, else committed. */
  latest<T>(kind: ObjectKind<T>, key: string): T | undefined {
    const flying = this.inFlight.get(storeKeyOf(kind, key));
    if (flying) return flying.value as T | undefined;
    return this.cache(kind).get(key);
  }

  /** Writes submitted but not yet durable (what the next transaction must see on top of the caches). */
  inFlightWrites(): Iterable<PendingWrite> {
    return this.inFlight.values();
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
    let durable: Promise<void> | undefined;
    let result: R;
    try {
      if (this.failure !== undefined) {
        throw new CodedError(Code.UNAVAILABLE, 'the store failed to commit; restart the controller', { cause: this.failure });
      }
      const tx = new WriteTx(this);
      result = await fn(tx);
      if (tx.pending.size > 0) durable = this.submit(tx.pending);
    } finally {
      release();
    }
    if (durable) await durable;
    return result;
  }

  /**
   * Encodes and submits one transaction (checking the Store's limits first, so nothing is submitted that the Store
   * would refuse), makes its writes visible to later transactions, and returns the promise that it is durable and
   * applied to the caches, in submission order.
   */
  private submit(pending: Pending): Promise<void> {
    const ops: Op[] = [];
    let bytes = 0;
    for (const [storeKey, p] of pending) {
      if (p.value === undefined) {
        ops.push({ delete: { key: storeKey } });
      } else {
        p.bytes = p.kind.codec.encode(p.value).finish();
        bytes += p.bytes.byteLength + storeKey.length;
        ops.push({ put: { key: storeKey, value: p.bytes } });
      }
    }
    if (ops.length > MAX_TXN_OPS) throw invalidArgument('request', `changes ${ops.length} objects at once; at most ${MAX_TXN_OPS}`);
    if (bytes > MAX_TXN_BYTES) throw invalidArgument('request', `changes ${bytes} bytes at once; at most ${MAX_TXN_BYTES}`);
    const seq = ++this.seq;
    for (const [storeKey, p] of pending) this.inFlight.set(storeKey, { ...p, seq });
    const committed = this.store.txn({ success: ops });
    const forget = (): void => {
      for (const storeKey of pending.keys()) if (this.inFlight.get(storeKey)?.seq === seq) this.inFlight.delete(storeKey);
    };
    const applied = this.applied.then(() => committed).then(
      () => {
        for (const p of pending.values()) {
          const cache = this.cache(p.kind);
          this.index(p.kind, p.key, cache.get(p.key), p.value);
          if (p.value === undefined) cache.delete(p.key);
          else cache.update(p.value, p.bytes);
        }
        forget();
        this.log.trace({ ops: ops.length }, 'objects committed');
      },
      (err: unknown) => {
        this.failure ??= err;
        forget();
        this.log.error({ err }, 'store commit failed; refusing further writes');
        throw err;
      },
    );
    this.applied = applied.catch(() => undefined);
    return applied;
  }
}
