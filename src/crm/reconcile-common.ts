import { Outcome } from '../core/outcome.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import type { InstKind } from './journal.js';
import { parseQueueKey, queueKey, type ReconcileEnv } from './reconcile-env.js';
import { runOperation } from './run-operation.js';

/** Result label of a reconcile, for the duration histogram. */
export type ReconcileLabel = { op: 'create' | 'update' | 'delete' | 'none'; result: 'success' | 'error' | 'retry' | 'waiting' | 'cancelled' };

/** An outcome with the labels it is measured under. */
export interface Reconciled {
  readonly outcome: Outcome;
  readonly label: ReconcileLabel;
}

export const NOTHING: Reconciled = { outcome: Outcome.done(), label: { op: 'none', result: 'success' } };

function deleteCall(env: ReconcileEnv, kind: InstKind, key: string, object: ClusterInst | AppInst | undefined) {
  return kind === 'ClusterInst'
    ? (ctx: Parameters<typeof env.platform.deleteClusterInst>[1]) => env.platform.deleteClusterInst({ key, ...(object ? { object: object as ClusterInst } : {}) }, ctx)
    : (ctx: Parameters<typeof env.platform.deleteAppInst>[1]) => env.platform.deleteAppInst({ key, ...(object ? { object: object as AppInst } : {}) }, ctx);
}

const DELETE_ERROR_PREFIX: Record<InstKind, string> = { ClusterInst: 'Delete failed: ', AppInst: 'Delete App Inst failed: ' };

/**
 * Desired state DELETE_REQUESTED / DELETING / DELETE_PREPARE: delete from the platform (absent is success), then
 * report the instance gone (info DELETE). A failure is DELETE_ERROR with the reason; a retryable one is retried
 * first. Idempotent.
 */
export async function ensureAbsent(env: ReconcileEnv, kind: InstKind, key: string, desired: ClusterInst | AppInst, signal: AbortSignal): Promise<Reconciled> {
  const actual = env.actual.get(kind, key);
  if (!actual && !env.journal.get(kind, key)) {
    env.report.gone(kind, desired.key, key);
    return NOTHING;
  }
  reportState(env, kind, key, desired, TrackedState.DELETING);
  const result = await runOperation(env, { kind, key, op: 'delete', failures: env.failures(kind, key), call: deleteCall(env, kind, key, desired) }, signal);
  switch (result.kind) {
    case 'ok':
      env.actual.delete(kind, key);
      env.report.gone(kind, desired.key, key);
      return { outcome: Outcome.done(), label: { op: 'delete', result: 'success' } };
    case 'cancelled':
      return { outcome: Outcome.done(), label: { op: 'delete', result: 'cancelled' } };
    case 'retry':
      return { outcome: Outcome.retry(result.error), label: { op: 'delete', result: 'retry' } };
    case 'failed':
      reportState(env, kind, key, desired, TrackedState.DELETE_ERROR, [`${DELETE_ERROR_PREFIX[kind]}${result.error.message}`]);
      return { outcome: Outcome.terminal(result.error), label: { op: 'delete', result: 'error' } };
  }
}

/**
 * Desired state *_ERROR: the controller recorded a failure and waits for the user. If an operation was interrupted
 * (by a stop in an earlier run, or aborted in this one because the desired object changed) and left a `partial`
 * instance, or one not seen since, it is cleaned up (best effort); anything complete stays until the user deletes it.
 */
export async function holdAfterError(env: ReconcileEnv, kind: InstKind, key: string, desired: ClusterInst | AppInst, signal: AbortSignal): Promise<Reconciled> {
  const entry = env.journal.get(kind, key);
  if (!entry) return NOTHING;
  const actual = env.actual.get(kind, key);
  if (actual !== undefined && actual.status !== 'partial') {
    await env.journal.end(kind, key);
    return NOTHING;
  }
  const result = await runOperation(env, { kind, key, op: 'delete', failures: env.config.maxAttempts, call: deleteCall(env, kind, key, desired) }, signal);
  if (result.kind === 'ok') env.actual.delete(kind, key);
  return { outcome: Outcome.done(), label: { op: 'delete', result: result.kind === 'ok' ? 'success' : result.kind === 'cancelled' ? 'cancelled' : 'error' } };
}

/**
 * No desired object: the controller does not (or no longer) want the instance. What the platform still holds is
 * deleted only when the controller's full send-all has confirmed its absence (the current connection is synced)
 * and it has stayed absent for `orphanGraceMs` since then. A lost controller therefore never causes a delete.
 */
export async function reconcileUndesired(env: ReconcileEnv, kind: InstKind, key: string, signal: AbortSignal): Promise<Reconciled> {
  const qk = queueKey(kind, key);
  const actual = env.actual.get(kind, key);
  if (!actual && !env.journal.get(kind, key)) {
    env.orphanSince.delete(qk);
    env.waiting.delete(qk);
    env.report.forget(kind, key);
    return NOTHING;
  }
  const syncedAt = env.syncedAt();
  if (!env.synced() || syncedAt === undefined) return NOTHING; // re-enqueued when the next send-all completes
  const now = Date.now();
  const since = env.orphanSince.get(qk) ?? now;
  env.orphanSince.set(qk, since);
  const dueAt = Math.max(since, syncedAt) + env.config.orphanGraceMs;
  if (now < dueAt) return { outcome: Outcome.requeue(dueAt - now), label: { op: 'none', result: 'waiting' } };
  env.log.info({ kind, key }, 'deleting instance the controller no longer wants');
  const result = await runOperation(env, { kind, key, op: 'delete', failures: env.failures(kind, key), call: deleteCall(env, kind, key, undefined) }, signal);
  switch (result.kind) {
    case 'ok':
      env.actual.delete(kind, key);
      env.orphanSince.delete(qk);
      env.report.forget(kind, key);
      env.metrics.orphansDeleted.inc({ kind });
      return { outcome: Outcome.done(), label: { op: 'delete', result: 'success' } };
    case 'cancelled':
      return { outcome: Outcome.done(), label: { op: 'delete', result: 'cancelled' } };
    default:
      return { outcome: Outcome.retry(result.error), label: { op: 'delete', result: 'retry' } };
  }
}

/** Reports a state for an instance of either kind (errors replace the previous ones). */
export function reportState(env: ReconcileEnv, kind: InstKind, key: string, desired: ClusterInst | AppInst, state: TrackedState, errors: readonly string[] = []): void {
  if (kind === 'ClusterInst') env.report.clusterInst((desired as ClusterInst).key, key, state, errors);
  else env.report.appInst((desired as AppInst).key, key, state, errors);
}

/** Records (or clears) drift the CRM could not repair, so CloudletInfo.errors shows it. */
export function setUnrepaired(env: ReconcileEnv, kind: InstKind, key: string, reason: string | undefined): void {
  const qk = queueKey(kind, key);
  const had = env.unrepaired.get(qk);
  if (reason === undefined) {
    if (had === undefined) return;
    env.unrepaired.delete(qk);
  } else {
    if (had === reason) return;
    env.unrepaired.set(qk, reason);
  }
  env.unrepairedChanged();
}

const WAIT_POLL_MS = 1_000;

/**
 * Keeps an instance waiting for a dependency (`on`: the key string of the missing App, Flavor or ClusterInst).
 * Returns the waiting outcome (re-run as soon as the dependency arrives, polled every second) while the wait is
 * younger than `dependencyWaitMs`, or undefined when it has expired (the caller reports the failure).
 */
export function waitForDependency(env: ReconcileEnv, kind: InstKind, key: string, on: string): Reconciled | undefined {
  const qk = queueKey(kind, key);
  const now = Date.now();
  const since = env.waiting.get(qk)?.since ?? now;
  env.waiting.set(qk, { since, on });
  const left = since + env.config.dependencyWaitMs - now;
  if (left > 0) return { outcome: Outcome.requeue(Math.min(WAIT_POLL_MS, left)), label: { op: 'none', result: 'waiting' } };
  env.waiting.delete(qk);
  return undefined;
}

/** Ends an instance's wait for dependencies (they are there, or it no longer needs them). */
export function stopWaiting(env: ReconcileEnv, kind: InstKind, key: string): void {
  env.waiting.delete(queueKey(kind, key));
}

/** Queues every instance waiting for `dependencyKey` (an App, Flavor or ClusterInst that just arrived or got built). */
export function wakeWaiters(env: ReconcileEnv, dependencyKey: string): void {
  for (const [qk, waiting] of env.waiting) {
    if (waiting.on !== dependencyKey) continue;
    const { kind, key } = parseQueueKey(qk);
    env.enqueue(kind, key);
  }
}
