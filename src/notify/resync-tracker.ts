import type { ObjectCache } from '../cache/object-cache.js';

/** Options of a {@link ResyncTracker}. */
export interface ResyncOptions {
  /**
   * Filtered kinds (Cloudlet, ClusterInst, App, AppInst on a CRM): their prune waits until the server has resent
   * each cloudlet this client reported, instead of running at the server's SENDALL_END.
   */
  readonly filteredKinds: ReadonlySet<string>;
  /** The server sequences its send-all after ours (a cloudletd server): SENDALL_END covers our cloudlets. */
  readonly serverSequenced: boolean;
  /** After a cloudlet's resend started, this long without a filtered-kind notice ends it. */
  readonly quietMs: number;
  /** After our CloudletInfo went out, this long at most before its cloudlet counts as resent. */
  readonly graceMs: number;
  /** Pruned objects, per kind name (for metrics and logs). */
  readonly onPruned: (kindName: string, keys: readonly string[]) => void;
  /** Called once, when every kind has been pruned for this connection (the mirror is in sync). */
  readonly onSynced?: () => void;
}

/**
 * Decides when a client may prune its mirror after a (re)connect, so that it never prunes an object the server is
 * still about to resend (the original's transient prune, notify notes §5 and §7):
 * - unfiltered kinds are pruned at the server's first SENDALL_END, keeping what was received on this connection;
 * - filtered kinds are pruned once every cloudlet this client reported a CloudletInfo for has been resent: at the
 *   SENDALL_END of a sequencing (cloudletd) server for cloudlets in our send-all; otherwise when the server's
 *   Cloudlet notice for it arrived and filtered notices went quiet for `quietMs`, or `graceMs` after our
 *   CloudletInfo, whichever comes first. A client that never reported a cloudlet never prunes filtered kinds.
 * One tracker per connection; `close()` stops its timers. Single-threaded.
 */
export class ResyncTracker {
  private readonly received = new Map<string, Set<string>>();
  private readonly sentInfoKeys = new Set<string>();
  private readonly inOurSendAll = new Set<string>();
  private readonly resent = new Set<string>();
  private readonly resending = new Set<string>();
  /** Cloudlets of ours whose Cloudlet notice (UPDATE or DELETE) arrived on this connection. */
  private readonly cloudletNoticed = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private quietTimer: NodeJS.Timeout | undefined;
  private ourSendAllEnded = false;
  private serverSendAllEnded = false;
  private unfilteredPruned = false;
  private filteredPruned = false;
  private closed = false;

  constructor(
    private readonly mirrors: ReadonlyMap<string, ObjectCache<unknown>>,
    private readonly options: ResyncOptions,
  ) {
    // A mirror empty at connect can only hold what this connection sends: nothing to record, nothing to prune.
    for (const [name, cache] of mirrors) if (cache.size > 0) this.received.set(name, new Set());
  }

  /** True when {@link onNotice} needs to hear about notices of this kind (a filtered kind, tracker still open). */
  watches(kindName: string): boolean {
    return !this.closed && this.options.filteredKinds.has(kindName);
  }

  /** True once every kind has been pruned for this connection. */
  get done(): boolean {
    return this.unfilteredPruned && (this.filteredPruned || this.filteredKindsMirrored() === 0);
  }

  /** An UPDATE of `key` arrived: it was resent, keep it. */
  recordUpdate(kindName: string, key: string): void {
    this.received.get(kindName)?.add(key);
  }

  /** Any data notice of a mirrored kind arrived (after it was applied); `cloudletKeyOf` gives its object's cloudlet. */
  onNotice(kindName: string, cloudletKeyOf: () => string | undefined): void {
    if (this.closed || !this.options.filteredKinds.has(kindName)) return;
    const cloudletKey = kindName === 'edgeproto.Cloudlet' ? cloudletKeyOf() : undefined;
    if (cloudletKey !== undefined && this.sentInfoKeys.has(cloudletKey)) {
      this.resending.add(cloudletKey);
      this.cloudletNoticed.add(cloudletKey);
    }
    if (this.resending.size > 0) this.restartQuietTimer();
  }

  /** Our CloudletInfo for `cloudletKey` was written to the server. */
  onCloudletInfoSent(cloudletKey: string): void {
    if (this.closed || this.sentInfoKeys.has(cloudletKey)) return;
    this.sentInfoKeys.add(cloudletKey);
    if (!this.ourSendAllEnded) this.inOurSendAll.add(cloudletKey);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.markResent([cloudletKey]);
    }, this.options.graceMs);
    this.timers.add(timer);
  }

  /** Our SENDALL_END was written. */
  onOurSendAllEnd(): void {
    this.ourSendAllEnded = true;
  }

  /** The server's first SENDALL_END arrived. */
  onServerSendAllEnd(): void {
    this.serverSendAllEnded = true;
    this.pruneUnfiltered();
    if (this.options.serverSequenced) {
      // A sequencing server that gave up waiting for our SENDALL_END (its sequence timeout, e.g. on a slow link)
      // may send SENDALL_END before it saw our CloudletInfo. It queues a cloudlet's Cloudlet notice first when it
      // sees the CloudletInfo, so only cloudlets whose Cloudlet notice came before SENDALL_END are covered by it;
      // the others are resent later and go through the quiet period or grace.
      const covered = this.mirrors.has('edgeproto.Cloudlet')
        ? [...this.inOurSendAll].filter((key) => this.cloudletNoticed.has(key))
        : [...this.inOurSendAll];
      this.markResent(covered);
    } else {
      this.tryPruneFiltered();
    }
  }

  /** Stops all timers; nothing is pruned after this. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }

  private filteredKindsMirrored(): number {
    return [...this.mirrors.keys()].filter((n) => this.options.filteredKinds.has(n)).length;
  }

  private restartQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      const done = [...this.resending];
      this.resending.clear();
      this.markResent(done);
    }, this.options.quietMs);
  }

  private markResent(keys: readonly string[]): void {
    if (this.closed) return;
    for (const key of keys) this.resent.add(key);
    this.tryPruneFiltered();
  }

  private pruneUnfiltered(): void {
    if (this.unfilteredPruned) return;
    this.unfilteredPruned = true;
    for (const [name, cache] of this.mirrors) {
      if (this.options.filteredKinds.has(name)) continue;
      this.prune(name, cache);
    }
    if (this.done) this.options.onSynced?.();
  }

  private tryPruneFiltered(): void {
    if (this.closed || this.filteredPruned || !this.serverSendAllEnded || this.sentInfoKeys.size === 0) return;
    for (const key of this.sentInfoKeys) if (!this.resent.has(key)) return;
    this.filteredPruned = true;
    for (const [name, cache] of this.mirrors) {
      if (this.options.filteredKinds.has(name)) this.prune(name, cache);
    }
    this.close();
    this.options.onSynced?.();
  }

  private prune(name: string, cache: ObjectCache<unknown>): void {
    const keep = this.received.get(name);
    if (!keep) return; // empty at connect: everything in it came on this connection
    const pruned = cache.pruneKeys((key) => keep.has(key));
    this.received.delete(name);
    if (pruned.length > 0) this.options.onPruned(name, pruned);
  }
}
