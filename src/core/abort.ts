/**
 * AbortSignal helpers (architecture convention 7): everything that waits takes a signal, deadlines come from
 * {@link startDeadline} or {@link withTimeout} (never a bare `AbortSignal.timeout` inside `AbortSignal.any`), and a cancelled operation is told apart from a timed-out one.
 *
 * Conventions used by every helper here: when a signal aborts, the promise rejects with `signal.reason`
 * (a `DOMException` named `AbortError` for `controller.abort()`, `TimeoutError` for `AbortSignal.timeout`, or
 * whatever reason the caller passed), and every timer and listener the helper installed is removed.
 */

/** What ended an aborted operation: the caller cancelled it, or a deadline passed. */
export type AbortKind = 'cancelled' | 'timeout';

/**
 * Classifies an abort reason / rejection. Returns `'timeout'` for a `TimeoutError` (what `AbortSignal.timeout`
 * aborts with), `'cancelled'` for an `AbortError`, and `undefined` for anything else. Pure, never throws.
 */
export function abortKind(e: unknown): AbortKind | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const name = (e as { name?: unknown }).name;
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') return 'cancelled';
  return undefined;
}

/** True when `e` is an `AbortError` or a `TimeoutError`, i.e. the operation was stopped by a signal. Pure. */
export function isAbortError(e: unknown): boolean {
  return abortKind(e) !== undefined;
}

/** True only for a `TimeoutError` (a deadline passed), false for a plain cancellation. Pure. */
export function isTimeoutError(e: unknown): boolean {
  return abortKind(e) === 'timeout';
}

/** True only for an `AbortError` (someone cancelled), false for a timeout. Pure. */
export function isCancelledError(e: unknown): boolean {
  return abortKind(e) === 'cancelled';
}

/** Throws `signal.reason` when `signal` is aborted; does nothing when it is not or is undefined. */
export function throwIfAborted(signal?: AbortSignal): void {
  signal?.throwIfAborted();
}

/** A `DOMException` named `AbortError` (what `controller.abort()` uses by default), for callers that need one. */
export function abortError(message = 'This operation was aborted'): DOMException {
  return new DOMException(message, 'AbortError');
}

/**
 * Resolves after `ms` milliseconds. With a signal: rejects with `signal.reason` as soon as it aborts (at once if
 * already aborted) and clears the timer, so nothing is left pending. Negative or NaN `ms` count as 0.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Number.isFinite(ms) && ms > 0 ? ms : 0,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A running deadline: its signal aborts with a `TimeoutError` when the time is up, unless cleared first. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and releases it; the signal then never aborts. Idempotent. Call when the work ended. */
  clear(): void;
}

/**
 * Starts a deadline of `ms` milliseconds (negative or not finite: 0). Unlike a bare `AbortSignal.timeout`, the
 * timer holds its signal strongly: Node.js may collect a timeout signal that only an `AbortSignal.any` depends on,
 * and then it never fires (nodejs/node#57736), which would leave an operation without its deadline. The timer
 * does not keep the process alive.
 */
export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${delay} ms`, 'TimeoutError')), delay);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * A signal that aborts when `signal` aborts (with its reason) or after `ms` milliseconds (with a
 * `TimeoutError`), whichever is first; without `signal` just the deadline's. The deadline fires even if nothing
 * but the returned signal is referenced (see {@link startDeadline}); its timer does not keep the process alive and
 * is released when it fires.
 */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const deadline = startDeadline(ms);
  return signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
}

/**
 * A signal that aborts when any of the given signals aborts, with the reason of the first one. `undefined`
 * entries are skipped; with no signal at all the result never aborts.
 */
export function linkSignals(...signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1 && present[0]) return present[0];
  if (present.length === 0) return new AbortController().signal;
  return AbortSignal.any(present);
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever is first.
 * The underlying operation is not stopped (pass the signal to it for that); its later rejection is absorbed,
 * and the abort listener is removed once `promise` settles.
 */
export function abortable<T>(promise: PromiseLike<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return Promise.resolve(promise);
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      Promise.resolve(promise).catch(() => undefined);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Resolves once `subscribe`'s listener is called with a value for which `done` holds; rejects with the signal's
 * reason when it aborts first (at once when already aborted). The listener is removed either way. For "when ready"
 * waits on a component's status events: check the current status before calling it.
 */
export function waitForEvent<T>(subscribe: (listener: (value: T) => void) => () => void, done: (value: T) => boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = subscribe((value) => {
      if (!done(value)) return;
      cleanup();
      resolve();
    });
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason);
    };
    const cleanup = (): void => {
      off();
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
