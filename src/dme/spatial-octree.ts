/**
 * The storage behind {@link SpatialIndex} (src/dme/spatial-index.ts): a bucketed point-region octree over the cube
 * [-1, 1]^3 holding unit vectors, in flat typed arrays rather than one object per cell or entry. A search then
 * reads a few compact records instead of chasing pointers across the heap; at 100k entries that is the difference
 * between a lookup cost close to logarithmic and one dominated by cache misses.
 *
 * - Cell `c` has two 32-byte records at word `c * CELL_STRIDE`. `cellKids` is all a search reads: the 8 child
 *   cells by octant (internal; NONE where empty), or LEAF, first block, last block (leaf). `cellInfo` (int32) /
 *   `cellGeo` (float32, same memory) hold what only updates read: centre and half side (float32; exact, being
 *   dyadic fractions >= 2^-24), subtree entry count, parent and octant in the parent.
 * - Block `b` is `blockWords` 32-bit words from word `b * blockWords` of one buffer, seen as `blockI32`,
 *   `blockU16` and `blockF64`: a header (used slots, next and previous block of the same leaf); the position of
 *   each slot, quantized to 16 bits per axis within its leaf's cube ({@link quantum}); the entry numbers; the
 *   latitude/longitude pairs (float64, degrees) for the exact distance of the few entries that need it. A leaf
 *   scan reads the header and 6 bytes per entry, contiguously. A leaf normally has one block; only a leaf at
 *   {@link MAX_DEPTH} grows a chain.
 * - A leaf splits when it holds more than `blockSize` entries; an internal cell whose count falls to
 *   `blockSize / 2` collapses into one leaf; an empty cell is freed. Cells and blocks are recycled through free
 *   lists; the buffers grow by doubling. Exact (float64) positions are kept per entry for re-quantizing.
 *
 * Entries are numbered by the caller (small non-negative integers, reused after removal).
 */

/** 32-bit words per cell in `cellKids` and in `cellInfo`. */
export const CELL_STRIDE = 8;
/** cellKids word: first of the 8 child cells by octant (x bit 1, y bit 2, z bit 4), or LEAF for a leaf. */
export const KIDS = 0;
/** Value of word KIDS of a leaf (a child is a cell number or NONE). */
export const LEAF = -2;
/** cellKids word (leaf): first block. */
export const HEAD = 1;
/** cellKids word (leaf): last block. */
export const TAIL = 2;
/** cellGeo word: centre x. */
const CX = 0;
/** cellGeo word: centre y. */
const CY = 1;
/** cellGeo word: centre z. */
const CZ = 2;
/** cellGeo word: half the side of the cell's cube. */
const HALF = 3;
/** cellInfo word: entries in the subtree. */
const COUNT = 4;
/** cellInfo word: parent cell (NONE for the root). */
const PARENT = 5;
/** cellInfo word: octant in the parent. */
const OCTANT = 6;

/** Block word (int): slots in use. */
export const USED = 0;
/** Block word (int): next block of the same leaf, or NONE. */
export const NEXT = 1;
/** Block word (int): previous block of the same leaf, or NONE. */
const PREV = 2;
/** Words of a block's header; the quantized positions follow. */
export const BLOCK_HEADER = 4;

/** "No cell / no block". */
export const NONE = -1;
/** The root cell's number; its cube is centred on 0 with half side 1. */
export const ROOT = 0;
/** Deepest level: cells of side 2^-24 of the unit cube (about 0.4 m on the earth); below, points share a leaf. */
export const MAX_DEPTH = 24;
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

/** The unit vector of a latitude/longitude in degrees: the one formula used for entries and queries alike. */
export function unitVector(latitude: number, longitude: number, out: Float64Array, at: number): void {
  const lat = (latitude * Math.PI) / 180;
  const lon = (longitude * Math.PI) / 180;
  const cosLat = Math.cos(lat);
  out[at] = cosLat * Math.cos(lon);
  out[at + 1] = cosLat * Math.sin(lon);
  out[at + 2] = Math.sin(lat);
}

const MIN_HALF = 2 ** -MAX_DEPTH;

function evenUp(words: number): number {
  return words + (words & 1);
}

/** The octree. Fields are public for the search loop (spatial-search.ts); only this class writes them. */
export class Octree {
  /** Per cell: children, or LEAF and its blocks. */
  cellKids: Int32Array;
  /** Blocks, 32-bit integer view. */
  blockI32: Int32Array;
  /** Blocks, 16-bit view (same memory). */
  blockU16: Uint16Array;
  /** Blocks, float64 view (same memory). */
  blockF64: Float64Array;
  /** Entries per block, and the size above which a leaf splits. */
  readonly blockSize: number;
  /** 32-bit words per block. */
  readonly blockWords: number;
  /** Word offset in a block of the entry numbers. */
  readonly entryOffset: number;
  /** Word offset in a block of the latitude/longitude pairs (even: float64-aligned). */
  readonly latLonOffset: number;

  /** Per cell: count, parent, octant (integer view). */
  private cellInfo: Int32Array;
  /** Per cell: centre and half side (float view of `cellInfo`). */
  private cellGeo: Float32Array;
  /** Per entry: exact unit vector (3 per entry), leaf, block and slot. */
  private entryXyz: Float64Array = new Float64Array(3 * 256);
  private entryLeaf: Int32Array = new Int32Array(256);
  private entryBlock: Int32Array = new Int32Array(256);
  private entrySlot: Int32Array = new Int32Array(256);
  private readonly mergeAt: number;
  private cellTop = 0;
  private readonly freeCells: number[] = [];
  private blockTop = 0;
  private readonly freeBlocks: number[] = [];

  /** @param blockSize entries per leaf before it splits (integer >= 2). */
  constructor(blockSize: number) {
    this.blockSize = blockSize;
    this.entryOffset = BLOCK_HEADER + evenUp(Math.ceil((3 * blockSize) / 2));
    this.latLonOffset = this.entryOffset + evenUp(blockSize);
    this.blockWords = this.latLonOffset + 4 * blockSize;
    this.mergeAt = blockSize >> 1;
    this.cellKids = new Int32Array(CELL_STRIDE * 64);
    this.cellInfo = new Int32Array(CELL_STRIDE * 64);
    this.cellGeo = new Float32Array(this.cellInfo.buffer);
    this.blockI32 = new Int32Array(this.blockWords * 16);
    this.blockU16 = new Uint16Array(this.blockI32.buffer);
    this.blockF64 = new Float64Array(this.blockI32.buffer);
    this.newCell(0, 0, 0, 1, NONE, 0); // ROOT
  }

  /** Index in blockU16 of the quantized x of slot `s` of block `b` (y, z follow). */
  qposIndex(b: number, s: number): number {
    return 2 * (b * this.blockWords + BLOCK_HEADER) + 3 * s;
  }

  /** Index in blockI32 of the entry number of slot `s` of block `b`. */
  entryIndex(b: number, s: number): number {
    return b * this.blockWords + this.entryOffset + s;
  }

  /** Index in blockF64 of the latitude of slot `s` of block `b` (the longitude follows). */
  latLonIndex(b: number, s: number): number {
    return ((b * this.blockWords + this.latLonOffset) >> 1) + 2 * s;
  }

  /** Adds entry `e` (not currently in the tree) at `latitude`, `longitude` (degrees). O(depth) amortised. */
  insert(e: number, latitude: number, longitude: number): void {
    if (e >= this.entryLeaf.length) {
      const n = Math.max(e + 1, 2 * this.entryLeaf.length);
      this.entryLeaf = grownI32(this.entryLeaf, n);
      this.entryBlock = grownI32(this.entryBlock, n);
      this.entrySlot = grownI32(this.entrySlot, n);
      const xyz = new Float64Array(3 * n);
      xyz.set(this.entryXyz);
      this.entryXyz = xyz;
    }
    unitVector(latitude, longitude, this.entryXyz, 3 * e);
    let c = ROOT;
    for (;;) {
      const base = c * CELL_STRIDE;
      this.cellInfo[base + COUNT] = (this.cellInfo[base + COUNT] as number) + 1;
      if (this.cellKids[base + KIDS] === LEAF) break;
      const o = this.octantOf(c, e);
      let child = this.cellKids[base + KIDS + o] as number;
      if (child === NONE) child = this.newChild(c, o);
      c = child;
    }
    this.append(c, e, latitude, longitude);
    this.splitIfFull(c);
  }

  /** Removes entry `e` (which must be in the tree). O(depth) amortised. */
  remove(e: number): void {
    const leaf = this.entryLeaf[e] as number;
    this.detach(leaf, e);
    let collapse = NONE;
    const { cellKids: kids, cellInfo: info } = this;
    for (let c = leaf; c !== NONE; ) {
      const base = c * CELL_STRIDE;
      const count = (info[base + COUNT] as number) - 1;
      info[base + COUNT] = count;
      const parent = info[base + PARENT] as number;
      if (count === 0 && parent !== NONE) {
        kids[parent * CELL_STRIDE + KIDS + (info[base + OCTANT] as number)] = NONE;
        this.freeCell(c);
      } else if (kids[base + KIDS] !== LEAF && count <= this.mergeAt) {
        collapse = c;
      }
      c = parent;
    }
    if (collapse !== NONE) this.collapse(collapse);
  }

  /** The octant of cell `c` holding entry `e`'s exact position. */
  private octantOf(c: number, e: number): number {
    const base = c * CELL_STRIDE;
    const geo = this.cellGeo;
    const xyz = this.entryXyz;
    return (
      ((xyz[3 * e] as number) >= (geo[base + CX] as number) ? 1 : 0) |
      ((xyz[3 * e + 1] as number) >= (geo[base + CY] as number) ? 2 : 0) |
      ((xyz[3 * e + 2] as number) >= (geo[base + CZ] as number) ? 4 : 0)
    );
  }

  /** A new empty leaf with one empty block. */
  private newCell(cx: number, cy: number, cz: number, half: number, parent: number, octant: number): number {
    let c = this.freeCells.pop();
    if (c === undefined) {
      c = this.cellTop;
      this.cellTop += 1;
      if (this.cellTop * CELL_STRIDE > this.cellKids.length) {
        this.cellKids = grownI32(this.cellKids, 2 * this.cellKids.length);
        this.cellInfo = grownI32(this.cellInfo, 2 * this.cellInfo.length);
        this.cellGeo = new Float32Array(this.cellInfo.buffer);
      }
    }
    const block = this.newBlock();
    const kids = this.cellKids;
    const info = this.cellInfo;
    const geo = this.cellGeo;
    const base = c * CELL_STRIDE;
    kids.fill(NONE, base + KIDS, base + KIDS + 8);
    kids[base + KIDS] = LEAF;
    kids[base + HEAD] = block;
    kids[base + TAIL] = block;
    geo[base + CX] = cx;
    geo[base + CY] = cy;
    geo[base + CZ] = cz;
    geo[base + HALF] = half;
    info[base + COUNT] = 0;
    info[base + PARENT] = parent;
    info[base + OCTANT] = octant;
    return c;
  }

  private newChild(c: number, o: number): number {
    const base = c * CELL_STRIDE;
    const geo = this.cellGeo;
    const h = (geo[base + HALF] as number) / 2;
    const child = this.newCell(
      (geo[base + CX] as number) + (o & 1 ? h : -h),
      (geo[base + CY] as number) + (o & 2 ? h : -h),
      (geo[base + CZ] as number) + (o & 4 ? h : -h),
      h,
      c,
      o,
    );
    this.cellKids[base + KIDS + o] = child;
    return child;
  }

  private freeCell(c: number): void {
    const base = c * CELL_STRIDE;
    if (this.cellKids[base + KIDS] === LEAF) this.freeChain(this.cellKids[base + HEAD] as number);
    this.freeCells.push(c);
  }

  private newBlock(): number {
    let b = this.freeBlocks.pop();
    if (b === undefined) {
      b = this.blockTop;
      this.blockTop += 1;
      if (this.blockTop * this.blockWords > this.blockI32.length) {
        this.blockI32 = grownI32(this.blockI32, 2 * this.blockI32.length);
        this.blockU16 = new Uint16Array(this.blockI32.buffer);
        this.blockF64 = new Float64Array(this.blockI32.buffer);
      }
    }
    const w = b * this.blockWords;
    this.blockI32[w + USED] = 0;
    this.blockI32[w + NEXT] = NONE;
    this.blockI32[w + PREV] = NONE;
    return b;
  }

  private freeChain(head: number): void {
    for (let b = head; b !== NONE; b = this.blockI32[b * this.blockWords + NEXT] as number) this.freeBlocks.push(b);
  }

  /** Appends `e` to `leaf`'s storage, quantized within the leaf's cube (counts are the caller's business). */
  private append(leaf: number, e: number, lat: number, lon: number): void {
    const base = leaf * CELL_STRIDE;
    let tail = this.cellKids[base + TAIL] as number;
    const bw = this.blockWords;
    if (this.blockI32[tail * bw + USED] === this.blockSize) {
      const b = this.newBlock();
      this.blockI32[b * bw + PREV] = tail;
      this.blockI32[tail * bw + NEXT] = b;
      this.cellKids[base + TAIL] = b;
      tail = b;
    }
    const slot = this.blockI32[tail * bw + USED] as number;
    this.blockI32[tail * bw + USED] = slot + 1;
    const geo = this.cellGeo;
    const half = geo[base + HALF] as number;
    const step = quantum(half);
    const q = this.qposIndex(tail, slot);
    const xyz = this.entryXyz;
    this.blockU16[q] = quantize(xyz[3 * e] as number, (geo[base + CX] as number) - half, step);
    this.blockU16[q + 1] = quantize(xyz[3 * e + 1] as number, (geo[base + CY] as number) - half, step);
    this.blockU16[q + 2] = quantize(xyz[3 * e + 2] as number, (geo[base + CZ] as number) - half, step);
    this.blockI32[this.entryIndex(tail, slot)] = e;
    const l = this.latLonIndex(tail, slot);
    this.blockF64[l] = lat;
    this.blockF64[l + 1] = lon;
    this.entryLeaf[e] = leaf;
    this.entryBlock[e] = tail;
    this.entrySlot[e] = slot;
  }

  /** Takes `e` out of `leaf`'s storage: the leaf's last entry moves into its slot (same leaf, same quantization). */
  private detach(leaf: number, e: number): void {
    const base = leaf * CELL_STRIDE;
    const bw = this.blockWords;
    const tail = this.cellKids[base + TAIL] as number;
    const lastSlot = (this.blockI32[tail * bw + USED] as number) - 1;
    const last = this.blockI32[this.entryIndex(tail, lastSlot)] as number;
    if (last !== e) {
      const block = this.entryBlock[e] as number;
      const slot = this.entrySlot[e] as number;
      const from = this.qposIndex(tail, lastSlot);
      this.blockU16.copyWithin(this.qposIndex(block, slot), from, from + 3);
      this.blockI32[this.entryIndex(block, slot)] = last;
      const l = this.latLonIndex(block, slot);
      const lastL = this.latLonIndex(tail, lastSlot);
      this.blockF64[l] = this.blockF64[lastL] as number;
      this.blockF64[l + 1] = this.blockF64[lastL + 1] as number;
      this.entryBlock[last] = block;
      this.entrySlot[last] = slot;
    }
    this.blockI32[tail * bw + USED] = lastSlot;
    if (lastSlot === 0 && tail !== this.cellKids[base + HEAD]) {
      const prev = this.blockI32[tail * bw + PREV] as number;
      this.blockI32[prev * bw + NEXT] = NONE;
      this.cellKids[base + TAIL] = prev;
      this.freeBlocks.push(tail);
    }
  }

  /** Appends (entry, latitude, longitude) of every entry in `leaf`'s blocks to `out`. */
  private gather(leaf: number, out: number[]): void {
    const { blockI32, blockF64, blockWords } = this;
    for (let b = this.cellKids[leaf * CELL_STRIDE + HEAD] as number; b !== NONE; ) {
      const used = blockI32[b * blockWords + USED] as number;
      for (let s = 0; s < used; s += 1) {
        const l = this.latLonIndex(b, s);
        out.push(blockI32[this.entryIndex(b, s)] as number, blockF64[l] as number, blockF64[l + 1] as number);
      }
      b = blockI32[b * blockWords + NEXT] as number;
    }
  }

  /** Splits `leaf` if it overflows and may still be divided (recursively, while one octant takes everything). */
  private splitIfFull(leaf: number): void {
    const base = leaf * CELL_STRIDE;
    const count = this.cellInfo[base + COUNT] as number;
    if (count <= this.blockSize || (this.cellGeo[base + HALF] as number) <= MIN_HALF) return;
    const moving: number[] = [];
    this.gather(leaf, moving);
    this.freeChain(this.cellKids[base + HEAD] as number);
    this.cellKids.fill(NONE, base + KIDS, base + KIDS + 8);
    for (let i = 0; i < moving.length; i += 3) {
      const e = moving[i] as number;
      const o = this.octantOf(leaf, e);
      let child = this.cellKids[base + KIDS + o] as number;
      if (child === NONE) child = this.newChild(leaf, o);
      const childCount = child * CELL_STRIDE + COUNT;
      this.cellInfo[childCount] = (this.cellInfo[childCount] as number) + 1;
      this.append(child, e, moving[i + 1] as number, moving[i + 2] as number);
    }
    for (let o = 0; o < 8; o += 1) {
      const child = this.cellKids[base + KIDS + o] as number;
      if (child !== NONE) this.splitIfFull(child);
    }
  }

  /** Turns internal cell `c` into one leaf holding its whole (small) subtree; frees the cells below. */
  private collapse(c: number): void {
    const moving: number[] = [];
    const stack: number[] = [];
    const base = c * CELL_STRIDE;
    for (let o = 0; o < 8; o += 1) {
      const child = this.cellKids[base + KIDS + o] as number;
      if (child !== NONE) stack.push(child);
    }
    for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
      const dBase = d * CELL_STRIDE;
      if (this.cellKids[dBase + KIDS] === LEAF) {
        this.gather(d, moving);
      } else {
        for (let o = 0; o < 8; o += 1) {
          const child = this.cellKids[dBase + KIDS + o] as number;
          if (child !== NONE) stack.push(child);
        }
      }
      this.freeCell(d);
    }
    const block = this.newBlock();
    this.cellKids.fill(NONE, base + KIDS, base + KIDS + 8);
    this.cellKids[base + KIDS] = LEAF;
    this.cellKids[base + HEAD] = block;
    this.cellKids[base + TAIL] = block;
    for (let i = 0; i < moving.length; i += 3) {
      this.append(c, moving[i] as number, moving[i + 1] as number, moving[i + 2] as number);
    }
  }
}

/** The nearest step of `v` on the grid `min + u * step`, u in [0, QMAX]. */
function quantize(v: number, min: number, step: number): number {
  const u = Math.round((v - min) / step);
  return u < 0 ? 0 : u > QMAX ? QMAX : u;
}

function grownI32(a: Int32Array, min: number): Int32Array {
  const b = new Int32Array(Math.max(min, 2 * a.length));
  b.set(a);
  return b;
}
