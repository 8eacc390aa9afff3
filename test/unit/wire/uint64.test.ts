import { describe, expect, it } from 'vitest';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { messageToJson } from '../../../src/wire/message-json.js';
import { packAny, unpackAny } from '../../../src/wire/any.js';

const MAX_UINT64 = 18446744073709551615n;

describe('64-bit integers', () => {
  const flavor = Flavor.fromPartial({ key: { name: 'huge' }, ram: MAX_UINT64, vcpus: 1n, disk: 2n ** 53n + 1n });

  it('round-trip exactly through binary encode/decode', () => {
    const decoded = Flavor.decode(Flavor.encode(flavor).finish());
    expect(decoded.ram).toBe(MAX_UINT64);
    expect(decoded.disk).toBe(2n ** 53n + 1n);
  });

  it('round-trip exactly through JSON as decimal strings', () => {
    const json = JSON.parse(JSON.stringify(messageToJson(Flavor, flavor))) as Record<string, unknown>;
    expect(json.ram).toBe('18446744073709551615');
    expect(Flavor.fromJSON(json).ram).toBe(MAX_UINT64);
  });

  it('round-trip exactly inside an Any', () => {
    expect((unpackAny(packAny('edgeproto.Flavor', flavor)).message as Flavor).ram).toBe(MAX_UINT64);
  });
});
