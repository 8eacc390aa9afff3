import { Code, CodedError, isCodedError, notFound } from '../../core/errors.js';
import type { AppInst} from '../../gen/edgeproto/app_inst.js';
import { AppInstApiService, type AppInstApiServer } from '../../gen/edgeproto/app_inst.js';
import { TrackedState } from '../../gen/edgeproto/common.js';
import type { Result } from '../../gen/edgeproto/result.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import { serverStream, type CallContext } from '../grpc-adapter.js';
import { showStored } from './show-stored.js';
import { appInstsOn, describeInst, putInst, removeInst } from '../state/inst-store.js';
import { beginOperation, dropOperation, operationKey, operationKind } from '../state/operations.js';
import type { WatchedInst } from '../state/wait.js';
import { normalizeAppInstRequest, writeAppInstCreate } from './appinst-create.js';
import { callOverride, checkCloudletReady, checkDeleteFrom, followOperation, successMessage } from './inst-common.js';
import { progress } from './result.js';

type Send = (result: Result) => Promise<void>;

function watchOf(deps: ApiDeps, key: string, autoCluster: string | undefined): WatchedInst[] {
  const { objects, kinds } = deps;
  const watch: WatchedInst[] = [{ cache: objects.cache(kinds.appInst) as unknown as WatchedInst['cache'], key, label: '' }];
  if (autoCluster) watch.push({ cache: objects.cache(kinds.clusterInst) as unknown as WatchedInst['cache'], key: autoCluster, label: 'ClusterInst ' });
  return watch;
}

async function create(deps: ApiDeps, raw: AppInst, send: Send, context: CallContext): Promise<void> {
  const request = normalizeAppInstRequest(raw);
  const flags = callOverride(request.crm_override);
  const { key, opId, autoCluster } = await deps.objects.write((tx) => writeAppInstCreate(deps, tx, request, flags));
  if (opId === undefined) {
    await send(progress(successMessage('AppInst', 'create')));
    return;
  }
  const what = describeInst('AppInst', request, key);
  await followOperation(deps, {
    tag: 'AppInst', key, id: opId, action: 'create', what, watch: watchOf(deps, key, autoCluster), send, signal: context.signal,
  });
}

/** After an AppInst on an auto cluster is gone: follows the cluster's delete, reporting (not failing) its end. */
async function followAutoClusterDelete(deps: ApiDeps, clusterKey: string, since: number, send: Send, context: CallContext): Promise<void> {
  const op = deps.objects.cache(operationKind).get(operationKey('ClusterInst', clusterKey));
  if (op?.action !== 'delete' || op.startedAt < since) return;
  const ci = deps.objects.cache(deps.kinds.clusterInst).get(clusterKey);
  const what = `auto cluster ${ci?.key?.cluster_key?.name ?? clusterKey}`;
  try {
    await followOperation(deps, {
      tag: 'ClusterInst', key: clusterKey, id: op.id, action: 'delete', what, send, signal: context.signal, finalMessage: false,
      watch: [{ cache: deps.objects.cache(deps.kinds.clusterInst) as unknown as WatchedInst['cache'], key: clusterKey, label: 'ClusterInst ' }],
    });
    await send(progress(`Deleted ${what}`));
  } catch (err) {
    if (!isCodedError(err) || (err.code !== Code.ABORTED && err.code !== Code.DEADLINE_EXCEEDED)) throw err;
    await send(progress(`${err.message}; delete the ClusterInst when its CRM is back`));
  }
}

async function remove(deps: ApiDeps, raw: AppInst, send: Send, context: CallContext): Promise<void> {
  const request = normalizeAppInstRequest(raw);
  const flags = callOverride(request.crm_override);
  const { kinds } = deps;
  const key = keyString.appInst(request.key);
  const what = describeInst('AppInst', request, key);
  const ciKey = keyString.clusterInst(request.key?.cluster_inst_key);
  const started = Date.now();
  const written = await deps.objects.write((tx) => {
    const ai = tx.get(kinds.appInst, key);
    if (!ai) throw notFound(what, 'key');
    checkDeleteFrom(ai, 'AppInst', what, flags);
    checkCloudletReady(tx, kinds, ai.key?.cluster_inst_key?.cloudlet_key, flags);
    const autoCluster = tx.get(kinds.clusterInst, ciKey)?.auto ? ciKey : undefined;
    if (flags.ignoreCrm) {
      removeInst(deps, tx, 'AppInst', key);
      dropOperation(tx, 'AppInst', key);
      if (autoCluster && appInstsOn(deps, tx, autoCluster).length === 0) {
        removeInst(deps, tx, 'ClusterInst', autoCluster);
        dropOperation(tx, 'ClusterInst', autoCluster);
      }
      return { opId: undefined, autoCluster };
    }
    putInst(deps, tx, 'AppInst', { ...ai, state: TrackedState.DELETE_REQUESTED });
    const op = beginOperation(tx, 'AppInst', key, 'delete', {
      timeouts: deps.config.timeouts, autoCluster, ignoreCrmErrors: flags.ignoreCrmErrors, now: started,
    });
    return { opId: op.id, autoCluster };
  });
  if (written.opId === undefined) {
    await send(progress(successMessage('AppInst', 'delete')));
    return;
  }
  await followOperation(deps, { tag: 'AppInst', key, id: written.opId, action: 'delete', what, watch: watchOf(deps, key, undefined), send, signal: context.signal });
  if (written.autoCluster) await followAutoClusterDelete(deps, written.autoCluster, started, send, context);
}

/**
 * AppInstApi (server-streaming Results; Show streams objects):
 * - Create: see {@link writeAppInstCreate}; streams each state ("Creating"...; an auto cluster's states as
 *   "ClusterInst Creating"...), "Created successfully" on READY. CRM error → ABORTED (the AppInst stays in
 *   CREATE_ERROR, except on an auto cluster: then it and the cluster are removed); deadline → DEADLINE_EXCEEDED.
 * - Delete: NOT_FOUND if absent, FAILED_PRECONDITION while busy unless IGNORE_TRANSIENT_STATE; DELETE_REQUESTED,
 *   success when the CRM removed it. On an auto cluster the cluster is then deleted too (followed and reported;
 *   its failure does not fail the call).
 * - Update: UNIMPLEMENTED, as the original at this version.
 * crm_override applies to the call only; IGNORE_CRM writes the end state directly.
 */
export function appInstApi(deps: ApiDeps): { service: typeof AppInstApiService; implementation: AppInstApiServer } {
  const { kinds, log } = deps;
  const implementation: AppInstApiServer = {
    createAppInst: serverStream(log, 'CreateAppInst', (r: AppInst, send, c) => create(deps, r, send, c)),
    deleteAppInst: serverStream(log, 'DeleteAppInst', (r: AppInst, send, c) => remove(deps, r, send, c)),
    updateAppInst: serverStream(log, 'UpdateAppInst', () =>
      Promise.reject(new CodedError(Code.UNIMPLEMENTED, 'update of app instances is not supported: delete the AppInst and create it again'))),
    showAppInst: showStored(deps, 'ShowAppInst', kinds.appInst),
  };
  return { service: AppInstApiService, implementation };
}
