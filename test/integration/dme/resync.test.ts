import { afterEach, describe, expect, it } from 'vitest';
import { FindCloudletReply_FindStatus as Find, type FindCloudletReply, type RegisterClientReply } from '../../../src/gen/dme/app-client.js';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue } from '../../helpers/crm-harness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { app, appInst, BERLIN, cloudlet, cloudletInfo, DEV, POTSDAM } from '../../unit/dme/fixtures.js';
import { grpcCall, startFeed, startTestDme, type Feed, type TestDme } from './dme-harness.js';

describe('DME consistency with the controller', () => {
  let feed: Feed | undefined;
  let t: TestDme | undefined;

  afterEach(async () => {
    await t?.close();
    await feed?.stop();
    t = undefined;
    feed = undefined;
  });

  async function findAt(d: TestDme, cookie: string): Promise<FindCloudletReply> {
    const out = await grpcCall(d.grpc, d.grpc.findCloudlet, { ver: 1, session_cookie: cookie, carrier_name: '', gps_location: BERLIN as never, dev_name: '', app_name: '', app_vers: '' });
    if (!('reply' in out)) throw new Error(out.message);
    return out.reply as FindCloudletReply;
  }

  it('keeps answering from its last data while the controller is away, then converges by send-all and prune', async () => {
    const f = (feed = await startFeed());
    f.apps.update(app('face'));
    f.cloudlets.update(cloudlet('berlin', BERLIN));
    f.cloudlets.update(cloudlet('potsdam', POTSDAM));
    f.cloudletInfos.update(cloudletInfo('berlin'));
    f.cloudletInfos.update(cloudletInfo('potsdam'));
    f.appInsts.update(appInst('face', 'berlin'));
    const d = (t = await startTestDme([f.address]));
    await d.dme.whenSynced(AbortSignal.timeout(5000));
    const reg = await grpcCall(d.grpc, d.grpc.registerClient, { ver: 1, dev_name: DEV, app_name: 'face', app_vers: '1.0', carrier_name: '' });
    const cookie = (reg as { reply: RegisterClientReply }).reply.session_cookie;
    expect(await findAt(d, cookie)).toMatchObject({ status: Find.FIND_FOUND, fqdn: 'face.c1.berlin.example' });

    await f.stop();
    await waitFor(() => !d.dme.status().connected, { timeoutMs: 5000 });
    expect(await metricValue(d.registry, 'cloudletd_dme_controller_connected')).toBe(0);
    await waitFor(async () => ((await metricValue(d.registry, 'cloudletd_dme_data_age_seconds')) ?? 0) > 0.05, { timeoutMs: 2000 });
    // Last data, unchanged.
    expect(await findAt(d, cookie)).toMatchObject({ status: Find.FIND_FOUND, fqdn: 'face.c1.berlin.example' });
    expect(d.dme.status()).toMatchObject({ connected: false, synced: false, appInsts: 1 });

    // While it is away: the Berlin instance is deleted, one in Potsdam appears, a new cloudlet goes offline.
    f.appInsts.delete(keyString.appInst(appInst('face', 'berlin').key));
    f.appInsts.update(appInst('face', 'potsdam'));
    f.cloudletInfos.update(cloudletInfo('berlin', CloudletState.CLOUDLET_STATE_OFFLINE));
    await f.restart();
    await d.dme.whenSynced(AbortSignal.timeout(5000));
    expect(await findAt(d, cookie)).toMatchObject({ status: Find.FIND_FOUND, fqdn: 'face.c1.potsdam.example' });
    expect(d.dme.status()).toMatchObject({ connected: true, synced: true, appInsts: 1 });
    expect(await metricValue(d.registry, 'cloudletd_dme_controller_connected')).toBe(1);
    expect(await metricValue(d.registry, 'cloudletd_dme_data_age_seconds')).toBe(0);
    expect(await metricValue(d.registry, 'cloudletd_dme_indexed_app_insts')).toBe(1);

    // Live changes: the Potsdam cloudlet goes offline, so nothing is left.
    f.cloudletInfos.update(cloudletInfo('potsdam', CloudletState.CLOUDLET_STATE_OFFLINE));
    await waitFor(async () => (await findAt(d, cookie)).status === Find.FIND_NOTFOUND, { timeoutMs: 5000 });
  });

  it('a restart keeps cookies valid when the session key lives in a file', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cloudletd-dme-'));
    try {
      const f = (feed = await startFeed());
      f.apps.update(app('face'));
      const sessionKeyFile = join(dir, 'session.pem');
      const first = await startTestDme([f.address], { sessionKeyFile });
      await first.dme.whenSynced(AbortSignal.timeout(5000));
      const reg = await grpcCall(first.grpc, first.grpc.registerClient, { ver: 1, dev_name: DEV, app_name: 'face', app_vers: '1.0', carrier_name: '' });
      const cookie = (reg as { reply: RegisterClientReply }).reply.session_cookie;
      await first.close();
      await first.close(); // idempotent
      const d = (t = await startTestDme([f.address], { sessionKeyFile }));
      await d.dme.whenSynced(AbortSignal.timeout(5000));
      expect(await findAt(d, cookie)).toMatchObject({ status: Find.FIND_NOTFOUND });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
