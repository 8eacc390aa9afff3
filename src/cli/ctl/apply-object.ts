/**
 * What `apply -f` does with one object of the file: read it by key, then create it when absent, update exactly
 * the fields that differ when present, or leave it; tracked kinds (ClusterInst, AppInst) are followed until READY
 * or an error state. Failures the API reports are outcomes (`failed` with the reason), not exceptions; only an
 * abort of the context's signal rejects.
 */
import { Code, hasCode } from '../../core/errors.js';
import type { CtlContext } from './context.js';
import type { DataObject } from './data-file.js';
import { diffObject } from './object-diff.js';
import {
  callChange, errorsOf, failureText, inProgress, isErrorState, objectWait, outcomeError, showByKey, stateName, stateOf, waitObject,
  type ObjectWait, type Progress,
} from './object-calls.js';

/** How applying one object ended. */
export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

/** The outcome of one object and the text shown for it (`updated ram`, `failed: ...`). */
export interface ObjectResult<O extends string> {
  readonly outcome: O;
  readonly text: string;
}

const failed = (reason: string): ObjectResult<ApplyOutcome> => ({ outcome: 'failed', text: `failed: ${reason}` });

const differ = (names: readonly string[]): string => `${names.join(', ')} differ${names.length === 1 ? 's' : ''}`;

/** After a create or update: a tracked object must become READY (else failed with its state and errors). */
async function settled(ctx: CtlContext, object: DataObject, wait: ObjectWait, done: ObjectResult<ApplyOutcome>, progress: Progress): Promise<ObjectResult<ApplyOutcome>> {
  if (!object.kind.tracked) return done;
  const error = outcomeError(await waitObject(ctx, object.kind, object.message, 'ready', wait, progress));
  return error ? failed(error.message) : done;
}

/**
 * The stored object, after waiting for a tracked one the CRM is still working on (undefined once it is gone).
 */
async function currentObject(ctx: CtlContext, object: DataObject, wait: ObjectWait, progress: Progress): Promise<unknown> {
  const current = await showByKey(ctx, object.kind, object.message);
  if (current === undefined || !object.kind.tracked || !inProgress(stateOf(current))) return current;
  progress(`exists in state ${stateName(stateOf(current))}; waiting`);
  await waitObject(ctx, object.kind, object.message, 'ready', wait, progress);
  return showByKey(ctx, object.kind, object.message);
}

/**
 * Applies one object of the file (see the module comment). An existing tracked object that is still being
 * worked on is waited for first; one in an error state fails (delete it and apply again). Output-only fields that
 * differ are named in the text and left alone. Rejects only with the reason of `ctx.signal` when it aborts.
 */
export async function applyObject(ctx: CtlContext, object: DataObject, progress: Progress): Promise<ObjectResult<ApplyOutcome>> {
  const { kind } = object;
  const wait = objectWait(ctx);
  try {
    const current = await currentObject(ctx, object, wait, progress);
    if (current !== undefined && kind.tracked && isErrorState(stateOf(current))) {
      return failed(`exists in state ${stateName(stateOf(current))} (${errorsOf(current)}); delete it and apply again`);
    }
    if (current === undefined) {
      if (!kind.create) return failed(`a ${kind.title} cannot be created`);
      progress('creating');
      await callChange(ctx, kind.create, object.message, wait, progress);
      return await settled(ctx, object, wait, { outcome: 'created', text: 'created' }, progress);
    }
    const diff = diffObject(kind, object.json, object.message, current);
    const note = diff.ignored.length > 0 ? ` (output-only fields differ, ignored: ${diff.ignored.join(', ')})` : '';
    if (diff.changed.length === 0) return { outcome: 'unchanged', text: `unchanged${note}` };
    if (!kind.update) return failed(`${differ(diff.changedNames)} and a ${kind.title} cannot be updated`);
    progress(`updating ${diff.changedNames.join(', ')}`);
    try {
      await callChange(ctx, kind.update, { ...(object.message as object), fields: diff.changed }, wait, progress);
    } catch (err) {
      if (ctx.signal.aborted || !hasCode(err, Code.UNIMPLEMENTED)) throw err;
      return failed(`${differ(diff.changedNames)}, but ${(err as Error).message}`);
    }
    return await settled(ctx, object, wait, { outcome: 'updated', text: `updated ${diff.changedNames.join(', ')}${note}` }, progress);
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return failed(failureText(err, wait, 'READY'));
  }
}
