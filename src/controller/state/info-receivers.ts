import type { ObjectKind } from '../../cache/object-kind.js';
import type { AppInst, AppInstInfo } from '../../gen/edgeproto/app_inst.js';
import type { ClusterInst, ClusterInstInfo } from '../../gen/edgeproto/clusterinst.js';
import type { ObjectReceiver, PeerInfo } from '../../notify/receivers.js';
import type { ObjectStore, WriteTx } from '../object-store.js';
import { kindOf, putInst, removeInst, type Inst, type InstDeps } from './inst-store.js';
import type { InstTag } from './operations.js';
import { settle } from './settle.js';
import { applyAppInstInfo, applyClusterInstInfo, goneOnInfoDelete, type InfoEffect } from './transitions.js';

/** What the info receivers need. */
export interface InstInfoReceiverDeps extends InstDeps {
  readonly objects: ObjectStore;
  /** Once aborted (the controller is closing) received infos are ignored. */
  readonly closing: AbortSignal;
}

type Info = ClusterInstInfo | AppInstInfo;

/**
 * Applies ClusterInstInfo or AppInstInfo from CRMs to the stored ClusterInsts/AppInsts (notify-protocol §10), each
 * notice in one store transaction (FIFO under the write lock, so infos apply in arrival order):
 * - UPDATE for a key that is not stored: ignored. Otherwise the transition table decides (see transitions.ts);
 *   an accepted change is stored (refs recomputed) and may end the object's operation (see settle.ts).
 * - DELETE: removes the object only in DELETE_REQUESTED or DELETING ("gone"), freeing its refs; else ignored.
 * - flush: nothing (the original's flush of these infos is a no-op; the object states stay).
 * The controller never stores the infos themselves.
 */
export class InstInfoReceiver<I extends Info> implements ObjectReceiver<I> {
  readonly kind: ObjectKind<I>;

  private constructor(
    private readonly deps: InstInfoReceiverDeps,
    private readonly tag: InstTag,
    private readonly apply: (object: Inst, info: I) => InfoEffect<Inst>,
  ) {
    this.kind = (tag === 'ClusterInst' ? deps.kinds.clusterInstInfo : deps.kinds.appInstInfo) as unknown as ObjectKind<I>;
  }

  /** The receiver of ClusterInstInfo. */
  static clusterInst(deps: InstInfoReceiverDeps): InstInfoReceiver<ClusterInstInfo> {
    return new InstInfoReceiver<ClusterInstInfo>(deps, 'ClusterInst', (o, i) => applyClusterInstInfo(o as ClusterInst, i));
  }

  /** The receiver of AppInstInfo. */
  static appInst(deps: InstInfoReceiverDeps): InstInfoReceiver<AppInstInfo> {
    return new InstInfoReceiver<AppInstInfo>(deps, 'AppInst', (o, i) => applyAppInstInfo(o as AppInst, i));
  }

  update(info: I, _bytes: Uint8Array, peer: PeerInfo): void {
    const key = this.kind.keyOf(info);
    this.persist(peer, (tx) => {
      const object = tx.get(kindOf(this.deps.kinds, this.tag), key);
      if (!object) return;
      const effect = this.apply(object, info);
      if (effect.effect === 'ignored') {
        this.deps.log.debug({ key, type: this.tag, reason: effect.reason }, 'info ignored');
        return;
      }
      if (effect.effect === 'gone') removeInst(this.deps, tx, this.tag, key);
      else putInst(this.deps, tx, this.tag, effect.object);
      settle(this.deps, tx, this.tag, key);
    });
  }

  delete(keyOnly: I, peer: PeerInfo): void {
    const key = this.kind.keyOf(keyOnly);
    this.persist(peer, (tx) => {
      const object = tx.get(kindOf(this.deps.kinds, this.tag), key);
      if (!object || !goneOnInfoDelete(object.state)) return;
      removeInst(this.deps, tx, this.tag, key);
      settle(this.deps, tx, this.tag, key);
    });
  }

  private persist(peer: PeerInfo, fn: (tx: WriteTx) => void): void {
    if (this.deps.closing.aborted) return;
    this.deps.objects.write(fn).catch((err: unknown) => {
      const level = this.deps.closing.aborted ? 'debug' : 'error';
      this.deps.log[level]({ err, peer: peer.peer, type: this.tag }, 'info not applied');
    });
  }
}

/** The receivers of ClusterInstInfo and AppInstInfo, for the controller's receiver list. */
export function instInfoReceivers(deps: InstInfoReceiverDeps): [InstInfoReceiver<ClusterInstInfo>, InstInfoReceiver<AppInstInfo>] {
  return [InstInfoReceiver.clusterInst(deps), InstInfoReceiver.appInst(deps)];
}
