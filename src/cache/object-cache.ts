import type { EncodedObject } from './encoded-object.js';
import type { MessageCodec } from '../wire/message-codec.js';
import type { ObjectKind } from './object-kind.js';

/**
 * One cached object with its encoded bytes (kept so senders never encode the same version twice). An object stored
 * encoded ({@link ObjectCache.updateEncoded}) is decoded when `value` is first read, then kept; for such an entry
 * `value` is a getter of its class, so spreading the entry copies `bytes` only (read `value` instead).
 */
export interface CacheEntry<T> {
  readonly value: T;
  readonly bytes: Uint8Array;
}

/**
 * A change that happened to a cache. `old` is the previous value (undefined on create). `value` and `old` may be
 * getters that decode an encoded object on first read (a watcher that does not read them costs no decode).
 */
export type CacheChange<T> =
  | { readonly kind: 'update'; readonly key: string; readonly value: T; readonly old: T | undefined }
  | { readonly kind: 'delete'; readonly key: string; readonly old: T };

/** A watcher of a cache. Called synchronously after each change; it must not throw (errors are swallowed). */
export type CacheListener<T> = (change: CacheChange<T>) => void;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * An entry whose value is decoded from `bytes` on first read, then kept. `value` is a getter of the class (not an
 * own property of the entry), so reading it works as with a plain entry, while spreading one copies `bytes` only.
 * `bytes` passed the wire check, so the decode cannot fail.
 */
class LazyEntry<T> implements CacheEntry<T> {
  #value: T | undefined;
  readonly #codec: MessageCodec<T>;
  readonly #keep: boolean;

  constructor(codec: MessageCodec<T>, readonly bytes: Uint8Array, keep = true) {
    this.#codec = codec;
    this.#keep = keep;
  }

  get value(): T {
    if (!this.#keep) return this.#codec.decode(this.bytes);
    return (this.#value ??= this.#codec.decode(this.bytes));
  }

  /** True once the value has been decoded. */
  get decoded(): boolean {
    return this.#value !== undefined;
  }
}

/** An entry whose value is at hand (no decode needed to read it). */
function resolved(entry: CacheEntry<unknown> | undefined): boolean {
  return !(entry instanceof LazyEntry) || entry.decoded;
}

/**
 * The change of an update. With values at hand it is a plain object, as it always was; otherwise `value` and `old`
 * are own getters that decode on first read, so a watcher that does not look at them decodes nothing.
 */
function updateChange<T>(key: string, entry: CacheEntry<T>, old: CacheEntry<T> | undefined): CacheChange<T> {
  if (resolved(entry) && resolved(old)) return { kind: 'update', key, value: entry.value, old: old?.value };
  return {
    kind: 'update',
    key,
    get value(): T {
      return entry.value;
    },
    get old(): T | undefined {
      return old?.value;
    },
  };
}

function deleteChange<T>(key: string, old: CacheEntry<T>): CacheChange<T> {
  if (resolved(old)) return { kind: 'delete', key, old: old.value };
  return {
    kind: 'delete',
    key,
    get old(): T {
      return old.value;
    },
  };
}

/** Options of an {@link ObjectCache}. */
export interface ObjectCacheOptions {
  /**
   * Keep decoded values (default true). False keeps only the bytes and decodes on every read: less memory for
   * large caches whose objects are read rarely (a CRM's thousands of AppInsts), at a decode per read.
   */
  readonly keepDecoded?: boolean;
}

/**
 * A keyed, watchable mirror of one object kind, as notify senders and receivers use it. Objects are stored with
 * their encoded bytes; an update whose bytes equal what is stored is a no-op and notifies nobody, so repeated
 * identical UPDATEs (a resync, the original's CloudletInfo-triggered resends) cause no downstream change.
 * A notify mirror stores what it receives encoded ({@link updateEncoded}): nothing is decoded until read.
 * Synchronous and single-threaded; watchers run in registration order.
 */
export class ObjectCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>();
  private readonly listeners = new Set<CacheListener<T>>();
  private readonly keepDecoded: boolean;

  constructor(readonly kind: ObjectKind<T>, options: ObjectCacheOptions = {}) {
    this.keepDecoded = options.keepDecoded ?? true;
  }

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
    const entry: CacheEntry<T> = this.keepDecoded ? { value, bytes: encoded } : new LazyEntry(this.kind.codec, encoded, false);
    this.entries.set(key, entry);
    if (this.listeners.size > 0) this.emit(updateChange(key, entry, old));
    return true;
  }

  /**
   * Stores an encoded object (from {@link readEncoded}, which checked its bytes and computed its key) without
   * decoding it: its value is decoded when first read (`get`, `values`, `getEntry().value`, a change's `value` or
   * `old`). Like `update`: returns true when something changed (and watchers were told), false when the stored
   * bytes were identical, in which case nothing is decoded at all. Throws when `object` is of another kind.
   */
  updateEncoded(object: EncodedObject<T>): boolean {
    if (object.kind.codec !== this.kind.codec) throw new Error(`${object.kind.name} object given to the ${this.kind.name} cache`);
    const { key, bytes } = object;
    const old = this.entries.get(key);
    if (old && sameBytes(old.bytes, bytes)) return false;
    const entry = new LazyEntry(this.kind.codec, bytes, this.keepDecoded);
    this.entries.set(key, entry);
    if (this.listeners.size > 0) this.emit(updateChange(key, entry, old));
    return true;
  }

  /** Removes the object with this key. Returns true when it existed (and watchers were told). Idempotent. */
  delete(key: string): boolean {
    const old = this.entries.get(key);
    if (!old) return false;
    this.entries.delete(key);
    if (this.listeners.size > 0) this.emit(deleteChange(key, old));
    return true;
  }

  /** Deletes every object for which `keep(key, value)` is false; returns the deleted keys. */
  prune(keep: (key: string, value: T) => boolean): string[] {
    const doomed = [...this.entries].filter(([key, entry]) => !keep(key, entry.value)).map(([key]) => key);
    for (const key of doomed) this.delete(key);
    return doomed;
  }

  /** Like `prune`, deciding by key alone, so that nothing is decoded. Returns the deleted keys. */
  pruneKeys(keep: (key: string) => boolean): string[] {
    const doomed: string[] = [];
    for (const key of this.entries.keys()) if (!keep(key)) doomed.push(key);
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
