import type { ObjectCache } from '../cache/object-cache.js';
import type { ObjectReceiver, PeerInfo } from './receivers.js';

/**
 * A server-side receiver that keeps what peers report (infos, Nodes) in a cache. UPDATE stores the object (whose
 * `notify_id` the server has set to the connection's id), DELETE removes it, and when a connection ends every
 * object that connection reported is removed (the original's Flush for Nodes). Components that need other flush
 * behaviour (the controller marks CloudletInfo OFFLINE) pass `onFlush`.
 */
export class InfoCacheReceiver<T extends { notify_id: bigint }> implements ObjectReceiver<T> {
  constructor(
    readonly cache: ObjectCache<T>,
    private readonly onFlush?: (cache: ObjectCache<T>, peer: PeerInfo) => void,
  ) {}

  get kind() {
    return this.cache.kind;
  }

  update(value: T, bytes: Uint8Array): void {
    this.cache.update(value, bytes);
  }

  delete(keyOnly: T): void {
    this.cache.delete(this.cache.kind.keyOf(keyOnly));
  }

  flush(peer: PeerInfo): void {
    if (this.onFlush) {
      this.onFlush(this.cache, peer);
      return;
    }
    const id = BigInt(peer.notifyId);
    this.cache.prune((_key, value) => value.notify_id !== id);
  }
}
