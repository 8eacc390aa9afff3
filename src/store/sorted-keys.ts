/**
 * The ordered key set of the memory backend. Adds and deletes are O(1) and only recorded; the sorted array is
 * brought up to date when an ordered read needs it: by a few binary-search splices when few keys changed, by one
 * sort of the new keys and a linear merge otherwise. So bulk writes stay linear instead of O(n) per new key,
 * and a read after a small write stays cheap.
 */
import { compareKeys } from './keys.js';

/** Pending changes up to this many are applied by splicing; more by sort + merge. */
const SPLICE_MAX = 32;

/** Index of the first element of `keys` >= `key` (in {@link compareKeys} order). Pure. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A set of keys with ordered access. The caller tracks membership (the memory store's map): `add` only for an
 * absent key, `delete` only for a present one.
 */
export class SortedKeys {
  private sorted: string[] = [];
  /** Present keys not yet in `sorted`. */
  private readonly added = new Set<string>();
  /** Keys still in `sorted` that are no longer present. */
  private readonly removed = new Set<string>();

  /** Records a new key. */
  add(key: string): void {
    if (!this.removed.delete(key)) this.added.add(key);
  }

  /** Records the removal of a present key. */
  delete(key: string): void {
    if (!this.added.delete(key)) this.removed.add(key);
  }

  /** Every present key in order. The array is owned by the set: read it, do not keep it across writes. */
  ordered(): readonly string[] {
    const pending = this.added.size + this.removed.size;
    if (pending === 0) return this.sorted;
    if (pending <= SPLICE_MAX) {
      for (const key of this.removed) this.sorted.splice(lowerBound(this.sorted, key), 1);
      for (const key of this.added) this.sorted.splice(lowerBound(this.sorted, key), 0, key);
    } else {
      this.sorted = this.merged();
    }
    this.added.clear();
    this.removed.clear();
    return this.sorted;
  }

  /** `sorted` without the removed keys, merged with the sorted added keys. */
  private merged(): string[] {
    const extra = [...this.added].sort(compareKeys);
    const out: string[] = [];
    let j = 0;
    for (const key of this.sorted) {
      if (this.removed.has(key)) continue;
      while (j < extra.length && compareKeys(extra[j] as string, key) < 0) out.push(extra[j++] as string);
      out.push(key);
    }
    while (j < extra.length) out.push(extra[j++] as string);
    return out;
  }
}
