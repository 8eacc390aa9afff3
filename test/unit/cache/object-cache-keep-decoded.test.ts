import { describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import { ObjectCache } from '../../../src/cache/object-cache.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';

describe('ObjectCache with keepDecoded: false', () => {
  const kinds = edgeprotoKinds();
  const small = Flavor.fromPartial({ key: { name: 'x1.small' }, ram: 1024n, vcpus: 1n, disk: 10n });

  it('keeps only bytes: each read decodes a fresh, equal value', () => {
    const cache = new ObjectCache(kinds.flavor, { keepDecoded: false });
    expect(cache.update(small)).toBe(true);
    const a = cache.get('{"name":"x1.small"}');
    const b = cache.get('{"name":"x1.small"}');
    expect(a).toEqual(small);
    expect(b).toEqual(small);
    expect(a).not.toBe(b);
    expect(cache.update({ ...small })).toBe(false); // identical bytes: no change
  });

  it('tells watchers the decoded value and the old one', () => {
    const cache = new ObjectCache(kinds.flavor, { keepDecoded: false });
    const seen: Array<[number | undefined, number | undefined]> = [];
    cache.watch((c) => seen.push([Number(c.kind === 'update' ? c.value.ram : 0), c.old ? Number(c.old.ram) : undefined]));
    cache.update(small);
    cache.update({ ...small, ram: 2048n });
    cache.delete(kinds.flavor.keyOf(small));
    expect(seen).toEqual([[1024, undefined], [2048, 1024], [0, 2048]]);
  });

  it('keeps decoded values by default (the same object on every read)', () => {
    const cache = new ObjectCache(kinds.flavor);
    cache.update(small);
    expect(cache.get('{"name":"x1.small"}')).toBe(cache.get('{"name":"x1.small"}'));
  });
});
