/**
 * Closed-loop load: `concurrency` callers, each issuing its next call as soon as its previous one finished, for a
 * fixed time. The rate counts the calls that completed, over the time until the last of them completed (so calls
 * still in flight at the deadline are finished and counted, not cut off).
 */
import { performance } from 'node:perf_hooks';

/** Result of {@link closedLoop}. */
export interface LoadResult {
  /** Completed calls. */
  readonly calls: number;
  /** From the start to the completion of the last call, in ms. */
  readonly ms: number;
  /** calls per second. */
  readonly perSecond: number;
}

/**
 * Runs `call(n)` from `concurrency` callers for `durationMs` (no new call starts after it), `n` counting up from
 * `firstIndex` across all callers. Rejects with the first call's error (the other callers stop after their
 * current call).
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  call: (n: number) => Promise<unknown>,
  firstIndex = 0,
): Promise<LoadResult> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  let next = firstIndex;
  let calls = 0;
  let failed = false;
  const start = performance.now();
  const end = start + durationMs;
  const caller = async (): Promise<void> => {
    while (!failed && performance.now() < end) {
      try {
        await call(next++);
      } catch (err) {
        failed = true;
        throw err;
      }
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const ms = performance.now() - start;
  return { calls, ms, perSecond: (calls * 1000) / ms };
}
