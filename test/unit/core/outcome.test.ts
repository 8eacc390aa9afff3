import { describe, expect, it } from 'vitest';
import { Code, CodedError, notFound } from '../../../src/core/errors.js';
import { Outcome } from '../../../src/core/outcome.js';

describe('Outcome', () => {
  it('builds each kind', () => {
    expect(Outcome.done()).toEqual({ kind: 'done' });
    expect(Outcome.requeue(250)).toEqual({ kind: 'requeue', afterMs: 250 });
    const e = notFound('flavor x');
    expect(Outcome.retry(e)).toEqual({ kind: 'retry', error: e });
    expect(Outcome.terminal(e).error).toBe(e);
  });

  it('normalizes errors to CodedError', () => {
    const o = Outcome.retry(new Error('flaky'));
    expect(o.error).toBeInstanceOf(CodedError);
    expect(o.error.code).toBe(Code.UNKNOWN);
    expect(o.error.message).toBe('flaky');
  });

  it('rejects invalid requeue delays', () => {
    expect(() => Outcome.requeue(-1)).toThrow(/afterMs/);
    expect(() => Outcome.requeue(Number.NaN)).toThrow(CodedError);
  });
});
