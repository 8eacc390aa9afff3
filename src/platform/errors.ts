import { Code, type CodedError } from '../core/errors.js';

const RETRYABLE: ReadonlySet<Code> = new Set([Code.UNAVAILABLE, Code.ABORTED, Code.DEADLINE_EXCEEDED]);

/**
 * Whether a platform error may pass if the same call is made again (see the Platform contract): UNAVAILABLE,
 * ABORTED and DEADLINE_EXCEEDED. Everything else is final for the desired object as it is. CANCELLED is neither:
 * the caller stopped the call, so it is not a platform failure at all.
 */
export function isRetryablePlatformError(error: CodedError): boolean {
  return RETRYABLE.has(error.code);
}
