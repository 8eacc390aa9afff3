/**
 * The TrackedState machine of ClusterInst and AppInst as data (notify-protocol §10), and the pure functions that
 * apply a CRM info to an object. See README.md beside this file for the diagram and the deliberate differences.
 */
import type { AppInst, AppInstInfo } from '../../gen/edgeproto/app_inst.js';
import type { ClusterInst, ClusterInstInfo } from '../../gen/edgeproto/clusterinst.js';
import { CRMOverride, TrackedState } from '../../gen/edgeproto/common.js';

const S = TrackedState;

/**
 * The info states the controller accepts in each object state (the original's crmTransitionOk). An object state
 * missing from the table accepts nothing. Frozen.
 */
export const CRM_TRANSITIONS: ReadonlyMap<TrackedState, ReadonlySet<TrackedState>> = new Map<TrackedState, ReadonlySet<TrackedState>>([
  [S.CREATE_REQUESTED, new Set([S.CREATING, S.READY, S.CREATE_ERROR])],
  [S.CREATING, new Set([S.READY, S.CREATE_ERROR])],
  [S.UPDATE_REQUESTED, new Set([S.UPDATING, S.READY, S.UPDATE_ERROR])],
  [S.UPDATING, new Set([S.READY, S.UPDATE_ERROR])],
  [S.DELETE_REQUESTED, new Set([S.DELETING, S.NOT_PRESENT, S.DELETE_ERROR])],
  [S.DELETING, new Set([S.NOT_PRESENT, S.DELETE_ERROR])],
]);

/** The object states in which an info DELETE (or NOT_PRESENT) means "gone": the object is removed. */
export const GONE_ON_INFO_DELETE: ReadonlySet<TrackedState> = new Set([S.DELETE_REQUESTED, S.DELETING]);

/** States in which an operation is in flight: create/delete are refused as busy unless IGNORE_TRANSIENT_STATE. */
export const TRANSIENT_STATES: ReadonlySet<TrackedState> = new Set([
  S.CREATE_REQUESTED, S.CREATING, S.UPDATE_REQUESTED, S.UPDATING, S.DELETE_REQUESTED, S.DELETING, S.DELETE_PREPARE,
]);

/** The error states; an object in one of them always accepts a Delete. */
export const ERROR_STATES: ReadonlySet<TrackedState> = new Set([S.CREATE_ERROR, S.UPDATE_ERROR, S.DELETE_ERROR]);

/** Result of {@link applyInfo}. */
export type InfoTransition =
  | { readonly accepted: false; readonly reason: string }
  /** `same`: the info repeats the object's state (nothing changes except AppInst runtime_info). */
  | { readonly accepted: true; readonly state: TrackedState; readonly same: boolean };

/** The original's CamelCase name of a state, as WaitForState streams it: `CREATE_REQUESTED` → `CreateRequested`. */
export function stateName(state: TrackedState): string {
  const name = TrackedState[state] ?? `State${String(state)}`;
  return name.toLowerCase().split('_').map((w) => (w[0] ?? '').toUpperCase() + w.slice(1)).join('');
}

/**
 * Whether an object in `objectState` accepts an info in `infoState`, and the object's new state. Equal states are
 * accepted with `same: true` (the caller changes nothing, except an AppInst's runtime_info when both are READY).
 * Otherwise the transition must be in {@link CRM_TRANSITIONS}. Pure and total.
 */
export function applyInfo(objectState: TrackedState, infoState: TrackedState): InfoTransition {
  if (objectState === infoState) return { accepted: true, state: objectState, same: true };
  if (CRM_TRANSITIONS.get(objectState)?.has(infoState)) return { accepted: true, state: infoState, same: false };
  return { accepted: false, reason: `info state ${stateName(infoState)} not accepted in state ${stateName(objectState)}` };
}

/** What applying an info did to an object: kept (ignored), changed (the new object), or gone (remove it). */
export type InfoEffect<T> =
  | { readonly effect: 'ignored'; readonly reason: string }
  | { readonly effect: 'changed'; readonly object: T }
  | { readonly effect: 'gone' };

function isError(state: TrackedState): boolean {
  return ERROR_STATES.has(state);
}

/**
 * Applies a ClusterInstInfo UPDATE to a ClusterInst (pure; returns a new object). Errors: an *_ERROR state takes
 * the info's errors, any other accepted state clears them. An accepted NOT_PRESENT means gone (deliberate: the
 * original kept the object in NOT_PRESENT). A repeated state changes nothing.
 */
export function applyClusterInstInfo(ci: ClusterInst, info: ClusterInstInfo): InfoEffect<ClusterInst> {
  const t = applyInfo(ci.state, info.state);
  if (!t.accepted) return { effect: 'ignored', reason: t.reason };
  if (t.same) return { effect: 'ignored', reason: 'same state' };
  if (t.state === S.NOT_PRESENT) return { effect: 'gone' };
  return { effect: 'changed', object: { ...ci, state: t.state, errors: isError(t.state) ? [...info.errors] : [] } };
}

/**
 * Applies an AppInstInfo UPDATE to an AppInst (pure). Errors are replaced on *_ERROR states and otherwise kept,
 * except that a READY info for a READY AppInst refreshes both `errors` (its health: what the CRM finds wrong with
 * the running instance, e.g. a crashed container) and `runtime_info`; `runtime_info` is always copied from the info
 * on an accepted transition. An accepted NOT_PRESENT means gone.
 */
export function applyAppInstInfo(ai: AppInst, info: AppInstInfo): InfoEffect<AppInst> {
  const t = applyInfo(ai.state, info.state);
  if (!t.accepted) return { effect: 'ignored', reason: t.reason };
  if (t.same) {
    const sameRuntime = JSON.stringify(ai.runtime_info?.container_ids ?? []) === JSON.stringify(info.runtime_info?.container_ids ?? []);
    const sameErrors = JSON.stringify(ai.errors) === JSON.stringify(info.errors);
    if (t.state !== S.READY || (sameRuntime && sameErrors)) return { effect: 'ignored', reason: 'same state' };
    // A READY AppInst's health: the CRM reports what is wrong with it (a crashed container) as errors, and clears them.
    return { effect: 'changed', object: { ...ai, runtime_info: info.runtime_info, errors: [...info.errors] } };
  }
  if (t.state === S.NOT_PRESENT) return { effect: 'gone' };
  return {
    effect: 'changed',
    object: { ...ai, state: t.state, errors: isError(t.state) ? [...info.errors] : ai.errors, runtime_info: info.runtime_info },
  };
}

/** Whether an info DELETE removes an object in `state`: only in DELETE_REQUESTED or DELETING. Pure. */
export function goneOnInfoDelete(state: TrackedState): boolean {
  return GONE_ON_INFO_DELETE.has(state);
}

/** The parts of a CRMOverride (notify-protocol §11). */
export interface OverrideFlags {
  /** IGNORE_CRM_ERRORS: on failure force the result (create → READY, delete → removed) and report success. */
  readonly ignoreCrmErrors: boolean;
  /** IGNORE_CRM or IGNORE_CRM_AND_TRANSIENT_STATE: no CloudletInfo check, no wait; write the end state. */
  readonly ignoreCrm: boolean;
  /** IGNORE_TRANSIENT_STATE or IGNORE_CRM_AND_TRANSIENT_STATE: create/delete proceed over a busy object. */
  readonly ignoreTransient: boolean;
}

/** Splits a CRMOverride into its flags. Unknown values count as NO_OVERRIDE. Pure. */
export function overrideFlags(override: CRMOverride): OverrideFlags {
  return {
    ignoreCrmErrors: override === CRMOverride.IGNORE_CRM_ERRORS,
    ignoreCrm: override === CRMOverride.IGNORE_CRM || override === CRMOverride.IGNORE_CRM_AND_TRANSIENT_STATE,
    ignoreTransient: override === CRMOverride.IGNORE_TRANSIENT_STATE || override === CRMOverride.IGNORE_CRM_AND_TRANSIENT_STATE,
  };
}
