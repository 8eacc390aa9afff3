import { afterEach, describe, expect, it } from 'vitest';
import { sleep, isCancelledError } from '../../../src/core/abort.js';
import { Code, CodedError, hasCode, notFound } from '../../../src/core/errors.js';
import type { Logger } from '../../../src/core/logger.js';
import { Outcome } from '../../../src/core/outcome.js';
import {
  WorkQueue,
  type TerminalInfo,
  type WorkQueueClock,
  type WorkQueueHandler,
  type WorkQueueOptions,
} from '../../../src/core/workqueue.js';
import { waitFor } from '../../helpers/wait-for.js';

type Key = string;

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Real timers, with the set of timers currently armed by the queue. */
function spyClock(): { clock: WorkQueueClock; armed: Set<unknown> } {
  const armed = new Set<unknown>();
  const clock: WorkQueueClock = {
    now: () => performance.now(),
    setTimeout(callback, ms) {
      const handle = setTimeout(() => {
        armed.delete(handle);
        callback();
      }, ms);
      armed.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      armed.delete(handle);
      clearTimeout(handle as NodeJS.Timeout);
    },
  };
  return { clock, armed };
}

const queues: WorkQueue<Key>[] = [];

function makeQueue(handler: WorkQueueHandler<Key>, options: Partial<WorkQueueOptions<Key>> = {}): WorkQueue<Key> {
  const q = new WorkQueue<Key>({ concurrency: 1, handler, backoff: { initialMs: 1, maxMs: 5 }, ...options });
  queues.push(q);
  return q;
}

const idle = (q: WorkQueue<Key>): boolean => q.runningCount() === 0 && q.pending() === 0;

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.shutdown({ abortRunning: true })));
});

describe('WorkQueue: collapsing and per-key exclusion', () => {
  it('collapses duplicate adds of a pending key into one run', async () => {
    const blocker = gate();
    const runs = new Map<Key, number>();
    const queued: Key[] = [];
    const q = makeQueue(
      async (key) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        if (key === 'block') await blocker.promise;
        return Outcome.done();
      },
      { hooks: { queued: (key) => void queued.push(key) } },
    );
    q.add('block');
    await waitFor(() => q.isRunning('block'));
    for (let i = 0; i < 5; i += 1) q.add('a');
    expect(q.len()).toBe(1);
    expect(q.pending()).toBe(1);
    expect(q.isPending('a')).toBe(true);
    blocker.open();
    await waitFor(() => idle(q) && runs.get('a') === 1);
    expect(runs.get('a')).toBe(1);
    expect(queued.filter((k) => k === 'a')).toHaveLength(1);
  });

  it('never runs one key concurrently with itself', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const q: WorkQueue<Key> = makeQueue(
      async (key) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        if (runs < 10) q.add(key); // re-added while running, every time
        await sleep(1);
        active -= 1;
        runs += 1;
        return Outcome.done();
      },
      { concurrency: 4 },
    );
    q.add('a');
    // Hammer it from outside too, while it runs.
    for (let i = 0; i < 20 && runs < 10; i += 1) {
      q.add('a');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => idle(q) && runs >= 11);
    expect(maxActive).toBe(1);
  });

  it('runs a key re-added while running exactly once more, after the current run', async () => {
    const first = gate();
    const events: string[] = [];
    let starts = 0;
    const q = makeQueue(
      async () => {
        starts += 1;
        const n = starts;
        events.push(`start${n}`);
        if (n === 1) await first.promise;
        events.push(`end${n}`);
        return Outcome.done();
      },
      { concurrency: 3 },
    );
    q.add('a');
    await waitFor(() => q.isRunning('a'));
    q.add('a');
    q.add('a');
    q.add('a');
    expect(starts).toBe(1);
    expect(q.len()).toBe(0); // not startable while it runs
    expect(q.pending()).toBe(1);
    expect(q.isPending('a')).toBe(true);
    first.open();
    await waitFor(() => idle(q) && starts === 2);
    expect(events).toEqual(['start1', 'end1', 'start2', 'end2']);
  });

  it('never runs more than `concurrency` handlers at once', async () => {
    let active = 0;
    let maxActive = 0;
    let maxRunningCount = 0;
    const done = new Set<Key>();
    const q = makeQueue(
      async (key) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        maxRunningCount = Math.max(maxRunningCount, q.runningCount());
        if (key === 'k0') q.add('k20'); // a synchronous add from a handler does not break the bound
        await sleep(2);
        active -= 1;
        done.add(key);
        return Outcome.done();
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 20; i += 1) q.add(`k${i}`);
    expect(q.runningCount()).toBe(3);
    expect(q.len()).toBe(18); // k3..k19 plus k20, added by k0's handler
    await waitFor(() => idle(q) && done.size === 21);
    expect(maxActive).toBe(3);
    expect(maxRunningCount).toBe(3);
  });

  it('starts ready keys in FIFO order', async () => {
    const order: Key[] = [];
    const q = makeQueue(async (key) => {
      order.push(key);
      return Outcome.done();
    });
    for (const k of ['c', 'b', 'a', 'b', 'd']) q.add(k);
    await waitFor(() => idle(q) && order.length === 4);
    expect(order).toEqual(['c', 'b', 'a', 'd']);
  });
});

describe('WorkQueue: outcomes and backoff', () => {
  it('retries with capped exponential backoff', async () => {
    const starts: number[] = [];
    const retried: [number, number][] = [];
    const q = makeQueue(
      async () => {
        starts.push(performance.now());
        return starts.length <= 4 ? Outcome.retry(new Error('flaky')) : Outcome.done();
      },
      {
        backoff: { initialMs: 10, maxMs: 25, multiplier: 2, random: () => 1 },
        hooks: { retried: (_key, failures, delayMs) => void retried.push([failures, delayMs]) },
      },
    );
    q.add('a');
    await waitFor(() => idle(q) && starts.length === 5);
    expect(retried).toEqual([
      [1, 10],
      [2, 20],
      [3, 25],
      [4, 25],
    ]);
    for (let i = 0; i < retried.length; i += 1) {
      const gap = (starts[i + 1] ?? 0) - (starts[i] ?? 0);
      expect(gap).toBeGreaterThanOrEqual((retried[i]?.[1] ?? 0) - 2);
    }
    expect(q.failures('a')).toBe(0); // success forgot it
  });

  it('applies full jitter from the injected random', async () => {
    const delays: number[] = [];
    let runs = 0;
    const q = makeQueue(
      async () => {
        runs += 1;
        return runs <= 3 ? Outcome.retry(new Error('x')) : Outcome.done();
      },
      {
        backoff: { initialMs: 8, maxMs: 1000, random: () => 0.25 },
        hooks: { retried: (_k, _f, delayMs) => void delays.push(delayMs) },
      },
    );
    q.add('a');
    await waitFor(() => idle(q) && runs === 4);
    expect(delays).toEqual([2, 4, 8]);
  });

  it('keeps the key pending while it backs off', async () => {
    const q = makeQueue(async () => Outcome.retry(new Error('down')), {
      backoff: { initialMs: 10_000, maxMs: 10_000, random: () => 1 },
    });
    q.add('a');
    await waitFor(() => q.failures('a') === 1);
    expect(q.isRunning('a')).toBe(false);
    expect(q.isPending('a')).toBe(true);
    expect(q.len()).toBe(0);
    expect(q.pending()).toBe(1);
  });

  it('forget(key) resets the failure count', async () => {
    const third = gate();
    let runs = 0;
    const retried: [number, number][] = [];
    const q = makeQueue(
      async () => {
        runs += 1;
        if (runs === 3) await third.promise;
        return runs <= 3 ? Outcome.retry(new Error('x')) : Outcome.done();
      },
      {
        backoff: { initialMs: 4, maxMs: 1000, random: () => 1 },
        hooks: { retried: (_k, failures, delayMs) => void retried.push([failures, delayMs]) },
      },
    );
    q.add('a');
    await waitFor(() => runs === 3);
    expect(q.failures('a')).toBe(2);
    q.forget('a');
    q.forget('a'); // idempotent
    expect(q.failures('a')).toBe(0);
    third.open();
    await waitFor(() => idle(q) && runs === 4);
    expect(retried).toEqual([
      [1, 4],
      [2, 8],
      [1, 4], // started over
    ]);
  });

  it('success forgets the failure count automatically', async () => {
    const script = ['fail', 'fail', 'done', 'fail', 'done'];
    let runs = 0;
    const retried: number[] = [];
    const q = makeQueue(
      async () => {
        const step = script[runs];
        runs += 1;
        return step === 'fail' ? Outcome.retry(new Error('x')) : Outcome.done();
      },
      { hooks: { retried: (_k, failures) => void retried.push(failures) } },
    );
    q.add('a');
    await waitFor(() => idle(q) && runs === 3);
    expect(q.failures('a')).toBe(0);
    q.add('a');
    await waitFor(() => idle(q) && runs === 5);
    expect(retried).toEqual([1, 2, 1]);
  });

  it('treats a thrown error (async or sync) as retry', async () => {
    const boom = new Error('boom');
    const errors: CodedError[] = [];
    let runs = 0;
    const q = makeQueue(
      (key) => {
        runs += 1;
        if (runs === 1) throw boom; // synchronous throw
        if (runs === 2) return Promise.reject(notFound(`thing ${key}`));
        return Outcome.done();
      },
      { hooks: { retried: (_k, _f, _d, error) => void errors.push(error) } },
    );
    q.add('a');
    await waitFor(() => idle(q) && runs === 3);
    expect(errors).toHaveLength(2);
    expect(errors[0]?.code).toBe(Code.UNKNOWN);
    expect(errors[0]?.cause).toBe(boom);
    expect(errors[1]?.code).toBe(Code.NOT_FOUND);
  });

  it('treats a non-outcome result as an INTERNAL retry', async () => {
    const errors: CodedError[] = [];
    let runs = 0;
    const q = makeQueue(
      async () => {
        runs += 1;
        return (runs === 1 ? undefined : Outcome.done()) as unknown as Outcome;
      },
      { hooks: { retried: (_k, _f, _d, error) => void errors.push(error) } },
    );
    q.add('a');
    await waitFor(() => idle(q) && runs === 2);
    expect(errors.map((e) => e.code)).toEqual([Code.INTERNAL]);
  });

  it('requeue runs the key again after the delay and resets failures', async () => {
    const starts: number[] = [];
    const outcomes: string[] = [];
    const retried: number[] = [];
    const q = makeQueue(
      async () => {
        starts.push(performance.now());
        if (starts.length === 1) return Outcome.retry(new Error('x'));
        if (starts.length === 2) return Outcome.requeue(8);
        if (starts.length === 3) return Outcome.retry(new Error('y'));
        return Outcome.done();
      },
      {
        hooks: {
          finished: (_k, o) => void outcomes.push(o.kind),
          retried: (_k, failures) => void retried.push(failures),
        },
      },
    );
    q.add('a');
    await waitFor(() => idle(q) && starts.length === 4);
    expect(outcomes).toEqual(['retry', 'requeue', 'retry', 'done']);
    expect(retried).toEqual([1, 1]); // requeue reset the count
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(6);
  });

  it('terminal reports via onTerminal, forgets the key and does not retry', async () => {
    const reported: [Key, CodedError, TerminalInfo][] = [];
    let runs = 0;
    const bad = new CodedError(Code.INVALID_ARGUMENT, 'invalid flavor: too small', { field: 'flavor' });
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        return runs === 1 ? Outcome.retry(new Error('x')) : Outcome.terminal(bad);
      },
      { clock, onTerminal: (key, error, info) => void reported.push([key, error, info]) },
    );
    q.add('a');
    await waitFor(() => idle(q) && reported.length === 1);
    expect(runs).toBe(2);
    expect(reported[0]).toEqual(['a', bad, { failures: 2, exhausted: false }]);
    expect(q.failures('a')).toBe(0);
    expect(armed.size).toBe(0); // nothing scheduled
    q.add('a'); // re-added (desired object changed): runs again
    await waitFor(() => idle(q) && runs === 3);
  });

  it('gives up after maxAttempts consecutive failures', async () => {
    const reported: TerminalInfo[] = [];
    const errors: CodedError[] = [];
    let runs = 0;
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        return Outcome.retry(new Error(`failure ${runs}`));
      },
      {
        clock,
        maxAttempts: 3,
        onTerminal: (_key, error, info) => {
          reported.push(info);
          errors.push(error);
        },
      },
    );
    q.add('a');
    await waitFor(() => idle(q) && reported.length === 1);
    expect(runs).toBe(3);
    expect(reported).toEqual([{ failures: 3, exhausted: true }]);
    expect(errors[0]?.message).toBe('failure 3');
    expect(q.failures('a')).toBe(0);
    expect(armed.size).toBe(0);
  });

  it('an add made while running wins over the outcome delay', async () => {
    const first = gate();
    let runs = 0;
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        if (runs === 1) {
          await first.promise;
          return Outcome.requeue(60_000);
        }
        if (runs === 2) return Outcome.retry(new Error('x')); // with a 60s backoff, below
        return Outcome.done();
      },
      { clock, backoff: { initialMs: 60_000, maxMs: 60_000, random: () => 1 } },
    );
    q.add('a');
    await waitFor(() => q.isRunning('a'));
    q.add('a');
    first.open();
    await waitFor(() => runs === 2 && q.failures('a') === 1);
    expect(armed.size).toBe(1); // the 60s retry, and no 60s requeue
    q.add('a'); // an explicit add beats the pending retry
    await waitFor(() => idle(q) && runs === 3);
    expect(armed.size).toBe(0);
  });
});

describe('WorkQueue: delayed adds', () => {
  it('addAfter runs the key after the delay', async () => {
    const starts: number[] = [];
    const q = makeQueue(async () => {
      starts.push(performance.now());
      return Outcome.done();
    });
    const t0 = performance.now();
    q.addAfter('a', 10);
    expect(q.len()).toBe(0);
    expect(q.pending()).toBe(1);
    expect(q.isPending('a')).toBe(true);
    await waitFor(() => idle(q) && starts.length === 1);
    expect((starts[0] ?? 0) - t0).toBeGreaterThanOrEqual(8);
  });

  it('a normal add collapses with a pending delayed add (earliest wins)', async () => {
    let runs = 0;
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        return Outcome.done();
      },
      { clock },
    );
    q.addAfter('a', 60_000);
    expect(armed.size).toBe(1);
    q.add('a');
    expect(armed.size).toBe(0); // the delayed add was cancelled
    await waitFor(() => idle(q) && runs === 1);
  });

  it('an earlier addAfter replaces a later one', async () => {
    let runs = 0;
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        return Outcome.done();
      },
      { clock },
    );
    q.addAfter('a', 60_000);
    q.addAfter('a', 3);
    expect(armed.size).toBe(1);
    expect(q.pending()).toBe(1);
    await waitFor(() => idle(q) && runs === 1);
    expect(armed.size).toBe(0);
  });

  it('a later addAfter is ignored when an earlier one is pending', async () => {
    let runs = 0;
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async () => {
        runs += 1;
        return Outcome.done();
      },
      { clock },
    );
    q.addAfter('a', 3);
    q.addAfter('a', 60_000);
    expect(armed.size).toBe(1);
    await waitFor(() => idle(q) && runs === 1);
    expect(armed.size).toBe(0);
  });

  it('addAfter of a key already ready or re-added while running does nothing', async () => {
    const blocker = gate();
    const runs = new Map<Key, number>();
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async (key) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        if (key === 'block' && runs.get(key) === 1) await blocker.promise;
        return Outcome.done();
      },
      { clock },
    );
    q.add('block');
    await waitFor(() => q.isRunning('block'));
    q.add('a');
    q.addAfter('a', 60_000);
    q.add('block');
    q.addAfter('block', 60_000);
    expect(armed.size).toBe(0);
    expect(q.pending()).toBe(2);
    blocker.open();
    await waitFor(() => idle(q) && runs.get('a') === 1 && runs.get('block') === 2);
  });

  it('addAfter with ms <= 0 adds now; NaN or Infinity throws INVALID_ARGUMENT', async () => {
    let runs = 0;
    const q = makeQueue(async () => {
      runs += 1;
      return Outcome.done();
    });
    expect(() => q.addAfter('a', Number.NaN)).toThrow(CodedError);
    expect(() => q.addAfter('a', Number.POSITIVE_INFINITY)).toThrow(
      expect.toSatisfy((e: unknown) => hasCode(e, Code.INVALID_ARGUMENT)),
    );
    expect(q.pending()).toBe(0);
    q.addAfter('a', 0);
    expect(q.isRunning('a')).toBe(true);
    await waitFor(() => idle(q) && runs === 1);
    q.addAfter('a', -5);
    await waitFor(() => idle(q) && runs === 2);
  });
});

describe('WorkQueue: shutdown', () => {
  it('close() waits for running handlers without aborting them', async () => {
    const blocker = gate();
    let signal: AbortSignal | undefined;
    let handlerFinished = false;
    const q = makeQueue(async (_key, s) => {
      signal = s;
      await blocker.promise;
      handlerFinished = true;
      return Outcome.done();
    });
    q.add('a');
    await waitFor(() => q.isRunning('a'));
    let finishedWhenClosed: boolean | undefined;
    const closing = q.close().then(() => {
      finishedWhenClosed = handlerFinished;
    });
    expect(q.closed).toBe(true);
    await Promise.resolve();
    expect(finishedWhenClosed).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    blocker.open();
    await closing;
    expect(finishedWhenClosed).toBe(true);
    expect(signal?.aborted).toBe(false);
    expect(q.runningCount()).toBe(0);
  });

  it('stops taking new work: drops ready and delayed keys, clears timers, ignores later adds', async () => {
    const blocker = gate();
    const started: Key[] = [];
    const { clock, armed } = spyClock();
    const q = makeQueue(
      async (key) => {
        started.push(key);
        if (key === 'block') await blocker.promise;
        q.add('block'); // a re-add during shutdown is ignored too
        return Outcome.retry(new Error('would retry'));
      },
      { clock },
    );
    q.add('block');
    await waitFor(() => q.isRunning('block'));
    q.add('b');
    q.addAfter('c', 60_000);
    q.add('block');
    expect(armed.size).toBe(1);
    expect(q.pending()).toBe(3);
    const closing = q.close();
    expect(armed.size).toBe(0);
    expect(q.pending()).toBe(0);
    expect(q.len()).toBe(0);
    q.add('d');
    q.addAfter('e', 1);
    expect(q.pending()).toBe(0);
    expect(armed.size).toBe(0);
    blocker.open();
    await closing;
    expect(started).toEqual(['block']);
    expect(armed.size).toBe(0); // the failed last run scheduled no retry
    expect(q.pending()).toBe(0);
  });

  it('shutdown({ abortRunning: true }) aborts running handlers through their signal', async () => {
    const outcomes: Outcome[] = [];
    const q = makeQueue(
      async (_key, signal) => {
        await sleep(60_000, signal);
        return Outcome.done();
      },
      { concurrency: 2, hooks: { finished: (_k, o) => void outcomes.push(o) } },
    );
    q.add('a');
    q.add('b');
    expect(q.runningCount()).toBe(2);
    await q.shutdown({ abortRunning: true });
    expect(q.runningCount()).toBe(0);
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.kind).toBe('retry');
      if (o.kind === 'retry') {
        expect(o.error.code).toBe(Code.CANCELLED);
        expect(isCancelledError(o.error.cause)).toBe(true);
      }
    }
  });

  it('shutdown({ signal }) aborts running handlers when the signal aborts', async () => {
    let seenReason: unknown;
    const q = makeQueue(async (_key, signal) => {
      try {
        await sleep(60_000, signal);
      } catch (e) {
        seenReason = e;
        throw e;
      }
      return Outcome.done();
    });
    q.add('a');
    const deadline = new AbortController();
    let closed = false;
    const closing = q.shutdown({ signal: deadline.signal }).then(() => {
      closed = true;
    });
    await Promise.resolve();
    expect(closed).toBe(false);
    const reason = new Error('shutdown deadline');
    deadline.abort(reason);
    await closing;
    expect(seenReason).toBe(reason);
  });

  it('is idempotent; a later call may still abort what an earlier close() waits for', async () => {
    let aborted = false;
    const q = makeQueue(async (_key, signal) => {
      await sleep(60_000, signal).catch(() => {
        aborted = true;
      });
      return Outcome.done();
    });
    q.add('a');
    const first = q.close();
    const second = q.close();
    const third = q.shutdown({ abortRunning: true });
    await Promise.all([first, second, third]);
    expect(aborted).toBe(true);
    await q.close(); // after drained: resolves at once
  });

  it('close() of an idle queue resolves at once', async () => {
    const q = makeQueue(async () => Outcome.done());
    await q.close();
    expect(q.closed).toBe(true);
  });
});

describe('WorkQueue: options and robustness', () => {
  it('validates concurrency, maxAttempts and backoff naming the field', () => {
    const h: WorkQueueHandler<Key> = async () => Outcome.done();
    const fieldOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof CodedError && e.code === Code.INVALID_ARGUMENT ? e.field : 'wrong error';
      }
      return undefined;
    };
    expect(fieldOf(() => new WorkQueue({ concurrency: 0, handler: h }))).toBe('concurrency');
    expect(fieldOf(() => new WorkQueue({ concurrency: 1.5, handler: h }))).toBe('concurrency');
    expect(fieldOf(() => new WorkQueue({ concurrency: 1, handler: h, maxAttempts: 0 }))).toBe('maxAttempts');
    expect(fieldOf(() => new WorkQueue({ concurrency: 1, handler: h, backoff: { maxMs: -1 } }))).toBe('backoff.maxMs');
  });

  it('logs and survives throwing hooks and onTerminal', async () => {
    const logged: string[] = [];
    const log: Logger = {
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (a: object | string, msg?: string) => void logged.push(typeof a === 'string' ? a : (msg ?? '')),
      child: () => log,
    };
    let runs = 0;
    const q = makeQueue(
      async () => {
        runs += 1;
        return runs === 1 ? Outcome.terminal(new Error('bad')) : Outcome.done();
      },
      {
        logger: log,
        onTerminal: () => {
          throw new Error('reporter broke');
        },
        hooks: {
          started: () => {
            throw new Error('metrics broke');
          },
        },
      },
    );
    q.add('a');
    await waitFor(() => idle(q) && runs === 1);
    q.add('a');
    await waitFor(() => idle(q) && runs === 2);
    expect(logged).toContain('workqueue hook failed');
    expect(logged.length).toBe(3); // started x2, onTerminal x1
  });
});
