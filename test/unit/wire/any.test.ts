import { describe, expect, it } from 'vitest';
import { Code, isCodedError } from '../../../src/core/errors.js';
import { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { packAny, packAnyWith, typeNameOf, unpackAny } from '../../../src/wire/any.js';

function codeOf(fn: () => unknown): { code: string; field: string | undefined } {
  try {
    fn();
  } catch (e) {
    if (isCodedError(e)) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a coded error');
}

describe('google.protobuf.Any packing', () => {
  const flavor = Flavor.fromPartial({ key: { name: 'x1.medium' }, ram: 4096n, vcpus: 2n, disk: 40n });

  it('packs with the type.googleapis.com/edgeproto.<Name> type_url and the message bytes', () => {
    const any = packAny('edgeproto.Flavor', flavor);
    expect(any.type_url).toBe('type.googleapis.com/edgeproto.Flavor');
    expect(Buffer.from(any.value).toString('hex')).toBe('120b0a0978312e6d656469756d18802020022828');
  });

  it('round-trips through unpack, with the codec or by name', () => {
    expect(unpackAny(packAny('edgeproto.Flavor', flavor))).toEqual({ typeName: 'edgeproto.Flavor', message: flavor });
    const inst = AppInst.fromPartial({ uri: 'edge.example', key: { app_key: { name: 'face' } } });
    expect(unpackAny(packAnyWith('edgeproto.AppInst', AppInst, inst)).message).toEqual(inst);
  });

  it('reads the type name after the last slash, as the original does', () => {
    expect(typeNameOf('type.googleapis.com/edgeproto.Flavor')).toBe('edgeproto.Flavor');
    expect(typeNameOf('example.com/x/edgeproto.Flavor')).toBe('edgeproto.Flavor');
    expect(unpackAny({ type_url: 'custom.host/edgeproto.Flavor', value: packAny('edgeproto.Flavor', flavor).value }).typeName)
      .toBe('edgeproto.Flavor');
  });

  it('refuses an unknown type with a coded NOT_FOUND naming any.type_url', () => {
    expect(codeOf(() => unpackAny({ type_url: 'type.googleapis.com/edgeproto.Nope', value: Buffer.alloc(0) })))
      .toEqual({ code: Code.NOT_FOUND, field: 'any.type_url' });
    expect(codeOf(() => unpackAny({ type_url: '', value: Buffer.alloc(0) })))
      .toEqual({ code: Code.NOT_FOUND, field: 'any.type_url' });
    expect(codeOf(() => packAny('edgeproto.Nope', {}))).toEqual({ code: Code.NOT_FOUND, field: 'any.type_url' });
  });

  it('refuses malformed bytes with a coded INVALID_ARGUMENT naming any.value', () => {
    // field 2 (key), length-delimited, claims 11 bytes but only 2 follow
    const truncated = Buffer.from('120b0a09', 'hex');
    expect(codeOf(() => unpackAny({ type_url: 'type.googleapis.com/edgeproto.Flavor', value: truncated })))
      .toEqual({ code: Code.INVALID_ARGUMENT, field: 'any.value' });
    // wire type 7 does not exist
    expect(codeOf(() => unpackAny({ type_url: 'type.googleapis.com/edgeproto.Flavor', value: Buffer.from([0x0f]) })))
      .toEqual({ code: Code.INVALID_ARGUMENT, field: 'any.value' });
  });
});
