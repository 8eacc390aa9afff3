import { describe, expect, it } from 'vitest';
import { Code, isCodedError } from '../../../src/core/errors.js';
import { Cloudlet } from '../../../src/gen/edgeproto/cloudlet.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { allUpdatableFields, applyUpdateFields } from '../../../src/controller/update-fields.js';

describe('applyUpdateFields', () => {
  const current = Flavor.fromPartial({ key: { name: 'x1' }, ram: 1024n, vcpus: 1n, disk: 10n });
  const update = Flavor.fromPartial({ fields: ['3', '4'], key: { name: 'x1' }, ram: 18446744073709551615n, vcpus: 4n, disk: 99n });

  it('copies only the listed fields, exactly, and never keeps `fields`', () => {
    const result = applyUpdateFields('edgeproto.Flavor', current, update, update.fields);
    expect(result).toEqual({ ...current, ram: 18446744073709551615n, vcpus: 4n, fields: [] });
    expect(current.ram).toBe(1024n);
  });

  it('copies nested paths such as "5.1" (location.latitude) and whole messages such as "5"', () => {
    const cur = Cloudlet.fromPartial({ key: { name: 'c' }, location: { latitude: 1, longitude: 2 }, access_uri: 'a' });
    const upd = Cloudlet.fromPartial({ key: { name: 'c' }, location: { latitude: 50, longitude: 9 }, access_uri: 'b' });
    expect(applyUpdateFields('edgeproto.Cloudlet', cur, upd, ['5.1']).location).toMatchObject({ latitude: 50, longitude: 2 });
    expect(applyUpdateFields('edgeproto.Cloudlet', cur, upd, ['5']).location).toMatchObject({ latitude: 50, longitude: 9 });
    expect(applyUpdateFields('edgeproto.Cloudlet', cur, upd, ['5']).access_uri).toBe('a');
  });

  it.each([['9'], ['3.1'], ['x'], [''], ['3..1']])('refuses the path %j with INVALID_ARGUMENT naming fields', (path) => {
    try {
      applyUpdateFields('edgeproto.Flavor', current, update, [path]);
      expect.unreachable();
    } catch (e) {
      expect(isCodedError(e) && e.code).toBe(Code.INVALID_ARGUMENT);
      expect(isCodedError(e) && e.field).toBe('fields');
    }
  });

  it('lists every updatable top-level field', () => {
    expect(allUpdatableFields('edgeproto.Flavor')).toEqual(['3', '4', '5']);
  });
});
