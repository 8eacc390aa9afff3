import { describe, expect, it } from 'vitest';
import { parseAccessPorts } from '../../../src/controller/validation/access-ports.js';
import { hasCode } from '../../../src/core/errors.js';
import { LProto } from '../../../src/gen/dme/appcommon.js';

function error(value: string): { code: string; message: string; field: string | undefined } {
  try {
    parseAccessPorts(value);
  } catch (e) {
    const err = e as { code: string; message: string; field?: string };
    expect(hasCode(e, 'INVALID_ARGUMENT')).toBe(true);
    return { code: err.code, message: err.message, field: err.field };
  }
  throw new Error(`expected "${value}" to be refused`);
}

describe('parseAccessPorts', () => {
  it('parses the documented form in order', () => {
    expect(parseAccessPorts('tcp:80,http:443,udp:10002')).toEqual([
      { proto: LProto.L_PROTO_TCP, port: 80 },
      { proto: LProto.L_PROTO_HTTP, port: 443 },
      { proto: LProto.L_PROTO_UDP, port: 10002 },
    ]);
  });

  it('accepts empty, all-whitespace, any case and whitespace around items and colons', () => {
    expect(parseAccessPorts('')).toEqual([]);
    expect(parseAccessPorts('  \t ')).toEqual([]);
    expect(parseAccessPorts(' TCP : 1 ,\tUdp:65535 ')).toEqual([
      { proto: LProto.L_PROTO_TCP, port: 1 },
      { proto: LProto.L_PROTO_UDP, port: 65535 },
    ]);
  });

  it('allows the same port over different protocols', () => {
    expect(parseAccessPorts('tcp:80,udp:80,http:80')).toHaveLength(3);
  });

  it.each([
    ['tcp80', /"tcp80" is not protocol:port/],
    ['tcp:80:1', /"tcp:80:1" is not protocol:port/],
    ['sctp:80', /protocol "sctp" is not one of tcp, udp, http/],
    [':80', /protocol "" is not one of/],
    ['tcp:', /port "" is not an integer from 1 to 65535/],
    ['tcp:0', /port "0" is not an integer from 1 to 65535/],
    ['tcp:65536', /port "65536"/],
    ['tcp:99999999', /port "99999999"/],
    ['tcp:-1', /port "-1"/],
    ['tcp:8.5', /port "8.5"/],
    ['tcp:0x50', /port "0x50"/],
    ['tcp:8 0', /port "8 0"/],
    ['tcp:80,', /item 2 is empty/],
    [',tcp:80', /item 1 is empty/],
    ['tcp:80,,udp:1', /item 2 is empty/],
    ['tcp:80,TCP: 80', /"TCP: 80" is listed more than once/],
  ])('refuses %j naming access_ports and the item', (value, reason) => {
    const err = error(value);
    expect(err.field).toBe('access_ports');
    expect(err.message).toMatch(/^invalid access_ports: /);
    expect(err.message).toMatch(reason);
  });
});
