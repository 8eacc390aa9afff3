import { failedPrecondition, invalidArgument, notFound } from '../../core/errors.js';
import type { ClusterInst} from '../../gen/edgeproto/clusterinst.js';
import { ClusterInstApiService, type ClusterInstApiServer } from '../../gen/edgeproto/clusterinst.js';
import { CRMOverride, TrackedState } from '../../gen/edgeproto/common.js';
import type { Result } from '../../gen/edgeproto/result.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import type { CallContext } from '../grpc-adapter.js';
import { serverStream } from '../grpc-adapter.js';
import { showStored } from './show-stored.js';
import { checkFits, cloudletUsage } from '../resources/refs.js';
import { appInstsOn, describeInst, putInst, removeInst } from '../state/inst-store.js';
import { beginOperation, dropOperation } from '../state/operations.js';
import { supersedeClusterInstOperation } from '../state/settle.js';
import { stateName } from '../state/transitions.js';
import type { WatchedInst } from '../state/wait.js';
import { validateClusterInstKey, validateClusterInstRequest, writeClusterInstCreate } from './clusterinst-create.js';
import { inUse } from './in-use.js';
import { callOverride, checkCloudletReady, checkDeleteFrom, followOperation, successMessage } from './inst-common.js';
import { progress } from './result.js';

/** Field number of ClusterInst.num_nodes and crm_override: the only fields Update takes. */
const NUM_NODES_FIELD = '14';
const CRM_OVERRIDE_FIELD = '6';

type Send = (result: Result) => Promise<void>;

function watchOf(deps: ApiDeps, key: string): WatchedInst[] {
  return [{ cache: deps.objects.cache(deps.kinds.clusterInst) as unknown as WatchedInst['cache'], key, label: '' }];
}

async function create(deps: ApiDeps, request: ClusterInst, send: Send, context: CallContext): Promise<void> {
  validateClusterInstRequest(request);
  const flags = callOverride(request.crm_override);
  const { key, ci, opId } = await deps.objects.write((tx) => writeClusterInstCreate(deps, tx, request, flags));
  const what = describeInst('ClusterInst', ci, key);
  if (opId === undefined) {
    await send(progress(successMessage('ClusterInst', 'create')));
    return;
  }
  await followOperation(deps, { tag: 'ClusterInst', key, id: opId, action: 'create', what, watch: watchOf(deps, key), send, signal: context.signal });
}

async function remove(deps: ApiDeps, request: ClusterInst, send: Send, context: CallContext): Promise<void> {
  validateClusterInstKey(request.key);
  const flags = callOverride(request.crm_override);
  const { kinds } = deps;
  const key = keyString.clusterInst(request.key);
  const what = describeInst('ClusterInst', request, key);
  const opId = await deps.objects.write((tx) => {
    const ci = tx.get(kinds.clusterInst, key);
    if (!ci) throw notFound(what, 'key');
    const users = appInstsOn(deps, tx, key).map((ai) => describeInst('AppInst', ai, ''));
    if (users.length > 0) throw inUse(what, users);
    checkDeleteFrom(ci, 'ClusterInst', what, flags);
    checkCloudletReady(tx, kinds, ci.key?.cloudlet_key, flags);
    supersedeClusterInstOperation(deps, tx, key);
    if (flags.ignoreCrm) {
      removeInst(deps, tx, 'ClusterInst', key);
      dropOperation(tx, 'ClusterInst', key);
      return undefined;
    }
    putInst(deps, tx, 'ClusterInst', { ...ci, state: TrackedState.DELETE_REQUESTED });
    return beginOperation(tx, 'ClusterInst', key, 'delete', { timeouts: deps.config.timeouts, ignoreCrmErrors: flags.ignoreCrmErrors }).id;
  });
  if (opId === undefined) {
    await send(progress(successMessage('ClusterInst', 'delete')));
    return;
  }
  await followOperation(deps, { tag: 'ClusterInst', key, id: opId, action: 'delete', what, watch: watchOf(deps, key), send, signal: context.signal });
}

/** The fields an Update may list: num_nodes (14) and crm_override (6); none means num_nodes. */
function checkUpdateFields(fields: readonly string[]): void {
  for (const field of fields) {
    if (field !== NUM_NODES_FIELD && field !== CRM_OVERRIDE_FIELD) {
      throw invalidArgument('fields', `"${field}" cannot be updated; only num_nodes (${NUM_NODES_FIELD}) can`);
    }
  }
}

async function update(deps: ApiDeps, request: ClusterInst, send: Send, context: CallContext): Promise<void> {
  validateClusterInstKey(request.key);
  checkUpdateFields(request.fields);
  const flags = callOverride(request.crm_override);
  const { kinds } = deps;
  const key = keyString.clusterInst(request.key);
  const what = describeInst('ClusterInst', request, key);
  const opId = await deps.objects.write((tx) => {
    const current = tx.get(kinds.clusterInst, key);
    if (!current) throw notFound(what, 'key');
    if (current.state !== TrackedState.READY) {
      throw failedPrecondition(`${what} cannot be updated in state ${stateName(current.state)}; only READY can`, 'key');
    }
    if (current.num_masters === 0) throw failedPrecondition(`${what} has no masters; its number of nodes cannot change`, 'num_nodes');
    checkCloudletReady(tx, kinds, current.key?.cloudlet_key, flags);
    const cloudletKey = current.key?.cloudlet_key;
    const before = cloudletUsage(tx, kinds, cloudletKey);
    const updated: ClusterInst = { ...current, num_nodes: request.num_nodes, state: TrackedState.UPDATE_REQUESTED, errors: [], crm_override: CRMOverride.NO_OVERRIDE };
    putInst(deps, tx, 'ClusterInst', updated);
    const info = tx.get(kinds.cloudletInfo, keyString.cloudlet(cloudletKey));
    const cloudlet = tx.get(kinds.cloudlet, keyString.cloudlet(cloudletKey));
    checkFits(`cloudlet ${cloudletKey?.name ?? ''}`, before, cloudletUsage(tx, kinds, cloudletKey), info, cloudlet?.num_dynamic_ips ?? 0);
    return beginOperation(tx, 'ClusterInst', key, 'update', { timeouts: deps.config.timeouts }).id;
  });
  if (flags.ignoreCrm) {
    await send(progress('Update requested; not waiting for the CRM (IGNORE_CRM)'));
    return;
  }
  await followOperation(deps, { tag: 'ClusterInst', key, id: opId, action: 'update', what, watch: watchOf(deps, key), send, signal: context.signal });
}

/**
 * ClusterInstApi (server-streaming Results; Show streams objects):
 * - Create: see {@link writeClusterInstCreate}; then streams each state the CRM reports ("Creating"...) and ends
 *   with "Created successfully" on READY. CRM error → ABORTED with its errors (the object stays in CREATE_ERROR);
 *   deadline (config.timeouts.createMs) → DEADLINE_EXCEEDED, the object moves to CREATE_ERROR.
 * - Delete: NOT_FOUND if absent; FAILED_PRECONDITION naming the AppInsts on it, or while busy (transient state)
 *   unless IGNORE_TRANSIENT_STATE; DELETE_REQUESTED, success when the CRM removed it (its info DELETE).
 * - Update: only num_nodes, only from READY and with masters; UPDATE_REQUESTED, success on READY. Under
 *   IGNORE_CRM it returns at once (the CRM still acts; the deadline still applies).
 * All take crm_override for the call only (stored as NO_OVERRIDE); IGNORE_CRM skips the CloudletInfo check and
 * writes the end state directly (create → READY, delete → removed).
 */
export function clusterInstApi(deps: ApiDeps): { service: typeof ClusterInstApiService; implementation: ClusterInstApiServer } {
  const { kinds, log } = deps;
  const implementation: ClusterInstApiServer = {
    createClusterInst: serverStream(log, 'CreateClusterInst', (r: ClusterInst, send, c) => create(deps, r, send, c)),
    deleteClusterInst: serverStream(log, 'DeleteClusterInst', (r: ClusterInst, send, c) => remove(deps, r, send, c)),
    updateClusterInst: serverStream(log, 'UpdateClusterInst', (r: ClusterInst, send, c) => update(deps, r, send, c)),
    showClusterInst: showStored(deps, 'ShowClusterInst', kinds.clusterInst),
  };
  return { service: ClusterInstApiService, implementation };
}
