import { describe, expect, it } from 'vitest';
import { Code, hasCode } from '../../../src/core/errors.js';
import { prefixEnd } from '../../../src/store/keys.js';
import { decodeRecord, decodeRevision, encodeRecord, encodeRevision, HEADER_BYTES } from '../../../src/store/record-codec.js';

describe('LMDB record codec', () => {
  it('round-trips revisions up to 2^53 and the value bytes', () => {
    const kv = { key: 'k', value: Uint8Array.of(1, 2, 3), createRevision: 2 ** 40 + 7, modRevision: 2 ** 53 - 1, version: 3 };
    const record = encodeRecord(kv);
    expect(record.byteLength).toBe(HEADER_BYTES + 3);
    expect(decodeRecord('k', record)).toEqual(kv);
    expect(decodeRevision(encodeRevision(2 ** 53 - 1))).toBe(2 ** 53 - 1);
    expect(decodeRevision(undefined)).toBe(0);
  });

  it('decodes into a copy that does not alias the record', () => {
    const record = encodeRecord({ key: 'k', value: Uint8Array.of(9), createRevision: 1, modRevision: 1, version: 1 });
    const kv = decodeRecord('k', record);
    record[HEADER_BYTES] = 0;
    expect(kv.value).toEqual(Uint8Array.of(9));
  });

  it('reports corrupt records and revisions as DATA_LOSS', () => {
    expect(() => decodeRecord('k', new Uint8Array(5))).toThrow(expect.objectContaining({ code: Code.DATA_LOSS, field: 'k' }));
    const wrongFormat = encodeRecord({ key: 'k', value: new Uint8Array(0), createRevision: 1, modRevision: 1, version: 1 });
    wrongFormat[0] = 2;
    expect(() => decodeRecord('k', wrongFormat)).toThrow(expect.objectContaining({ code: Code.DATA_LOSS }));
    let error: unknown;
    try {
      decodeRevision(new Uint8Array(3));
    } catch (e) {
      error = e;
    }
    expect(hasCode(error, Code.DATA_LOSS)).toBe(true);
  });
});

describe('prefixEnd', () => {
  it('is the next byte string after every string with the prefix, without touching the input', () => {
    const prefix = Buffer.from('a/');
    expect(Buffer.from(prefixEnd(prefix)!).toString()).toBe('a0');
    expect(prefix.toString()).toBe('a/');
    expect(prefixEnd(Uint8Array.of(0x61, 0xff, 0xff))).toEqual(Uint8Array.of(0x62));
    expect(prefixEnd(Uint8Array.of(0xff))).toBeUndefined();
    expect(prefixEnd(new Uint8Array(0))).toBeUndefined();
  });
});
