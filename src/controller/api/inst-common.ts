/**
 * What the ClusterInst and AppInst APIs share: the CRMOverride and state checks of the original (notify-protocol
 * §10, §11), the CloudletInfo readiness check, and turning a followed operation into the call's Result stream.
 */
import type { EdgeprotoKinds } from '../../cache/kinds.js';
import { linkSignals } from '../../core/abort.js';
import { alreadyExists, Code, CodedError, failedPrecondition, invalidArgument } from '../../core/errors.js';
import { CloudletState, type CloudletKey } from '../../gen/edgeproto/cloudlet.js';
import { CRMOverride, TrackedState } from '../../gen/edgeproto/common.js';
import { keyString } from '../../wire/object-key.js';
import type { ApiDeps } from '../api-deps.js';
import type { WriteTx } from '../object-store.js';
import type { Inst } from '../state/inst-store.js';
import type { InstTag, OperationAction } from '../state/operations.js';
import { stateName, TRANSIENT_STATES, overrideFlags, type OverrideFlags } from '../state/transitions.js';
import { waitForOperation, type WatchedInst } from '../state/wait.js';
import { progress } from './result.js';
import type { Result } from '../../gen/edgeproto/result.js';

/** The call's CRMOverride as flags; INVALID_ARGUMENT naming `crm_override` for a value outside the enum. */
export function callOverride(value: CRMOverride): OverrideFlags {
  if (CRMOverride[value] === undefined || value === CRMOverride.UNRECOGNIZED) {
    throw invalidArgument('crm_override', `${String(value)} is not a CRMOverride`);
  }
  return overrideFlags(value);
}

/**
 * The CloudletInfo check of the original (checkCloudletReady): the cloudlet's CRM must have reported READY or
 * ERRORS, else FAILED_PRECONDITION "cloudlet <name> not ready, state is <state>". Skipped under IGNORE_CRM.
 */
export function checkCloudletReady(tx: WriteTx, kinds: EdgeprotoKinds, key: CloudletKey | undefined, flags: OverrideFlags): void {
  if (flags.ignoreCrm) return;
  const info = tx.get(kinds.cloudletInfo, keyString.cloudlet(key));
  const state = info?.state ?? CloudletState.CLOUDLET_STATE_UNKNOWN;
  if (state === CloudletState.CLOUDLET_STATE_READY || state === CloudletState.CLOUDLET_STATE_ERRORS) return;
  const why = info ? '' : ' (its CRM never reported)';
  throw failedPrecondition(`cloudlet ${key?.name ?? ''} not ready, state is ${CloudletState[state] ?? state}${why}`, 'key');
}

/** FAILED_PRECONDITION for an object busy with another operation. */
function busy(what: string, state: TrackedState): CodedError {
  return failedPrecondition(`${what} is busy, state is ${stateName(state)}; wait for it or use crm_override IGNORE_TRANSIENT_STATE`, 'key');
}

/**
 * May a create replace the existing object? Only one in DELETE_ERROR (as the original), or one in a transient
 * state under IGNORE_TRANSIENT_STATE. Otherwise FAILED_PRECONDITION (busy) or ALREADY_EXISTS (with the errors of
 * a failed create and the way out).
 */
export function checkCreateOver(existing: Inst | undefined, what: string, flags: OverrideFlags): void {
  if (!existing || existing.state === TrackedState.DELETE_ERROR) return;
  if (TRANSIENT_STATES.has(existing.state)) {
    if (flags.ignoreTransient) return;
    throw busy(what, existing.state);
  }
  if (existing.state === TrackedState.CREATE_ERROR) {
    throw new CodedError(Code.ALREADY_EXISTS, `${what} already exists: previous create failed (${existing.errors.join('; ')}); delete it and try again`, { field: 'key' });
  }
  throw alreadyExists(what, 'key');
}

/**
 * May a delete start? From READY, NOT_PRESENT, an error state, or (ClusterInst) DELETE_PREPARE; from other transient
 * states only under IGNORE_TRANSIENT_STATE (FAILED_PRECONDITION otherwise).
 */
export function checkDeleteFrom(existing: Inst, tag: InstTag, what: string, flags: OverrideFlags): void {
  if (tag === 'ClusterInst' && existing.state === TrackedState.DELETE_PREPARE) return;
  if (TRANSIENT_STATES.has(existing.state) && !flags.ignoreTransient) throw busy(what, existing.state);
}

/** The original's final messages. */
export function successMessage(tag: InstTag, action: OperationAction): string {
  if (action === 'create') return 'Created successfully';
  if (action === 'update') return 'Updated successfully';
  return `Deleted ${tag} successfully`;
}

/** What {@link followOperation} needs. */
export interface FollowOptions {
  readonly tag: InstTag;
  readonly key: string;
  readonly id: string;
  readonly action: OperationAction;
  /** The object in words, for messages (`ClusterInst c1 on cloudlet edge1`). */
  readonly what: string;
  readonly watch: readonly WatchedInst[];
  readonly send: (result: Result) => Promise<void>;
  readonly signal: AbortSignal;
  /** Send the final success line (false when another phase follows). Default true. */
  readonly finalMessage?: boolean;
}

/**
 * Streams the operation's progress until it ends. Done: its extra messages, then the success message. Failed:
 * ABORTED "<action> <what> failed: <errors>". Timeout: DEADLINE_EXCEEDED "<action> <what> timed out after N s"
 * (the object is then in *_ERROR, where a Delete always works). Superseded by another operation: ABORTED.
 * A cancelled call rejects with the abort reason, a closing controller with UNAVAILABLE; the operation goes on.
 */
export async function followOperation(deps: ApiDeps, options: FollowOptions): Promise<void> {
  const { tag, key, id, action, what, watch, send, signal } = options;
  const outcome = await waitForOperation({
    deps, objects: deps.objects, tag, key, id, watch,
    send: (line) => send(progress(line)),
    signal: linkSignals(signal, deps.closing),
  }).catch((err: unknown) => {
    if (!deps.closing.aborted) throw err;
    throw new CodedError(Code.UNAVAILABLE, `controller shutting down while waiting for ${action} ${what}; the operation goes on`, { cause: err });
  });
  if (outcome === 'superseded') throw new CodedError(Code.ABORTED, `${action} ${what} was superseded by another operation on it`);
  for (const message of outcome.messages) await send(progress(message));
  if (outcome.result === 'done') {
    if (options.finalMessage ?? true) await send(progress(successMessage(tag, action)));
    return;
  }
  const errors = outcome.errors.join('; ');
  if (outcome.result === 'timeout') {
    throw new CodedError(Code.DEADLINE_EXCEEDED, `${action} ${what} ${errors}`);
  }
  throw new CodedError(Code.ABORTED, `${action} ${what} failed: ${errors}`);
}

/** Checks an enum value of the request; INVALID_ARGUMENT naming the field otherwise. */
export function checkEnum(field: string, value: number, names: Record<number, string>): void {
  if (names[value] === undefined || value < 0) throw invalidArgument(field, `${String(value)} is not a known value`);
}
