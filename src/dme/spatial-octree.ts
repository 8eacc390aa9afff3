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
 * - A leaf's entries live in a chain of {@link Blocks} (src/dme/spatial-blocks.ts), positions quantized to 16 bits
 *   per axis within the leaf's cube. A leaf normally has one block; only a leaf at {@link MAX_DEPTH} grows a chain.
 * - A leaf splits when it holds more than `blockSize` entries; an internal cell whose count falls to
 *   `blockSize / 2` collapses into one leaf; an empty cell is freed. Cells and blocks are recycled through free
 *   lists; the buffers grow by doubling. Exact (float64) positions are kept per entry for re-quantizing.
 *
 * Entries are numbered by the caller (small non-negative integers, reused after removal).
 */
import { Blocks, quantize, quantum } from './spatial-blocks.js';

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

/** "No cell / no block". */
export const NONE = -1;
/** The root cell's number; its cube is centred on 0 with half side 1. */
export const ROOT = 0;
/** Deepest level: cells of side 2^-24 of the unit cube (about 0.4 m on the earth); below, points share a leaf. */
export const MAX_DEPTH = 24;

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

/** The octree. Fields are public for the search loop (spatial-search.ts); only this class writes them. */
export class Octree {
  /** Per cell: children, or LEAF and its blocks. */
  cellKids: Int32Array;
  /** The leaves' entries. */
  readonly blocks: Blocks;
  /** Entries per block, and the size above which a leaf splits. */
  readonly blockSize: number;

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

  /** @param blockSize entries per leaf before it splits (integer >= 2). */
  constructor(blockSize: number) {
    this.blockSize = blockSize;
    this.blocks = new Blocks(blockSize);
    this.mergeAt = blockSize >> 1;
    this.cellKids = new Int32Array(CELL_STRIDE * 64);
    this.cellInfo = new Int32Array(CELL_STRIDE * 64);
    this.cellGeo = new Float32Array(this.cellInfo.buffer);
    this.newCell(0, 0, 0, 1, NONE, 0); // ROOT
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
    const block = this.blocks.alloc();
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
    if (this.cellKids[base + KIDS] === LEAF) this.blocks.freeChain(this.cellKids[base + HEAD] as number);
    this.freeCells.push(c);
  }

  /** Appends `e` to `leaf`'s storage, quantized within the leaf's cube (counts are the caller's business). */
  private append(leaf: number, e: number, lat: number, lon: number): void {
    const base = leaf * CELL_STRIDE;
    const blocks = this.blocks;
    let tail = this.cellKids[base + TAIL] as number;
    if (blocks.used(tail) === this.blockSize) {
      tail = blocks.extend(tail);
      this.cellKids[base + TAIL] = tail;
    }
    const geo = this.cellGeo;
    const half = geo[base + HALF] as number;
    const step = quantum(half);
    const xyz = this.entryXyz;
    const slot = blocks.push(
      tail,
      quantize(xyz[3 * e] as number, (geo[base + CX] as number) - half, step),
      quantize(xyz[3 * e + 1] as number, (geo[base + CY] as number) - half, step),
      quantize(xyz[3 * e + 2] as number, (geo[base + CZ] as number) - half, step),
      e,
      lat,
      lon,
    );
    this.entryLeaf[e] = leaf;
    this.entryBlock[e] = tail;
    this.entrySlot[e] = slot;
  }

  /** Takes `e` out of `leaf`'s storage: the leaf's last entry moves into its slot. */
  private detach(leaf: number, e: number): void {
    const base = leaf * CELL_STRIDE;
    const blocks = this.blocks;
    const tail = this.cellKids[base + TAIL] as number;
    const lastSlot = blocks.used(tail) - 1;
    const last = blocks.i32[blocks.entryIndex(tail, lastSlot)] as number;
    if (last !== e) {
      const block = this.entryBlock[e] as number;
      const slot = this.entrySlot[e] as number;
      blocks.copy(tail, lastSlot, block, slot);
      this.entryBlock[last] = block;
      this.entrySlot[last] = slot;
    }
    blocks.pop(tail);
    if (lastSlot === 0 && tail !== this.cellKids[base + HEAD]) this.cellKids[base + TAIL] = blocks.shrink(tail);
  }

  /** Appends (entry, latitude, longitude) of every entry in `leaf`'s blocks to `out`. */
  private gather(leaf: number, out: number[]): void {
    const blocks = this.blocks;
    for (let b = this.cellKids[leaf * CELL_STRIDE + HEAD] as number; b !== NONE; b = blocks.next(b)) {
      const used = blocks.used(b);
      for (let s = 0; s < used; s += 1) {
        const l = blocks.latLonIndex(b, s);
        out.push(blocks.i32[blocks.entryIndex(b, s)] as number, blocks.f64[l] as number, blocks.f64[l + 1] as number);
      }
    }
  }

  /** Splits `leaf` if it overflows and may still be divided (recursively, while one octant takes everything). */
  private splitIfFull(leaf: number): void {
    const base = leaf * CELL_STRIDE;
    const count = this.cellInfo[base + COUNT] as number;
    if (count <= this.blockSize || (this.cellGeo[base + HALF] as number) <= MIN_HALF) return;
    const moving: number[] = [];
    this.gather(leaf, moving);
    this.blocks.freeChain(this.cellKids[base + HEAD] as number);
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
    const block = this.blocks.alloc();
    this.cellKids.fill(NONE, base + KIDS, base + KIDS + 8);
    this.cellKids[base + KIDS] = LEAF;
    this.cellKids[base + HEAD] = block;
    this.cellKids[base + TAIL] = block;
    for (let i = 0; i < moving.length; i += 3) {
      this.append(c, moving[i] as number, moving[i + 1] as number, moving[i + 2] as number);
    }
  }
}

function grownI32(a: Int32Array, min: number): Int32Array {
  const b = new Int32Array(Math.max(min, 2 * a.length));
  b.set(a);
  return b;
}
