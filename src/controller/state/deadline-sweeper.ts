import type { ObjectStore } from '../object-store.js';
import type { InstDeps } from './inst-store.js';
import { dropOperation, operationKind, OUTCOME_RETENTION_MS, type Operation } from './operations.js';
import { expireOperation } from './settle.js';

/** What the sweeper needs (a subset of ApiDeps). */
export interface SweeperDeps extends InstDeps {
  readonly objects: ObjectStore;
}

/** Operations expired per transaction (each rewrites an object, its refs and its record). */
const EXPIRE_BATCH = 10;
/** Finished records dropped per transaction. */
const DROP_BATCH = 100;
/** Longest single timer; longer waits are re-planned (setTimeout's limit is ~24.8 days). */
const MAX_TIMER_MS = 60 * 60_000;

/** When a record needs the sweeper: its deadline, or the end of a finished record's retention. */
function dueAt(op: Operation): number {
  return op.outcome ? op.outcome.at + OUTCOME_RETENTION_MS : op.deadline;
}

/**
 * Starts the controller's deadline sweeper, which runs until `signal` aborts. It keeps one timer at the earliest
 * due time among the persisted operation records (so it picks up, after a restart, the deadlines of operations
 * started by the previous run): an unfinished operation whose deadline passed is expired (the object goes to
 * *_ERROR with "timed out after N s", see `expireOperation`), and a finished record is dropped once its
 * retention has passed. Sweeps never overlap; failures are logged and retried on the next timer (at most a
 * second later). Timers are unref'd. Returns at once.
 */
export function startDeadlineSweeper(deps: SweeperDeps, signal: AbortSignal): void {
  const { objects, log } = deps;
  const cache = objects.cache(operationKind);
  let timer: NodeJS.Timeout | undefined;
  let target = Infinity;
  let running = false;
  let again = false;

  const arm = (at: number): void => {
    if (signal.aborted || at >= target) return;
    clearTimeout(timer);
    target = at;
    timer = setTimeout(() => {
      target = Infinity;
      void sweep();
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    timer.unref();
  };
  const plan = (): void => {
    let next = Date.now() + MAX_TIMER_MS;
    for (const op of cache.values()) next = Math.min(next, dueAt(op));
    arm(next);
  };
  const sweep = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const now = Date.now();
      const due = cache.values().filter((op) => dueAt(op) <= now);
      const expiring = due.filter((op) => !op.outcome);
      const dropping = due.filter((op) => op.outcome);
      for (let i = 0; i < expiring.length && !signal.aborted; i += EXPIRE_BATCH) {
        await objects.write((tx) => {
          for (const op of expiring.slice(i, i + EXPIRE_BATCH)) expireOperation(deps, tx, op, now);
        });
      }
      for (let i = 0; i < dropping.length && !signal.aborted; i += DROP_BATCH) {
        await objects.write((tx) => {
          for (const op of dropping.slice(i, i + DROP_BATCH)) {
            const current = tx.get(operationKind, operationKind.keyOf(op));
            if (current?.id === op.id && current.outcome && dueAt(current) <= now) dropOperation(tx, op.inst, op.key);
          }
        });
      }
    } catch (err) {
      if (!signal.aborted) log.error({ err }, 'deadline sweep failed; retrying');
      arm(Date.now() + 1000);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      void sweep();
    } else {
      plan();
    }
  };

  const unwatch = cache.watch((change) => {
    if (change.kind === 'update') arm(dueAt(change.value));
  });
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    unwatch();
  }, { once: true });
  plan();
}
