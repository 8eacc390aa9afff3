import { TrackedState } from '../gen/edgeproto/common.js';

/**
 * What a desired instance's TrackedState asks the CRM for: `present` (it should exist as described), `absent`
 * (delete it), `hold` (the controller recorded a failure: do nothing until the user acts), `none` (states the CRM
 * never acts on).
 */
export type InstPhase = 'present' | 'absent' | 'hold' | 'none';

const PHASES: ReadonlyMap<TrackedState, InstPhase> = new Map([
  [TrackedState.CREATE_REQUESTED, 'present'],
  [TrackedState.CREATING, 'present'],
  [TrackedState.READY, 'present'],
  [TrackedState.UPDATE_REQUESTED, 'present'],
  [TrackedState.UPDATING, 'present'],
  [TrackedState.DELETE_REQUESTED, 'absent'],
  [TrackedState.DELETING, 'absent'],
  [TrackedState.DELETE_PREPARE, 'absent'],
  [TrackedState.CREATE_ERROR, 'hold'],
  [TrackedState.UPDATE_ERROR, 'hold'],
  [TrackedState.DELETE_ERROR, 'hold'],
] as [TrackedState, InstPhase][]);

/** The phase of a desired state. Pure. */
export function phaseOf(state: TrackedState): InstPhase {
  return PHASES.get(state) ?? 'none';
}

/** True for the states in which the controller waits for the CRM to start or finish something. */
export function isRequestOrProgress(state: TrackedState): boolean {
  return state !== TrackedState.READY && phaseOf(state) !== 'hold' && phaseOf(state) !== 'none';
}
