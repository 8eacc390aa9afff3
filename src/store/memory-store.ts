/**
 * The in-memory {@link Store} backend: a map plus an ordered key set, for tests and `--store memory`. Nothing
 * survives the process. Transactions run synchronously inside `txn()` (so they are trivially atomic and ordered)
 * and watchers are called before its promise resolves.
 */
import { silentLogger, type Logger } from '../core/logger.js';
import { historyLimitOf, settle, storeClosed } from './backend-common.js';
import type {
  KV,
  ListOptions,
  ListResult,
  ReadOptions,
  Store,
  TxnOptions,
  TxnRequest,
  TxnResult,
  Unsubscribe,
  WatchListener,
  WatchOptions,
} from './store.js';
import { compareKeys } from './keys.js';
import { lowerBound, SortedKeys } from './sorted-keys.js';
import { executeTxn, type TxnView } from './txn-exec.js';
import { checkKey, checkList, checkPrefix, checkRevision, planTxn } from './validate.js';
import { WatchHub } from './watch-hub.js';

/** Options of {@link MemoryStore.create}. */
export interface MemoryStoreOptions {
  /** Receives warnings (a throwing watch listener). Default: silent. */
  log?: Logger | undefined;
  /** Committed revisions kept for exact watch replay (integer >= 0). Default `DEFAULT_HISTORY_LIMIT`. */
  historyLimit?: number | undefined;
}

/** A copy the caller may keep and mutate without touching the store. */
function copyOf(kv: KV): KV {
  return { ...kv, value: new Uint8Array(kv.value) };
}

/** The in-memory backend. Create with {@link MemoryStore.create}; see {@link Store} for the contract. */
export class MemoryStore implements Store {
  private readonly keys = new SortedKeys();
  private readonly kvs = new Map<string, KV>();
  private rev = 0;
  private closing: Promise<void> | undefined;
  private readonly hub: WatchHub;
  private readonly view: TxnView = {
    get: (key) => this.kvs.get(key),
    listPrefix: (prefix) => this.range(prefix, undefined, undefined).kvs,
    put: (kv) => {
      if (!this.kvs.has(kv.key)) this.keys.add(kv.key);
      this.kvs.set(kv.key, kv);
    },
    delete: (key) => {
      if (this.kvs.delete(key)) this.keys.delete(key);
    },
  };

  private constructor(log: Logger, historyLimit: number) {
    this.hub = new WatchHub({ revision: 0, historyLimit, log });
  }

  /** An empty store at revision 0. Throws INVALID_ARGUMENT for a bad `historyLimit`. */
  static create(options: MemoryStoreOptions = {}): Promise<MemoryStore> {
    return settle(() => new MemoryStore(options.log ?? silentLogger(), historyLimitOf(options.historyLimit)));
  }

  get(key: string, options: ReadOptions = {}): Promise<KV | undefined> {
    return settle(() => {
      this.enter(options.signal);
      checkKey('key', key);
      const kv = this.kvs.get(key);
      return kv && copyOf(kv);
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return settle(() => {
      this.enter(options.signal);
      checkList(prefix, options);
      const { kvs, more } = this.range(prefix, options.startAfter, options.limit);
      return { kvs: kvs.map(copyOf), more, revision: this.rev };
    });
  }

  count(prefix: string, options: ReadOptions = {}): Promise<number> {
    return settle(() => {
      this.enter(options.signal);
      checkPrefix('prefix', prefix);
      const keys = this.keys.ordered();
      const lo = lowerBound(keys, prefix);
      let i = lo;
      let hi = keys.length;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (keys[mid]?.startsWith(prefix)) i = mid + 1;
        else hi = mid;
      }
      return i - lo;
    });
  }

  txn(request: TxnRequest, options: TxnOptions = {}): Promise<TxnResult> {
    return settle(() => {
      this.enter(options.signal);
      const outcome = executeTxn(this.view, this.rev, planTxn(request));
      if (outcome.events.length > 0) {
        this.rev = outcome.revision;
        this.hub.publish(outcome.revision, outcome.events);
      }
      return { succeeded: outcome.succeeded, revision: outcome.revision };
    });
  }

  watch(prefix: string, options: WatchOptions, listener: WatchListener): Promise<Unsubscribe> {
    return settle(() => {
      this.enter(options.signal);
      checkPrefix('prefix', prefix);
      if (options.fromRevision !== undefined) checkRevision('fromRevision', options.fromRevision);
      const snapshot = (p: string): { revision: number; kvs: KV[] } => ({
        revision: this.rev,
        kvs: this.range(p, undefined, undefined).kvs,
      });
      return this.hub.watch(prefix, options.fromRevision, options.signal, listener, snapshot);
    });
  }

  revision(options: ReadOptions = {}): Promise<number> {
    return settle(() => {
      this.enter(options.signal);
      return this.rev;
    });
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.hub.close();
      this.kvs.clear();
      this.closing = Promise.resolve();
    }
    return this.closing;
  }

  /** Throws UNAVAILABLE once closing, or the signal's reason when aborted. */
  private enter(signal: AbortSignal | undefined): void {
    if (this.closing) throw storeClosed();
    signal?.throwIfAborted();
  }

  /** The stored KVs (not copies) under `prefix`, strictly after `startAfter`, at most `limit`. */
  private range(prefix: string, startAfter: string | undefined, limit: number | undefined): { kvs: KV[]; more: boolean } {
    const keys = this.keys.ordered();
    let i = lowerBound(keys, prefix);
    if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) {
      i = lowerBound(keys, startAfter);
      if (keys[i] === startAfter) i++;
    }
    const kvs: KV[] = [];
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(prefix)) break;
      if (limit !== undefined && kvs.length >= limit) return { kvs, more: true };
      kvs.push(this.kvs.get(key) as KV);
    }
    return { kvs, more: false };
  }
}
