/**
 * The workqueue (architecture conventions 3 and 4), with Kubernetes client-go workqueue semantics.
 * See `README.md` in this folder for the design note.
 */
import { abortError } from './abort.js';
import { backoffDelay, normalizeBackoff, type BackoffOptions } from './backoff.js';
import { asCodedError, internal, invalidArgument, type CodedError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import { Outcome } from './outcome.js';

/**
 * Reconciles one key. Receives a signal that aborts only when the queue is shut down with abort (see
 * {@link WorkQueue.shutdown}); it must stop promptly then. A thrown error (or rejection) counts as
 * `Outcome.retry(error)`.
 */
export type WorkQueueHandler<K extends string> = (key: K, signal: AbortSignal) => Promise<Outcome> | Outcome;

/** Time source and timers of a queue; injectable for tests. Default: `performance.now` and global timers. */
export interface WorkQueueClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Optional observation callbacks (e.g. to feed metrics). Called synchronously; an exception thrown by a hook is
 * logged and otherwise ignored.
 */
export interface WorkQueueHooks<K extends string> {
  /** `key` entered the ready queue (after collapsing: once per future run). */
  queued?(key: K): void;
  /** A handler started for `key`, `queuedMs` after the key became ready. */
  started?(key: K, queuedMs: number): void;
  /** A handler finished for `key` with `outcome` (thrown errors appear as `retry`), after `durationMs`. */
  finished?(key: K, outcome: Outcome, durationMs: number): void;
  /** A retry of `key` is scheduled in `delayMs`, after `failures` consecutive failures. */
  retried?(key: K, failures: number, delayMs: number, error: CodedError): void;
}

/** Details passed to {@link WorkQueueOptions.onTerminal}. */
export interface TerminalInfo {
  /** Consecutive failed runs of the key, including the last one. */
  failures: number;
  /** True when the key gave up because `maxAttempts` was reached (the error is the last retryable one). */
  exhausted: boolean;
}

/** Options of a {@link WorkQueue}. */
export interface WorkQueueOptions<K extends string> {
  /** Maximum number of handlers running at once (integer >= 1). */
  concurrency: number;
  /** The reconcile function. */
  handler: WorkQueueHandler<K>;
  /** Per-key retry backoff; default `{ initialMs: 100, maxMs: 60_000, multiplier: 2, random: Math.random }`. */
  backoff?: Partial<BackoffOptions>;
  /** Consecutive failed runs after which a key is reported terminal. Default: unlimited. */
  maxAttempts?: number;
  /** Called when a key ends terminally (terminal outcome, or `maxAttempts` reached). Exceptions are logged. */
  onTerminal?: (key: K, error: CodedError, info: TerminalInfo) => void;
  /** Observation callbacks. */
  hooks?: WorkQueueHooks<K>;
  /** Default: silent. */
  logger?: Logger;
  /** Default: real time and timers. */
  clock?: WorkQueueClock;
}

/** Options of {@link WorkQueue.shutdown}. */
export interface ShutdownOptions {
  /** Abort the signal of every running handler now. Default false: let them finish. */
  abortRunning?: boolean;
  /** When this aborts (e.g. a shutdown deadline), running handlers are aborted with its reason. */
  signal?: AbortSignal;
}

/** Default per-key backoff of a {@link WorkQueue}. */
export const DEFAULT_WORKQUEUE_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 100,
  maxMs: 60_000,
  multiplier: 2,
});

const REAL_CLOCK: WorkQueueClock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});

interface Running {
  readonly controller: AbortController;
  /** Re-added while running: run once more right after. */
  rerun: boolean;
}

interface Delayed {
  readonly at: number;
  handle: unknown;
}

/**
 * A keyed work queue. Guarantees:
 * - a key is pending at most once: adding a pending key again does nothing (adds collapse);
 * - a key never runs concurrently with itself; a key added while it runs runs exactly once more afterwards;
 * - at most `concurrency` handlers run at once; ready keys start in FIFO order;
 * - `addAfter` schedules a delayed add; a key has at most one pending run and the earliest requested one wins;
 * - outcomes: `done` forgets the key's failures; `requeue` forgets them and adds the key after `afterMs`;
 *   `retry` (or a throw) counts a failure and adds the key after a full-jitter exponential backoff;
 *   `terminal` forgets the key, calls `onTerminal`, and does not run it again until it is re-added.
 *   An add made while the key was running always wins over the outcome's delay.
 * - `shutdown` stops new work and resolves once running handlers have returned.
 *
 * The queue starts working on construction and holds no global state.
 */
export class WorkQueue<K extends string> {
  readonly #handler: WorkQueueHandler<K>;
  readonly #concurrency: number;
  readonly #backoff: Required<BackoffOptions>;
  readonly #maxAttempts: number | undefined;
  readonly #onTerminal: ((key: K, error: CodedError, info: TerminalInfo) => void) | undefined;
  readonly #hooks: WorkQueueHooks<K>;
  readonly #log: Logger;
  readonly #clock: WorkQueueClock;

  /** Ready keys in FIFO order, with the time each became ready. */
  readonly #ready = new Map<K, number>();
  readonly #running = new Map<K, Running>();
  readonly #delayed = new Map<K, Delayed>();
  readonly #failures = new Map<K, number>();
  #closed = false;
  #pumping = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;
  readonly #onDrained: (() => void)[] = [];

  /** Throws `INVALID_ARGUMENT` on invalid options. */
  constructor(options: WorkQueueOptions<K>) {
    const { concurrency, maxAttempts } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw invalidArgument('concurrency', 'must be an integer >= 1');
    }
    if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
      throw invalidArgument('maxAttempts', 'must be an integer >= 1');
    }
    this.#handler = options.handler;
    this.#concurrency = concurrency;
    this.#backoff = normalizeBackoff({ ...DEFAULT_WORKQUEUE_BACKOFF, ...stripUndefined(options.backoff ?? {}) });
    this.#maxAttempts = maxAttempts;
    this.#onTerminal = options.onTerminal;
    this.#hooks = options.hooks ?? {};
    this.#log = options.logger ?? silentLogger();
    this.#clock = options.clock ?? REAL_CLOCK;
  }

  /**
   * Marks `key` for a run as soon as a worker is free. Idempotent while the key is pending; if the key is
   * running, it runs exactly once more after the current run. Cancels a pending delayed add of the key (this
   * add is earlier). Ignored after shutdown.
   */
  add(key: K): void {
    if (this.#closed) return;
    this.#cancelDelayed(key);
    const running = this.#running.get(key);
    if (running) {
      running.rerun = true;
      return;
    }
    if (this.#ready.has(key)) return;
    this.#enqueue(key);
    this.#pump();
  }

  /**
   * Adds `key` after `ms` milliseconds (`ms <= 0` adds now). Collapses with other adds: if the key already has
   * an earlier (or immediate) run pending, this does nothing; otherwise it replaces a later delayed add.
   * Throws `INVALID_ARGUMENT` when `ms` is NaN or infinite. Ignored after shutdown.
   */
  addAfter(key: K, ms: number): void {
    if (!Number.isFinite(ms)) throw invalidArgument('ms', 'must be a finite number');
    this.#addAfter(key, ms);
  }

  /**
   * Resets the failure count of `key`, so its next retry starts from the initial backoff. Does not cancel a
   * retry already scheduled. Idempotent. Done, requeue and terminal outcomes forget automatically.
   */
  forget(key: K): void {
    this.#failures.delete(key);
  }

  /** Consecutive failed runs of `key` since it was last forgotten. */
  failures(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Number of keys ready to start (not running, not delayed). */
  len(): number {
    return this.#ready.size;
  }

  /** Number of distinct keys with a future run: ready, delayed, or re-added while running. */
  pending(): number {
    let rerun = 0;
    for (const r of this.#running.values()) if (r.rerun) rerun += 1;
    return this.#ready.size + this.#delayed.size + rerun;
  }

  /** Number of handlers running now (never more than `concurrency`). */
  runningCount(): number {
    return this.#running.size;
  }

  /** True while a handler for `key` runs. */
  isRunning(key: K): boolean {
    return this.#running.has(key);
  }

  /** True when `key` has a future run (ready, delayed, or re-added while running). */
  isPending(key: K): boolean {
    return this.#ready.has(key) || this.#delayed.has(key) || this.#running.get(key)?.rerun === true;
  }

  /** True once shutdown has begun. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops taking new work: later adds are ignored, ready and delayed keys are dropped (their timers cleared),
   * and no handler starts any more. Running handlers are not aborted unless `abortRunning` is set or `signal`
   * aborts; either way the promise resolves once every running handler has returned (handlers must honor their
   * signal for an abort to be prompt). Outcomes of those last runs are reported to hooks but schedule nothing.
   * Idempotent: every call returns the same completion; a later call may still abort running handlers.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const d of this.#delayed.values()) this.#clock.clearTimeout(d.handle);
      this.#delayed.clear();
      this.#ready.clear();
      for (const r of this.#running.values()) r.rerun = false;
      this.#failures.clear();
      this.#drained = new Promise<void>((resolve) => {
        this.#resolveDrained = resolve;
      });
    }
    const { signal, abortRunning = false } = options;
    if (abortRunning) this.#abortRunning(abortError('workqueue shut down'));
    if (signal && this.#running.size > 0) {
      if (signal.aborted) {
        this.#abortRunning(signal.reason);
      } else {
        const onAbort = (): void => this.#abortRunning(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#onDrained.push(() => signal.removeEventListener('abort', onAbort));
      }
    }
    this.#checkDrained();
    return this.#drained ?? Promise.resolve();
  }

  /** `shutdown()` without aborting running handlers. */
  close(): Promise<void> {
    return this.shutdown();
  }

  #addAfter(key: K, ms: number): void {
    if (this.#closed) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    if (this.#ready.has(key) || this.#running.get(key)?.rerun === true) return;
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.#clock.clearTimeout(existing.handle);
    const entry: Delayed = { at, handle: undefined };
    entry.handle = this.#clock.setTimeout(() => {
      if (this.#delayed.get(key) !== entry) return;
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, entry);
  }

  #cancelDelayed(key: K): void {
    const d = this.#delayed.get(key);
    if (!d) return;
    this.#clock.clearTimeout(d.handle);
    this.#delayed.delete(key);
  }

  #enqueue(key: K): void {
    this.#ready.set(key, this.#clock.now());
    this.#hook('queued', () => this.#hooks.queued?.(key));
  }

  /** Starts ready keys while workers are free. Re-entrant calls (from a handler's synchronous add) are no-ops. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed && this.#running.size < this.#concurrency) {
        const next = this.#ready.entries().next();
        if (next.done) break;
        const [key, queuedAt] = next.value;
        this.#ready.delete(key);
        this.#start(key, queuedAt);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #start(key: K, queuedAt: number): void {
    const run: Running = { controller: new AbortController(), rerun: false };
    this.#running.set(key, run);
    const startedAt = this.#clock.now();
    this.#hook('started', () => this.#hooks.started?.(key, startedAt - queuedAt));
    void this.#execute(key, run, startedAt);
  }

  async #execute(key: K, run: Running, startedAt: number): Promise<void> {
    let outcome: Outcome;
    try {
      const result: unknown = await this.#handler(key, run.controller.signal);
      outcome = isOutcome(result) ? result : Outcome.retry(internal('handler returned no outcome'));
    } catch (e) {
      outcome = Outcome.retry(e);
    }
    this.#finish(key, run, outcome, startedAt);
  }

  #finish(key: K, run: Running, outcome: Outcome, startedAt: number): void {
    this.#running.delete(key);
    this.#hook('finished', () => this.#hooks.finished?.(key, outcome, this.#clock.now() - startedAt));
    if (this.#closed) {
      this.#checkDrained();
      return;
    }
    let delay: number | undefined;
    switch (outcome.kind) {
      case 'done':
        this.#failures.delete(key);
        break;
      case 'requeue':
        this.#failures.delete(key);
        delay = Number.isFinite(outcome.afterMs) ? Math.max(0, outcome.afterMs) : 0;
        break;
      case 'terminal':
        this.#terminal(key, asCodedError(outcome.error), this.failures(key) + 1, false);
        break;
      case 'retry': {
        const error = asCodedError(outcome.error);
        const failures = this.failures(key) + 1;
        if (this.#maxAttempts !== undefined && failures >= this.#maxAttempts) {
          this.#terminal(key, error, failures, true);
          break;
        }
        this.#failures.set(key, failures);
        delay = backoffDelay(this.#backoff, failures - 1);
        this.#log.debug({ key, failures, delayMs: Math.round(delay), err: error }, 'retry scheduled');
        const d = delay;
        this.#hook('retried', () => this.#hooks.retried?.(key, failures, d, error));
        break;
      }
    }
    if (run.rerun) {
      // Added while running: run again now; that beats any delay the outcome asked for.
      this.add(key);
    } else if (delay !== undefined) {
      this.#addAfter(key, delay);
    }
    this.#pump();
  }

  #terminal(key: K, error: CodedError, failures: number, exhausted: boolean): void {
    this.#failures.delete(key);
    this.#log.warn({ key, failures, exhausted, err: error }, 'reconcile failed terminally');
    this.#hook('onTerminal', () => this.#onTerminal?.(key, error, { failures, exhausted }));
  }

  #abortRunning(reason: unknown): void {
    for (const r of this.#running.values()) r.controller.abort(reason);
  }

  #checkDrained(): void {
    if (!this.#closed || this.#running.size > 0) return;
    for (const cleanup of this.#onDrained.splice(0)) cleanup();
    this.#resolveDrained?.();
  }

  #hook(name: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error({ hook: name, err }, 'workqueue hook failed');
    }
  }
}

function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'done' || kind === 'requeue' || kind === 'retry' || kind === 'terminal';
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
