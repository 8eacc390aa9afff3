import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay, normalizeBackoff } from '../../../src/core/backoff.js';
import { Code, hasCode } from '../../../src/core/errors.js';

describe('backoff functions', () => {
  const opts = { initialMs: 10, maxMs: 100, multiplier: 2 };

  it('ceiling grows exponentially and is capped', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffCeiling(opts, a))).toEqual([10, 20, 40, 80, 100, 100]);
    expect(backoffCeiling(opts, 10_000)).toBe(100);
    expect(backoffCeiling({ initialMs: 10, maxMs: 1e6 }, 2)).toBe(40); // default multiplier 2
  });

  it('delay is random within [0, ceiling] (full jitter)', () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      for (let i = 0; i < 50; i += 1) {
        const d = backoffDelay(opts, attempt);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(backoffCeiling(opts, attempt));
      }
    }
  });

  it('is deterministic with an injected random', () => {
    expect(backoffDelay({ ...opts, random: () => 0.5 }, 2)).toBe(20);
    expect(backoffDelay({ ...opts, random: () => 0 }, 3)).toBe(0);
    expect(backoffDelay({ ...opts, random: () => 1 }, 3)).toBe(80);
    expect(backoffDelay({ ...opts, random: () => 7 }, 0)).toBe(10); // clamped
    expect(backoffDelay({ ...opts, random: () => Number.NaN }, 0)).toBe(10);
  });

  it('validates options naming the field', () => {
    const bad = (o: Parameters<typeof normalizeBackoff>[0], field: string): void => {
      try {
        normalizeBackoff(o);
        expect.fail('should throw');
      } catch (e) {
        expect(hasCode(e, Code.INVALID_ARGUMENT)).toBe(true);
        expect((e as { field?: string }).field).toBe(field);
      }
    };
    bad({ initialMs: -1, maxMs: 10 }, 'backoff.initialMs');
    bad({ initialMs: 10, maxMs: 5 }, 'backoff.maxMs');
    bad({ initialMs: 1, maxMs: 5, multiplier: 0.5 }, 'backoff.multiplier');
    expect(normalizeBackoff({ initialMs: 1, maxMs: 5 }).multiplier).toBe(2);
  });
});

describe('Backoff', () => {
  it('hands out growing capped delays and counts attempts', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 50, random: () => 1 });
    expect(b.attempt).toBe(0);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 40, 50, 50]);
    expect(b.attempt).toBe(5);
  });

  it('reset starts over', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 50, random: () => 1 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(10);
  });

  it('resets after being healthy long enough, not before', () => {
    let now = 0;
    const b = new Backoff({ initialMs: 10, maxMs: 1000, random: () => 1, resetAfterHealthyMs: 100, now: () => now });
    b.next();
    b.next(); // attempt 2
    b.markHealthy();
    now = 50;
    expect(b.next()).toBe(40); // healthy only 50ms: keeps growing
    b.markHealthy();
    now = 60;
    b.markHealthy(); // later marks do not move the start
    now = 150;
    expect(b.next()).toBe(10); // healthy 100ms: starts over
    expect(b.attempt).toBe(1);
  });

  it('ignores markHealthy without resetAfterHealthyMs', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1000, random: () => 1, now: () => 1e9 });
    b.next();
    b.markHealthy();
    expect(b.next()).toBe(20);
  });

  it('rejects invalid resetAfterHealthyMs', () => {
    expect(() => new Backoff({ initialMs: 1, maxMs: 2, resetAfterHealthyMs: -5 })).toThrow(/resetAfterHealthyMs/);
  });
});
