import { afterEach, describe, expect, it } from 'vitest';
import { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { NoticeAction } from '../../../src/gen/edgeproto/notice.js';
import type { NotifyMetrics } from '../../../src/metrics/notify-metrics.js';
import { DataNoticeEncoder, encodeSendAllEnd, encodeVersionNotice } from '../../../src/notify/notice-wire.js';
import { keyString } from '../../../src/wire/object-key.js';
import { appInst, flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient } from '../../helpers/notify-harness.js';
import { rawNotifyServer } from '../../helpers/raw-notify.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function update(typeName: string, value: Uint8Array): Buffer {
  return new DataNoticeEncoder(typeName).encode(NoticeAction.UPDATE, value);
}

async function badInput(metrics: NotifyMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.badInput.get()).values) if (v.value > 0) out[String(v.labels.reason)] = v.value;
  return out;
}

describe('a client mirror stores what it receives encoded', () => {
  it('keeps the bytes it got, keys them without decoding, and decodes on read; bad objects are refused on receipt', async () => {
    const inst = appInst('face', 'c1', 'berlin');
    const good = AppInst.encode(inst).finish();
    // Bytes the generated decoder reads without error, but that a mirror refuses: a string (`fields`) that is not
    // UTF-8, and a number (`vcpus`) with the wire type of a string, which the decoder would silently skip.
    const notUtf8 = Buffer.concat([Flavor.encode(flavor('x1.bad')).finish(), Buffer.from([0x0a, 0x02, 0xc3, 0x28])]);
    const wrongWireType = Buffer.concat([Flavor.encode(flavor('x1.bad')).finish(), Buffer.from([0x22, 0x01, 0x01])]);
    const raw = await rawNotifyServer((call) => {
      call.once('data', () => {
        call.write(encodeVersionNotice(['edgeproto.CloudletInfo'], false));
        call.write(update('edgeproto.AppInst', good));
        call.write(update('edgeproto.Flavor', notUtf8));
        call.write(update('edgeproto.Flavor', wrongWireType));
        call.write(update('edgeproto.Flavor', Buffer.from([0x12, 0x03, 0x0a, 0x01]))); // key runs past the object
        call.write(update('edgeproto.Flavor', Flavor.encode(flavor('x1.medium')).finish()));
        call.write(encodeSendAllEnd());
      });
    });
    cleanups.push(() => raw.close());
    const c = startTestClient([raw.address], { filter: false });
    cleanups.push(() => c.stop());
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    expect(await badInput(c.metrics)).toEqual({ malformed_object: 3 });
    expect([...c.flavors.keys()]).toEqual([keyString.flavor({ name: 'x1.medium' })]);
    const key = keyString.appInst(inst.key);
    expect(Buffer.from(c.appInsts.getEntry(key)!.bytes).equals(Buffer.from(good))).toBe(true);
    expect(c.appInsts.get(key)).toEqual(inst);
    expect(c.changes).toEqual([`update edgeproto.AppInst ${key}`, `update edgeproto.Flavor ${keyString.flavor({ name: 'x1.medium' })}`]);
  });
});
