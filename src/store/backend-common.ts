/** Small pieces shared by the embedded backends: the closed error and option checks. */
import { invalidArgument, unavailable, type CodedError } from '../core/errors.js';
import { DEFAULT_HISTORY_LIMIT } from './store.js';

/** The error of every call made after `close()` (UNAVAILABLE: the store is gone; callers stop or retry). */
export function storeClosed(): CodedError {
  return unavailable('store is closed');
}

/** `historyLimit` or its default; INVALID_ARGUMENT (field `historyLimit`) unless an integer >= 0. */
export function historyLimitOf(historyLimit: number | undefined): number {
  if (historyLimit === undefined) return DEFAULT_HISTORY_LIMIT;
  if (!Number.isSafeInteger(historyLimit) || historyLimit < 0) {
    throw invalidArgument('historyLimit', 'must be an integer >= 0');
  }
  return historyLimit;
}

/**
 * Runs `fn` now and returns its result as a promise: a throw becomes a rejection, so synchronous backends keep
 * the "every method rejects, never throws" contract without `async` functions that await nothing.
 */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}
