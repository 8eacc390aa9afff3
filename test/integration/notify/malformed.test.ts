import { afterEach, describe, expect, it } from 'vitest';
import { CloudletInfo } from '../../../src/gen/edgeproto/cloudlet.js';
import { Flavor } from '../../../src/gen/edgeproto/flavor.js';
import { Notice, NoticeAction } from '../../../src/gen/edgeproto/notice.js';
import type { NotifyMetrics } from '../../../src/metrics/notify-metrics.js';
import { DEFAULT_TRANSPORT_SETTINGS } from '../../../src/notify/keepalive.js';
import { DataNoticeEncoder, encodeSendAllEnd, encodeVersionNotice } from '../../../src/notify/notice-wire.js';
import { keyString } from '../../../src/wire/object-key.js';
import { cloudletInfo, flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient, startTestServer } from '../../helpers/notify-harness.js';
import { rawNotifyClient, rawNotifyServer } from '../../helpers/raw-notify.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const small = { ...DEFAULT_TRANSPORT_SETTINGS, maxMessageBytes: 2048 };

function data(typeName: string, value: Uint8Array, action: NoticeAction.UPDATE | NoticeAction.DELETE = NoticeAction.UPDATE): Buffer {
  return new DataNoticeEncoder(typeName).encode(action, value);
}

function encoded<T>(codec: { encode(m: T): { finish(): Uint8Array } }, m: T): Uint8Array {
  return codec.encode(m).finish();
}

async function counts(metrics: NotifyMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.badInput.get()).values) if (v.value > 0) out[String(v.labels.reason)] = v.value;
  return out;
}

/** Every kind of bad input, each followed by nothing in particular: the stream must carry on. */
function badNotices(): Buffer[] {
  const bigInfo = cloudletInfo('oversized');
  bigInfo.errors = ['x'.repeat(4096)];
  return [
    data('edgeproto.NoSuchType', Buffer.from('0a00', 'hex')), // unknown type_url
    data('edgeproto.CloudletInfo', Buffer.from([0xff, 0xff, 0xff])), // undecodable Any bytes
    Buffer.from([0x0a, 0x05, 0x01]), // not a Notice at all
    Buffer.from(Notice.encode(Notice.fromPartial({ action: NoticeAction.VERSION, version: 1 })).finish()), // VERSION again
    Buffer.from(Notice.encode(Notice.fromPartial({ action: NoticeAction.UPDATE })).finish()), // UPDATE without any
    data('edgeproto.CloudletInfo', encoded(CloudletInfo, bigInfo)), // larger than the limit
  ];
}

describe('bad input never crashes or stalls a peer', () => {
  it('server: skips and counts each bad notice, keeps the stream, and applies the next good one', async () => {
    const s = await startTestServer({ settings: small });
    cleanups.push(() => s.close());
    const peer = rawNotifyClient(s.address);
    cleanups.push(() => peer.close());
    peer.write(encodeVersionNotice(['edgeproto.Flavor'], false));
    for (const bad of badNotices()) peer.write(bad);
    peer.write(data('edgeproto.Flavor', encoded(Flavor, flavor('x1.unwanted')))); // known, but the server does not take Flavors
    peer.write(data('edgeproto.CloudletInfo', encoded(CloudletInfo, cloudletInfo('berlin'))));
    await waitFor(() => s.cloudletInfos.size === 1);
    expect(await counts(s.metrics)).toEqual({
      unknown_type: 1, malformed_object: 1, malformed_notice: 2, unexpected_action: 1, oversized: 1, unwanted_type: 1,
    });
    expect(s.server.peerSummaries()).toHaveLength(1);
    // A DELETE whose non-key fields are garbage is applied by key only.
    const stale = cloudletInfo('berlin');
    stale.os_max_ram = 1n;
    stale.errors = ['leftover from another object'];
    peer.write(data('edgeproto.CloudletInfo', encoded(CloudletInfo, stale), NoticeAction.DELETE));
    await waitFor(() => s.cloudletInfos.size === 0);
  });

  it('client: skips and counts each bad notice from a server without reconnecting', async () => {
    const raw = await rawNotifyServer((call) => {
      call.once('data', () => {
        call.write(encodeVersionNotice(['edgeproto.CloudletInfo'], false));
        for (const bad of badNotices()) call.write(bad);
        call.write(data('edgeproto.Flavor', Buffer.from([0xff, 0xff, 0xff]))); // undecodable, of a wanted type
        call.write(data('edgeproto.Flavor', encoded(Flavor, flavor('x1.medium'))));
        call.write(encodeSendAllEnd());
      });
    });
    cleanups.push(() => raw.close());
    const c = startTestClient([raw.address], { filter: false, settings: small });
    cleanups.push(() => c.stop());
    await waitFor(() => c.flavors.has(keyString.flavor({ name: 'x1.medium' })) && c.events.some((e) => e.type === 'synced'));
    // The CloudletInfo notices are of a type a client does not take, so they count as unwanted before decoding.
    expect(await counts(c.metrics)).toEqual({
      unknown_type: 1, unwanted_type: 1, malformed_object: 1, malformed_notice: 2, unexpected_action: 1, oversized: 1,
    });
    expect(c.events.filter((e) => e.type === 'connected')).toHaveLength(1);
    expect(c.client.connected).toBe(true);
  });
});
