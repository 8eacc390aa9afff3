/**
 * Writing ClusterInsts and AppInsts together with everything that depends on them: refs (recomputed in the same
 * transaction), the implicit auto Cluster, and an AppInst's placement (mapped ports, uri) on its ClusterInst.
 */
import type { EdgeprotoKinds } from '../../cache/kinds.js';
import type { ObjectKind } from '../../cache/object-kind.js';
import type { Logger } from '../../core/logger.js';
import type { App } from '../../gen/edgeproto/app.js';
import type { AppInst } from '../../gen/edgeproto/app_inst.js';
import type { CloudletKey } from '../../gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../gen/edgeproto/clusterinst.js';
import { IpAccess, TrackedState } from '../../gen/edgeproto/common.js';
import { keyString } from '../../wire/object-key.js';
import type { ControllerConfig } from '../config.js';
import type { WriteTx } from '../object-store.js';
import { appInstUri, mapPorts } from '../resources/ports.js';
import { rootLbPorts, syncRefs } from '../resources/refs.js';
import { parseAccessPorts } from '../validation/access-ports.js';
import { beginOperation, type InstTag } from './operations.js';

/** What the lifecycle functions need (a subset of ApiDeps, also available to notify receivers). */
export interface InstDeps {
  readonly kinds: EdgeprotoKinds;
  readonly config: ControllerConfig;
  readonly log: Logger;
}

/** A ClusterInst or AppInst: the fields the lifecycle code reads and writes. */
export type Inst = ClusterInst | AppInst;

/** The ObjectKind of a tag. */
export function kindOf(kinds: EdgeprotoKinds, tag: InstTag): ObjectKind<Inst> {
  return tag === 'ClusterInst' ? kinds.clusterInst : kinds.appInst;
}

/** The cloudlet key of an instance. */
export function cloudletKeyOf(tag: InstTag, inst: Inst): CloudletKey | undefined {
  return tag === 'ClusterInst' ? (inst as ClusterInst).key?.cloudlet_key : (inst as AppInst).key?.cluster_inst_key?.cloudlet_key;
}

/** Human name for messages: `ClusterInst c1 on cloudlet edge1` / `AppInst face 1.0 on cluster c1 of cloudlet edge1`. */
export function describeInst(tag: InstTag, inst: Inst | undefined, key: string): string {
  if (!inst) return `${tag} ${key}`;
  if (tag === 'ClusterInst') {
    const k = (inst as ClusterInst).key;
    return `ClusterInst ${k?.cluster_key?.name ?? ''} on cloudlet ${k?.cloudlet_key?.name ?? ''}`;
  }
  const k = (inst as AppInst).key;
  const version = k?.app_key?.version ? ` ${k.app_key.version}` : '';
  return `AppInst ${k?.app_key?.name ?? ''}${version} on cluster ${k?.cluster_inst_key?.cluster_key?.name ?? ''} of cloudlet ${k?.cluster_inst_key?.cloudlet_key?.name ?? ''}`;
}

/** Stores an instance (new or changed) and recomputes its cloudlet's refs. */
export function putInst(deps: InstDeps, tx: WriteTx, tag: InstTag, inst: Inst): void {
  tx.put(kindOf(deps.kinds, tag), inst);
  syncRefs(tx, deps.kinds, cloudletKeyOf(tag, inst));
}

/**
 * Removes an instance and frees what it used (refs recomputed in the same transaction). Removing an auto
 * ClusterInst also removes its auto Cluster when no other ClusterInst uses it. No-op if absent.
 */
export function removeInst(deps: InstDeps, tx: WriteTx, tag: InstTag, key: string): void {
  const { kinds } = deps;
  const inst = tx.get(kindOf(kinds, tag), key);
  if (!inst) return;
  tx.delete(kindOf(kinds, tag), key);
  if (tag === 'ClusterInst') {
    const ci = inst as ClusterInst;
    const clusterKey = keyString.cluster(ci.key?.cluster_key);
    const cluster = tx.get(kinds.cluster, clusterKey);
    const stillUsed = tx.list(kinds.clusterInst).some((other) => keyString.cluster(other.key?.cluster_key) === clusterKey);
    if (ci.auto && cluster?.auto && !stillUsed) tx.delete(kinds.cluster, clusterKey);
  }
  syncRefs(tx, kinds, cloudletKeyOf(tag, inst));
}

/** The AppInsts on a ClusterInst, as the transaction sees them. */
export function appInstsOn(deps: InstDeps, tx: WriteTx, clusterInstKey: string): AppInst[] {
  const { kinds } = deps;
  const ci = tx.get(kinds.clusterInst, clusterInstKey);
  const candidates = ci
    ? tx.listOnCloudlet(kinds.appInst, keyString.cloudlet(ci.key?.cloudlet_key)).map(([, ai]) => ai)
    : tx.list(kinds.appInst);
  return candidates.filter((ai) => keyString.clusterInst(ai.key?.cluster_inst_key) === clusterInstKey);
}

/**
 * Asks the CRM to delete an auto ClusterInst that no AppInst uses any more: DELETE_REQUESTED with a delete
 * deadline (superseding whatever it was doing). Returns false (nothing done) if it is absent, not auto, still
 * used, or already being deleted.
 */
export function requestAutoClusterDelete(deps: InstDeps, tx: WriteTx, clusterInstKey: string): boolean {
  const ci = tx.get(deps.kinds.clusterInst, clusterInstKey);
  if (!ci?.auto || appInstsOn(deps, tx, clusterInstKey).length > 0) return false;
  if (ci.state === TrackedState.DELETE_REQUESTED || ci.state === TrackedState.DELETING) return false;
  putInst(deps, tx, 'ClusterInst', { ...ci, state: TrackedState.DELETE_REQUESTED, errors: [] });
  beginOperation(tx, 'ClusterInst', clusterInstKey, 'delete', { timeouts: deps.config.timeouts });
  return true;
}

/**
 * An AppInst's placement on its ClusterInst: `mapped_ports` from the App's access_ports (root load balancer
 * ports allocated against the cloudlet's other AppInsts for shared access) and `uri`. Throws RESOURCE_EXHAUSTED
 * when no root-LB port is left, INVALID_ARGUMENT for access_ports that do not parse.
 */
export function placeAppInst(deps: InstDeps, tx: WriteTx, ai: AppInst, app: App, ci: ClusterInst): AppInst {
  const { kinds } = deps;
  const cloudletKey = ci.key?.cloudlet_key;
  const shared = ci.ip_access === IpAccess.IP_ACCESS_SHARED;
  const used = rootLbPorts(tx, kinds, keyString.cloudlet(cloudletKey), kinds.appInst.keyOf(ai));
  const where = `cloudlet ${cloudletKey?.name ?? ''}`;
  const mapped_ports = mapPorts(parseAccessPorts(app.access_ports), app.key?.name ?? '', shared, used, where);
  const uri = appInstUri(cloudletKey?.name ?? '', cloudletKey?.operator_key?.name ?? '', ci.key?.cluster_key?.name ?? '', shared);
  return { ...ai, mapped_ports, uri };
}
