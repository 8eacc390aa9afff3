import { asCodedError, failedPrecondition } from '../core/errors.js';
import { Outcome } from '../core/outcome.js';
import type { ClusterInst } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import { matchPlatformFlavor } from '../platform/flavor-match.js';
import type { ClusterInstSpec, PlatformFlavor } from '../platform/platform.js';
import { keyString } from '../wire/object-key.js';
import { phaseOf } from './inst-phase.js';
import { ensureAbsent, holdAfterError, NOTHING, reconcileUndesired, setUnrepaired, stopWaiting, waitForDependency, wakeWaiters, type Reconciled } from './reconcile-common.js';
import { queueKey, type ReconcileEnv } from './reconcile-env.js';
import { runOperation } from './run-operation.js';

/** The platform flavor for a ClusterInst: the controller's `node_flavor` when the platform has it, else the best fit. */
function nodeFlavorOf(env: ReconcileEnv, ci: ClusterInst): PlatformFlavor | { wait: string } | { error: Error } {
  const flavors = env.platformFlavors();
  if (ci.node_flavor) {
    const named = flavors.find((f) => f.name === ci.node_flavor);
    if (named) return named;
  }
  const flavorKey = keyString.flavor(ci.flavor);
  const flavor = env.desired.flavors.get(flavorKey);
  if (!flavor) return { wait: flavorKey };
  try {
    return matchPlatformFlavor({ name: flavor.key?.name ?? '', vcpus: Number(flavor.vcpus), ramMb: Number(flavor.ram), diskGb: Number(flavor.disk) }, flavors);
  } catch (err) {
    return { error: asCodedError(err) };
  }
}

/**
 * Reconciles one ClusterInst key (level-triggered, idempotent): makes the platform match the desired object and
 * reports ClusterInstInfo along the original state machine: CREATING → READY / CREATE_ERROR, UPDATING → READY /
 * UPDATE_ERROR (the original reported DELETE_ERROR), DELETING → info deleted / DELETE_ERROR. A ClusterInst that the
 * controller thinks READY but the platform lost is rebuilt (drift repair) without changing the reported state.
 */
export async function reconcileClusterInst(env: ReconcileEnv, key: string, signal: AbortSignal): Promise<Reconciled> {
  const desired = env.desired.clusterInsts.get(key);
  if (!desired) return reconcileUndesired(env, 'ClusterInst', key, signal);
  env.orphanSince.delete(queueKey('ClusterInst', key));
  switch (phaseOf(desired.state)) {
    case 'present':
      return ensureClusterInst(env, key, desired, signal);
    case 'absent':
      stopWaiting(env, 'ClusterInst', key);
      setUnrepaired(env, 'ClusterInst', key, undefined);
      return ensureAbsent(env, 'ClusterInst', key, desired, signal);
    case 'hold':
      stopWaiting(env, 'ClusterInst', key);
      return holdAfterError(env, 'ClusterInst', key, desired, signal);
    default:
      return NOTHING;
  }
}

async function ensureClusterInst(env: ReconcileEnv, key: string, desired: ClusterInst, signal: AbortSignal): Promise<Reconciled> {
  const actual = env.actual.get('ClusterInst', key);
  const wantNodes = desired.num_nodes;
  if (actual?.status === 'ready' && (actual.numNodes === undefined || actual.numNodes === wantNodes)) {
    env.report.clusterInst(desired.key, key, TrackedState.READY);
    setUnrepaired(env, 'ClusterInst', key, undefined);
    if (env.journal.get('ClusterInst', key)) await env.journal.end('ClusterInst', key);
    return NOTHING;
  }
  const op = actual?.status === 'ready' ? 'update' : 'create';
  const repair = desired.state === TrackedState.READY;
  const progressState = op === 'create' ? TrackedState.CREATING : TrackedState.UPDATING;
  const errorState = op === 'create' ? TrackedState.CREATE_ERROR : TrackedState.UPDATE_ERROR;
  const errorPrefix = op === 'create' ? 'Create failed: ' : 'Update failed: ';

  const nodeFlavor = nodeFlavorOf(env, desired);
  if ('wait' in nodeFlavor) {
    // A new CRM may get its cloudlet's ClusterInsts before the Flavors (they come with the send-all): wait for it.
    const waiting = waitForDependency(env, 'ClusterInst', key, nodeFlavor.wait);
    if (waiting) return waiting;
    const error = failedPrecondition(`Flavor ${desired.flavor?.name ?? ''} not found`);
    if (repair) {
      setUnrepaired(env, 'ClusterInst', key, `ClusterInst ${desired.key?.cluster_key?.name ?? key} lost on the platform, cannot rebuild: ${error.message}`);
      return { outcome: Outcome.retry(error), label: { op, result: 'error' } };
    }
    env.report.clusterInst(desired.key, key, errorState, [`${errorPrefix}${error.message}`]);
    return { outcome: Outcome.terminal(error), label: { op, result: 'error' } };
  }
  stopWaiting(env, 'ClusterInst', key);
  if ('error' in nodeFlavor) {
    env.report.clusterInst(desired.key, key, errorState, [`${errorPrefix}${nodeFlavor.error.message}`]);
    return { outcome: Outcome.terminal(nodeFlavor.error), label: { op, result: 'error' } };
  }
  const spec: ClusterInstSpec = { key, clusterInst: desired, nodeFlavor };
  if (!repair) env.report.clusterInst(desired.key, key, progressState);
  const result = await runOperation(env, {
    kind: 'ClusterInst', key, op, failures: env.failures('ClusterInst', key),
    call: (ctx) => (op === 'create' ? env.platform.createClusterInst(spec, ctx) : env.platform.updateClusterInst(spec, ctx)),
  }, signal);
  switch (result.kind) {
    case 'ok':
      env.actual.set({ kind: 'ClusterInst', key, status: 'ready', numNodes: wantNodes });
      env.report.clusterInst(desired.key, key, TrackedState.READY);
      if (repair) {
        env.metrics.driftRepairs.inc({ kind: 'ClusterInst', result: 'success' });
        setUnrepaired(env, 'ClusterInst', key, undefined);
      }
      wakeWaiters(env, key);
      return { outcome: Outcome.done(), label: { op, result: 'success' } };
    case 'cancelled':
      return { outcome: Outcome.done(), label: { op, result: 'cancelled' } };
    case 'retry':
      return { outcome: Outcome.retry(result.error), label: { op, result: 'retry' } };
    case 'failed':
      if (repair) {
        env.metrics.driftRepairs.inc({ kind: 'ClusterInst', result: 'error' });
        setUnrepaired(env, 'ClusterInst', key, `ClusterInst ${desired.key?.cluster_key?.name ?? key} lost on the platform, repair failed: ${result.error.message}`);
        return { outcome: Outcome.retry(result.error), label: { op, result: 'error' } };
      }
      env.report.clusterInst(desired.key, key, errorState, [`${errorPrefix}${result.error.message}`]);
      return { outcome: Outcome.terminal(result.error), label: { op, result: 'error' } };
  }
}
