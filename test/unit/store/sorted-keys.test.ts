import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../../src/store/keys.js';
import { SortedKeys } from '../../../src/store/sorted-keys.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SortedKeys', () => {
  it('matches a naive sorted set under random adds, deletes and reads (small and bulk batches)', () => {
    const random = rng(42);
    const alphabet = ['a', 'b', '/', 'é', '😀', '\uFFFD', 'z'];
    const randomKey = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const keys = new SortedKeys();
    const present = new Set<string>();
    for (let step = 0; step < 3000; step++) {
      const batch = random() < 0.2 ? 100 : 1 + Math.floor(random() * 5);
      for (let i = 0; i < batch; i++) {
        const key = randomKey();
        if (present.has(key)) {
          if (random() < 0.6) {
            present.delete(key);
            keys.delete(key);
          }
        } else {
          present.add(key);
          keys.add(key);
        }
      }
      if (random() < 0.5) expect(keys.ordered()).toEqual([...present].sort(compareKeys));
    }
    expect(keys.ordered()).toEqual([...present].sort(compareKeys));
  });
});
