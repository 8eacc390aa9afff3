/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms. Default 2000. */
  timeoutMs?: number;
  /** Poll period in ms. Default 2. */
  intervalMs?: number;
  /** Describes the condition in the timeout error. */
  message?: string;
}

/**
 * Polls `condition` until it returns a truthy value (or a promise of one) without throwing, and resolves with
 * that value. A throwing condition (e.g. an `expect`) counts as not yet. Rejects after `timeoutMs` with the
 * last thrown error as `cause`. Use this instead of fixed sleeps in tests.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 2000, intervalMs = 2, message = 'condition' } = options;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (performance.now() >= deadline) {
      throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
