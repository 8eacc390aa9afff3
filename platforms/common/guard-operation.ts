/** The frame every driver call runs in: the caller's signal linked with the driver's close, and coded errors only. */
import { linkSignals } from '../../src/core/abort.js';
import { asCodedError, Code, failedPrecondition, isCodedError } from '../../src/core/errors.js';
import type { OperationContext } from '../../src/platform/operation.js';

/**
 * Runs `fn` with a signal that aborts on `ctx.signal` or on `closing` (the driver's close()). A CodedError thrown
 * by `fn` passes unchanged; anything else becomes CANCELLED (with the signal's reason) when the signal aborted,
 * else INTERNAL. FAILED_PRECONDITION "the `driver` platform is closed" when `closing` has already aborted.
 */
export async function guardOperation<T>(driver: string, closing: AbortSignal, ctx: OperationContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (closing.aborted) throw failedPrecondition(`the ${driver} platform is closed`);
  const signal = linkSignals(ctx.signal, closing);
  try {
    signal.throwIfAborted();
    return await fn(signal);
  } catch (e) {
    if (isCodedError(e)) throw e;
    if (signal.aborted) throw asCodedError(signal.reason, Code.CANCELLED);
    throw asCodedError(e, Code.INTERNAL);
  }
}
