/**
 * The controller calls `apply -f` and `delete -f` make for one object: Show by key, a create/update/delete
 * (unary under `--timeout`, or streamed with each Result passed on as progress), and the waits of tracked kinds
 * (ClusterInst, AppInst) until READY, gone or an error state (`wait-tracked.ts`). A streamed change and the wait
 * after it share one deadline per object (`--wait-timeout`, else `--timeout`).
 */
import { startDeadline } from '../../core/abort.js';
import { Code, CodedError, asCodedError } from '../../core/errors.js';
import { TrackedState } from '../../gen/edgeproto/common.js';
import type { Result } from '../../gen/edgeproto/result.js';
import type { ServerStreamMethod, UnaryMethod } from '../api-client.js';
import { formatDuration } from '../setting-values.js';
import type { CtlContext } from './context.js';
import type { ChangeMethod, CtlKind } from './kinds.js';
import { keyFilter, keyIdentity } from './object-ref.js';
import { waitTracked, type TrackedGoal, type TrackedOutcome } from './wait-tracked.js';

/** Shows the latest step of an object ("creating", a Result's text, "state CREATING"). */
export type Progress = (text: string) => void;

/** States in which the CRM is still working on a tracked object. */
const IN_PROGRESS: ReadonlySet<TrackedState> = new Set([
  TrackedState.CREATE_REQUESTED, TrackedState.CREATING, TrackedState.UPDATE_REQUESTED, TrackedState.UPDATING,
  TrackedState.DELETE_REQUESTED, TrackedState.DELETING, TrackedState.DELETE_PREPARE,
]);

/** States a delete is under way in: the object will be gone. */
const DELETING: ReadonlySet<TrackedState> = new Set([TrackedState.DELETE_REQUESTED, TrackedState.DELETING, TrackedState.DELETE_PREPARE]);

/** Error states of a tracked object. */
const ERRORS: ReadonlySet<TrackedState> = new Set([TrackedState.CREATE_ERROR, TrackedState.UPDATE_ERROR, TrackedState.DELETE_ERROR]);

/** The state of a tracked object (TRACKED_STATE_UNKNOWN for other kinds). Pure. */
export function stateOf(object: unknown): TrackedState {
  return (object as { state?: TrackedState } | undefined)?.state ?? TrackedState.TRACKED_STATE_UNKNOWN;
}

/** `CREATING`. Pure. */
export function stateName(state: TrackedState): string {
  return TrackedState[state] ?? String(state);
}

/** True while the CRM works on it (requested, creating, updating, deleting). Pure. */
export function inProgress(state: TrackedState): boolean {
  return IN_PROGRESS.has(state);
}

/** True while it is being deleted. Pure. */
export function beingDeleted(state: TrackedState): boolean {
  return DELETING.has(state);
}

/** True in CREATE_ERROR, UPDATE_ERROR or DELETE_ERROR. Pure. */
export function isErrorState(state: TrackedState): boolean {
  return ERRORS.has(state);
}

/** The object's `errors` joined, or `no errors given`. Pure. */
export function errorsOf(object: unknown): string {
  const errors = (object as { errors?: readonly string[] } | undefined)?.errors ?? [];
  return errors.length > 0 ? errors.join('; ') : 'no errors given';
}

/** The deadline of one object's streamed change and wait, started when the object starts. */
export interface ObjectWait {
  /** The context's signal or the deadline, whichever aborts first. */
  readonly signal: AbortSignal;
  /** Aborts when the deadline passes. */
  readonly deadline: AbortSignal;
  readonly ms: number;
  /** The last state a wait saw, for the deadline's message. */
  lastState: string;
}

/** Starts the deadline of one object (`ctx.waitTimeoutMs`, else `ctx.timeoutMs`). */
export function objectWait(ctx: CtlContext): ObjectWait {
  const ms = ctx.waitTimeoutMs ?? ctx.timeoutMs;
  const deadline = startDeadline(ms).signal;
  return { signal: AbortSignal.any([ctx.signal, deadline]), deadline, ms, lastState: '' };
}

/**
 * The text of a failure: `CODE: message` of an error the API answered with, or, when the object's deadline
 * passed, `not <goal> within <duration> (state X); see --wait-timeout`. Pure.
 */
export function failureText(err: unknown, wait: ObjectWait, goal: string): string {
  if (wait.deadline.aborted) {
    const state = wait.lastState ? ` (state ${wait.lastState})` : '';
    return `${Code.DEADLINE_EXCEEDED}: not ${goal} within ${formatDuration(wait.ms)}${state}; see --wait-timeout`;
  }
  const coded = asCodedError(err);
  return `${coded.code}: ${coded.message}`;
}

/** The stored object of `kind` with exactly the key of `object`, or undefined (a Show under `--timeout`). */
export async function showByKey(ctx: CtlContext, kind: CtlKind, object: unknown): Promise<unknown> {
  const identity = keyIdentity(kind, object);
  const found = await ctx.api.stream(kind.show, keyFilter(kind, object), { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
  return found.find((o) => keyIdentity(kind, o) === identity);
}

/**
 * Calls a create/update/delete method with `request`. Streamed Results (and a unary answer's text) go to
 * `progress`. A unary call has `ctx.timeoutMs`; a streamed one the object's deadline `wait`. Rejects with the
 * call's CodedError.
 */
export async function callChange(ctx: CtlContext, change: ChangeMethod<unknown>, request: unknown, wait: ObjectWait, progress: Progress): Promise<void> {
  if (change.streaming) {
    const method = change.method as ServerStreamMethod<unknown, Result>;
    // The call's own gRPC deadline is a little later, so that the object's deadline is the one that fires.
    await ctx.api.stream(method, request, { signal: wait.signal, timeoutMs: wait.ms + 1000, onMessage: (r) => progress(r.message) });
    return;
  }
  const result = await ctx.api.unary(change.method as UnaryMethod<unknown, Result>, request, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
  if (result.message) progress(result.message);
}

/**
 * Waits until the tracked object reaches `goal` (READY, or gone) or an error state, under the object's deadline;
 * each new state goes to `progress` and is kept in `wait.lastState`. For `ready`, an object that disappears ends
 * `{ ok: false, state: 'NOT_PRESENT' }`.
 */
export function waitObject(ctx: CtlContext, kind: CtlKind, object: unknown, goal: TrackedGoal, wait: ObjectWait, progress: Progress): Promise<TrackedOutcome> {
  return waitTracked(ctx, kind, object, goal, wait.signal, (state) => {
    wait.lastState = state;
    progress(`state ${state}`);
  });
}

/** `STATE: errors` of a wait that did not reach its goal, as a CodedError FAILED_PRECONDITION. Pure. */
export function outcomeError(outcome: TrackedOutcome): CodedError | undefined {
  if (outcome.ok) return undefined;
  const errors = outcome.errors.length > 0 ? outcome.errors.join('; ') : 'no errors given';
  return new CodedError(Code.FAILED_PRECONDITION, `${outcome.state}: ${errors}`);
}
