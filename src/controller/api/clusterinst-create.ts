import { invalidArgument, notFound } from '../../core/errors.js';
import type { CloudletInfo } from '../../gen/edgeproto/cloudlet.js';
import type { ClusterInst, ClusterInstKey } from '../../gen/edgeproto/clusterinst.js';
import { CRMOverride, IpAccess, Liveness, TrackedState } from '../../gen/edgeproto/common.js';
import type { Flavor } from '../../gen/edgeproto/flavor.js';
import { keyString } from '../../wire/object-key.js';
import { validateClusterName, validateObjectName } from '../../wire/object-name.js';
import type { WriteTx } from '../object-store.js';
import { checkFits, cloudletUsage } from '../resources/refs.js';
import { describeInst, putInst, type InstDeps } from '../state/inst-store.js';
import { beginOperation, dropOperation } from '../state/operations.js';
import type { OverrideFlags } from '../state/transitions.js';
import { AUTO_CLUSTER_PREFIX } from './cluster-api.js';
import { checkCloudletReady, checkCreateOver, checkEnum } from './inst-common.js';

/** Deployments a ClusterInst may name; empty means kubernetes. */
export const CLUSTER_DEPLOYMENTS = Object.freeze(['kubernetes', 'docker'] as const);

/** Checks the names of a ClusterInstKey; INVALID_ARGUMENT naming `<prefix>.<field>`. Developer may be empty. Pure. */
export function validateClusterInstKey(key: ClusterInstKey | undefined, prefix = 'key'): void {
  validateClusterName(`${prefix}.cluster_key.name`, key?.cluster_key?.name ?? '');
  validateObjectName(`${prefix}.cloudlet_key.operator_key.name`, key?.cloudlet_key?.operator_key?.name ?? '');
  validateObjectName(`${prefix}.cloudlet_key.name`, key?.cloudlet_key?.name ?? '');
  const developer = key?.developer ?? '';
  if (developer !== '') validateObjectName(`${prefix}.developer`, developer);
}

/**
 * Checks a ClusterInst a user asks to create: key names, the `autocluster` prefix and `auto` (reserved for the
 * controller), enum values (ip_access, crm_override, liveness) and `deployment` (empty, kubernetes or docker).
 * Throws INVALID_ARGUMENT naming the field. Pure.
 */
export function validateClusterInstRequest(ci: ClusterInst): void {
  validateClusterInstKey(ci.key);
  const name = ci.key?.cluster_key?.name ?? '';
  if (name.startsWith(AUTO_CLUSTER_PREFIX)) {
    throw invalidArgument('key.cluster_key.name', `"${name}": the prefix ${AUTO_CLUSTER_PREFIX} is reserved for clusters the controller creates`);
  }
  if (ci.auto) throw invalidArgument('auto', 'is set only by the controller for clusters it creates');
  checkEnum('ip_access', ci.ip_access, IpAccess);
  checkEnum('crm_override', ci.crm_override, CRMOverride);
  checkEnum('liveness', ci.liveness, Liveness);
  if (ci.deployment !== '' && !(CLUSTER_DEPLOYMENTS as readonly string[]).includes(ci.deployment)) {
    throw invalidArgument('deployment', `"${ci.deployment}" is not one of ${CLUSTER_DEPLOYMENTS.join(', ')}`);
  }
}

/**
 * The cloudlet's own flavor for the nodes (the original's flavor matcher): the smallest of CloudletInfo.flavors
 * (by vcpus, then ram, then disk) that has at least the flavor's vcpus, ram and disk. Empty when the CRM reported
 * no flavors; INVALID_ARGUMENT naming `flavor.name` when none is big enough. Pure.
 */
export function nodeFlavor(flavor: Flavor, info: CloudletInfo | undefined): string {
  const candidates = info?.flavors ?? [];
  if (candidates.length === 0) return '';
  const fit = candidates
    .filter((f) => f.vcpus >= flavor.vcpus && f.ram >= flavor.ram && f.disk >= flavor.disk)
    .sort((a, b) => (a.vcpus !== b.vcpus ? Number(a.vcpus - b.vcpus) : a.ram !== b.ram ? Number(a.ram - b.ram) : Number(a.disk - b.disk)));
  const best = fit[0];
  if (!best) throw invalidArgument('flavor.name', `no suitable platform flavor found for ${flavor.key?.name ?? ''}, please try a smaller flavor`);
  return best.name;
}

/** Options of {@link writeClusterInstCreate}. */
export interface ClusterInstCreateOptions {
  /** Created by the controller for an AppInst (auto cluster): auto=true, liveness DYNAMIC, auto Cluster. */
  readonly auto?: boolean;
  /** The AppInst (key string) whose create waits for this auto cluster. */
  readonly parent?: string;
}

/**
 * The transaction part of a ClusterInst create: checks (existing object, Cloudlet, CloudletInfo ready, flavor,
 * node flavor, resources) and writes the ClusterInst (CREATE_REQUESTED, or READY under IGNORE_CRM), the implicit
 * Cluster if absent, refs, and the operation record. `flavor` empty takes the Cluster's default flavor. IP access
 * UNKNOWN or DEDICATED_OR_SHARED becomes DEDICATED while the cloudlet has dynamic IPs left, else SHARED. Throws
 * a coded error and writes nothing on failure. Returns the key and the operation id (none under IGNORE_CRM).
 */
export function writeClusterInstCreate(
  deps: InstDeps,
  tx: WriteTx,
  request: ClusterInst,
  flags: OverrideFlags,
  options: ClusterInstCreateOptions = {},
): { key: string; ci: ClusterInst; opId: string | undefined } {
  const { kinds } = deps;
  const key = keyString.clusterInst(request.key);
  const what = describeInst('ClusterInst', request, key);
  checkCreateOver(tx.get(kinds.clusterInst, key), what, flags);
  const cloudletKey = request.key?.cloudlet_key;
  const cloudlet = tx.get(kinds.cloudlet, keyString.cloudlet(cloudletKey));
  if (!cloudlet) throw notFound(`cloudlet ${cloudletKey?.name ?? ''} of operator ${cloudletKey?.operator_key?.name ?? ''}`, 'key.cloudlet_key');
  checkCloudletReady(tx, kinds, cloudletKey, flags);
  const cluster = tx.get(kinds.cluster, keyString.cluster(request.key?.cluster_key));
  const flavorName = request.flavor?.name || cluster?.default_flavor?.name || '';
  if (flavorName === '') throw invalidArgument('flavor.name', 'is required (the cluster has no default flavor)');
  const flavor = tx.get(kinds.flavor, keyString.flavor({ name: flavorName }));
  if (!flavor) throw notFound(`flavor ${flavorName}`, 'flavor.name');
  const info = tx.get(kinds.cloudletInfo, keyString.cloudlet(cloudletKey));
  const before = cloudletUsage(tx, kinds, cloudletKey);
  let ipAccess = request.ip_access;
  if (ipAccess === IpAccess.IP_ACCESS_UNKNOWN || ipAccess === IpAccess.IP_ACCESS_DEDICATED_OR_SHARED) {
    ipAccess = before.dynamicIps < cloudlet.num_dynamic_ips ? IpAccess.IP_ACCESS_DEDICATED : IpAccess.IP_ACCESS_SHARED;
  }
  if (!cluster) {
    tx.put(kinds.cluster, { fields: [], key: request.key?.cluster_key, default_flavor: { name: flavorName }, auto: options.auto ?? false });
  }
  const ci: ClusterInst = {
    ...request,
    fields: [],
    flavor: { name: flavorName },
    state: flags.ignoreCrm ? TrackedState.READY : TrackedState.CREATE_REQUESTED,
    errors: [],
    crm_override: CRMOverride.NO_OVERRIDE,
    ip_access: ipAccess,
    allocated_ip: '',
    liveness: options.auto ? Liveness.LIVENESS_DYNAMIC : request.liveness || Liveness.LIVENESS_STATIC,
    auto: options.auto ?? false,
    node_flavor: nodeFlavor(flavor, info),
    deployment: request.deployment || 'kubernetes',
  };
  putInst(deps, tx, 'ClusterInst', ci);
  checkFits(`cloudlet ${cloudletKey?.name ?? ''}`, before, cloudletUsage(tx, kinds, cloudletKey), info, cloudlet.num_dynamic_ips);
  if (flags.ignoreCrm) {
    dropOperation(tx, 'ClusterInst', key); // a replaced operation's caller ends as superseded
    return { key, ci, opId: undefined };
  }
  const op = beginOperation(tx, 'ClusterInst', key, 'create', {
    timeouts: deps.config.timeouts, ignoreCrmErrors: flags.ignoreCrmErrors, parent: options.parent,
  });
  return { key, ci, opId: op.id };
}
