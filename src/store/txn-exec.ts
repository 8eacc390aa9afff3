/**
 * The transaction algorithm, written once over a {@link TxnView} so that every embedded backend applies
 * compares, ops, revisions and watch events identically. The backend supplies the view (over its map, or over an
 * open LMDB write transaction) and persists the revision when {@link executeTxn} reports a change.
 */
import type { KV, WatchEvent } from './store.js';
import type { PlannedCompare, PlannedOp, TxnPlan } from './validate.js';

/** Reads and writes of one backend inside one transaction; writes are visible to later reads. */
export interface TxnView {
  get(key: string): KV | undefined;
  /** Every KV whose key starts with `prefix`, in key order. */
  listPrefix(prefix: string): KV[];
  put(kv: KV): void;
  delete(key: string): void;
}

/** What a transaction did. `events` is empty when nothing changed (then `revision` is the unchanged one). */
export interface TxnOutcome {
  readonly succeeded: boolean;
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

const EMPTY = new Uint8Array(0);

/** True when `compare` holds against the current state of `view`. */
function holds(view: TxnView, compare: PlannedCompare): boolean {
  const kv = view.get(compare.key);
  if (compare.exists !== undefined && compare.exists !== (kv !== undefined)) return false;
  if (compare.modRevision !== undefined && compare.modRevision !== (kv?.modRevision ?? 0)) return false;
  return true;
}

function deleted(key: string, revision: number, prevKv: KV): WatchEvent {
  return {
    type: 'delete',
    kv: Object.freeze({ key, value: EMPTY, createRevision: 0, modRevision: revision, version: 0 }),
    prevKv,
  };
}

function apply(view: TxnView, op: PlannedOp, revision: number, events: WatchEvent[]): void {
  switch (op.kind) {
    case 'put': {
      const prevKv = view.get(op.key);
      const kv: KV = Object.freeze({
        key: op.key,
        value: op.value,
        createRevision: prevKv?.createRevision ?? revision,
        modRevision: revision,
        version: (prevKv?.version ?? 0) + 1,
      });
      view.put(kv);
      events.push({ type: 'put', kv, prevKv });
      return;
    }
    case 'delete': {
      const prevKv = view.get(op.key);
      if (!prevKv) return;
      view.delete(op.key);
      events.push(deleted(op.key, revision, prevKv));
      return;
    }
    case 'deletePrefix':
      for (const prevKv of view.listPrefix(op.prefix)) {
        view.delete(prevKv.key);
        events.push(deleted(prevKv.key, revision, prevKv));
      }
      return;
  }
}

/**
 * Evaluates the compares, applies the chosen branch through `view` as revision `current + 1`, and returns the
 * events. Never throws for a valid plan unless the view does; a backend that can fail mid-way must run this in
 * something it can roll back.
 */
export function executeTxn(view: TxnView, current: number, plan: TxnPlan): TxnOutcome {
  const succeeded = plan.compare.every((c) => holds(view, c));
  const ops = succeeded ? plan.success : plan.failure;
  const revision = current + 1;
  const events: WatchEvent[] = [];
  for (const op of ops) apply(view, op, revision, events);
  return { succeeded, revision: events.length > 0 ? revision : current, events };
}
