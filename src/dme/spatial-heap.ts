/**
 * Small binary heaps for the spatial index's best-first search (src/dme/spatial-index.ts). Not thread-safe, no
 * bounds on size other than memory; both are plain array-backed heaps with O(log n) push and pop.
 */

/**
 * A min-heap of items by a numeric key (smallest key first; equal keys in unspecified order). Keys live in a
 * growable Float64Array so a heap reused across queries allocates nothing once warm.
 */
export class MinHeap<T> {
  private keys: Float64Array;
  private readonly items: (T | undefined)[] = [];
  private n = 0;

  /** @param capacity initial key capacity (grows by doubling). */
  constructor(capacity = 64) {
    this.keys = new Float64Array(Math.max(1, capacity));
  }

  /** Number of items held. */
  get size(): number {
    return this.n;
  }

  /** Removes every item (drops the references, keeps the capacity). */
  clear(): void {
    for (let i = 0; i < this.n; i += 1) this.items[i] = undefined;
    this.n = 0;
  }

  /** The smallest key, or `Infinity` when empty. */
  peekKey(): number {
    return this.n === 0 ? Infinity : (this.keys[0] as number);
  }

  /** Adds `item` with priority `key` (a number that is not NaN). */
  push(key: number, item: T): void {
    if (this.n === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    const items = this.items;
    let i = this.n;
    this.n += 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk <= key) break;
      keys[i] = pk;
      items[i] = items[p];
      i = p;
    }
    keys[i] = key;
    items[i] = item;
  }

  /** Removes and returns the item with the smallest key, or `undefined` when empty. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const keys = this.keys;
    const items = this.items;
    const top = items[0];
    this.n -= 1;
    const n = this.n;
    if (n > 0) {
      const key = keys[n] as number;
      const item = items[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ck = keys[c] as number;
        const r = c + 1;
        if (r < n && (keys[r] as number) < ck) {
          c = r;
          ck = keys[r] as number;
        }
        if (key <= ck) break;
        keys[i] = ck;
        items[i] = items[c];
        i = c;
      }
      keys[i] = key;
      items[i] = item;
    }
    items[n] = undefined;
    return top;
  }
}

/**
 * The k best (smallest) of a stream of (key, item) pairs, items being small non-negative integers: a bounded
 * max-heap in typed arrays (the worst kept pair on top, replaced by anything better), so offering allocates
 * nothing. Equal keys are ordered by `tieBefore(a, b)`: true when item `a` goes before item `b`.
 */
export class KBest {
  private keys = new Float64Array(16);
  private items = new Int32Array(16);
  private n = 0;
  private k = 0;

  /** @param tieBefore strict order of items with equal keys. */
  constructor(private readonly tieBefore: (a: number, b: number) => boolean) {}

  /** Empties the set and sets its bound `k` (>= 1; Infinity keeps everything). */
  reset(k: number): void {
    this.n = 0;
    this.k = k;
  }

  /** Number of pairs kept. */
  get size(): number {
    return this.n;
  }

  /** True once `k` pairs are kept (from then on `worstKey` bounds what can still get in). */
  get full(): boolean {
    return this.n >= this.k;
  }

  /** The largest kept key (Infinity when empty). */
  get worstKey(): number {
    return this.n === 0 ? Infinity : (this.keys[0] as number);
  }

  /** Whether {@link offer} would keep (key, item) now: there is room, or it beats the worst kept pair. Pure. */
  accepts(key: number, item: number): boolean {
    return this.n < this.k || this.before(key, item, this.keys[0] as number, this.items[0] as number);
  }

  /** Keeps (key, item) if there is room or it beats the worst kept pair; returns whether it was kept. */
  offer(key: number, item: number): boolean {
    if (this.n < this.k) {
      if (this.n === this.keys.length) this.grow();
      this.up(this.n, key, item);
      this.n += 1;
      return true;
    }
    if (!this.before(key, item, this.keys[0] as number, this.items[0] as number)) return false;
    this.down(key, item);
    return true;
  }

  /**
   * Calls `each(rank, key, item)` for every kept pair (rank 0 is the best), worst first, and empties the set.
   * O(k log k).
   */
  drain(each: (rank: number, key: number, item: number) => void): void {
    while (this.n > 0) {
      const key = this.keys[0] as number;
      const item = this.items[0] as number;
      this.n -= 1;
      if (this.n > 0) this.down(this.keys[this.n] as number, this.items[this.n] as number);
      each(this.n, key, item);
    }
  }

  /** True when (ka, ia) goes strictly before (kb, ib). */
  private before(ka: number, ia: number, kb: number, ib: number): boolean {
    return ka < kb || (ka === kb && this.tieBefore(ia, ib));
  }

  /** Sifts (key, item) up from hole `start` (max-heap: the worst on top). */
  private up(start: number, key: number, item: number): void {
    const keys = this.keys;
    const items = this.items;
    let i = start;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      const pi = items[p] as number;
      if (!this.before(pk, pi, key, item)) break;
      keys[i] = pk;
      items[i] = pi;
      i = p;
    }
    keys[i] = key;
    items[i] = item;
  }

  /** Puts (key, item) at the top and sifts it down through the first `n` slots. */
  private down(key: number, item: number): void {
    const keys = this.keys;
    const items = this.items;
    const n = this.n;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c] as number;
      let ci = items[c] as number;
      const r = c + 1;
      if (r < n && this.before(ck, ci, keys[r] as number, items[r] as number)) {
        c = r;
        ck = keys[r] as number;
        ci = items[r] as number;
      }
      if (!this.before(key, item, ck, ci)) break;
      keys[i] = ck;
      items[i] = ci;
      i = c;
    }
    keys[i] = key;
    items[i] = item;
  }

  private grow(): void {
    const keys = new Float64Array(2 * this.keys.length);
    keys.set(this.keys);
    this.keys = keys;
    const items = new Int32Array(2 * this.items.length);
    items.set(this.items);
    this.items = items;
  }
}
