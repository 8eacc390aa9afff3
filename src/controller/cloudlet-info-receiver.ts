import type { EdgeprotoKinds } from '../cache/kinds.js';
import type { Logger } from '../core/logger.js';
import { CloudletState, type CloudletInfo } from '../gen/edgeproto/cloudlet.js';
import type { ObjectReceiver, PeerInfo } from '../notify/receivers.js';
import { validateObjectName } from '../wire/object-name.js';
import type { ObjectStore, WriteTx } from './object-store.js';

/** Most CloudletInfos re-written in one store transaction (the Store allows 128 ops). */
const BATCH = 100;

/** Checks the key of a CloudletInfo (operator and cloudlet names); throws INVALID_ARGUMENT naming the field. */
export function validateCloudletInfoKey(info: CloudletInfo): void {
  validateObjectName('key.operator_key.name', info.key?.operator_key?.name ?? '');
  validateObjectName('key.name', info.key?.name ?? '');
}

/** A copy of `info` in state OFFLINE, every other field kept. */
function offline(info: CloudletInfo): CloudletInfo {
  return { ...info, state: CloudletState.CLOUDLET_STATE_OFFLINE };
}

/**
 * Marks OFFLINE every stored CloudletInfo for which `match` holds and that is not OFFLINE already, in
 * transactions of at most 100 objects. Resolves to how many were changed. Rejects as `ObjectStore.write`.
 */
export async function markCloudletInfosOffline(
  objects: ObjectStore,
  kinds: EdgeprotoKinds,
  match: (info: CloudletInfo) => boolean,
): Promise<number> {
  const keys = objects.cache(kinds.cloudletInfo).values().filter((i) => match(i) && i.state !== CloudletState.CLOUDLET_STATE_OFFLINE)
    .map((i) => kinds.cloudletInfo.keyOf(i));
  let changed = 0;
  for (let i = 0; i < keys.length; i += BATCH) {
    changed += await objects.write((tx: WriteTx) => {
      let n = 0;
      for (const key of keys.slice(i, i + BATCH)) {
        const current = tx.get(kinds.cloudletInfo, key); // re-read: it may have changed since the list was taken
        if (!current || !match(current) || current.state === CloudletState.CLOUDLET_STATE_OFFLINE) continue;
        tx.put(kinds.cloudletInfo, offline(current));
        n++;
      }
      return n;
    });
  }
  return changed;
}

/** What the CloudletInfo receiver needs. */
export interface CloudletInfoReceiverDeps {
  readonly kinds: EdgeprotoKinds;
  readonly objects: ObjectStore;
  /** This controller's id, written into `controller` of every stored CloudletInfo. */
  readonly controllerId: string;
  readonly log: Logger;
  /** Once aborted (the controller is closing) received notices and flushes are ignored. */
  readonly closing: AbortSignal;
}

/**
 * The controller's receiver of CloudletInfo from CRMs (the original's cloudletinfo_api.go):
 * - UPDATE: the key is validated (a bad name throws INVALID_ARGUMENT, which the notify connection counts as
 *   `invalid_object` and skips), then the info is stored with `controller` = this controller's id and `fields`
 *   empty; `notify_id` is the connection's, written by the notify server.
 * - DELETE: the stored info, if any, is marked OFFLINE (never deleted, as the original).
 * - flush (the connection ended): every stored info with that connection's notify_id and this controller's id is
 *   marked OFFLINE, other fields kept.
 * Stores are asynchronous but start in arrival order (the ObjectStore's write lock is FIFO), so a flush never
 * overtakes an update received before it. A failed write is logged, not retried: the CRM's next resync repeats it.
 */
export class CloudletInfoReceiver implements ObjectReceiver<CloudletInfo> {
  constructor(private readonly deps: CloudletInfoReceiverDeps) {}

  get kind() {
    return this.deps.kinds.cloudletInfo;
  }

  update(value: CloudletInfo, _bytes: Uint8Array, peer: PeerInfo): void {
    validateCloudletInfoKey(value);
    if (this.deps.closing.aborted) return;
    const info: CloudletInfo = { ...value, fields: [], controller: this.deps.controllerId };
    this.persist(peer, 'update', (tx) => tx.put(this.kind, info));
  }

  delete(keyOnly: CloudletInfo, peer: PeerInfo): void {
    if (this.deps.closing.aborted) return;
    const key = this.kind.keyOf(keyOnly);
    this.persist(peer, 'delete', (tx) => {
      const current = tx.get(this.kind, key);
      if (current && current.state !== CloudletState.CLOUDLET_STATE_OFFLINE) tx.put(this.kind, offline(current));
    });
  }

  flush(peer: PeerInfo): void {
    if (this.deps.closing.aborted) return;
    const id = BigInt(peer.notifyId);
    const { objects, kinds, controllerId } = this.deps;
    markCloudletInfosOffline(objects, kinds, (i) => i.notify_id === id && i.controller === controllerId).then(
      (n) => this.deps.log.info({ notifyId: peer.notifyId, peer: peer.peer, offline: n }, 'cloudlet infos of lost connection marked offline'),
      (err: unknown) => this.failed(peer, 'flush', err),
    );
  }

  private persist(peer: PeerInfo, what: string, fn: (tx: WriteTx) => void): void {
    this.deps.objects.write(fn).catch((err: unknown) => this.failed(peer, what, err));
  }

  private failed(peer: PeerInfo, what: string, err: unknown): void {
    const log = this.deps.log;
    if (this.deps.closing.aborted) log.debug({ err, peer: peer.peer, what }, 'cloudlet info not stored: controller closing');
    else log.error({ err, peer: peer.peer, what }, 'cloudlet info not stored');
  }
}
