/**
 * What `delete -f` does with one object of the file: read it by key; absent → `absent`; present → delete it
 * (following a streamed delete) and, for tracked kinds, wait until Show no longer returns it. An object already
 * being deleted is waited for; one still being created or updated is waited for, then deleted.
 */
import { Code, hasCode } from '../../core/errors.js';
import type { CtlContext } from './context.js';
import type { DataObject } from './data-file.js';
import type { ObjectResult } from './apply-object.js';
import {
  beingDeleted, callChange, failureText, inProgress, objectWait, outcomeError, showByKey, stateOf, waitObject, type Progress,
} from './object-calls.js';

/** How deleting one object ended. */
export type DeleteOutcome = 'deleted' | 'absent' | 'failed';

const DELETED: ObjectResult<DeleteOutcome> = { outcome: 'deleted', text: 'deleted' };
const ABSENT: ObjectResult<DeleteOutcome> = { outcome: 'absent', text: 'absent' };

/** Deletes one object of the file (see the module comment). Rejects only with the reason of `ctx.signal`. */
export async function deleteObject(ctx: CtlContext, object: DataObject, progress: Progress): Promise<ObjectResult<DeleteOutcome>> {
  const { kind } = object;
  const wait = objectWait(ctx);
  const gone = async (): Promise<ObjectResult<DeleteOutcome>> => {
    const error = outcomeError(await waitObject(ctx, kind, object.message, 'gone', wait, progress));
    return error ? { outcome: 'failed', text: `failed: ${error.message}` } : DELETED;
  };
  try {
    let current = await showByKey(ctx, kind, object.message);
    if (current === undefined) return ABSENT;
    if (kind.tracked && beingDeleted(stateOf(current))) {
      progress('being deleted; waiting until it is gone');
      return await gone();
    }
    if (kind.tracked && inProgress(stateOf(current))) {
      progress('busy; waiting until it settles');
      await waitObject(ctx, kind, object.message, 'ready', wait, progress);
      current = await showByKey(ctx, kind, object.message);
      if (current === undefined) return ABSENT;
    }
    if (!kind.delete) return { outcome: 'failed', text: `failed: a ${kind.title} cannot be deleted` };
    progress('deleting');
    try {
      await callChange(ctx, kind.delete, { ...(object.message as object), fields: [] }, wait, progress);
    } catch (err) {
      // Deleted by someone else meanwhile: what the file asks for is true.
      if (!ctx.signal.aborted && hasCode(err, Code.NOT_FOUND)) return ABSENT;
      throw err;
    }
    return kind.tracked ? await gone() : DELETED;
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return { outcome: 'failed', text: `failed: ${failureText(err, wait, 'deleted')}` };
  }
}
