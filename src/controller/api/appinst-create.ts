import { failedPrecondition, invalidArgument, notFound } from '../../core/errors.js';
import { AppInst } from '../../gen/edgeproto/app_inst.js';
import { ClusterInst } from '../../gen/edgeproto/clusterinst.js';
import { CRMOverride, IpAccess, Liveness, TrackedState } from '../../gen/edgeproto/common.js';
import { keyString } from '../../wire/object-key.js';
import { validateObjectName } from '../../wire/object-name.js';
import type { WriteTx } from '../object-store.js';
import { describeInst, placeAppInst, putInst, type InstDeps } from '../state/inst-store.js';
import { beginOperation, dropOperation } from '../state/operations.js';
import { pendingTimeoutMs } from '../state/settle.js';
import { stateName, type OverrideFlags } from '../state/transitions.js';
import { AUTO_CLUSTER_PREFIX } from './cluster-api.js';
import { validateClusterInstKey, writeClusterInstCreate } from './clusterinst-create.js';
import { checkCloudletReady, checkCreateOver, checkEnum } from './inst-common.js';

/**
 * The AppInst a request names, with `key.cluster_inst_key.developer` defaulted to the App's developer (as the
 * original). Checks the key names, that the two developers agree, and the enum fields; throws INVALID_ARGUMENT
 * naming the field. Pure.
 */
export function normalizeAppInstRequest(request: AppInst): AppInst {
  const appKey = request.key?.app_key;
  validateObjectName('key.app_key.developer_key.name', appKey?.developer_key?.name ?? '');
  validateObjectName('key.app_key.name', appKey?.name ?? '');
  if ((appKey?.version ?? '') !== '') validateObjectName('key.app_key.version', appKey?.version ?? '');
  const appDeveloper = appKey?.developer_key?.name ?? '';
  const ciKey = { ...request.key?.cluster_inst_key, developer: request.key?.cluster_inst_key?.developer || appDeveloper };
  validateClusterInstKey(ciKey, 'key.cluster_inst_key');
  if (ciKey.developer !== appDeveloper) {
    throw invalidArgument('key.cluster_inst_key.developer', `"${ciKey.developer}" differs from the app's developer "${appDeveloper}"`);
  }
  checkEnum('crm_override', request.crm_override, CRMOverride);
  checkEnum('liveness', request.liveness, Liveness);
  checkEnum('auto_cluster_ip_access', request.auto_cluster_ip_access, IpAccess);
  return { ...request, key: { ...request.key, cluster_inst_key: ciKey } };
}

/** True when the AppInst's cluster name asks for an auto cluster. */
export function isAutoClusterName(name: string): boolean {
  return name.startsWith(AUTO_CLUSTER_PREFIX);
}

function timestamp(nowMs: number): { seconds: bigint; nanos: number } {
  return { seconds: BigInt(Math.floor(nowMs / 1000)), nanos: (nowMs % 1000) * 1_000_000 };
}

/** What a create wrote: the key, the operation to follow (none under IGNORE_CRM), the auto cluster's key. */
export interface AppInstCreateWrite {
  readonly key: string;
  readonly opId: string | undefined;
  /** Key string of the ClusterInst created for this AppInst (auto cluster), when one was. */
  readonly autoCluster: string | undefined;
}

/**
 * The transaction part of an AppInst create. Checks the existing object, App, Cloudlet (and its CloudletInfo
 * unless IGNORE_CRM), flavor (defaulted from the App's default_flavor) and ClusterInst (must be READY unless an
 * override is given). Fills cloudlet_loc, created_at, liveness (STATIC), mapped_ports and uri (see
 * `placeAppInst`) and writes the AppInst CREATE_REQUESTED (READY under IGNORE_CRM) with refs and its operation.
 * A missing ClusterInst whose name starts with `autocluster` is created (auto, DYNAMIC, the AppInst's flavor and
 * auto_cluster_ip_access, one master and one node) and the AppInst waits in the operation record until it is READY.
 */
export function writeAppInstCreate(deps: InstDeps, tx: WriteTx, request: AppInst, flags: OverrideFlags, now = Date.now()): AppInstCreateWrite {
  const { kinds } = deps;
  const key = keyString.appInst(request.key);
  const what = describeInst('AppInst', request, key);
  checkCreateOver(tx.get(kinds.appInst, key), what, flags);
  const appKey = request.key?.app_key;
  const app = tx.get(kinds.app, keyString.app(appKey));
  if (!app) throw notFound(`app ${appKey?.name ?? ''}${appKey?.version ? ` ${appKey.version}` : ''} of developer ${appKey?.developer_key?.name ?? ''}`, 'key.app_key');
  const ciKeyMsg = request.key?.cluster_inst_key;
  const cloudletKey = ciKeyMsg?.cloudlet_key;
  const cloudlet = tx.get(kinds.cloudlet, keyString.cloudlet(cloudletKey));
  if (!cloudlet) throw notFound(`cloudlet ${cloudletKey?.name ?? ''} of operator ${cloudletKey?.operator_key?.name ?? ''}`, 'key.cluster_inst_key.cloudlet_key');
  checkCloudletReady(tx, kinds, cloudletKey, flags);
  const flavorName = request.flavor?.name || app.default_flavor?.name || '';
  if (flavorName === '') throw invalidArgument('flavor.name', 'is required (the app has no default flavor)');
  if (!tx.get(kinds.flavor, keyString.flavor({ name: flavorName }))) throw notFound(`flavor ${flavorName}`, 'flavor.name');
  const base: AppInst = {
    ...request,
    fields: [],
    cloudlet_loc: cloudlet.location,
    uri: '',
    liveness: request.liveness || Liveness.LIVENESS_STATIC,
    mapped_ports: [],
    flavor: { name: flavorName },
    state: flags.ignoreCrm ? TrackedState.READY : TrackedState.CREATE_REQUESTED,
    errors: [],
    crm_override: CRMOverride.NO_OVERRIDE,
    runtime_info: undefined,
    created_at: timestamp(now),
  };
  const ciKey = keyString.clusterInst(ciKeyMsg);
  let ci = tx.get(kinds.clusterInst, ciKey);
  const clusterName = ciKeyMsg?.cluster_key?.name ?? '';
  let autoCluster = ci?.auto ? ciKey : undefined;
  if (ci && ci.state !== TrackedState.READY && !flags.ignoreCrm && !flags.ignoreTransient) {
    throw failedPrecondition(`cluster instance ${clusterName} not ready, state is ${stateName(ci.state)}`, 'key.cluster_inst_key');
  }
  if (!ci) {
    if (!isAutoClusterName(clusterName)) throw notFound(`cluster instance ${clusterName} on cloudlet ${cloudletKey?.name ?? ''}`, 'key.cluster_inst_key');
    const docker = app.deployment === 'docker';
    const clusterRequest = ClusterInst.fromPartial({
      key: ciKeyMsg, flavor: { name: flavorName }, ip_access: request.auto_cluster_ip_access,
      num_masters: docker ? 0 : 1, num_nodes: 1, deployment: docker ? 'docker' : 'kubernetes',
    });
    const cluster = writeClusterInstCreate(deps, tx, clusterRequest, flags, { auto: true, parent: key });
    autoCluster = ciKey;
    if (!flags.ignoreCrm) {
      const op = beginOperation(tx, 'AppInst', key, 'create', {
        timeouts: deps.config.timeouts, timeoutMs: pendingTimeoutMs(deps), pending: AppInst.toJSON(base), autoCluster,
        ignoreCrmErrors: flags.ignoreCrmErrors, now,
      });
      return { key, opId: op.id, autoCluster };
    }
    ci = cluster.ci;
  }
  putInst(deps, tx, 'AppInst', placeAppInst(deps, tx, base, app, ci));
  if (flags.ignoreCrm) {
    dropOperation(tx, 'AppInst', key);
    return { key, opId: undefined, autoCluster };
  }
  const op = beginOperation(tx, 'AppInst', key, 'create', {
    timeouts: deps.config.timeouts, autoCluster, ignoreCrmErrors: flags.ignoreCrmErrors, now,
  });
  return { key, opId: op.id, autoCluster };
}
