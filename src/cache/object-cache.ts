import type { ObjectKind } from './object-kind.js';

/** One cached object with its encoded bytes (kept so senders never encode the same version twice). */
export interface CacheEntry<T> {
  readonly value: T;
  readonly bytes: Uint8Array;
}

/** A change that happened to a cache. `old` is the previous value (undefined on create). */
export type CacheChange<T> =
  | { readonly kind: 'update'; readonly key: string; readonly value: T; readonly old: T | undefined }
  | { readonly kind: 'delete'; readonly key: string; readonly old: T };

/** A watcher of a cache. Called synchronously after each change; it must not throw (errors are swallowed). */
export type CacheListener<T> = (change: CacheChange<T>) => void;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * A keyed, watchable mirror of one object kind, as notify senders and receivers use it. Objects are stored with
 * their encoded bytes; an update whose bytes equal what is stored is a no-op and notifies nobody, so repeated
 * identical UPDATEs (a resync, the original's CloudletInfo-triggered resends) cause no downstream change.
 * Synchronous and single-threaded; watchers run in registration order.
 */
export class ObjectCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>();
  private readonly listeners = new Set<CacheListener<T>>();

  constructor(readonly kind: ObjectKind<T>) {}

  /** Number of objects. */
  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /** The object with its encoded bytes, or undefined. */
  getEntry(key: string): CacheEntry<T> | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  /**
   * Stores `value` under its key. `bytes` are its encoding when the caller already has them (a received Any);
   * otherwise the cache encodes it. `key` is `kind.keyOf(value)` when the caller already computed it. Returns true
   * when something changed (and watchers were told), false when the stored bytes were identical. Idempotent.
   */
  update(value: T, bytes?: Uint8Array, key: string = this.kind.keyOf(value)): boolean {
    const encoded = bytes ?? this.kind.codec.encode(value).finish();
    const old = this.entries.get(key);
    if (old && sameBytes(old.bytes, encoded)) return false;
    this.entries.set(key, { value, bytes: encoded });
    this.emit({ kind: 'update', key, value, old: old?.value });
    return true;
  }

  /** Removes the object with this key. Returns true when it existed (and watchers were told). Idempotent. */
  delete(key: string): boolean {
    const old = this.entries.get(key);
    if (!old) return false;
    this.entries.delete(key);
    this.emit({ kind: 'delete', key, old: old.value });
    return true;
  }

  /** Deletes every object for which `keep(key, value)` is false; returns the deleted keys. */
  prune(keep: (key: string, value: T) => boolean): string[] {
    const doomed = [...this.entries].filter(([key, entry]) => !keep(key, entry.value)).map(([key]) => key);
    for (const key of doomed) this.delete(key);
    return doomed;
  }

  /** Registers a watcher; returns the function that removes it. */
  watch(listener: CacheListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: CacheChange<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A watcher's failure must not break the cache or other watchers; watchers log their own errors.
      }
    }
  }
}
