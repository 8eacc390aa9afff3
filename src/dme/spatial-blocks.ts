/**
 * The entry storage of the spatial index's octree leaves (src/dme/spatial-octree.ts): fixed-size blocks in one
 * growable buffer, recycled through a free list.
 *
 * Block `b` is `words` 32-bit words from word `b * words`, seen as `i32`, `u16` and `f64`:
 * - a header: slots in use, next and previous block of the same leaf;
 * - per slot, the position quantized to 16 bits per axis within the leaf's cube ({@link quantum}): 6 bytes, so a
 *   leaf scan reads a few contiguous cache lines;
 * - per slot, the entry number;
 * - per slot, latitude and longitude (float64, degrees) for the exact distance of the few entries that need it.
 */

/** Header word: slots in use. */
export const USED = 0;
/** Header word: next block of the same leaf, or NONE. */
export const NEXT = 1;
/** Header word: previous block of the same leaf, or NONE. */
const PREV = 2;
/** Words of a block's header; the quantized positions follow. */
const HEADER = 4;
/** "No block". */
const NONE = -1;
/** Largest quantized coordinate: a leaf's side is divided into this many steps. */
export const QMAX = 65535;

/**
 * The quantization step of a leaf whose cube has half side `half`: a quantized coordinate u stands for
 * `min + u * quantum(half)` (min = centre - half), within half a step of the exact one.
 */
export function quantum(half: number): number {
  return (2 * half) / QMAX;
}

/**
 * How much shorter than the exact chord a chord computed from quantized positions can be, for a leaf of half side
 * `half`: half a step per axis, √3/2 steps in all, rounded up generously (plus float rounding).
 */
export function quantizationSlack(half: number): number {
  return quantum(half) + 1e-15;
}

/** The step nearest to `v` on the grid `min + u * step`, u in [0, QMAX]. */
export function quantize(v: number, min: number, step: number): number {
  const u = Math.round((v - min) / step);
  return u < 0 ? 0 : u > QMAX ? QMAX : u;
}

function evenUp(words: number): number {
  return words + (words & 1);
}

/** The blocks. Views are public for the search loop; only this class and the octree write them. */
export class Blocks {
  /** 32-bit integer view. */
  i32: Int32Array;
  /** 16-bit view (same memory). */
  u16: Uint16Array;
  /** Float64 view (same memory). */
  f64: Float64Array;
  /** Slots per block. */
  readonly size: number;
  /** 32-bit words per block. */
  readonly words: number;
  private readonly entryOffset: number;
  /** Even, so the pairs are float64-aligned (`words` is even too). */
  private readonly latLonOffset: number;
  private top = 0;
  private readonly freeList: number[] = [];

  /** @param size slots per block (integer >= 1). */
  constructor(size: number) {
    this.size = size;
    this.entryOffset = HEADER + evenUp(Math.ceil((3 * size) / 2));
    this.latLonOffset = this.entryOffset + evenUp(size);
    this.words = this.latLonOffset + 4 * size;
    this.i32 = new Int32Array(this.words * 16);
    this.u16 = new Uint16Array(this.i32.buffer);
    this.f64 = new Float64Array(this.i32.buffer);
  }

  /** Index in `u16` of the quantized x of slot `s` of block `b` (y, z follow). */
  qposIndex(b: number, s: number): number {
    return 2 * (b * this.words + HEADER) + 3 * s;
  }

  /** Index in `i32` of the entry number of slot `s` of block `b`. */
  entryIndex(b: number, s: number): number {
    return b * this.words + this.entryOffset + s;
  }

  /** Index in `f64` of the latitude of slot `s` of block `b` (the longitude follows). */
  latLonIndex(b: number, s: number): number {
    return ((b * this.words + this.latLonOffset) >> 1) + 2 * s;
  }

  /** Slots in use in block `b`. */
  used(b: number): number {
    return this.i32[b * this.words + USED] as number;
  }

  /** The next block after `b` in its leaf, or NONE. */
  next(b: number): number {
    return this.i32[b * this.words + NEXT] as number;
  }

  /** A new empty block, alone in its chain. */
  alloc(): number {
    let b = this.freeList.pop();
    if (b === undefined) {
      b = this.top;
      this.top += 1;
      if (this.top * this.words > this.i32.length) {
        const grown = new Int32Array(2 * this.i32.length);
        grown.set(this.i32);
        this.i32 = grown;
        this.u16 = new Uint16Array(grown.buffer);
        this.f64 = new Float64Array(grown.buffer);
      }
    }
    const w = b * this.words;
    this.i32[w + USED] = 0;
    this.i32[w + NEXT] = NONE;
    this.i32[w + PREV] = NONE;
    return b;
  }

  /** Frees block `head` and every block after it. */
  freeChain(head: number): void {
    for (let b = head; b !== NONE; b = this.next(b)) this.freeList.push(b);
  }

  /** Chains a new block after the full block `tail`; returns it. */
  extend(tail: number): number {
    const b = this.alloc();
    this.i32[b * this.words + PREV] = tail;
    this.i32[tail * this.words + NEXT] = b;
    return b;
  }

  /** Frees the (empty) last block `tail` of a chain; returns the block before it, now the last. */
  shrink(tail: number): number {
    const prev = this.i32[tail * this.words + PREV] as number;
    this.i32[prev * this.words + NEXT] = NONE;
    this.freeList.push(tail);
    return prev;
  }

  /** Appends (quantized position, entry, latitude, longitude) to block `b` (not full); returns the slot. */
  push(b: number, ux: number, uy: number, uz: number, e: number, lat: number, lon: number): number {
    const s = this.used(b);
    this.i32[b * this.words + USED] = s + 1;
    const q = this.qposIndex(b, s);
    this.u16[q] = ux;
    this.u16[q + 1] = uy;
    this.u16[q + 2] = uz;
    this.i32[this.entryIndex(b, s)] = e;
    const l = this.latLonIndex(b, s);
    this.f64[l] = lat;
    this.f64[l + 1] = lon;
    return s;
  }

  /** Drops the last slot of block `b`. */
  pop(b: number): void {
    this.i32[b * this.words + USED] = this.used(b) - 1;
  }

  /** Copies slot `fromS` of block `fromB` over slot `toS` of block `toB` (same leaf, same quantization). */
  copy(fromB: number, fromS: number, toB: number, toS: number): void {
    const from = this.qposIndex(fromB, fromS);
    this.u16.copyWithin(this.qposIndex(toB, toS), from, from + 3);
    this.i32[this.entryIndex(toB, toS)] = this.i32[this.entryIndex(fromB, fromS)] as number;
    const l = this.latLonIndex(toB, toS);
    const fromL = this.latLonIndex(fromB, fromS);
    this.f64[l] = this.f64[fromL] as number;
    this.f64[l + 1] = this.f64[fromL + 1] as number;
  }
}
