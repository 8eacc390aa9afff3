/**
 * Watchers of an embedded backend: prefix filtering, in-order synchronous delivery, the bounded in-memory history
 * used for exact replay, and the snapshot fallback. Backends call {@link WatchHub.publish} once per committed
 * transaction that changed something, in revision order.
 */
import type { Logger } from '../core/logger.js';
import type { KV, Unsubscribe, WatchBatch, WatchEvent, WatchListener } from './store.js';

/** Reads the current contents of a prefix and the revision they are at, atomically. */
export type SnapshotReader = (prefix: string) => { revision: number; kvs: readonly KV[] };

interface Watcher {
  readonly prefix: string;
  /** Lowest revision still to deliver. */
  from: number;
  readonly listener: WatchListener;
  active: boolean;
  readonly dispose: () => void;
}

/** Options of a {@link WatchHub}. */
export interface WatchHubOptions {
  /** Revision of the store when the hub starts (nothing before it can be replayed exactly). */
  readonly revision: number;
  /** Number of most recent batches kept for exact replay (integer >= 0). */
  readonly historyLimit: number;
  readonly log: Logger;
}

function filtered(batch: WatchBatch, prefix: string): WatchBatch | undefined {
  if (prefix === '') return batch;
  const events = batch.events.filter((e) => e.kv.key.startsWith(prefix));
  if (events.length === 0) return undefined;
  if (events.length === batch.events.length) return batch;
  return Object.freeze({ revision: batch.revision, events: Object.freeze(events) });
}

/**
 * The watch side of an embedded store. Single-threaded: a batch published from inside a listener (a listener
 * that commits) is queued and delivered after the current one has reached every watcher, so every watcher sees
 * revisions in increasing order.
 */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private readonly history: WatchBatch[] = [];
  private readonly queue: WatchBatch[] = [];
  private latest: number;
  private delivering = false;
  private closed = false;
  private readonly historyLimit: number;
  private readonly log: Logger;

  constructor(options: WatchHubOptions) {
    this.latest = options.revision;
    this.historyLimit = options.historyLimit;
    this.log = options.log;
  }

  /** Number of active watchers (for tests and metrics). */
  get size(): number {
    return this.watchers.size;
  }

  /** Delivers a committed batch (all its events, unfiltered) to every matching watcher. Ignored after close. */
  publish(revision: number, events: readonly WatchEvent[]): void {
    if (this.closed) return;
    this.queue.push(Object.freeze({ revision, events: Object.freeze([...events]) }));
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) this.deliverAll(batch);
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Registers a watcher and delivers its replay synchronously (see `WatchOptions.fromRevision`). Throws
   * `signal.reason` when the signal is already aborted.
   */
  watch(
    prefix: string,
    fromRevision: number | undefined,
    signal: AbortSignal | undefined,
    listener: WatchListener,
    snapshot: SnapshotReader,
  ): Unsubscribe {
    signal?.throwIfAborted();
    const watcher: Watcher = {
      prefix,
      from: fromRevision ?? this.latest + 1,
      listener,
      active: true,
      dispose: () => {
        watcher.active = false;
        this.watchers.delete(watcher);
        signal?.removeEventListener('abort', watcher.dispose);
      },
    };
    this.watchers.add(watcher);
    signal?.addEventListener('abort', watcher.dispose, { once: true });
    if (watcher.from <= this.latest) this.replay(watcher, snapshot);
    return watcher.dispose;
  }

  /** Drops every watcher silently; later publishes are ignored. Idempotent. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const watcher of [...this.watchers]) watcher.dispose();
  }

  private replay(watcher: Watcher, snapshot: SnapshotReader): void {
    const first = this.history[0];
    if (first !== undefined && watcher.from >= first.revision) {
      for (const batch of this.history) this.deliver(watcher, batch, filtered(batch, watcher.prefix));
      return;
    }
    const { revision, kvs } = snapshot(watcher.prefix);
    const events = kvs.map((kv): WatchEvent => ({ type: 'put', kv }));
    const batch: WatchBatch = Object.freeze({ revision, events: Object.freeze(events), snapshot: true });
    watcher.from = revision;
    this.deliver(watcher, batch, batch);
  }

  private deliverAll(batch: WatchBatch): void {
    this.latest = batch.revision;
    if (this.historyLimit > 0) {
      this.history.push(batch);
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    const byPrefix = new Map<string, WatchBatch | undefined>();
    for (const watcher of [...this.watchers]) {
      let view = byPrefix.get(watcher.prefix);
      if (!byPrefix.has(watcher.prefix)) {
        view = filtered(batch, watcher.prefix);
        byPrefix.set(watcher.prefix, view);
      }
      this.deliver(watcher, batch, view);
    }
  }

  /** Calls the listener with `view` (the batch filtered for it) unless inactive or already past this revision. */
  private deliver(watcher: Watcher, batch: WatchBatch, view: WatchBatch | undefined): void {
    if (!watcher.active || batch.revision < watcher.from) return;
    watcher.from = batch.revision + 1;
    if (!view) return;
    try {
      watcher.listener(view);
    } catch (err) {
      this.log.warn({ err, prefix: watcher.prefix, revision: batch.revision }, 'store watch listener threw');
    }
  }
}
