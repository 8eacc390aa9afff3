import { describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import { ObjectCache, type CacheChange } from '../../../src/cache/object-cache.js';
import type { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { keyString } from '../../../src/wire/object-key.js';
import { flavor } from '../../helpers/edgeproto-fixtures.js';

describe('ObjectCache', () => {
  it('stores by key string, tells watchers of real changes only, and ignores identical updates', () => {
    const cache = new ObjectCache(edgeprotoKinds().flavor);
    const changes: CacheChange<Flavor>[] = [];
    cache.watch((c) => changes.push(c));
    expect(cache.update(flavor('a'))).toBe(true);
    expect(cache.update(flavor('a'))).toBe(false);
    expect(cache.update(flavor('a', 1n))).toBe(true);
    expect(cache.get(keyString.flavor({ name: 'a' }))?.ram).toBe(1n);
    expect(cache.delete(keyString.flavor({ name: 'a' }))).toBe(true);
    expect(cache.delete(keyString.flavor({ name: 'a' }))).toBe(false);
    expect(changes.map((c) => c.kind)).toEqual(['update', 'update', 'delete']);
    expect(changes[1]?.kind === 'update' && changes[1].old?.ram).toBe(4096n);
  });

  it('keeps the encoded bytes it was given, and encodes otherwise', () => {
    const cache = new ObjectCache(edgeprotoKinds().flavor);
    const f = flavor('a');
    cache.update(f);
    const key = keyString.flavor({ name: 'a' });
    expect(Buffer.from(cache.getEntry(key)!.bytes).toString('hex')).toBe(Buffer.from(cache.kind.codec.encode(f).finish()).toString('hex'));
  });

  it('prunes what is not kept, telling watchers of each delete', () => {
    const cache = new ObjectCache(edgeprotoKinds().flavor);
    for (const n of ['a', 'b', 'c']) cache.update(flavor(n));
    const deleted: string[] = [];
    cache.watch((c) => c.kind === 'delete' && deleted.push(c.key));
    const keep = keyString.flavor({ name: 'b' });
    expect(cache.prune((k) => k === keep)).toHaveLength(2);
    expect([...cache.keys()]).toEqual([keep]);
    expect(deleted).toHaveLength(2);
  });

  it('survives a watcher that throws, and other watchers still run', () => {
    const cache = new ObjectCache(edgeprotoKinds().flavor);
    let seen = 0;
    cache.watch(() => {
      throw new Error('bad watcher');
    });
    cache.watch(() => seen++);
    expect(() => cache.update(flavor('a'))).not.toThrow();
    expect(seen).toBe(1);
  });
});
