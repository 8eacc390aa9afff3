/**
 * Nearest-neighbour index of points on the earth, for the DME's FindCloudlet (which AppInsts are nearest to a
 * mobile client).
 *
 * Design
 * - Every point becomes a unit vector (x, y, z). The chord |a - b| between two unit vectors is 2 sin(θ/2),
 *   strictly increasing in the great-circle angle θ, so "nearest by chord" is "nearest by great-circle distance".
 *   Poles and the antimeridian are ordinary places in 3D: there are no special cases.
 * - The vectors live in a bucketed point-region octree over the cube [-1, 1]^3 (spatial-octree.ts), updated in
 *   place: a leaf holds up to `leafSize` entries and splits into its (non-empty) octants when it overflows; a
 *   subtree whose count falls to `leafSize / 2` collapses back into one leaf; empty cells are freed. Points lie on
 *   a 2D surface, so a level has about 4 occupied children and the depth is about log4(n / leafSize) for
 *   spread-out data (capped at {@link MAX_DEPTH}, cells of about 0.4 m, below which near-identical points share a
 *   leaf). add/remove walk one root-to-leaf path: O(log n), plus amortised O(1) for splits and collapses.
 * - The tree is kept in flat typed arrays (32-byte child lists; leaf entries in blocks with 16-bit quantized
 *   positions, spatial-blocks.ts) so that a lookup touches a few cache lines, not a few dozen scattered objects:
 *   at 100k entries memory latency, not arithmetic, is what grows with n.
 * - `nearest` (spatial-search.ts) descends straight to the query's leaf, scans it, then searches best-first
 *   (min-heap of cells by the distance from the query to their box, a lower bound of the chord to anything
 *   inside) while a cell may still hold something nearer than the k-th best so far (or `maxDistanceKm`). Entries
 *   are screened by chord, measured with {@link greatCircleKm}, and filtered only when they would be among the k
 *   best so far (so the filter runs on few entries and may be asked in any order): the order and the reported
 *   `distanceKm` are exactly those of greatCircleKm, ties broken by id (UTF-16 code unit order, as `<` on
 *   strings). Every bound is widened by a tiny slack (quantization, haversine rounding), which only adds
 *   candidates, never loses one.
 * - Cost: about O(log n + k) cells and entries when the filter accepts most entries near the client. The filter is
 *   applied while leaves are scanned, so one accepting a fraction p of the entries makes the search look at about
 *   k / p entries (and the cells holding them) before it has k answers; one that rejects everything near the
 *   client degrades towards a scan of every entry within reach (up to O(n)). It is always exact.
 *
 * Not reentrant for writes: a `filter` must not add to or remove from the index it is filtering (that throws
 * FAILED_PRECONDITION); it may run other queries.
 */
import { failedPrecondition, invalidArgument } from '../core/errors.js';
import { validatePoint } from './geo.js';
import type { GeoPoint } from './geo.js';
import { Octree, unitVector } from './spatial-octree.js';
import { NearestSearch } from './spatial-search.js';
import type { EntrySlots } from './spatial-search.js';

export { MAX_DEPTH } from './spatial-octree.js';

/** One answer of {@link SpatialIndex.nearest}. */
export interface Neighbour<T> {
  readonly id: string;
  readonly value: T;
  readonly point: GeoPoint;
  /** `greatCircleKm(query, point)`. */
  readonly distanceKm: number;
}

/** Options of {@link SpatialIndex.nearest}. */
export interface NearestOptions<T> {
  /** Only entries for which this returns true are answers. Called at most once per entry per query. */
  readonly filter?: (value: T, id: string) => boolean;
  /** Only entries with `distanceKm <= maxDistanceKm` are answers (must not be NaN; negative means none). */
  readonly maxDistanceKm?: number;
}

/** Tuning of a {@link SpatialIndex} (the defaults suit the DME). */
export interface SpatialIndexOptions {
  /** Entries per leaf before it splits (integer >= 2, default 32). Small values only make sense in tests. */
  readonly leafSize?: number;
}

const DEFAULT_LEAF_SIZE = 32;

/**
 * A set of entries (`id` -> point and value) answering "the k nearest to this point" by great-circle distance,
 * updated incrementally. See the module comment for the design and costs.
 *
 *   const index = new SpatialIndex<AppInstRef>();
 *   index.add('appinst-1', { latitude: 52.5, longitude: 13.4 }, ref);
 *   index.nearest(client, 3, { filter: (ref) => ref.carrier === 'TDG', maxDistanceKm: 500 });
 */
export class SpatialIndex<T> {
  private readonly tree: Octree;
  private readonly byId = new Map<string, number>();
  /** Entry `e`: id, value and stored point at 3e, 3e + 1, 3e + 2 (undefined while `e` is free). */
  private readonly entries: EntrySlots<T> = [];
  private readonly freeEntries: number[] = [];
  private readonly search: NearestSearch<T>;
  private readonly queryVector = new Float64Array(3);
  private querying = 0;

  /** Creates an empty index. Throws INVALID_ARGUMENT for a bad `leafSize`. */
  constructor(options: SpatialIndexOptions = {}) {
    const leafSize = options.leafSize ?? DEFAULT_LEAF_SIZE;
    if (!Number.isInteger(leafSize) || leafSize < 2) {
      throw invalidArgument('leafSize', `must be an integer >= 2, got ${String(leafSize)}`);
    }
    this.tree = new Octree(leafSize);
    this.search = new NearestSearch<T>(this.tree, this.entries);
  }

  /** Number of entries. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Adds or replaces the entry `id` (a replaced entry takes the new point and value). O(log n) amortised. Throws
   * INVALID_ARGUMENT (field `point.latitude` / `point.longitude`) for a point out of range, FAILED_PRECONDITION
   * when called from a `filter` of this index.
   */
  add(id: string, point: GeoPoint, value: T): void {
    validatePoint(point, 'point');
    this.checkWritable();
    this.remove(id);
    const { latitude, longitude } = point;
    const e = this.freeEntries.pop() ?? this.entries.length / 3;
    this.entries[3 * e] = id;
    this.entries[3 * e + 1] = value;
    this.entries[3 * e + 2] = Object.freeze({ latitude, longitude });
    this.byId.set(id, e);
    this.tree.insert(e, latitude, longitude);
  }

  /** Removes `id`; returns whether it existed. O(log n) amortised. FAILED_PRECONDITION from a `filter`. */
  remove(id: string): boolean {
    this.checkWritable();
    const e = this.byId.get(id);
    if (e === undefined) return false;
    this.byId.delete(id);
    this.tree.remove(e);
    this.entries.fill(undefined, 3 * e, 3 * e + 3);
    this.freeEntries.push(e);
    return true;
  }

  /** The point (as stored: a frozen copy) and value of `id`, if present. O(1). */
  get(id: string): { point: GeoPoint; value: T } | undefined {
    const e = this.byId.get(id);
    if (e === undefined) return undefined;
    return { point: this.entries[3 * e + 2] as GeoPoint, value: this.entries[3 * e + 1] as T };
  }

  /**
   * Up to `k` entries nearest to `point` by great-circle distance ({@link greatCircleKm}), nearest first, ties by
   * id (UTF-16 order), that pass `filter` (if given) and are within `maxDistanceKm` (if given, inclusive). Exact
   * everywhere, poles and antimeridian included. `k` is floored; `k <= 0` gives `[]`, `k = Infinity` everything.
   *
   * Cost: O(log n + k) when the filter accepts most entries near `point`; a filter accepting a fraction p costs
   * about k / p entries, up to a scan of every entry within reach (O(n)) when almost nothing passes. Throws
   * INVALID_ARGUMENT for an out-of-range point or a NaN `maxDistanceKm`.
   */
  nearest(point: GeoPoint, k: number, options: NearestOptions<T> = {}): Neighbour<T>[] {
    validatePoint(point, 'point');
    const { filter, maxDistanceKm } = options;
    if (maxDistanceKm !== undefined && Number.isNaN(maxDistanceKm)) {
      throw invalidArgument('maxDistanceKm', 'must be a number, got NaN');
    }
    const want = Math.floor(k);
    if (!(want > 0) || this.byId.size === 0) return [];
    if (maxDistanceKm !== undefined && maxDistanceKm < 0) return [];

    const v = this.queryVector;
    unitVector(point.latitude, point.longitude, v, 0);
    const query = {
      point,
      x: v[0] as number,
      y: v[1] as number,
      z: v[2] as number,
      k: want,
      maxKm: maxDistanceKm ?? Infinity,
      filter,
    };
    // The shared search keeps scratch state: a query from inside a filter gets its own.
    const search = this.querying > 0 ? new NearestSearch<T>(this.tree, this.entries) : this.search;
    this.querying += 1;
    const entries = this.entries;
    try {
      return search.run(query, (e, km) => ({
        id: entries[3 * e] as string,
        value: entries[3 * e + 1] as T,
        point: entries[3 * e + 2] as GeoPoint,
        distanceKm: km,
      }));
    } finally {
      this.querying -= 1;
    }
  }

  private checkWritable(): void {
    if (this.querying > 0) throw failedPrecondition('a SpatialIndex cannot change while nearest() runs its filter');
  }
}
