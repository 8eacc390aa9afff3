/**
 * The `Store` interface: the controller's persistent state as a revisioned key-value store shaped like etcd v3,
 * so that an etcd backend can later sit behind the same interface. See `README.md` in this folder for the design
 * note (revision rules, watch replay, durability, limits).
 */

/**
 * One stored key with its value and revisions (etcd `mvccpb.KeyValue`).
 *
 * - `createRevision`: revision of the transaction that created the key (since its last deletion).
 * - `modRevision`: revision of the transaction that last put it.
 * - `version`: number of puts since creation, 1 after the creating put; a delete resets the key entirely.
 *
 * KVs handed out by a store are snapshots: later changes never alter them. Treat `value` as read-only (watch
 * events share one KV between all listeners of a commit).
 */
export interface KV {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

/** Options of a read that may wait (a network backend); the embedded backends only check it on entry. */
export interface ReadOptions {
  signal?: AbortSignal | undefined;
}

/** Options of {@link Store.list}. */
export interface ListOptions extends ReadOptions {
  /** At most this many KVs (integer >= 1). Default: no limit. */
  limit?: number | undefined;
  /** Only keys strictly greater than this one (the last key of the previous page). */
  startAfter?: string | undefined;
}

/** Result of {@link Store.list}. */
export interface ListResult {
  /** The matching KVs in key order (UTF-8 byte order, i.e. code point order). */
  readonly kvs: readonly KV[];
  /** True when more keys match after the last one returned (ask again with `startAfter` = last key). */
  readonly more: boolean;
  /** Store revision the page was read at; `watch(prefix, { fromRevision: revision + 1 })` continues from it. */
  readonly revision: number;
}

/**
 * One condition of a transaction. At least one of `modRevision` and `exists` is given; when both are, both
 * must hold. Conditions are evaluated against the state before the transaction, all of them (logical AND).
 */
export interface Compare {
  readonly key: string;
  /** The key's current `modRevision` must equal this; 0 means the key must not exist (create-if-absent). */
  readonly modRevision?: number | undefined;
  /** The key must exist (true) or must not exist (false). */
  readonly exists?: boolean | undefined;
}

/** A write of a transaction; exactly one of the three forms. */
export type Op =
  | { readonly put: { readonly key: string; readonly value: Uint8Array } }
  | { readonly delete: { readonly key: string } }
  | { readonly deletePrefix: { readonly prefix: string } };

/**
 * A transaction: if every `compare` holds, apply `success`, otherwise apply `failure` (default none).
 * Ops of one branch are applied in order; within one branch a key may be put at most once and may not be both
 * put and deleted (INVALID_ARGUMENT otherwise, as etcd's "duplicate key given in txn request").
 */
export interface TxnRequest {
  readonly compare?: readonly Compare[] | undefined;
  readonly success: readonly Op[];
  readonly failure?: readonly Op[] | undefined;
}

/** Result of {@link Store.txn}. */
export interface TxnResult {
  /** True when every compare held and the `success` branch was applied. */
  readonly succeeded: boolean;
  /**
   * The store revision after the transaction. When it changed something, this is its own new revision (the
   * `modRevision` of every key it put); when it changed nothing, the unchanged current revision.
   */
  readonly revision: number;
}

/** Options of {@link Store.txn}. */
export interface TxnOptions {
  /**
   * Cancels the transaction if it aborts before the transaction is applied (it then rejects with
   * `signal.reason` and nothing is written). Once applied, the outcome is reported whatever the signal does,
   * so a transaction is never left ambiguous.
   */
  signal?: AbortSignal | undefined;
}

/** One change in a {@link WatchBatch}. */
export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /**
   * For a put, the new KV. For a delete, `{ key, value: empty, createRevision: 0, modRevision: <revision of the
   * delete>, version: 0 }` (as etcd).
   */
  readonly kv: KV;
  /**
   * The KV before this change: the overwritten KV of a put (undefined when the put created the key), the removed
   * KV of a delete. The embedded backends always set it for deletes.
   */
  readonly prevKv?: KV | undefined;
}

/** What a watch listener receives: the changes of one committed transaction, under the watched prefix. */
export interface WatchBatch {
  /** Revision of the transaction (or, for a snapshot, the revision the snapshot was read at). */
  readonly revision: number;
  /** The changes, in the order of the transaction's ops; never empty unless `snapshot` is true. */
  readonly events: readonly WatchEvent[];
  /**
   * True for a replay that could not be exact (see {@link WatchOptions.fromRevision}): `events` are then the
   * complete current contents of the prefix as puts, and anything the consumer holds that is not in it was
   * deleted meanwhile (prune it). Absent or false for a normal batch.
   */
  readonly snapshot?: boolean | undefined;
}

/**
 * Receives batches synchronously, once per committed transaction that touched the prefix, in revision order.
 * It must not throw (an exception is logged and ignored) and should return quickly.
 */
export type WatchListener = (batch: WatchBatch) => void;

/** Options of {@link Store.watch}. */
export interface WatchOptions {
  /**
   * First revision of interest (integer >= 1). Default: the next commit after the watch is established.
   * - above the current revision: batches from that revision on;
   * - within the history the backend retains (the embedded backends keep the last `historyLimit` revisions
   *   committed by this process): the exact batches from that revision on, replayed first;
   * - older: one `snapshot` batch (current contents of the prefix as puts), then live batches.
   */
  fromRevision?: number | undefined;
  /** Aborting it unsubscribes, like calling the returned function. An aborted signal rejects the watch. */
  signal?: AbortSignal | undefined;
}

/** Stops a watch; idempotent, never throws. No batch is delivered after it returns. */
export type Unsubscribe = () => void;

/**
 * A revisioned key-value store (etcd v3 semantics, without MVCC history reads).
 *
 * Revisions: an empty store is at revision 0. Every transaction that changes at least one key (any put, or a
 * delete of an existing key) commits as exactly one new revision, the previous one + 1. A transaction that
 * changes nothing (compare failed without failure ops, only deletes of absent keys) keeps the revision and
 * notifies no watcher.
 *
 * Keys are non-empty, well-formed (no lone surrogate) strings of at most {@link MAX_KEY_BYTES} UTF-8 bytes,
 * ordered by their UTF-8 bytes. A prefix matches by plain string prefix: `a/` matches `a/x`, never `ab`.
 *
 * Errors are `CodedError`s: INVALID_ARGUMENT for malformed requests (naming the field), UNAVAILABLE once the
 * store is closed (including calls that started after `close()`), UNAVAILABLE for I/O failures, DATA_LOSS for
 * a stored record that cannot be decoded; an aborted signal rejects with its reason.
 */
export interface Store {
  /** The KV at `key`, or undefined. */
  get(key: string, options?: ReadOptions): Promise<KV | undefined>;
  /** KVs whose key starts with `prefix` (`''` = all), in key order, paged by `limit` / `startAfter`. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Number of keys starting with `prefix`. */
  count(prefix: string, options?: ReadOptions): Promise<number>;
  /**
   * Atomic compare-and-apply. Resolves once the transaction is committed (and, for a persistent backend,
   * durable); all ops of the chosen branch were applied, or none on rejection. Watchers of the embedded
   * backends are called synchronously before the promise resolves.
   */
  txn(request: TxnRequest, options?: TxnOptions): Promise<TxnResult>;
  /**
   * Calls `listener` for every committed change under `prefix` (`''` = all keys). Resolves with the
   * unsubscribe function once the watch is established: replayed batches (see `fromRevision`) have then been
   * delivered, and every later commit will be.
   */
  watch(prefix: string, options: WatchOptions, listener: WatchListener): Promise<Unsubscribe>;
  /** The current revision (0 for an empty, never-written store). */
  revision(options?: ReadOptions): Promise<number>;
  /**
   * Stops the store: later calls reject with UNAVAILABLE, transactions already started finish (and notify),
   * then every watch ends silently and resources are released. Idempotent; every call returns the same promise.
   */
  close(): Promise<void>;
}

/** Longest key (and prefix) in UTF-8 bytes. LMDB's own limit is 1978; etcd has none below its request size. */
export const MAX_KEY_BYTES = 1024;

/** Most compares, and most ops in each branch, of one transaction (etcd's default `--max-txn-ops`). */
export const MAX_TXN_OPS = 128;

/** Most bytes of keys and values in one transaction, both branches together (etcd's default request limit). */
export const MAX_TXN_BYTES = 1.5 * 1024 * 1024;

/** Default number of committed revisions kept in memory for exact watch replay. */
export const DEFAULT_HISTORY_LIMIT = 1000;
