import { describe, expect, it } from 'vitest';
import { Code, hasCode } from '../../../src/core/errors.js';
import { greatCircleKm } from '../../../src/dme/geo.js';
import type { GeoPoint } from '../../../src/dme/geo.js';
import { SpatialIndex } from '../../../src/dme/spatial-index.js';
import type { Neighbour } from '../../../src/dme/spatial-index.js';

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEG = 180 / Math.PI;

/** Points uniform on the sphere, clustered at either pole, along the antimeridian, or in a few dense "cities". */
function pointSource(random: () => number): () => GeoPoint {
  const cities = Array.from({ length: 8 }, () => ({
    latitude: Math.asin(2 * random() - 1) * DEG,
    longitude: random() * 360 - 180,
  }));
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  return () => {
    const kind = random();
    if (kind < 0.4) return { latitude: Math.asin(2 * random() - 1) * DEG, longitude: random() * 360 - 180 };
    if (kind < 0.6) {
      // Near a pole, sometimes exactly on it, at any longitude (±180 included).
      const sign = random() < 0.5 ? 1 : -1;
      const r = random();
      const latitude = r < 0.05 ? 90 * sign : sign * (90 - random() * random() * 5);
      const longitude = r < 0.1 ? (random() < 0.5 ? 180 : -180) : random() * 360 - 180;
      return { latitude, longitude };
    }
    if (kind < 0.8) {
      // Along the antimeridian, on both sides, sometimes exactly on ±180.
      const r = random();
      const offset = random() * random() * 2;
      const longitude = r < 0.1 ? 180 : r < 0.2 ? -180 : r < 0.6 ? 180 - offset : -180 + offset;
      return { latitude: (random() * 2 - 1) * 75, longitude };
    }
    // Around a city: dense, with exact duplicates of the centre.
    const city = cities[Math.floor(random() * cities.length)] as GeoPoint;
    if (random() < 0.2) return city;
    return {
      latitude: clamp(city.latitude + (random() - 0.5) * 0.5, -90, 90),
      longitude: clamp(city.longitude + (random() - 0.5) * 0.5, -180, 180),
    };
  };
}

interface Inst {
  readonly carrier: string;
  readonly rank: number;
}

const CARRIERS = ['tdg', 'att', 'gdd', 'vzw'];

interface Expected {
  readonly id: string;
  readonly distanceKm: number;
}

/** The reference answer: every entry, exact distance, filter, limit, sort by (distance, id), first k. */
function bruteForce(
  entries: ReadonlyMap<string, { point: GeoPoint; value: Inst }>,
  query: GeoPoint,
  k: number,
  filter?: (value: Inst, id: string) => boolean,
  maxDistanceKm?: number,
): Expected[] {
  const want = Math.max(0, Math.floor(k));
  const before = (a: Expected, b: Expected): number =>
    a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // Keep the best `want` in a sorted array (plain insertion: k is small here, or everything is kept).
  const top: Expected[] = [];
  for (const [id, { point, value }] of entries) {
    if (filter && !filter(value, id)) continue;
    const distanceKm = greatCircleKm(query, point);
    if (maxDistanceKm !== undefined && !(distanceKm <= maxDistanceKm)) continue;
    const cand = { id, distanceKm };
    if (top.length === want && (want === 0 || before(cand, top[want - 1] as Expected) >= 0)) continue;
    let i = top.length;
    while (i > 0 && before(cand, top[i - 1] as Expected) < 0) i -= 1;
    top.splice(i, 0, cand);
    if (top.length > want) top.pop();
  }
  return top;
}

function plain(found: readonly Neighbour<Inst>[]): Expected[] {
  return found.map(({ id, distanceKm }) => ({ id, distanceKm }));
}

/** A random filter / limit combination for one query. */
function randomOptions(random: () => number): {
  filter?: (value: Inst, id: string) => boolean;
  maxDistanceKm?: number;
} {
  const carrier = CARRIERS[Math.floor(random() * CARRIERS.length)] as string;
  const filters: (((value: Inst, id: string) => boolean) | undefined)[] = [
    undefined,
    (v) => v.carrier === carrier, // about 1/4 pass
    (v) => v.carrier !== carrier, // about 3/4 pass
    (v) => v.rank % 97 === 0, // about 1% pass: most entries near the client are rejected
    (_v, id) => id.endsWith('7'), // by id
  ];
  const limits = [undefined, undefined, 1, 50, 500, 5000, 20_000];
  return {
    filter: filters[Math.floor(random() * filters.length)],
    maxDistanceKm: limits[Math.floor(random() * limits.length)],
  };
}

function fill(index: SpatialIndex<Inst>, n: number, random: () => number): Map<string, { point: GeoPoint; value: Inst }> {
  const next = pointSource(random);
  const truth = new Map<string, { point: GeoPoint; value: Inst }>();
  for (let i = 0; i < n; i += 1) {
    const id = `inst-${i}`;
    const point = next();
    const value = { carrier: CARRIERS[Math.floor(random() * CARRIERS.length)] as string, rank: i };
    index.add(id, point, value);
    truth.set(id, { point, value });
  }
  return truth;
}

describe('SpatialIndex against brute force', () => {
  it('10k instances, 1k queries (uniform, poles, antimeridian, cities), k 1/5/20, filters, limits', () => {
    const random = rng(1);
    const index = new SpatialIndex<Inst>();
    const truth = fill(index, 10_000, random);
    expect(index.size).toBe(10_000);
    const queries = pointSource(random);
    for (let i = 0; i < 1000; i += 1) {
      const query = queries();
      const k = [1, 5, 20][i % 3] as number;
      const { filter, maxDistanceKm } = randomOptions(random);
      const found = index.nearest(query, k, { filter, maxDistanceKm });
      expect(plain(found), `query ${i} ${JSON.stringify({ query, k, maxDistanceKm })}`).toEqual(
        bruteForce(truth, query, k, filter, maxDistanceKm),
      );
      for (const n of found) {
        const t = truth.get(n.id);
        expect(n.value).toBe(t?.value);
        expect(n.point).toEqual(t?.point);
      }
    }
  });

  it('small leaves (deep tree, many splits) give the same answers', () => {
    const random = rng(2);
    const index = new SpatialIndex<Inst>({ leafSize: 2 });
    const truth = fill(index, 3000, random);
    const queries = pointSource(random);
    for (let i = 0; i < 300; i += 1) {
      const query = queries();
      const k = [1, 4, 5, 20, 200][i % 5] as number;
      const { filter, maxDistanceKm } = randomOptions(random);
      expect(plain(index.nearest(query, k, { filter, maxDistanceKm }))).toEqual(
        bruteForce(truth, query, k, filter, maxDistanceKm),
      );
    }
  });

  it('incremental add / remove / replace interleaved with queries', () => {
    const random = rng(3);
    for (const leafSize of [3, 32]) {
      const index = new SpatialIndex<Inst>({ leafSize });
      const truth = fill(index, 2000, random);
      const next = pointSource(random);
      // The live ids, for picking one at random in O(1).
      const ids = [...truth.keys()];
      const slot = new Map(ids.map((id, i) => [id, i]));
      const forget = (id: string): void => {
        const i = slot.get(id) as number;
        const last = ids.pop() as string;
        if (last !== id) {
          ids[i] = last;
          slot.set(last, i);
        }
        slot.delete(id);
      };
      let fresh = 0;
      for (let step = 0; step < 8000; step += 1) {
        const op = random();
        if (op < 0.3) {
          const id = `new-${fresh}`;
          fresh += 1;
          const value = { carrier: CARRIERS[fresh % 4] as string, rank: fresh };
          const point = next();
          index.add(id, point, value);
          truth.set(id, { point, value });
          slot.set(id, ids.length);
          ids.push(id);
        } else if (op < 0.6 && ids.length > 0) {
          const id = ids[Math.floor(random() * ids.length)] as string;
          expect(index.remove(id)).toBe(true);
          truth.delete(id);
          forget(id);
          expect(index.get(id)).toBeUndefined();
        } else if (op < 0.65) {
          expect(index.remove(`missing-${step}`)).toBe(false);
        } else if (op < 0.85 && ids.length > 0) {
          // Replace: same id, new point and value.
          const id = ids[Math.floor(random() * ids.length)] as string;
          const value = { carrier: CARRIERS[step % 4] as string, rank: step };
          const point = next();
          index.add(id, point, value);
          truth.set(id, { point, value });
          expect(index.get(id)).toEqual({ point, value });
        } else {
          const query = next();
          const k = [1, 3, 5, 20][step % 4] as number;
          const { filter, maxDistanceKm } = randomOptions(random);
          expect(plain(index.nearest(query, k, { filter, maxDistanceKm })), `step ${step}`).toEqual(
            bruteForce(truth, query, k, filter, maxDistanceKm),
          );
        }
        expect(index.size).toBe(truth.size);
      }
      // Drain completely: the tree collapses back to an empty root and keeps working.
      for (const id of [...truth.keys()]) expect(index.remove(id)).toBe(true);
      expect(index.size).toBe(0);
      expect(index.nearest({ latitude: 0, longitude: 0 }, 5)).toEqual([]);
      index.add('again', { latitude: 1, longitude: 2 }, { carrier: 'tdg', rank: 0 });
      expect(index.nearest({ latitude: 0, longitude: 0 }, 5).map((n) => n.id)).toEqual(['again']);
    }
  });
});

describe('SpatialIndex edge cases', () => {
  const inst: Inst = { carrier: 'tdg', rank: 0 };

  it('an empty index answers nothing', () => {
    const index = new SpatialIndex<Inst>();
    expect(index.size).toBe(0);
    expect(index.nearest({ latitude: 10, longitude: 10 }, 1)).toEqual([]);
    expect(index.nearest({ latitude: 90, longitude: 180 }, 100, { maxDistanceKm: 1e9 })).toEqual([]);
    expect(index.remove('x')).toBe(false);
    expect(index.get('x')).toBeUndefined();
  });

  it('k larger than the size returns everything, sorted; k <= 0 or NaN returns nothing; k is floored', () => {
    const random = rng(4);
    const index = new SpatialIndex<Inst>();
    const truth = fill(index, 50, random);
    const q = { latitude: -33.9, longitude: 151.2 };
    expect(plain(index.nearest(q, 1000))).toEqual(bruteForce(truth, q, 1000));
    expect(index.nearest(q, 1000)).toHaveLength(50);
    expect(plain(index.nearest(q, Infinity))).toEqual(bruteForce(truth, q, 50));
    expect(index.nearest(q, 0)).toEqual([]);
    expect(index.nearest(q, -3)).toEqual([]);
    expect(index.nearest(q, Number.NaN)).toEqual([]);
    expect(index.nearest(q, 2.9)).toHaveLength(2);
    // Small k (nearest-first scan of a leaf) with fewer entries than k, with and without a filter.
    const two = new SpatialIndex<Inst>();
    two.add('x', { latitude: 1, longitude: 1 }, inst);
    two.add('y', { latitude: 2, longitude: 2 }, inst);
    const nearY = { latitude: 1.9, longitude: 1.9 };
    expect(two.nearest(nearY, 3).map((n) => n.id)).toEqual(['y', 'x']);
    expect(two.nearest(nearY, 4, { filter: (_v, id) => id === 'x' }).map((n) => n.id)).toEqual(['x']);
    expect(two.nearest(nearY, 2, { maxDistanceKm: 1 })).toEqual([]);
  });

  it('duplicate points tie by id, in string order', () => {
    const index = new SpatialIndex<Inst>({ leafSize: 4 });
    const at = { latitude: 48.85, longitude: 2.35 };
    const ids = Array.from({ length: 200 }, (_, i) => `a${i}`);
    for (const id of [...ids].reverse()) index.add(id, at, inst);
    index.add('far', { latitude: 48.86, longitude: 2.35 }, inst);
    const sorted = [...ids].sort();
    expect(index.nearest(at, 5).map((n) => n.id)).toEqual(sorted.slice(0, 5));
    expect(index.nearest(at, 5).every((n) => n.distanceKm === 0)).toBe(true);
    expect(index.nearest(at, 201).map((n) => n.id)).toEqual([...sorted, 'far']);
    // A filter skips the first ones; removing some moves the rest up.
    expect(index.nearest(at, 2, { filter: (_v, id) => id !== 'a0' && id !== 'a1' }).map((n) => n.id)).toEqual([
      'a10',
      'a100',
    ]);
    index.remove('a0');
    index.remove('a10');
    expect(index.nearest({ latitude: 48.9, longitude: 2.35 }, 3).map((n) => n.id)).toEqual(['far', 'a1', 'a100']);
    for (const id of ids) index.remove(id);
    expect(index.nearest(at, 5).map((n) => n.id)).toEqual(['far']);
  });

  it('thousands of identical points (leaves at the depth limit) stay exact and removable', () => {
    const index = new SpatialIndex<Inst>({ leafSize: 2 });
    const truth = new Map<string, { point: GeoPoint; value: Inst }>();
    const random = rng(5);
    const spots = [
      { latitude: 90, longitude: 0 },
      { latitude: 0, longitude: 180 },
      { latitude: 0, longitude: -180 },
      { latitude: 12.345678, longitude: -98.7654321 },
    ];
    for (let i = 0; i < 3000; i += 1) {
      const point = spots[i % spots.length] as GeoPoint;
      const value = { carrier: CARRIERS[i % 4] as string, rank: i };
      index.add(`d${i}`, point, value);
      truth.set(`d${i}`, { point, value });
    }
    for (let i = 0; i < 100; i += 1) {
      const q = { latitude: random() * 180 - 90, longitude: random() * 360 - 180 };
      const { filter, maxDistanceKm } = randomOptions(random);
      expect(plain(index.nearest(q, 7, { filter, maxDistanceKm }))).toEqual(
        bruteForce(truth, q, 7, filter, maxDistanceKm),
      );
      const id = `d${Math.floor(random() * 3000)}`;
      expect(index.remove(id)).toBe(truth.delete(id));
    }
  });

  it('finds neighbours across the antimeridian and over the poles', () => {
    const index = new SpatialIndex<Inst>();
    index.add('east-of-line', { latitude: 0, longitude: 179.95 }, inst);
    index.add('same-side', { latitude: 0, longitude: -179 }, inst);
    index.add('north-pole', { latitude: 90, longitude: 0 }, inst);
    index.add('over-the-pole', { latitude: 89.9, longitude: 180 }, inst);
    index.add('same-meridian', { latitude: 89, longitude: 0 }, inst);
    index.add('south', { latitude: -89.5, longitude: 180 }, inst);
    expect(index.nearest({ latitude: 0, longitude: -179.95 }, 1)[0]?.id).toBe('east-of-line');
    expect(index.nearest({ latitude: 0, longitude: 180 }, 1)[0]?.id).toBe('east-of-line');
    // (89.8, 0) is 44 km from (89.9, 180) across the pole, 89 km from (89, 0).
    expect(index.nearest({ latitude: 89.8, longitude: 0 }, 3).map((n) => n.id)).toEqual([
      'north-pole',
      'over-the-pole',
      'same-meridian',
    ]);
    expect(index.nearest({ latitude: 90, longitude: 123 }, 1)[0]).toMatchObject({ id: 'north-pole' });
    expect(index.nearest({ latitude: -90, longitude: 0 }, 1)[0]?.id).toBe('south');
    expect(index.nearest({ latitude: -89.9, longitude: 0 }, 1)[0]?.distanceKm).toBeCloseTo(66.7, 0);
  });

  it('maxDistanceKm is inclusive; negative means none; NaN is rejected', () => {
    const index = new SpatialIndex<Inst>();
    const p = { latitude: 10, longitude: 20 };
    const q = { latitude: 10.5, longitude: 20.5 };
    index.add('p', p, inst);
    const d = greatCircleKm(q, p);
    expect(index.nearest(q, 1, { maxDistanceKm: d }).map((n) => n.distanceKm)).toEqual([d]);
    expect(index.nearest(q, 1, { maxDistanceKm: d * (1 - 1e-12) })).toEqual([]);
    expect(index.nearest(p, 1, { maxDistanceKm: 0 }).map((n) => n.id)).toEqual(['p']);
    expect(index.nearest(q, 1, { maxDistanceKm: -1 })).toEqual([]);
    expect(() => index.nearest(q, 1, { maxDistanceKm: Number.NaN })).toThrow(/maxDistanceKm/);
  });

  it('antipodal queries are exact too', () => {
    const random = rng(6);
    const index = new SpatialIndex<Inst>();
    const truth = new Map<string, { point: GeoPoint; value: Inst }>();
    for (let i = 0; i < 300; i += 1) {
      // A tight cluster around (40, -100); queries from around its antipode (-40, 80).
      const point = { latitude: 40 + (random() - 0.5) * 0.01, longitude: -100 + (random() - 0.5) * 0.01 };
      index.add(`c${i}`, point, inst);
      truth.set(`c${i}`, { point, value: inst });
    }
    for (let i = 0; i < 50; i += 1) {
      const q = { latitude: -40 + (random() - 0.5) * 0.01, longitude: 80 + (random() - 0.5) * 0.01 };
      expect(plain(index.nearest(q, 10))).toEqual(bruteForce(truth, q, 10));
    }
  });

  it('rejects out-of-range points with INVALID_ARGUMENT and leaves the index unchanged', () => {
    const index = new SpatialIndex<Inst>();
    index.add('a', { latitude: 1, longitude: 1 }, inst);
    const bad = [
      { latitude: 91, longitude: 0 },
      { latitude: 0, longitude: -180.5 },
      { latitude: Number.NaN, longitude: 0 },
    ];
    for (const point of bad) {
      let caught: unknown;
      try {
        index.add('a', point, inst);
      } catch (e) {
        caught = e;
      }
      expect(hasCode(caught, Code.INVALID_ARGUMENT)).toBe(true);
      expect(() => index.nearest(point, 1)).toThrow(/point\.(latitude|longitude)/);
    }
    expect(index.get('a')?.point).toEqual({ latitude: 1, longitude: 1 });
    expect(index.size).toBe(1);
    expect(() => new SpatialIndex({ leafSize: 1 })).toThrow(/leafSize/);
  });

  it('get returns a frozen copy of the point; a replaced entry moves', () => {
    const index = new SpatialIndex<Inst>();
    const point = { latitude: 5, longitude: 6 };
    index.add('a', point, inst);
    point.latitude = 50; // the caller's object is not the index's
    const got = index.get('a');
    expect(got).toEqual({ point: { latitude: 5, longitude: 6 }, value: inst });
    expect(Object.isFrozen(got?.point)).toBe(true);
    const moved = { carrier: 'att', rank: 1 };
    index.add('a', { latitude: -5, longitude: -6 }, moved);
    expect(index.size).toBe(1);
    expect(index.nearest({ latitude: -5, longitude: -6 }, 1)[0]).toMatchObject({ id: 'a', value: moved, distanceKm: 0 });
  });

  it('a filter may query the index but not change it', () => {
    const index = new SpatialIndex<Inst>();
    index.add('a', { latitude: 0, longitude: 0 }, inst);
    index.add('b', { latitude: 0, longitude: 1 }, { carrier: 'att', rank: 1 });
    const nested = index.nearest({ latitude: 0, longitude: 0.1 }, 2, {
      filter: (_v, id) => index.nearest({ latitude: 0, longitude: 1 }, 1)[0]?.id !== id,
    });
    expect(nested.map((n) => n.id)).toEqual(['a']);
    let caught: unknown;
    try {
      index.nearest({ latitude: 0, longitude: 0 }, 1, {
        filter: () => {
          index.remove('a');
          return true;
        },
      });
    } catch (e) {
      caught = e;
    }
    expect(hasCode(caught, Code.FAILED_PRECONDITION)).toBe(true);
    // A throwing filter propagates its error; the index stays usable.
    expect(() =>
      index.nearest({ latitude: 0, longitude: 0 }, 1, {
        filter: () => {
          throw new Error('boom');
        },
      }),
    ).toThrow('boom');
    // Still consistent and writable afterwards.
    expect(index.size).toBe(2);
    expect(index.remove('a')).toBe(true);
    expect(index.nearest({ latitude: 0, longitude: 0 }, 2).map((n) => n.id)).toEqual(['b']);
  });
});

describe('SpatialIndex cost', () => {
  /** Mean number of entries whose filter ran per query: what the search had to look at closely. */
  function meanFilterCalls(n: number, accept: (v: Inst) => boolean): number {
    const random = rng(7);
    const index = new SpatialIndex<Inst>();
    for (let i = 0; i < n; i += 1) {
      const point = { latitude: Math.asin(2 * random() - 1) * DEG, longitude: random() * 360 - 180 };
      index.add(`i${i}`, point, { carrier: CARRIERS[i % 4] as string, rank: i });
    }
    let calls = 0;
    const queries = 500;
    for (let i = 0; i < queries; i += 1) {
      const q = { latitude: Math.asin(2 * random() - 1) * DEG, longitude: random() * 360 - 180 };
      index.nearest(q, 1, {
        filter: (v) => {
          calls += 1;
          return accept(v);
        },
      });
    }
    return calls / queries;
  }

  it('looks at a handful of entries per query, not all of them, whatever the size', () => {
    const small = meanFilterCalls(1000, () => true);
    const large = meanFilterCalls(50_000, () => true);
    expect(small).toBeLessThan(10);
    expect(large).toBeLessThan(10);
    // A filter passing 1 in 4 costs about 4 times as many looks, still independent of n.
    expect(meanFilterCalls(50_000, (v) => v.carrier === 'tdg')).toBeLessThan(40);
  });
});
