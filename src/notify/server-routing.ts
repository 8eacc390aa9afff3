import type { EdgeprotoKinds } from '../cache/kinds.js';
import type { ObjectCache } from '../cache/object-cache.js';
import type { ObjectKind } from '../cache/object-kind.js';
import type { App } from '../gen/edgeproto/app.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import { keyString } from '../wire/object-key.js';
import type { SendQueue } from './send-queue.js';

/** What routing needs to know about one server-side connection. */
export interface RoutedPeer {
  readonly wants: ReadonlySet<string>;
  readonly filterCloudletKey: boolean;
  /** Cloudlets this peer reported CloudletInfo for on this connection. */
  readonly cloudletKeys: ReadonlySet<string>;
  readonly queue: SendQueue;
}

/**
 * Decides which object changes go to which peer, as the original's cloudlet filtering does:
 * - a peer only gets kinds it listed in want_objs;
 * - on a filtered connection, Cloudlet, ClusterInst and AppInst go only when their cloudlet is one the peer sent a
 *   CloudletInfo for; an App is never sent on its own but goes along with each AppInst queued; Flavors (and any
 *   kind not tied to a cloudlet) are never filtered.
 * Stateless apart from the caches it reads.
 */
export class ServerRouting {
  private readonly appCache: ObjectCache<App> | undefined;

  constructor(
    private readonly kinds: EdgeprotoKinds,
    private readonly caches: ReadonlyMap<string, ObjectCache<unknown>>,
  ) {
    this.appCache = caches.get(kinds.app.name) as ObjectCache<App> | undefined;
  }

  /** True when `kind` is held back from a filtered peer's send-all (it arrives per cloudlet instead). */
  isCloudletScoped(kind: ObjectKind): boolean {
    return kind.cloudletKeyOf !== undefined || kind.name === this.kinds.app.name;
  }

  /** Queues the change of `key` (whose current or last value is `object`) for `peer` if the peer should get it. */
  route(peer: RoutedPeer, kind: ObjectKind, key: string, object: unknown): void {
    if (!peer.wants.has(kind.name)) return;
    if (peer.filterCloudletKey) {
      if (kind.name === this.kinds.app.name) return;
      if (kind.cloudletKeyOf && !peer.cloudletKeys.has(kind.cloudletKeyOf(object))) return;
    }
    peer.queue.queueKey(kind, key, kind.keyOnly(object));
    if (peer.filterCloudletKey && kind.name === this.kinds.appInst.name) this.queueAppOf(peer, object as AppInst);
  }

  /** The send-all of one peer: every object it should get now. A filtered peer gets cloudlet-scoped kinds per cloudlet. */
  queueSendAll(peer: RoutedPeer): void {
    for (const [name, cache] of this.caches) {
      if (!peer.wants.has(name)) continue;
      if (peer.filterCloudletKey && this.isCloudletScoped(cache.kind)) continue;
      for (const key of cache.keys()) {
        const entry = cache.getEntry(key);
        // The object stands in for its tombstone; the sender makes it key-only only when it must send a DELETE.
        if (entry) peer.queue.queueKey(cache.kind, key, entry.value);
      }
    }
  }

  /**
   * Queues everything of cloudlet `cloudletKey` for a filtered peer, as the original does on every CloudletInfo
   * UPDATE: the Cloudlet (a DELETE if it does not exist), its ClusterInsts, its AppInsts and their Apps.
   */
  queueCloudlet(peer: RoutedPeer, cloudletKey: string, cloudletKeyObject: unknown): void {
    const cloudletKind = this.kinds.cloudlet;
    if (peer.wants.has(cloudletKind.name) && this.caches.has(cloudletKind.name)) {
      peer.queue.queueKey(cloudletKind, cloudletKey, cloudletKind.codec.fromPartial({ key: cloudletKeyObject } as never));
    }
    for (const kind of [this.kinds.clusterInst, this.kinds.appInst] as ObjectKind[]) {
      const cache = this.caches.get(kind.name);
      if (!cache || !peer.wants.has(kind.name)) continue;
      for (const key of cache.keys()) {
        const entry = cache.getEntry(key);
        if (entry && kind.cloudletKeyOf?.(entry.value) === cloudletKey) this.route(peer, kind, key, entry.value);
      }
    }
  }

  private queueAppOf(peer: RoutedPeer, appInst: AppInst): void {
    const appKind = this.kinds.app;
    if (!this.appCache || !peer.wants.has(appKind.name)) return;
    const appKey = appInst.key?.app_key;
    peer.queue.queueKey(appKind, keyString.app(appKey), appKind.codec.fromPartial({ key: appKey } as never));
  }
}
