/**
 * Reconcile outcomes (architecture convention 4): handlers return what should happen next instead of throwing.
 */
import { asCodedError, invalidArgument, type CodedError } from './errors.js';

/** Finished: the key is forgotten (failure count reset) and not run again until re-added. */
export interface DoneOutcome {
  readonly kind: 'done';
}

/** Finished for now, look again after `afterMs` ms (polling a long operation). Resets the failure count. */
export interface RequeueOutcome {
  readonly kind: 'requeue';
  readonly afterMs: number;
}

/** Failed in a way that may pass later: run again after the key's exponential backoff. */
export interface RetryOutcome {
  readonly kind: 'retry';
  readonly error: CodedError;
}

/** Failed in a way that retrying cannot fix: report it, forget the key, wait for the key to be re-added. */
export interface TerminalOutcome {
  readonly kind: 'terminal';
  readonly error: CodedError;
}

/** What a workqueue handler returns. Discriminated on `kind`. */
export type Outcome = DoneOutcome | RequeueOutcome | RetryOutcome | TerminalOutcome;

const DONE: DoneOutcome = Object.freeze({ kind: 'done' });

/**
 * Constructors of {@link Outcome} values. Errors of any type are normalized with `asCodedError`, so
 * `Outcome.retry(e)` keeps a CodedError as is and wraps anything else (with it as `cause`).
 */
export const Outcome = Object.freeze({
  /** The `done` outcome (a shared frozen value). */
  done(): DoneOutcome {
    return DONE;
  },
  /** `requeue` after `afterMs` ms. Throws `INVALID_ARGUMENT` when `afterMs` is negative or not finite. */
  requeue(afterMs: number): RequeueOutcome {
    if (!Number.isFinite(afterMs) || afterMs < 0) {
      throw invalidArgument('afterMs', 'must be a finite number >= 0');
    }
    return { kind: 'requeue', afterMs };
  },
  /** `retry` with `error` (normalized to a CodedError, default code `UNKNOWN`). */
  retry(error: unknown): RetryOutcome {
    return { kind: 'retry', error: asCodedError(error) };
  },
  /** `terminal` with `error` (normalized to a CodedError, default code `UNKNOWN`). */
  terminal(error: unknown): TerminalOutcome {
    return { kind: 'terminal', error: asCodedError(error) };
  },
});
