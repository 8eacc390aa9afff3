/**
 * Ending operations. `settle` runs in the transaction that changed an object's state (a CRM info, a forced
 * result, a deadline) and decides whether the object's operation has ended; `expireOperation` is the deadline.
 * Both work only on the store, never on a waiting call, so they behave the same after a controller restart.
 */
import { asCodedError } from '../../core/errors.js';
import { AppInst } from '../../gen/edgeproto/app_inst.js';
import { TrackedState } from '../../gen/edgeproto/common.js';
import { keyString } from '../../wire/object-key.js';
import type { WriteTx } from '../object-store.js';
import {
  activeOperation, beginOperation, finishOperation, timeoutMessage, type InstTag, type Operation, type OperationAction,
  type OperationResult,
} from './operations.js';
import {
  describeInst, kindOf, placeAppInst, putInst, removeInst, requestAutoClusterDelete, type Inst, type InstDeps,
} from './inst-store.js';

const S = TrackedState;

/** The state an action ends in on failure. */
export const ERROR_STATE_OF: Readonly<Record<OperationAction, TrackedState>> = Object.freeze({
  create: S.CREATE_ERROR, update: S.UPDATE_ERROR, delete: S.DELETE_ERROR,
});

/** The states in which an action is still in progress (its deadline moves them to the error state). */
const IN_PROGRESS: Readonly<Record<OperationAction, ReadonlySet<TrackedState>>> = Object.freeze({
  create: new Set([S.CREATE_REQUESTED, S.CREATING]),
  update: new Set([S.UPDATE_REQUESTED, S.UPDATING]),
  delete: new Set([S.DELETE_REQUESTED, S.DELETING]),
});

/** Whether an object in `state` (undefined: gone) ends an `action`: done, failed, or not yet. Pure. */
export function judge(action: OperationAction, state: TrackedState | undefined): 'done' | 'failed' | 'wait' {
  if (action === 'delete') return state === undefined ? 'done' : state === S.DELETE_ERROR ? 'failed' : 'wait';
  if (state === undefined) return 'failed';
  if (state === S.READY) return 'done';
  return state === ERROR_STATE_OF[action] ? 'failed' : 'wait';
}

/** How long a pending AppInst create (waiting for its auto cluster) may take: two creates. */
export function pendingTimeoutMs(deps: InstDeps): number {
  return 2 * deps.config.timeouts.createMs;
}

/**
 * Ends the object's unfinished operation if its current state (as `tx` sees it) ends it. Done: an AppInst delete
 * then asks for its auto cluster's delete; an auto cluster's create continues with its pending AppInst. Failed:
 * IGNORE_CRM_ERRORS forces the result (create → READY, delete → removed) and reports done; an AppInst create on
 * an auto cluster removes the AppInst and asks for the cluster's delete; an auto cluster's failure fails its
 * pending AppInst. `cause` 'timeout' makes a failure a timeout. No-op without an unfinished operation.
 */
export function settle(deps: InstDeps, tx: WriteTx, tag: InstTag, key: string, cause: 'info' | 'timeout' = 'info', now = Date.now()): void {
  const op = activeOperation(tx, tag, key);
  if (!op || op.pending !== undefined) return;
  const obj = tx.get(kindOf(deps.kinds, tag), key);
  const verdict = judge(op.action, obj?.state);
  if (verdict === 'wait') return;
  if (verdict === 'done') {
    succeed(deps, tx, op, [], now);
    return;
  }
  const errors = cause === 'timeout' ? [timeoutMessage(op.timeoutMs)] : obj ? [...obj.errors] : [`${describeInst(tag, obj, key)} was removed`];
  fail(deps, tx, op, obj, cause === 'timeout' ? 'timeout' : 'failed', errors, now);
}

function succeed(deps: InstDeps, tx: WriteTx, op: Operation, messages: string[], now: number): void {
  finishOperation(tx, op, 'done', [], messages, now);
  if (op.inst === 'AppInst' && op.action === 'delete' && op.autoCluster) {
    requestAutoClusterDelete(deps, tx, op.autoCluster);
  }
  if (op.inst === 'ClusterInst' && op.action === 'create' && op.parent) continueParent(deps, tx, op.parent, op.key, now);
}

function fail(deps: InstDeps, tx: WriteTx, op: Operation, obj: Inst | undefined, result: OperationResult, errors: string[], now: number): void {
  if (op.ignoreCrmErrors && obj && op.action !== 'update') {
    const messages = [`ignored CRM errors: ${errors.join('; ')}`];
    if (op.action === 'create') putInst(deps, tx, op.inst, { ...obj, state: S.READY });
    else removeInst(deps, tx, op.inst, op.key);
    succeed(deps, tx, op, messages, now);
    return;
  }
  finishOperation(tx, op, result, errors, [], now);
  if (op.inst === 'AppInst' && op.action === 'create' && op.autoCluster) {
    removeInst(deps, tx, 'AppInst', op.key);
    requestAutoClusterDelete(deps, tx, op.autoCluster);
  }
  if (op.inst === 'ClusterInst' && op.action === 'create' && op.parent) {
    const reason = (e: string): string => (result === 'timeout' ? `${e} creating its auto cluster` : `auto cluster: ${e}`);
    failParent(deps, tx, op.parent, result, errors.map(reason), now);
    requestAutoClusterDelete(deps, tx, op.key);
  }
}

function failParent(deps: InstDeps, tx: WriteTx, parentKey: string, result: OperationResult, errors: string[], now: number): void {
  const parent = activeOperation(tx, 'AppInst', parentKey);
  if (parent?.pending !== undefined) finishOperation(tx, parent, result, errors, [], now);
}

/**
 * Call before an operation on a ClusterInst replaces (or removes) its unfinished one: an AppInst create waiting
 * for that auto cluster fails at once ("auto cluster was deleted") instead of at its own deadline.
 */
export function supersedeClusterInstOperation(deps: InstDeps, tx: WriteTx, clusterInstKey: string, now = Date.now()): void {
  const op = activeOperation(tx, 'ClusterInst', clusterInstKey);
  if (op?.parent) failParent(deps, tx, op.parent, 'failed', ['auto cluster: deleted while it was being created'], now);
}

/**
 * The auto cluster of a pending AppInst create is READY: store the AppInst (CREATE_REQUESTED, placed on the
 * cluster) and continue the same operation id with a fresh create deadline. If that is not possible any more
 * (the App was deleted, no port left...) the AppInst create fails and the cluster is deleted. A cluster nobody
 * waits for is deleted.
 */
function continueParent(deps: InstDeps, tx: WriteTx, parentKey: string, clusterKey: string, now: number): void {
  const { kinds } = deps;
  const parent = activeOperation(tx, 'AppInst', parentKey);
  if (!parent || parent.pending === undefined) {
    requestAutoClusterDelete(deps, tx, clusterKey); // nobody waits for this auto cluster any more
    return;
  }
  try {
    const ai = AppInst.fromJSON(parent.pending);
    const app = tx.get(kinds.app, keyString.app(ai.key?.app_key));
    if (!app) throw new Error(`app ${ai.key?.app_key?.name ?? ''} was deleted while its auto cluster was created`);
    const ci = tx.get(kinds.clusterInst, clusterKey);
    if (ci?.state !== S.READY) throw new Error('auto cluster is not ready');
    const placed = placeAppInst(deps, tx, ai, app, ci);
    putInst(deps, tx, 'AppInst', { ...placed, state: S.CREATE_REQUESTED, errors: [] });
    beginOperation(tx, 'AppInst', parentKey, 'create', {
      timeouts: deps.config.timeouts, id: parent.id, autoCluster: clusterKey, ignoreCrmErrors: parent.ignoreCrmErrors, now,
    });
  } catch (err) {
    finishOperation(tx, parent, 'failed', [asCodedError(err).message], [], now);
    requestAutoClusterDelete(deps, tx, clusterKey);
  }
}

/**
 * The deadline of `op` passed: if it is still the object's unfinished operation, the object moves from its
 * in-progress state to the action's *_ERROR state with errors `["timed out after N s"]` (so the CRM is told), and
 * the operation ends as a timeout (or done under IGNORE_CRM_ERRORS). A pending AppInst create times out and its
 * auto cluster is deleted. Returns whether anything changed. Idempotent.
 */
export function expireOperation(deps: InstDeps, tx: WriteTx, op: Operation, now = Date.now()): boolean {
  const current = activeOperation(tx, op.inst, op.key);
  if (current?.id !== op.id || current.deadline > now) return false;
  const message = timeoutMessage(current.timeoutMs);
  if (current.pending !== undefined) {
    finishOperation(tx, current, 'timeout', [message], [], now);
    if (current.autoCluster) requestAutoClusterDelete(deps, tx, current.autoCluster);
    return true;
  }
  const obj = tx.get(kindOf(deps.kinds, op.inst), op.key);
  if (obj && IN_PROGRESS[op.action].has(obj.state)) {
    putInst(deps, tx, op.inst, { ...obj, state: ERROR_STATE_OF[op.action], errors: [message] });
  }
  settle(deps, tx, op.inst, op.key, 'timeout', now);
  const still = activeOperation(tx, op.inst, op.key);
  if (still?.id === op.id) finishOperation(tx, still, 'timeout', [message], [], now);
  return true;
}
