import { describe, expect, it } from 'vitest';
import {
  abortError,
  abortKind,
  abortable,
  isAbortError,
  isCancelledError,
  isTimeoutError,
  linkSignals,
  sleep,
  throwIfAborted,
  startDeadline,
  waitForEvent,
  withTimeout,
} from '../../../src/core/abort.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('abort classification', () => {
  it('tells cancelled from timed out', () => {
    const c = new AbortController();
    c.abort();
    expect(abortKind(c.signal.reason)).toBe('cancelled');
    expect(isCancelledError(c.signal.reason)).toBe(true);
    expect(isTimeoutError(c.signal.reason)).toBe(false);

    const t = new DOMException('t', 'TimeoutError');
    expect(abortKind(t)).toBe('timeout');
    expect(isTimeoutError(t)).toBe(true);
    expect(isCancelledError(t)).toBe(false);

    expect(isAbortError(c.signal.reason)).toBe(true);
    expect(isAbortError(t)).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
    expect(isAbortError(null)).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
    expect(abortError().name).toBe('AbortError');
  });

  it('throwIfAborted throws the reason', () => {
    expect(() => throwIfAborted(undefined)).not.toThrow();
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow();
    const c = new AbortController();
    const reason = new Error('stop');
    c.abort(reason);
    expect(() => throwIfAborted(c.signal)).toThrow(reason);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const t0 = performance.now();
    await sleep(5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4);
  });

  it('rejects at once with the reason when already aborted', async () => {
    const c = new AbortController();
    const reason = new Error('gone');
    c.abort(reason);
    await expect(sleep(10_000, c.signal)).rejects.toBe(reason);
  });

  it('rejects with the reason on abort', async () => {
    const c = new AbortController();
    const p = sleep(10_000, c.signal);
    c.abort();
    await expect(p).rejects.toSatisfy(isCancelledError);
  });

  it('removes its abort listener when it resolves', async () => {
    const c = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = c.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added += 1;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed += 1;
      remove(...args);
    }) as typeof signal.removeEventListener;
    await sleep(1, signal);
    expect(added).toBe(1);
    expect(removed).toBe(1);
  });
});

describe('withTimeout and linkSignals', () => {
  it('withTimeout aborts with a TimeoutError after the delay', async () => {
    const s = withTimeout(undefined, 5);
    await waitFor(() => s.aborted);
    expect(isTimeoutError(s.reason)).toBe(true);
  });

  it('withTimeout follows the parent signal first', () => {
    const c = new AbortController();
    const s = withTimeout(c.signal, 10_000);
    expect(s.aborted).toBe(false);
    c.abort();
    expect(s.aborted).toBe(true);
    expect(isCancelledError(s.reason)).toBe(true);
  });

  it('withTimeout times out even if the parent does not abort', async () => {
    const c = new AbortController();
    const s = withTimeout(c.signal, 5);
    await waitFor(() => s.aborted);
    expect(isTimeoutError(s.reason)).toBe(true);
    expect(c.signal.aborted).toBe(false);
  });

  it('linkSignals aborts when any aborts, with its reason', () => {
    const a = new AbortController();
    const b = new AbortController();
    const s = linkSignals(a.signal, undefined, b.signal);
    expect(s.aborted).toBe(false);
    const reason = new Error('b');
    b.abort(reason);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe(reason);
  });

  it('linkSignals of nothing never aborts; of one is that one', () => {
    expect(linkSignals().aborted).toBe(false);
    expect(linkSignals(undefined).aborted).toBe(false);
    const a = new AbortController();
    expect(linkSignals(a.signal)).toBe(a.signal);
  });
});

describe('abortable', () => {
  it('settles like the promise when not aborted', async () => {
    const c = new AbortController();
    await expect(abortable(Promise.resolve(7), c.signal)).resolves.toBe(7);
    const err = new Error('x');
    await expect(abortable(Promise.reject(err), c.signal)).rejects.toBe(err);
    await expect(abortable(Promise.resolve(1))).resolves.toBe(1);
  });

  it('rejects with the reason on abort, absorbing a later rejection', async () => {
    const c = new AbortController();
    let rejectInner!: (e: unknown) => void;
    const inner = new Promise<number>((_, reject) => {
      rejectInner = reject;
    });
    const p = abortable(inner, c.signal);
    c.abort();
    await expect(p).rejects.toSatisfy(isCancelledError);
    rejectInner(new Error('late')); // must not become an unhandled rejection
  });

  it('rejects at once when already aborted', async () => {
    const c = new AbortController();
    c.abort(new Error('early'));
    await expect(abortable(Promise.reject(new Error('inner')), c.signal)).rejects.toThrow('early');
  });
});

describe('startDeadline', () => {
  it('fires inside AbortSignal.any although nothing else references it, through garbage collections', async () => {
    // Node.js may collect a bare AbortSignal.timeout that only an AbortSignal.any depends on (nodejs/node#57736).
    // A child with --expose-gc collects hard while the deadlines run; every one of them must fire.
    const script = [
      "import { startDeadline } from './src/core/abort.ts';",
      'const fired = [];',
      'for (let i = 0; i < 50; i++) {',
      '  const parent = new AbortController();',
      "  AbortSignal.any([parent.signal, startDeadline(100).signal]).addEventListener('abort', () => fired.push(i));",
      '}',
      'const t = setInterval(() => globalThis.gc(), 5);',
      'await new Promise((r) => setTimeout(r, 600));',
      'clearInterval(t);',
      'console.log(fired.length);',
    ].join('\n');
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../../', import.meta.url).pathname }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      });
    });
    expect(out).toBe('50');
  }, 20_000);

  it('aborts with a TimeoutError, and never after clear()', async () => {
    const fires = startDeadline(5);
    const cleared = startDeadline(5);
    cleared.clear();
    cleared.clear();
    await new Promise((r) => setTimeout(r, 30));
    expect(fires.signal.aborted).toBe(true);
    expect(isTimeoutError(fires.signal.reason)).toBe(true);
    expect(cleared.signal.aborted).toBe(false);
  });
});

describe('waitForEvent', () => {
  const emitter = () => {
    const listeners = new Set<(v: number) => void>();
    return {
      listeners,
      subscribe: (l: (v: number) => void): (() => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      emit: (v: number) => [...listeners].forEach((l) => l(v)),
    };
  };

  it('resolves on the first value that is done, and unsubscribes', async () => {
    const e = emitter();
    const waiting = waitForEvent(e.subscribe, (v) => v >= 3, new AbortController().signal);
    for (const v of [1, 2, 3]) e.emit(v);
    await waiting;
    expect(e.listeners.size).toBe(0);
  });

  it('rejects with the reason of an abort, also one that came before, and unsubscribes', async () => {
    const e = emitter();
    const c = new AbortController();
    const waiting = waitForEvent(e.subscribe, () => false, c.signal);
    c.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(waitForEvent(e.subscribe, () => true, c.signal)).rejects.toThrow('stop');
    expect(e.listeners.size).toBe(0);
  });
});
