/**
 * The embedded persistent {@link Store} backend on LMDB (lmdb-js 3): one environment in the file
 * `<dataDir>/store.lmdb` (plus LMDB's `store.lmdb-lock`), with two named databases:
 *
 * - `kv`: key = the key's UTF-8 bytes, value = a record (32-byte header with the revisions, then the value; see
 *   `record-codec.ts`);
 * - `meta`: `revision` (u64 LE) and `format` (1 byte).
 *
 * Each `txn()` runs as an LMDB child transaction inside lmdb-js's batched write transaction: it reads the
 * revision, evaluates the compares, applies its ops and writes the new revision in the same LMDB transaction, so
 * data and revision commit together or not at all. Commits are synced to disk before `txn()` resolves
 * (`overlappingSync: false`, no `noSync` / `noMetaSync`); concurrent transactions share one commit (group
 * commit). See README.md for durability and limits.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ABORT, open, type Database, type RootDatabase, type Transaction } from 'lmdb';
import { failedPrecondition, invalidArgument, isCodedError, unavailable } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { historyLimitOf, settle, storeClosed } from './backend-common.js';
import { prefixEnd } from './keys.js';
import { decodeRecord, decodeRevision, encodeRecord, encodeRevision } from './record-codec.js';
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
import { executeTxn, type TxnOutcome, type TxnView } from './txn-exec.js';
import { checkKey, checkList, checkPrefix, checkRevision, planTxn } from './validate.js';
import { WatchHub } from './watch-hub.js';

/** Options of {@link LmdbStore.open}. */
export interface LmdbStoreOptions {
  /** Directory of the store; created if missing. The environment is `<dataDir>/store.lmdb`. */
  dataDir: string;
  /** Receives open/close info and warnings. Default: silent. */
  log?: Logger | undefined;
  /** Committed revisions kept in memory for exact watch replay (integer >= 0). Default `DEFAULT_HISTORY_LIMIT`. */
  historyLimit?: number | undefined;
}

/** File name of the LMDB environment inside the data directory. */
export const LMDB_FILE = 'store.lmdb';

/** On-disk format written in `meta/format`; a store of another format is refused. */
const STORE_FORMAT = 1;

type Bytes = Uint8Array;
const REVISION_KEY = Buffer.from('revision');
const FORMAT_KEY = Buffer.from('format');

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const keyString = (b: Bytes): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** Range options selecting every key with `prefix` (bytes), optionally strictly after `startAfter`. */
function rangeOf(prefix: string, startAfter?: string): { start?: Bytes; end?: Bytes; exclusiveStart?: boolean } {
  const p = utf8(prefix);
  const end = prefixEnd(p);
  if (startAfter !== undefined && startAfter !== '') {
    const s = utf8(startAfter);
    if (Buffer.compare(s, p) >= 0) return { start: s, exclusiveStart: true, ...(end ? { end } : {}) };
  }
  return { ...(prefix === '' ? {} : { start: p }), ...(end ? { end } : {}) };
}

/** Maps an LMDB failure to UNAVAILABLE (coded errors pass through). */
function ioError(what: string, e: unknown): Error {
  return isCodedError(e) ? e : unavailable(`store ${what} failed: ${e instanceof Error ? e.message : String(e)}`, e);
}

/** The LMDB backend. Open with {@link LmdbStore.open}; see {@link Store} for the contract. */
export class LmdbStore implements Store {
  private closing: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly hub: WatchHub;
  private lastPublished: number;
  private readonly view: TxnView = {
    get: (key) => this.read(key),
    listPrefix: (prefix) => this.scan(prefix, undefined, undefined, undefined).kvs,
    put: (kv) => this.kv.putSync(utf8(kv.key), encodeRecord(kv)),
    delete: (key) => void this.kv.removeSync(utf8(key)),
  };

  private constructor(
    private readonly root: RootDatabase<Bytes, Bytes>,
    private readonly kv: Database<Bytes, Bytes>,
    private readonly meta: Database<Bytes, Bytes>,
    private readonly log: Logger,
    revision: number,
    historyLimit: number,
  ) {
    this.lastPublished = revision;
    this.hub = new WatchHub({ revision, historyLimit, log });
  }

  /**
   * Opens (creating if needed) the store in `dataDir`. Reopening a directory gives the data and revision of its
   * last committed transaction. Rejects INVALID_ARGUMENT for a bad `dataDir` / `historyLimit`,
   * FAILED_PRECONDITION for a store of an unknown format, UNAVAILABLE when LMDB cannot open it.
   *
   * One process may have a directory open at a time; this is not detected (see README.md).
   */
  static async open(options: LmdbStoreOptions): Promise<LmdbStore> {
    const { dataDir } = options;
    if (typeof dataDir !== 'string' || dataDir === '') throw invalidArgument('dataDir', 'must be a non-empty path');
    const historyLimit = historyLimitOf(options.historyLimit);
    const log = options.log ?? silentLogger();
    const path = join(dataDir, LMDB_FILE);
    let root: RootDatabase<Bytes, Bytes>;
    try {
      await mkdir(dataDir, { recursive: true });
      root = open<Bytes, Bytes>({
        path,
        noSubdir: true,
        maxDbs: 4,
        // Durability: every commit is fsynced before it is reported (no overlapping/deferred sync, no noSync).
        overlappingSync: false,
        noSync: false,
        noMetaSync: false,
        useWritemap: false,
        cache: false,
        compression: false,
        encoding: 'binary',
        keyEncoding: 'binary',
      });
    } catch (e) {
      throw ioError(`open of ${path}`, e);
    }
    try {
      const dbOptions = { encoding: 'binary', keyEncoding: 'binary', cache: false, compression: false } as const;
      const kv = root.openDB<Bytes, Bytes>('kv', dbOptions);
      const meta = root.openDB<Bytes, Bytes>('meta', dbOptions);
      const format = meta.get(FORMAT_KEY);
      if (format === undefined) {
        root.transactionSync(() => meta.putSync(FORMAT_KEY, Uint8Array.of(STORE_FORMAT)));
      } else if (format.byteLength !== 1 || format[0] !== STORE_FORMAT) {
        throw failedPrecondition(`store ${path} has an unsupported format`, 'dataDir');
      }
      const revision = decodeRevision(meta.get(REVISION_KEY));
      log.info({ path, revision }, 'store opened');
      return new LmdbStore(root, kv, meta, log, revision, historyLimit);
    } catch (e) {
      await root.close().catch(() => undefined);
      throw ioError(`open of ${path}`, e);
    }
  }

  get(key: string, options: ReadOptions = {}): Promise<KV | undefined> {
    return this.reading(options.signal, () => {
      checkKey('key', key);
      return this.read(key);
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.reading(options.signal, () => {
      checkList(prefix, options);
      return this.snapshotRead((transaction) => {
        const { kvs, more } = this.scan(prefix, options.startAfter, options.limit, transaction);
        return { kvs, more, revision: this.readRevision(transaction) };
      });
    });
  }

  count(prefix: string, options: ReadOptions = {}): Promise<number> {
    return this.reading(options.signal, () => {
      checkPrefix('prefix', prefix);
      return this.kv.getCount(rangeOf(prefix));
    });
  }

  async txn(request: TxnRequest, options: TxnOptions = {}): Promise<TxnResult> {
    this.enter(options.signal);
    const plan = planTxn(request);
    const { signal } = options;
    let outcome: TxnOutcome | undefined;
    const committed = this.root
      .childTransaction(() => {
        if (signal?.aborted) return ABORT;
        const current = this.readRevision(undefined);
        const result = executeTxn(this.view, current, plan);
        if (result.events.length > 0) this.meta.putSync(REVISION_KEY, encodeRevision(result.revision));
        outcome = result;
        return undefined;
      })
      // Attached at once so that batches are published in commit order (lmdb-js resolves in call order).
      .then(
        () => {
          if (outcome && outcome.events.length > 0) this.publish(outcome);
        },
        (e: unknown) => {
          throw ioError('commit', e);
        },
      );
    this.inflight.add(committed);
    try {
      await committed;
    } finally {
      this.inflight.delete(committed);
    }
    if (!outcome) throw signal?.reason ?? ioError('commit', new Error('transaction not applied'));
    return { succeeded: outcome.succeeded, revision: outcome.revision };
  }

  watch(prefix: string, options: WatchOptions, listener: WatchListener): Promise<Unsubscribe> {
    return this.reading(options.signal, () => {
      checkPrefix('prefix', prefix);
      if (options.fromRevision !== undefined) checkRevision('fromRevision', options.fromRevision);
      const snapshot = (p: string): { revision: number; kvs: KV[] } =>
        this.snapshotRead((transaction) => ({
          kvs: this.scan(p, undefined, undefined, transaction).kvs,
          revision: this.readRevision(transaction),
        }));
      return this.hub.watch(prefix, options.fromRevision, options.signal, listener, snapshot);
    });
  }

  revision(options: ReadOptions = {}): Promise<number> {
    return this.reading(options.signal, () => this.readRevision(undefined));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    this.hub.close();
    try {
      await this.root.close();
    } catch (e) {
      this.log.warn({ err: e }, 'store close failed');
    }
    this.log.info({ revision: this.lastPublished }, 'store closed');
  }

  /** Throws UNAVAILABLE once closing, or the signal's reason when aborted. */
  private enter(signal: AbortSignal | undefined): void {
    if (this.closing) throw storeClosed();
    signal?.throwIfAborted();
  }

  /** Runs a synchronous read as a promise; LMDB failures become UNAVAILABLE. */
  private reading<T>(signal: AbortSignal | undefined, fn: () => T): Promise<T> {
    return settle(() => {
      this.enter(signal);
      try {
        return fn();
      } catch (e) {
        throw ioError('read', e);
      }
    });
  }

  private publish(outcome: TxnOutcome): void {
    if (outcome.revision <= this.lastPublished) {
      this.log.error({ revision: outcome.revision, last: this.lastPublished }, 'store commit out of order');
    }
    this.lastPublished = outcome.revision;
    this.hub.publish(outcome.revision, outcome.events);
  }

  /** Runs `fn` on one LMDB read snapshot (so a page and its revision are consistent). */
  private snapshotRead<T>(fn: (transaction: Transaction) => T): T {
    const transaction = this.root.useReadTransaction();
    try {
      return fn(transaction);
    } finally {
      transaction.done();
    }
  }

  private readRevision(transaction: Transaction | undefined): number {
    return decodeRevision(this.meta.get(REVISION_KEY, transaction ? { transaction } : undefined));
  }

  private read(key: string): KV | undefined {
    const record = this.kv.get(utf8(key));
    return record === undefined ? undefined : decodeRecord(key, record);
  }

  private scan(
    prefix: string,
    startAfter: string | undefined,
    limit: number | undefined,
    transaction: Transaction | undefined,
  ): { kvs: KV[]; more: boolean } {
    const range = this.kv.getRange({
      ...rangeOf(prefix, startAfter),
      ...(limit === undefined ? {} : { limit: limit + 1 }),
      ...(transaction ? { transaction } : {}),
    });
    const kvs: KV[] = [];
    let more = false;
    for (const { key, value } of range) {
      if (limit !== undefined && kvs.length >= limit) {
        more = true;
        break;
      }
      kvs.push(decodeRecord(keyString(key), value));
    }
    return { kvs, more };
  }
}
