import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/core/errors.js';
import { Notice, NoticeAction } from '../../../src/gen/edgeproto/notice.js';
import { DataNoticeEncoder, decodeNotice, encodeSendAllEnd, encodeVersionNotice, readDataNotice } from '../../../src/notify/notice-wire.js';
import { mutate, prng } from '../../helpers/fuzz.js';

type Outcome = { error: string } | { action: number; typeUrl: string | undefined; value: string };

function viaDecoder(bytes: Uint8Array): Outcome {
  try {
    const n = decodeNotice(bytes);
    return { action: n.action, typeUrl: n.any?.type_url, value: Buffer.from(n.any?.value ?? []).toString('hex') };
  } catch (err) {
    return { error: isCodedError(err) ? `${err.code} ${err.field}` : 'not coded' };
  }
}

function viaReader(bytes: Uint8Array): Outcome {
  try {
    const n = readDataNotice(bytes);
    return { action: n.action, typeUrl: n.typeUrl, value: Buffer.from(n.value).toString('hex') };
  } catch (err) {
    return { error: isCodedError(err) ? `${err.code} ${err.field}` : 'not coded' };
  }
}

function samples(): Uint8Array[] {
  const data = new DataNoticeEncoder('edgeproto.AppInst');
  return [
    data.encode(NoticeAction.UPDATE, Buffer.from('0a0568656c6c6f12020801', 'hex')),
    new DataNoticeEncoder('edgeproto.Flavor').encode(NoticeAction.DELETE, Buffer.from('12030a0161', 'hex')),
    encodeSendAllEnd(),
    encodeVersionNotice(['edgeproto.AppInst', 'edgeproto.Flavor'], true),
    Notice.encode(Notice.fromPartial({ action: NoticeAction.UPDATE, version: 7, any: { type_url: 'x/y', value: Buffer.from([1, 2]) }, want_objs: ['a'], filter_cloudlet_key: true })).finish(),
  ];
}

describe('readDataNotice', () => {
  it('reads action, type_url and value as the generated decoder does, without copying the value', () => {
    for (const bytes of samples()) expect(viaReader(bytes)).toEqual(viaDecoder(bytes));
    const notice = Buffer.from(samples()[0]!);
    expect(readDataNotice(notice).value.buffer).toBe(notice.buffer);
  });

  it('accepts and rejects exactly what the generated decoder does, with the same coded error (fuzz)', () => {
    const random = prng(4242);
    let rejected = 0;
    for (const bytes of samples()) {
      for (let i = 0; i < 3000; i++) {
        const mutated = mutate(bytes, random);
        const expected = viaDecoder(mutated);
        expect(viaReader(mutated), Buffer.from(mutated).toString('hex')).toEqual(expected);
        if ('error' in expected) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
