import { CodedError, Code } from '../core/errors.js';

/** Exit code for invalid flags or arguments (as with most Unix tools). */
export const EXIT_USAGE = 2;

/** A bad flag or argument: INVALID_ARGUMENT naming the flag, printed as one line and exit code 2. */
export function usageError(flag: string, reason: string): CodedError {
  return new CodedError(Code.INVALID_ARGUMENT, `${flag}: ${reason}`, { field: flag });
}
