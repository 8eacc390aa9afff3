/**
 * How each fake operation behaves: latency, scripted failures, hanging, injected faults; and the record of the
 * calls made. Settings give the start; {@link FakeBehaviours.script} overrides per operation at runtime.
 */
import { CodedError, Code, unavailable } from '../../src/core/errors.js';
import { sleep } from '../../src/core/abort.js';
import { MUTATING_OPERATIONS, parseFailure, type FakeFailure, type FakeOperation, type FakeSettings } from './settings.js';

/**
 * A runtime override of one operation (every field optional; an absent field falls back to the settings):
 * `latencyMs` its duration, `fail` a failure (a message: FAILED_PRECONDITION, or `{message, code}`), `hang` true:
 * the call never finishes until its signal aborts (false: it does not hang even if the settings say so).
 */
export interface FakeBehaviour {
  readonly latencyMs?: number;
  readonly fail?: string | { readonly message: string; readonly code?: Code };
  readonly hang?: boolean;
}

/** One call made to the fake platform; `key` for calls about one instance. */
export interface FakeCall {
  readonly op: FakeOperation;
  readonly key?: string;
}

/** How many calls the log keeps (the oldest are dropped; counts stay exact). */
export const CALL_LOG_LIMIT = 10_000;

interface Scripted {
  readonly latencyMs: number | undefined;
  readonly fail: FakeFailure | undefined;
  readonly hang: boolean | undefined;
}

/** Per-operation behaviour and call accounting of one FakePlatform. Not shared between platforms. */
export class FakeBehaviours {
  private readonly scripts = new Map<FakeOperation, Scripted>();
  private readonly counts = new Map<FakeOperation, number>();
  private readonly log: FakeCall[] = [];
  private faultRate: number;

  constructor(
    private readonly settings: FakeSettings,
    private readonly random: () => number,
  ) {
    this.faultRate = settings.faultRate;
  }

  /** Sets (or with undefined clears) the runtime override of `op`. Throws INVALID_ARGUMENT for a bad value. */
  script(op: FakeOperation, behaviour: FakeBehaviour | undefined): void {
    if (behaviour === undefined) {
      this.scripts.delete(op);
      return;
    }
    const latencyMs = behaviour.latencyMs;
    if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
      throw new CodedError(Code.INVALID_ARGUMENT, `invalid latencyMs of ${op}: must be a number >= 0`, { field: 'latencyMs' });
    }
    const fail = behaviour.fail === undefined ? undefined : parseFailure(behaviour.fail, `script.${op}.fail`);
    this.scripts.set(op, { latencyMs, fail, hang: behaviour.hang });
  }

  /** Changes the probability (0..1) of an injected UNAVAILABLE fault on creates, updates and deletes. */
  setFaultRate(rate: number): void {
    if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
      throw new CodedError(Code.INVALID_ARGUMENT, 'invalid faultRate: must be between 0 and 1', { field: 'faultRate' });
    }
    this.faultRate = rate;
  }

  /** Counts and logs one call. */
  record(op: FakeOperation, key?: string): void {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    this.log.push(key === undefined ? { op } : { op, key });
    if (this.log.length > CALL_LOG_LIMIT) this.log.splice(0, this.log.length - CALL_LOG_LIMIT);
  }

  callCount(op: FakeOperation): number {
    return this.counts.get(op) ?? 0;
  }

  /** The logged calls, oldest first (a copy). */
  calls(): FakeCall[] {
    return [...this.log];
  }

  /** Forgets counts and the log. */
  resetCalls(): void {
    this.counts.clear();
    this.log.length = 0;
  }

  /** Latency of `op` in ms: scripted, else `latency.<op>`, else `latency.*`, else 0. */
  latencyOf(op: FakeOperation): number {
    return this.scripts.get(op)?.latencyMs ?? this.settings.latency[op] ?? this.settings.latency['*'] ?? 0;
  }

  /**
   * The failure this call of `op` must end with, if any: the scripted one, else the configured one, else (for
   * creates, updates and deletes, with probability faultRate) UNAVAILABLE "injected fault". Draws one random
   * number per mutating call while the fault rate is above 0.
   */
  failureOf(op: FakeOperation): CodedError | undefined {
    const fail = this.scripts.get(op)?.fail ?? this.settings.fail[op];
    if (fail) return new CodedError(fail.code, fail.message);
    if (this.faultRate > 0 && MUTATING_OPERATIONS.has(op) && this.random() < this.faultRate) {
      return unavailable(`injected fault in ${op}`);
    }
    return undefined;
  }

  /**
   * Waits as long as one call of `op` takes: its latency, or, when it hangs, until `signal` aborts. Rejects with
   * `signal.reason` when the signal aborts.
   */
  async delay(op: FakeOperation, signal: AbortSignal): Promise<void> {
    const hang = this.scripts.get(op)?.hang ?? this.settings.hang.includes(op);
    if (!hang) {
      const ms = this.latencyOf(op);
      if (ms > 0) await sleep(ms, signal);
      else signal.throwIfAborted(); // no timer turn at all: 10k creates without latency stay fast
      return;
    }
    await new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}
