import { expect } from 'vitest';
import { isCodedError } from '../../src/core/errors.js';

/**
 * Runs `parse` (a command's argument parser) and returns the one-line message of the usage error it throws,
 * checking that it is INVALID_ARGUMENT on one line; fails the test when it does not throw, rethrows anything else.
 */
export function usageFailureOf(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    if (!isCodedError(e)) throw e;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).not.toContain('\n');
    return e.message;
  }
  throw new Error('expected a usage error');
}
