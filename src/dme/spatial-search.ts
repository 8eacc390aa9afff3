/**
 * The k-nearest search of {@link SpatialIndex} (src/dme/spatial-index.ts) over its {@link Octree}.
 *
 * 1. Descend straight from the root to the leaf whose cube holds the query vector (no heap; each level reads only
 *    the 32-byte child list, the cube's geometry follows from the parent's), and scan it: that usually gives k
 *    good candidates, hence a tight stopping distance.
 * 2. Walk back up that path and queue the siblings whose box is within the stopping distance: with a tight bound
 *    almost all of them are pruned.
 * 3. Best-first: pop the queued cell with the smallest box distance while it is within the stopping distance; an
 *    internal cell queues its children, a leaf has its entries scanned.
 *
 * Scanning a leaf: the query is moved into the leaf's quantized frame once, then per entry the chord (from the 16-bit
 * positions, widened by the quantization slack) against the stopping distance, then the exact {@link greatCircleKm}
 * (from the stored latitude/longitude), then the filter only for an entry the bounded heap of the k best would keep
 * (the filter reads the entry's value, scattered in memory; the rest reads typed arrays).
 */
import { EARTH_RADIUS_KM, greatCircleKm } from './geo.js';
import type { GeoPoint } from './geo.js';
import { KBest, MinHeap } from './spatial-heap.js';
import { NEXT, USED, quantizationSlack, quantum } from './spatial-blocks.js';
import { CELL_STRIDE, HEAD, KIDS, LEAF, MAX_DEPTH, NONE, ROOT } from './spatial-octree.js';
import type { Octree } from './spatial-octree.js';

/** Up to this k, a leaf's entries are taken nearest first (see NearestSearch.scanLeaf). */
const SELECT_MAX_K = 4;

/** Beyond this angle (rad) haversine loses precision (asin near 1); the slack grows accordingly. */
const FAR_ANGLE = 3 - 1e-6;

/**
 * The squared chord beyond which no entry can have `greatCircleKm <= km`: the chord of (km / R + slack). The slack
 * is 1e-9 rad (6 mm, far above the float rounding of the unit vectors), or 1e-6 rad when the angle nears π, where
 * haversine's asin(√h) is ill-conditioned (its error there reaches ~1e-7 rad). It only widens the set of entries
 * whose exact distance gets computed.
 */
export function chordSqBound(km: number): number {
  const theta = km / EARTH_RADIUS_KM;
  const t = theta + (theta < FAR_ANGLE ? 1e-9 : 1e-6);
  if (t >= Math.PI) return Infinity;
  const c = 2 * Math.sin(t / 2);
  return c * c;
}

/**
 * The index's entries, interleaved so one entry's fields share a cache line: entry `e` has its id at `3e`, its
 * value at `3e + 1` and its stored point at `3e + 2` (all undefined while `e` is free).
 */
export type EntrySlots<T> = (string | T | GeoPoint | undefined)[];

/** A query: unit vector, the original point, k, filter and distance limit. */
export interface Query<T> {
  readonly point: GeoPoint;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly k: number;
  readonly maxKm: number;
  readonly filter: ((value: T, id: string) => boolean) | undefined;
}

/**
 * One search at a time (the scratch heap, path and probe point are reused); a nested query needs its own
 * instance.
 */
export class NearestSearch<T> {
  /** Queued cells by box distance; the item is a row of `queued*` (the cell and its cube). */
  private readonly heap = new MinHeap<number>(256);
  private queuedCell = new Int32Array(256);
  /** Centre x, y, z and half side of the queued cell, 4 per row. */
  private queuedCube = new Float64Array(4 * 256);
  private queuedRows = 0;
  /** The descent: cells and their cubes (4 per level). */
  private readonly pathCell = new Int32Array(MAX_DEPTH + 2);
  private readonly pathCube = new Float64Array(4 * (MAX_DEPTH + 2));
  private readonly probe = { latitude: 0, longitude: 0 };
  /** Chords (squared, in quantization steps) of one block's entries. */
  private readonly dist: Float64Array;
  /** The k best entries so far by (distance, id). */
  private readonly best = new KBest(
    (a, b) => (this.entries[3 * a] as string) < (this.entries[3 * b] as string),
  );

  // Per-query state.
  private q: Query<T> | undefined;
  private qx = 0;
  private qy = 0;
  private qz = 0;
  private limitSq = Infinity;
  private stopSq = Infinity;

  /** @param tree the octree; @param entries the index's entries. */
  constructor(
    private readonly tree: Octree,
    private readonly entries: EntrySlots<T>,
  ) {
    this.dist = new Float64Array(tree.blocks.size);
  }

  /** The up to `q.k` best entries, nearest first (ties by id), each as `make(entry number, distance)`. */
  run<R>(q: Query<T>, make: (e: number, km: number) => R): R[] {
    this.q = q;
    this.best.reset(q.k);
    this.limitSq = chordSqBound(q.maxKm);
    this.stopSq = this.limitSq;
    this.queuedRows = 0;
    this.qx = q.x;
    this.qy = q.y;
    this.qz = q.z;
    try {
      this.search();
    } finally {
      this.heap.clear();
      this.q = undefined;
    }
    const found = new Array<R>(this.best.size);
    this.best.drain((rank, km, e) => {
      found[rank] = make(e, km);
    });
    return found;
  }

  private search(): void {
    const { qx, qy, qz } = this;
    const cells = this.tree.cellKids;
    const pathCell = this.pathCell;
    const pathCube = this.pathCube;
    // 1. Straight down to the query's own cell.
    let depth = 0;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    let h = 1;
    for (let c = ROOT; ; ) {
      pathCell[depth] = c;
      pathCube[4 * depth] = cx;
      pathCube[4 * depth + 1] = cy;
      pathCube[4 * depth + 2] = cz;
      pathCube[4 * depth + 3] = h;
      depth += 1;
      const base = c * CELL_STRIDE;
      if (cells[base + KIDS] === LEAF) {
        this.scanLeaf(c, pathCube, 4 * (depth - 1));
        break;
      }
      h /= 2;
      let o = 0;
      if (qx >= cx) {
        o |= 1;
        cx += h;
      } else {
        cx -= h;
      }
      if (qy >= cy) {
        o |= 2;
        cy += h;
      } else {
        cy -= h;
      }
      if (qz >= cz) {
        o |= 4;
        cz += h;
      } else {
        cz -= h;
      }
      const child = cells[base + KIDS + o] as number;
      if (child === NONE) break;
      c = child;
    }
    // 2. The siblings along the path, bottom up, pruned by what the first leaf gave. Once the stopping ball around
    //    the query lies inside the cube of path level i + 1, nothing outside it (the siblings of levels <= i) can
    //    be within reach.
    for (let i = depth - 1; i >= 0; i -= 1) {
      const c = pathCell[i] as number;
      if (cells[c * CELL_STRIDE + KIDS] === LEAF) continue;
      if (i + 1 < depth && this.ballInside(pathCube, 4 * (i + 1))) break;
      this.queueChildren(c, pathCube, 4 * i, i + 1 < depth ? (pathCell[i + 1] as number) : NONE);
    }
    // 3. Best-first over what is left.
    const heap = this.heap;
    while (heap.size > 0 && heap.peekKey() <= this.stopSq) {
      const row = heap.pop() as number;
      const c = this.queuedCell[row] as number;
      if (cells[c * CELL_STRIDE + KIDS] === LEAF) this.scanLeaf(c, this.queuedCube, 4 * row);
      else this.queueChildren(c, this.queuedCube, 4 * row, NONE);
    }
  }

  /** Whether the ball of radius √stopSq around the query lies inside the cube at `cubes[j..j + 3]`. */
  private ballInside(cubes: Float64Array, j: number): boolean {
    const r = Math.sqrt(this.stopSq);
    const h = cubes[j + 3] as number;
    return (
      Math.abs(this.qx - (cubes[j] as number)) + r <= h &&
      Math.abs(this.qy - (cubes[j + 1] as number)) + r <= h &&
      Math.abs(this.qz - (cubes[j + 2] as number)) + r <= h
    );
  }

  /**
   * Queues the children of internal cell `c` but `skip` whose box is within the stopping distance. The cube of `c`
   * (centre x, y, z, half side) is at `cubes[j..j + 3]`.
   */
  private queueChildren(c: number, cubes: Float64Array, j: number, skip: number): void {
    const cells = this.tree.cellKids;
    const base = c * CELL_STRIDE;
    const cx = cubes[j] as number;
    const cy = cubes[j + 1] as number;
    const cz = cubes[j + 2] as number;
    const ch = (cubes[j + 3] as number) / 2;
    const ax = this.qx - cx;
    const ay = this.qy - cy;
    const az = this.qz - cz;
    const stopSq = this.stopSq;
    for (let o = 0; o < 8; o += 1) {
      const child = cells[base + KIDS + o] as number;
      if (child === NONE || child === skip) continue;
      const dx = Math.abs(o & 1 ? ax - ch : ax + ch) - ch;
      const dy = Math.abs(o & 2 ? ay - ch : ay + ch) - ch;
      const dz = Math.abs(o & 4 ? az - ch : az + ch) - ch;
      const d = (dx > 0 ? dx * dx : 0) + (dy > 0 ? dy * dy : 0) + (dz > 0 ? dz * dz : 0);
      if (d > stopSq) continue;
      const row = this.queuedRows;
      this.queuedRows = row + 1;
      if (row === this.queuedCell.length) this.growQueued();
      this.queuedCell[row] = child;
      const cube = this.queuedCube;
      cube[4 * row] = o & 1 ? cx + ch : cx - ch;
      cube[4 * row + 1] = o & 2 ? cy + ch : cy - ch;
      cube[4 * row + 2] = o & 4 ? cz + ch : cz - ch;
      cube[4 * row + 3] = ch;
      this.heap.push(d, row);
    }
  }

  private growQueued(): void {
    const cell = new Int32Array(2 * this.queuedCell.length);
    cell.set(this.queuedCell);
    this.queuedCell = cell;
    const cube = new Float64Array(2 * this.queuedCube.length);
    cube.set(this.queuedCube);
    this.queuedCube = cube;
  }

  /**
   * Offers every entry of leaf `c` within the stopping distance to the k best. The leaf's cube (centre x, y, z,
   * half side) is at `cubes[j..j + 3]`: it defines the frame of the quantized positions.
   *
   * Per block, all chords are computed first; for a small k the entries are then taken nearest first (repeated
   * minimum), so that usually only one or two of them need their exact distance (and their entry data read)
   * before the stopping distance shuts out the rest. For a larger k they are taken in slot order.
   */
  private scanLeaf(c: number, cubes: Float64Array, j: number): void {
    const tree = this.tree;
    const blocks = tree.blocks;
    const { u16: blockU16, i32: blockI32, words: blockWords } = blocks;
    const half = cubes[j + 3] as number;
    const step = quantum(half);
    const slack = quantizationSlack(half);
    // The query in the leaf's frame (units of one step from the cube's low corner).
    const ux = (this.qx - ((cubes[j] as number) - half)) / step;
    const uy = (this.qy - ((cubes[j + 1] as number) - half)) / step;
    const uz = (this.qz - ((cubes[j + 2] as number) - half)) / step;
    // The stopping distance in those units, widened by the quantization error.
    let reachSq = ((Math.sqrt(this.stopSq) + slack) / step) ** 2;
    const dist = this.dist;
    const select = (this.q as Query<T>).k <= SELECT_MAX_K;
    for (let b = tree.cellKids[c * CELL_STRIDE + HEAD] as number; b !== NONE; ) {
      const header = b * blockWords;
      const used = blockI32[header + USED] as number;
      let within = 0;
      for (let s = 0, p = blocks.qposIndex(b, 0); s < used; s += 1, p += 3) {
        const dx = (blockU16[p] as number) - ux;
        const dy = (blockU16[p + 1] as number) - uy;
        const dz = (blockU16[p + 2] as number) - uz;
        const d = dx * dx + dy * dy + dz * dz;
        dist[s] = d;
        if (d <= reachSq) within += 1;
      }
      if (within > 0 && select) {
        for (;;) {
          let s = -1;
          let min = reachSq;
          for (let i = 0; i < used; i += 1) {
            const d = dist[i] as number;
            if (d <= min) {
              min = d;
              s = i;
            }
          }
          if (s < 0) break;
          dist[s] = Number.NaN; // taken: compares false from now on, even against an infinite reach
          if (this.consider(b, s)) reachSq = ((Math.sqrt(this.stopSq) + slack) / step) ** 2;
        }
      } else if (within > 0) {
        for (let s = 0; s < used; s += 1) {
          if ((dist[s] as number) > reachSq) continue;
          if (this.consider(b, s)) reachSq = ((Math.sqrt(this.stopSq) + slack) / step) ** 2;
        }
      }
      b = blockI32[header + NEXT] as number;
    }
  }

  /**
   * Exact distance, then the k best for slot `s` of block `b`, the filter being asked only when the entry would get
   * in; true when that shrank the stopping distance.
   */
  private consider(b: number, s: number): boolean {
    const q = this.q as Query<T>;
    const blocks = this.tree.blocks;
    const e = blocks.i32[blocks.entryIndex(b, s)] as number;
    const l = blocks.latLonIndex(b, s);
    const probe = this.probe;
    probe.latitude = blocks.f64[l] as number;
    probe.longitude = blocks.f64[l + 1] as number;
    const km = greatCircleKm(q.point, probe);
    if (!(km <= q.maxKm)) return false;
    const best = this.best;
    // The filter (the caller's code, reading the entry's value) runs last, and only for an entry that would be kept.
    if (!best.accepts(km, e)) return false;
    const entries = this.entries;
    if (q.filter && !q.filter(entries[3 * e + 1] as T, entries[3 * e] as string)) return false;
    if (!best.offer(km, e) || !best.full) return false;
    this.stopSq = Math.min(this.limitSq, chordSqBound(best.worstKey));
    return true;
  }
}
