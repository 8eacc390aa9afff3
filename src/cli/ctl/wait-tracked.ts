/**
 * After the streamed change of a kind the CRM works on (ClusterInst, AppInst): polls Show for the object until it
 * is READY (create, update) or gone (delete), or in a *_ERROR state. The caller's signal carries the deadline.
 */
import { sleep } from '../../core/abort.js';
import { messageToJson } from '../../wire/message-json.js';
import { messageFromJson } from '../../wire/strict-json.js';
import type { CtlContext } from './context.js';
import type { CtlKind } from './kinds.js';

/** What the wait ended with: the goal reached, or the object's *_ERROR state with its `errors`. */
export type TrackedOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly state: string; readonly errors: readonly string[] };

/** What a wait is for: `ready` after a create or update, `gone` after a delete. */
export type TrackedGoal = 'ready' | 'gone';

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;

function keyJson(json: unknown): string {
  return JSON.stringify((json as { key?: unknown }).key ?? {});
}

/**
 * Waits until the object of `kind` with the key of `object` reaches `goal`, calling `onState` with each new state
 * it sees. Polls `show` with the key as filter (each call under `ctx.timeoutMs`), every 100 ms at first, then up to
 * every second. For `ready` an object not found is a failure in state `NOT_PRESENT`. Rejects with the
 * call's CodedError, or with `signal`'s reason when it aborts (CANCELLED / DEADLINE_EXCEEDED via the ApiClient).
 */
export async function waitTracked<T>(
  ctx: CtlContext, kind: CtlKind<T>, object: T, goal: TrackedGoal, signal: AbortSignal, onState: (state: string) => void,
): Promise<TrackedOutcome> {
  const json = messageToJson(kind.codec, object) as { key?: unknown };
  const filter = messageFromJson<T>(kind.message, { key: json.key ?? {} });
  const wanted = keyJson(json);
  let last = '';
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const found = await ctx.api.stream(kind.show, filter, { signal, timeoutMs: ctx.timeoutMs });
    const current = found.map((o) => messageToJson(kind.codec, o) as { key?: unknown; state?: string; errors?: string[] })
      .find((o) => keyJson(o) === wanted);
    if (!current) return goal === 'gone' ? { ok: true } : { ok: false, state: 'NOT_PRESENT', errors: [`${kind.title} not found after the change`] };
    const state = current.state ?? 'TRACKED_STATE_UNKNOWN';
    if (state === 'READY' && goal === 'ready') return { ok: true };
    if (state.endsWith('_ERROR')) return { ok: false, state, errors: current.errors ?? [] };
    if (state !== last) onState(state);
    last = state;
    await sleep(delay, signal);
  }
}
