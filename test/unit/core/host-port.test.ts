import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/core/errors.js';
import { parseHostPort } from '../../../src/core/host-port.js';

describe('parseHostPort', () => {
  it('splits host names, IPv4 and bracketed IPv6 addresses; port 0 means any', () => {
    expect(parseHostPort('127.0.0.1:0', 'f')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('localhost:65535', 'f')).toEqual({ host: 'localhost', port: 65535 });
    expect(parseHostPort('[::1]:9091', 'f')).toEqual({ host: '::1', port: 9091 });
  });

  it('refuses what is not host:port, naming the field', () => {
    for (const bad of ['127.0.0.1', ':80', '127.0.0.1:65536', 'a b:1', '::1:80', '127.0.0.1:-1', '']) {
      let error: unknown;
      try {
        parseHostPort(bad, 'http-addr');
      } catch (err) {
        error = err;
      }
      expect(isCodedError(error) && error.code === 'INVALID_ARGUMENT' && error.field === 'http-addr', bad).toBe(true);
    }
  });
});
