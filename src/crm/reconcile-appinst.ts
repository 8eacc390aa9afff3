import { failedPrecondition } from '../core/errors.js';
import { Outcome } from '../core/outcome.js';
import type { App } from '../gen/edgeproto/app.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import type { Flavor } from '../gen/edgeproto/flavor.js';
import type { AppInstSpec } from '../platform/platform.js';
import { keyString } from '../wire/object-key.js';
import { phaseOf } from './inst-phase.js';
import { ensureAbsent, holdAfterError, NOTHING, reconcileUndesired, setUnrepaired, stopWaiting, waitForDependency, type Reconciled } from './reconcile-common.js';
import { queueKey, type ReconcileEnv } from './reconcile-env.js';
import { runOperation } from './run-operation.js';

const CREATE_PREFIX = 'Create App Inst failed: ';

/**
 * Reconciles one AppInst key (level-triggered, idempotent). Creating needs the App, the ClusterInst (built on the
 * platform, except for deployment "vm") and the Flavor if one is named; while one has not arrived the AppInst waits
 * (re-run as soon as it arrives, polled every second) and after `dependencyWaitMs` it is reported CREATE_ERROR
 * naming what is missing. The original dropped such an AppInst silently. Reports AppInstInfo CREATING → READY
 * (with runtime_info) / CREATE_ERROR (after a best-effort cleanup), DELETING → info deleted / DELETE_ERROR.
 */
export async function reconcileAppInst(env: ReconcileEnv, key: string, signal: AbortSignal): Promise<Reconciled> {
  const desired = env.desired.appInsts.get(key);
  if (!desired) return reconcileUndesired(env, 'AppInst', key, signal);
  env.orphanSince.delete(queueKey('AppInst', key));
  switch (phaseOf(desired.state)) {
    case 'present':
      return ensureAppInst(env, key, desired, signal);
    case 'absent':
      stopWaiting(env, 'AppInst', key);
      setUnrepaired(env, 'AppInst', key, undefined);
      return ensureAbsent(env, 'AppInst', key, desired, signal);
    case 'hold':
      stopWaiting(env, 'AppInst', key);
      return holdAfterError(env, 'AppInst', key, desired, signal);
    default:
      return NOTHING;
  }
}

/** READY, or an in-progress create the platform already finished (the failure came after it). */
function isSettled(state: TrackedState): boolean {
  return state === TrackedState.READY || state === TrackedState.CREATING || state === TrackedState.CREATE_REQUESTED;
}

interface Dependencies {
  readonly app: App;
  readonly clusterInst: ClusterInst | undefined;
  readonly flavor: Flavor | undefined;
}

/** The AppInst's dependencies, or the key string and description of the first one missing. */
function dependenciesOf(env: ReconcileEnv, desired: AppInst): Dependencies | { on: string; what: string } {
  const appKey = keyString.app(desired.key?.app_key);
  const app = env.desired.apps.get(appKey);
  if (!app) return { on: appKey, what: `App ${desired.key?.app_key?.name ?? ''} version ${desired.key?.app_key?.version ?? ''} not received from the controller` };
  let flavor: Flavor | undefined;
  if (desired.flavor?.name) {
    const flavorKey = keyString.flavor(desired.flavor);
    flavor = env.desired.flavors.get(flavorKey);
    if (!flavor) return { on: flavorKey, what: `Flavor ${desired.flavor.name} not found` };
  }
  if (app.deployment === 'vm') return { app, clusterInst: undefined, flavor };
  const clusterKey = keyString.clusterInst(desired.key?.cluster_inst_key);
  const clusterInst = env.desired.clusterInsts.get(clusterKey);
  const clusterName = desired.key?.cluster_inst_key?.cluster_key?.name ?? '';
  if (!clusterInst) return { on: clusterKey, what: `Cluster instance ${clusterName} not found` };
  if (env.actual.get('ClusterInst', clusterKey)?.status !== 'ready') return { on: clusterKey, what: `Cluster instance ${clusterName} is not ready on the platform` };
  return { app, clusterInst, flavor };
}

async function ensureAppInst(env: ReconcileEnv, key: string, desired: AppInst, signal: AbortSignal): Promise<Reconciled> {
  const actual = env.actual.get('AppInst', key);
  if (actual?.status === 'ready' || (actual?.status === 'failed' && isSettled(desired.state))) {
    // A failed AppInst (its container exited) is the platform's to restart, per its restart policy; the CRM reports
    // its health in the info's errors and does not build a second copy. Only a vanished one is rebuilt.
    stopWaiting(env, 'AppInst', key);
    const health = actual.status === 'failed' ? [`AppInst unhealthy: ${actual.detail ?? 'failed'}`] : [];
    env.report.appInst(desired.key, key, TrackedState.READY, health, actual.runtime);
    setUnrepaired(env, 'AppInst', key, undefined);
    if (env.journal.get('AppInst', key)) await env.journal.end('AppInst', key);
    return NOTHING;
  }
  const repair = desired.state === TrackedState.READY;
  const deps = dependenciesOf(env, desired);
  if ('on' in deps) {
    const waiting = waitForDependency(env, 'AppInst', key, deps.on);
    if (waiting) return waiting;
    const error = failedPrecondition(deps.what);
    if (repair) {
      setUnrepaired(env, 'AppInst', key, `AppInst ${desired.key?.app_key?.name ?? key} lost on the platform, cannot rebuild: ${deps.what}`);
      return { outcome: Outcome.retry(error), label: { op: 'create', result: 'error' } };
    }
    env.report.appInst(desired.key, key, TrackedState.CREATE_ERROR, [`${CREATE_PREFIX}${deps.what}`]);
    return { outcome: Outcome.terminal(error), label: { op: 'create', result: 'error' } };
  }
  stopWaiting(env, 'AppInst', key);
  const spec: AppInstSpec = { key, appInst: desired, app: deps.app, clusterInst: deps.clusterInst, flavor: deps.flavor };
  if (!repair) env.report.appInst(desired.key, key, TrackedState.CREATING);
  const result = await runOperation(env, {
    kind: 'AppInst', key, op: 'create', failures: env.failures('AppInst', key),
    call: (ctx) => env.platform.createAppInst(spec, ctx),
  }, signal);
  switch (result.kind) {
    case 'ok':
      env.actual.set({ kind: 'AppInst', key, status: 'ready', runtime: result.value });
      env.report.appInst(desired.key, key, TrackedState.READY, [], result.value);
      if (repair) {
        env.metrics.driftRepairs.inc({ kind: 'AppInst', result: 'success' });
        setUnrepaired(env, 'AppInst', key, undefined);
      }
      return { outcome: Outcome.done(), label: { op: 'create', result: 'success' } };
    case 'cancelled':
      return { outcome: Outcome.done(), label: { op: 'create', result: 'cancelled' } };
    case 'retry':
      return { outcome: Outcome.retry(result.error), label: { op: 'create', result: 'retry' } };
    case 'failed': {
      if (repair) {
        env.metrics.driftRepairs.inc({ kind: 'AppInst', result: 'error' });
        setUnrepaired(env, 'AppInst', key, `AppInst ${desired.key?.app_key?.name ?? key} lost on the platform, repair failed: ${result.error.message}`);
        return { outcome: Outcome.retry(result.error), label: { op: 'create', result: 'error' } };
      }
      // Like the original: clean up whatever the failed create left, then report the failure.
      const cleanup = await runOperation(env, {
        kind: 'AppInst', key, op: 'delete', failures: env.config.maxAttempts,
        call: (ctx) => env.platform.deleteAppInst({ key, object: desired }, ctx),
      }, signal);
      if (cleanup.kind === 'ok') env.actual.delete('AppInst', key);
      env.report.appInst(desired.key, key, TrackedState.CREATE_ERROR, [`${CREATE_PREFIX}${result.error.message}`]);
      return { outcome: Outcome.terminal(result.error), label: { op: 'create', result: 'error' } };
    }
  }
}
