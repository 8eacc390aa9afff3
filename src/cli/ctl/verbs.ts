/**
 * What the verbs of `cloudletd ctl` do once their arguments are parsed: a create, update or delete call (unary,
 * or streamed with progress and, for kinds the CRM works on, a wait until READY or gone), or a show printed as a
 * table or a data-file document.
 */
import { startDeadline } from '../../core/abort.js';
import { CodedError, Code } from '../../core/errors.js';
import type { Result } from '../../gen/edgeproto/result.js';
import type { ServerStreamMethod, UnaryMethod } from '../api-client.js';
import { formatDuration } from '../setting-values.js';
import { CTL_EXIT, type CtlContext, type OutputFormat } from './context.js';
import type { CtlKind } from './kinds.js';
import { objectLabel } from './object-label.js';
import type { RequestObject } from './object-body.js';
import { documentOf, formatDocument } from './output-documents.js';
import { renderTable } from './output-table.js';
import { ProgressLine } from './progress.js';
import { waitTracked, type TrackedOutcome } from './wait-tracked.js';

/** The verbs that change an object. */
export type ChangeVerb = 'create' | 'update' | 'delete';

const DONE: Readonly<Record<ChangeVerb, string>> = { create: 'created', update: 'updated', delete: 'deleted' };

/**
 * Sends the `verb` request of `kind` for `request` (for update, `request.message.fields` is already set) and
 * prints `<label>: created|updated|deleted` on stdout when it succeeded; resolves to the exit code. A unary call
 * has the deadline `ctx.timeoutMs`. A streamed one prints each Result's message as progress on stderr; its
 * deadline, including the wait of tracked kinds until READY (create, update) or gone (delete), is
 * `ctx.waitTimeoutMs` (else `ctx.timeoutMs`). An object that ends in a *_ERROR state prints
 * `error: <label>: <STATE>: <errors>` on stderr and resolves 1. A refused call rejects with its CodedError; the
 * wait's deadline rejects DEADLINE_EXCEEDED naming the object, a SIGTERM/SIGINT (ctx.signal) CANCELLED.
 */
export async function runChange<T>(ctx: CtlContext, kind: CtlKind<T>, verb: ChangeVerb, request: RequestObject<T>): Promise<number> {
  const change = kind[verb];
  if (!change) throw new CodedError(Code.INVALID_ARGUMENT, `${kind.name} has no ${verb}`);
  const label = objectLabel(kind, request.json);
  if (!change.streaming) {
    await ctx.api.unary(change.method as UnaryMethod<T, Result>, request.message, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
  } else {
    const outcome = await streamedChange(ctx, kind, verb, request.message, label, change.method as ServerStreamMethod<T, Result>);
    if (!outcome.ok) {
      ctx.stderr.write(`error: ${label}: ${outcome.state}${outcome.errors.length > 0 ? `: ${outcome.errors.join('; ')}` : ''}\n`);
      return CTL_EXIT.apiError;
    }
  }
  ctx.stdout.write(`${label}: ${DONE[verb]}\n`);
  return CTL_EXIT.ok;
}

async function streamedChange<T>(
  ctx: CtlContext, kind: CtlKind<T>, verb: ChangeVerb, message: T, label: string, method: ServerStreamMethod<T, Result>,
): Promise<TrackedOutcome> {
  const waitMs = ctx.waitTimeoutMs ?? ctx.timeoutMs;
  const deadline = startDeadline(waitMs).signal;
  const signal = AbortSignal.any([ctx.signal, deadline]);
  const progress = new ProgressLine(ctx.stderr, ctx.interactive, label);
  const goal = verb === 'delete' ? 'gone' : 'ready';
  let state = '';
  try {
    // The call's own gRPC deadline is a little later, so that the wait's deadline is the one that fires.
    await ctx.api.stream(method, message, { signal, timeoutMs: waitMs + 1000, onMessage: (r) => progress.update(r.message) });
    if (!kind.tracked) return { ok: true };
    return await waitTracked(ctx, kind, message, goal, signal, (s) => {
      state = s;
      progress.update(`state ${s}`);
    });
  } catch (err) {
    if (deadline.aborted && !ctx.signal.aborted) {
      const what = kind.tracked ? (goal === 'gone' ? 'deleted' : 'READY') : DONE[verb];
      throw new CodedError(Code.DEADLINE_EXCEEDED, `${label}: not ${what} within ${formatDuration(waitMs)}${state ? ` (state ${state})` : ''}; see --wait-timeout`, { cause: err });
    }
    throw err;
  } finally {
    progress.done();
  }
}

/**
 * Shows the objects of `kind` that match `filter` (every field set in it must be equal; the controller filters)
 * on stdout: a table, or the `{"<plural>": [...]}` document as JSON or YAML. Resolves 0; a refused call rejects
 * with its CodedError.
 */
export async function runShow<T>(ctx: CtlContext, kind: CtlKind<T>, filter: T, format: OutputFormat): Promise<number> {
  const objects = await ctx.api.stream(kind.show, filter, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
  ctx.stdout.write(format === 'table' ? renderTable(kind, objects) : formatDocument(documentOf(kind, objects), format));
  return CTL_EXIT.ok;
}
