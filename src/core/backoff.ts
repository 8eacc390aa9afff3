/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS architecture blog): the delay
 * before retry number `attempt` (0-based) is uniformly random in `[0, min(maxMs, initialMs * multiplier^attempt)]`.
 */
import { invalidArgument } from './errors.js';

/** Backoff parameters. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms (>= 0). */
  initialMs: number;
  /** Upper bound of every delay, in ms (>= initialMs). */
  maxMs: number;
  /** Growth factor of the ceiling per attempt (>= 1). Default 2. */
  multiplier?: number;
  /** Source of randomness in [0, 1). Default `Math.random`; inject a constant for deterministic tests. */
  random?: () => number;
}

/** Options of a {@link Backoff} instance. */
export interface BackoffStateOptions extends BackoffOptions {
  /**
   * After {@link Backoff.markHealthy} and this many ms of health, the next {@link Backoff.next} starts over
   * from attempt 0 (e.g. a connection that stayed up long enough). Default: never reset implicitly.
   */
  resetAfterHealthyMs?: number;
  /** Clock in ms for `resetAfterHealthyMs`. Default `performance.now`. */
  now?: () => number;
}

/**
 * Validates options and fills defaults. Throws an `INVALID_ARGUMENT` CodedError naming the offending field.
 * Pure.
 */
export function normalizeBackoff(options: BackoffOptions): Required<BackoffOptions> {
  const { initialMs, maxMs, multiplier = 2, random = Math.random } = options;
  if (!Number.isFinite(initialMs) || initialMs < 0) {
    throw invalidArgument('backoff.initialMs', 'must be a finite number >= 0');
  }
  if (!Number.isFinite(maxMs) || maxMs < initialMs) {
    throw invalidArgument('backoff.maxMs', 'must be a finite number >= initialMs');
  }
  if (!Number.isFinite(multiplier) || multiplier < 1) {
    throw invalidArgument('backoff.multiplier', 'must be a finite number >= 1');
  }
  return { initialMs, maxMs, multiplier, random };
}

/**
 * The ceiling of the delay for a 0-based `attempt`: `min(maxMs, initialMs * multiplier^attempt)`.
 * Pure; never overflows (large attempts give `maxMs`). Options must be valid (see {@link normalizeBackoff}).
 */
export function backoffCeiling(options: BackoffOptions, attempt: number): number {
  const multiplier = options.multiplier ?? 2;
  const raw = options.initialMs * Math.pow(multiplier, Math.max(0, attempt));
  return Number.isFinite(raw) ? Math.min(options.maxMs, raw) : options.maxMs;
}

/**
 * A full-jitter delay for a 0-based `attempt`: `random() * backoffCeiling(options, attempt)`, clamped into
 * `[0, ceiling]` even if `random` misbehaves. Deterministic when `random` is.
 */
export function backoffDelay(options: BackoffOptions, attempt: number): number {
  const ceiling = backoffCeiling(options, attempt);
  const r = (options.random ?? Math.random)();
  const fraction = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
  return fraction * ceiling;
}

/**
 * Stateful backoff for one retry loop (e.g. a reconnecting client). Not shared between loops.
 *
 * ```ts
 * const b = new Backoff({ initialMs: 100, maxMs: 30_000 });
 * for (;;) { try { await connect(); b.markHealthy(); await served(); } catch { await sleep(b.next(), signal); } }
 * ```
 */
export class Backoff {
  readonly #options: Required<BackoffOptions>;
  readonly #resetAfterHealthyMs: number | undefined;
  readonly #now: () => number;
  #attempt = 0;
  #healthySince: number | undefined;

  /** Throws `INVALID_ARGUMENT` on invalid options. */
  constructor(options: BackoffStateOptions) {
    this.#options = normalizeBackoff(options);
    const { resetAfterHealthyMs } = options;
    if (resetAfterHealthyMs !== undefined && (!Number.isFinite(resetAfterHealthyMs) || resetAfterHealthyMs < 0)) {
      throw invalidArgument('backoff.resetAfterHealthyMs', 'must be a finite number >= 0');
    }
    this.#resetAfterHealthyMs = resetAfterHealthyMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Number of delays handed out since the last reset (the 0-based attempt of the next delay). */
  get attempt(): number {
    return this.#attempt;
  }

  /**
   * The delay to wait before the next retry, in `[0, min(maxMs, initialMs * multiplier^attempt)]`; then
   * increments the attempt. If the loop was marked healthy for at least `resetAfterHealthyMs`, starts over
   * from attempt 0 first. Any healthy mark is consumed.
   */
  next(): number {
    if (this.#healthySince !== undefined) {
      if (this.#resetAfterHealthyMs !== undefined && this.#now() - this.#healthySince >= this.#resetAfterHealthyMs) {
        this.#attempt = 0;
      }
      this.#healthySince = undefined;
    }
    const delay = backoffDelay(this.#options, this.#attempt);
    this.#attempt += 1;
    return delay;
  }

  /** Starts over from attempt 0 (call after a success). Idempotent. */
  reset(): void {
    this.#attempt = 0;
    this.#healthySince = undefined;
  }

  /**
   * Records that the loop is healthy from now on (e.g. connected). Only the first call since the last
   * {@link next} counts, so repeated calls are harmless. Without `resetAfterHealthyMs` it has no effect.
   */
  markHealthy(): void {
    this.#healthySince ??= this.#now();
  }
}
