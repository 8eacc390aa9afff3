import { describe, expect, it } from 'vitest';
import { readEncoded } from '../../../src/cache/encoded-object.js';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import { ObjectCache, type CacheChange } from '../../../src/cache/object-cache.js';
import type { ObjectKind } from '../../../src/cache/object-kind.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { keyString } from '../../../src/wire/object-key.js';
import { flavor } from '../../helpers/edgeproto-fixtures.js';

/** The Flavor kind with a codec that counts decodes. */
function countingKind(): { kind: ObjectKind<Flavor>; decodes: () => number } {
  let decodes = 0;
  const codec = { ...Flavor, decode: (input: Uint8Array) => (decodes++, Flavor.decode(input)) } as typeof Flavor;
  return { kind: { ...edgeprotoKinds().flavor, codec }, decodes: () => decodes };
}

const bytesOf = (f: Flavor): Uint8Array => Flavor.encode(f).finish();
const keyA = keyString.flavor({ name: 'a' });

describe('ObjectCache with encoded objects', () => {
  it('stores an encoded object without decoding it, and decodes once, on first read', () => {
    const { kind, decodes } = countingKind();
    const cache = new ObjectCache(kind);
    expect(cache.updateEncoded(readEncoded(kind, bytesOf(flavor('a', 8n))))).toBe(true);
    expect(cache.has(keyA)).toBe(true);
    expect([...cache.keys()]).toEqual([keyA]);
    expect(decodes()).toBe(0);
    const value = cache.get(keyA);
    expect(value?.ram).toBe(8n);
    expect(cache.getEntry(keyA)?.value).toBe(value);
    expect(cache.values()).toEqual([value]);
    expect(decodes()).toBe(1);
  });

  it('changes nothing and decodes nothing when the bytes are identical', () => {
    const { kind, decodes } = countingKind();
    const cache = new ObjectCache(kind);
    const changes: CacheChange<Flavor>[] = [];
    cache.watch((c) => changes.push(c));
    cache.updateEncoded(readEncoded(kind, bytesOf(flavor('a'))));
    expect(cache.updateEncoded(readEncoded(kind, Buffer.from(bytesOf(flavor('a')))))).toBe(false);
    expect(cache.update(flavor('a'))).toBe(false);
    expect(changes).toHaveLength(1);
    expect(decodes()).toBe(0);
  });

  it('tells watchers with values decoded on demand, which compare and spread like plain ones', () => {
    const { kind, decodes } = countingKind();
    const cache = new ObjectCache(kind);
    const changes: CacheChange<Flavor>[] = [];
    cache.watch((c) => changes.push(c));
    cache.updateEncoded(readEncoded(kind, bytesOf(flavor('a', 1n))));
    cache.updateEncoded(readEncoded(kind, bytesOf(flavor('a', 2n))));
    cache.delete(keyA);
    expect(decodes()).toBe(0);
    expect(changes.map((c) => c.kind)).toEqual(['update', 'update', 'delete']);
    expect(changes[1]).toEqual({ kind: 'update', key: keyA, value: flavor('a', 2n), old: flavor('a', 1n) });
    expect({ ...changes[2]! }).toEqual({ kind: 'delete', key: keyA, old: flavor('a', 2n) });
    expect(changes[0]?.kind === 'update' && changes[0].old).toBeUndefined();
    expect(decodes()).toBe(2);
  });

  it('mixes with plain updates: a plain update replaces an encoded one and tells its old value', () => {
    const { kind } = countingKind();
    const cache = new ObjectCache(kind);
    const olds: unknown[] = [];
    cache.watch((c) => olds.push(c.old));
    cache.updateEncoded(readEncoded(kind, bytesOf(flavor('a', 1n))));
    expect(cache.update(flavor('a', 3n))).toBe(true);
    expect(olds).toEqual([undefined, flavor('a', 1n)]);
    expect(cache.get(keyA)?.ram).toBe(3n);
  });

  it('prunes by key without decoding', () => {
    const { kind, decodes } = countingKind();
    const cache = new ObjectCache(kind);
    for (const n of ['a', 'b', 'c']) cache.updateEncoded(readEncoded(kind, bytesOf(flavor(n))));
    expect(cache.pruneKeys((k) => k === keyA)).toHaveLength(2);
    expect([...cache.keys()]).toEqual([keyA]);
    expect(decodes()).toBe(0);
  });

  it('refuses an object of another kind', () => {
    const kinds = edgeprotoKinds();
    const cache = new ObjectCache(kinds.flavor);
    const other = readEncoded(kinds.cluster, Buffer.from('0a030a0161', 'hex'));
    expect(() => cache.updateEncoded(other as never)).toThrow(/edgeproto.Cluster object given to the edgeproto.Flavor cache/);
  });
});
