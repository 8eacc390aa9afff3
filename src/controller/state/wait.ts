import type { ObjectCache } from '../../cache/object-cache.js';
import { abortable } from '../../core/abort.js';
import type { TrackedState } from '../../gen/edgeproto/common.js';
import type { ObjectStore } from '../object-store.js';
import type { Inst, InstDeps } from './inst-store.js';
import { operationKey, operationKind, type InstTag, type Operation, type OperationOutcome } from './operations.js';
import { expireOperation } from './settle.js';
import { stateName } from './transitions.js';

/** An object whose state changes a waiting call streams, each as `<label><StateName>` (e.g. `Creating`). */
export interface WatchedInst {
  readonly cache: ObjectCache<Inst>;
  readonly key: string;
  readonly label: string;
}

/** What {@link waitForOperation} needs. */
export interface WaitOptions {
  readonly deps: InstDeps;
  readonly objects: ObjectStore;
  readonly tag: InstTag;
  readonly key: string;
  /** The operation to follow (from `beginOperation`). */
  readonly id: string;
  /** Objects whose state changes are streamed while waiting. */
  readonly watch: readonly WatchedInst[];
  /** Streams one progress line (awaited: backpressure). */
  readonly send: (message: string) => Promise<void>;
  /** The call's signal (client cancel) and the controller's closing signal: either ends the wait. */
  readonly signal: AbortSignal;
}

/** How a wait ended: the operation's outcome, or `superseded` when another operation replaced it. */
export type WaitResult = OperationOutcome | 'superseded';

/**
 * Follows one operation until it ends, streaming each new state of the watched objects (the original's
 * WaitForState: CamelCase state names). Resolves with the outcome recorded in the operation's record, or
 * `superseded` if the record now belongs to another operation (or vanished). At the operation's deadline it
 * expires it itself (the sweeper does the same for operations nobody waits for; both are idempotent), so a wait
 * always ends. Rejects with the signal's reason when it aborts; the operation then goes on without a caller.
 */
export async function waitForOperation(options: WaitOptions): Promise<WaitResult> {
  const { deps, objects, tag, key, id, watch, send, signal } = options;
  const opCache = objects.cache(operationKind);
  const opKey = operationKey(tag, key);
  const lines: string[] = [];
  let result: WaitResult | undefined;
  let wake: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;

  const expireAt = (op: Operation): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (Date.now() < op.deadline) {
        expireAt(op);
        return;
      }
      objects.write((tx) => expireOperation(deps, tx, op)).catch((err: unknown) => deps.log.debug({ err, key }, 'operation not expired'));
    }, Math.max(0, op.deadline - Date.now()));
  };
  const follow = (op: Operation | undefined): void => {
    if (result) return;
    if (op?.id !== id) result = 'superseded';
    else if (op.outcome) result = op.outcome;
    else expireAt(op);
    if (result) wake();
  };
  const last = new Map<string, TrackedState | undefined>();
  const unwatch = watch.map((w) => {
    last.set(w.key, w.cache.get(w.key)?.state);
    return w.cache.watch((change) => {
      if (change.key !== w.key) return;
      const state = change.kind === 'update' ? change.value.state : undefined;
      if (state === last.get(w.key)) return;
      last.set(w.key, state);
      if (state !== undefined) {
        lines.push(`${w.label}${stateName(state)}`);
        wake();
      }
    });
  });
  unwatch.push(opCache.watch((change) => {
    if (change.key === opKey) follow(change.kind === 'update' ? change.value : undefined);
  }));
  try {
    follow(opCache.get(opKey));
    for (;;) {
      while (lines.length > 0) await send(lines.shift() ?? '');
      if (result) return result;
      await abortable(new Promise<void>((resolve) => (wake = resolve)), signal);
    }
  } finally {
    clearTimeout(timer);
    for (const stop of unwatch) stop();
  }
}
