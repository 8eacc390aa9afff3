import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Notice, NoticeAction } from '../../../src/gen/edgeproto/notice.js';
import { encodeVersionNotice } from '../../../src/notify/notice-wire.js';
import { messageToJson } from '../../../src/wire/message-json.js';
import { readVectors } from '../../conformance/reference-data.js';
import { flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient, startTestServer, type TestServer } from '../../helpers/notify-harness.js';
import { rawNotifyClient, rawNotifyServer } from '../../helpers/raw-notify.js';
import { waitFor } from '../../helpers/wait-for.js';

const versionVector = readVectors().find((v) => v.name === 'notice-version-crm');
if (!versionVector) throw new Error('reference vector notice-version-crm missing');
const sendAllEndVector = readVectors().find((v) => v.name === 'notice-sendall-end');
if (!sendAllEndVector) throw new Error('reference vector notice-sendall-end missing');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function badInput(s: TestServer, reason: string): Promise<number> {
  return (await s.metrics.badInput.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('notify handshake', () => {
  it('encodes a CRM VERSION with no wants to exactly the reference bytes', () => {
    expect(encodeVersionNotice([], true).toString('hex')).toBe(versionVector.hex);
  });

  it("sends, as a client, a VERSION that decodes like the reference CRM's, plus its want_objs", async () => {
    const calls: Notice[][] = [];
    const raw = await rawNotifyServer((_call, received) => calls.push(received));
    cleanups.push(() => raw.close());
    const c = startTestClient([raw.address]);
    cleanups.push(() => c.stop());
    await waitFor(() => (calls[0]?.length ?? 0) >= 1);
    const json = messageToJson(Notice, calls[0]![0]!) as Record<string, unknown>;
    const { want_objs: wants, ...rest } = json;
    expect(rest).toEqual(versionVector.json);
    expect(wants).toEqual([
      'edgeproto.Flavor', 'edgeproto.Cloudlet', 'edgeproto.ClusterInst', 'edgeproto.App', 'edgeproto.AppInst',
      'edgeproto.ExecRequest',
    ]);
  });

  it("accepts the reference CRM's exact VERSION bytes, replies VERSION, and answers its SENDALL_END", async () => {
    const s = await startTestServer();
    cleanups.push(() => s.close());
    s.flavors.update(flavor('x1.medium'));
    const peer = rawNotifyClient(s.address);
    cleanups.push(() => peer.close());
    peer.write(versionVector.hex);
    await waitFor(() => peer.notices.length >= 1);
    const reply = peer.notices[0]!;
    expect(reply.action).toBe(NoticeAction.VERSION);
    expect(reply.version).toBe(1);
    expect(reply.want_objs).toEqual(expect.arrayContaining(['edgeproto.CloudletInfo', 'edgeproto.AppInstInfo',
      'edgeproto.ClusterInstInfo', 'edgeproto.Node', 'edgeproto.ExecRequest', 'edgeproto.Metric']));
    peer.write(sendAllEndVector.hex);
    await waitFor(() => peer.notices.some((n) => n.action === NoticeAction.SENDALL_END));
    // The reference peer wanted nothing, so no Flavor was sent to it.
    expect(peer.notices.filter((n) => n.action === NoticeAction.UPDATE)).toHaveLength(0);
    expect(s.server.peerSummaries()).toHaveLength(1);
  });

  it.each([
    ['SENDALL_END', sendAllEndVector.hex],
    ['an UPDATE', Buffer.from(Notice.encode(Notice.fromPartial({ action: NoticeAction.UPDATE })).finish()).toString('hex')],
    ['bytes that are not a Notice', 'ffffffff'],
  ])('ends the stream with INVALID_ARGUMENT when the first notice is %s', async (_what, hex) => {
    const s = await startTestServer();
    cleanups.push(() => s.close());
    const peer = rawNotifyClient(s.address);
    cleanups.push(() => peer.close());
    peer.write(hex);
    const err = await peer.ended;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/VERSION|handshake|malformed/i);
    expect(await badInput(s, 'bad_handshake')).toBe(1);
    expect(s.server.peerSummaries()).toHaveLength(0);
    // The server is unharmed: a proper client still connects.
    const c = startTestClient([s.address], { filter: false });
    cleanups.push(() => c.stop());
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
  });
});
