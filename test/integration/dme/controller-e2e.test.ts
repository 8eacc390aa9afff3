import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FindCloudletReply_FindStatus as Find, type FindCloudletReply, type RegisterClientReply } from '../../../src/gen/dme/app-client.js';
import { NodeType } from '../../../src/gen/edgeproto/node.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, startRealCrm, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, DEVELOPER, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';
import { grpcCall, startTestDme, type TestDme } from './dme-harness.js';

/** The inst-env cloudlets are at (52.5, 13.4). */
const NEAR = { latitude: 52.51, longitude: 13.41 };

describe('DME against the real controller and a real CRM', () => {
  let env: InstEnv;
  let crm: RealCrm;
  let t: TestDme;
  let cookie: string;
  const leftDirs: string[] = [];

  beforeEach(async () => {
    env = await startInstEnv({ crm: false });
    crm = await startRealCrm(env.ctl.notifyAddress, 'edge1');
    await crm.crm.whenReady(AbortSignal.timeout(5000));
    t = await startTestDme([env.ctl.notifyAddress]);
    await t.dme.whenSynced(AbortSignal.timeout(5000));
    const reg = await grpcCall(t.grpc, t.grpc.registerClient, { ver: 1, dev_name: DEVELOPER, app_name: 'face', app_vers: '1.0', carrier_name: '' });
    if (!('reply' in reg)) throw new Error(reg.message);
    cookie = (reg.reply as RegisterClientReply).session_cookie;
  });

  afterEach(async () => {
    await t.close();
    await crm.remove();
    await env.close();
    for (const dir of leftDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function find(): Promise<FindCloudletReply> {
    const out = await grpcCall(t.grpc, t.grpc.findCloudlet, { ver: 1, session_cookie: cookie, carrier_name: '', gps_location: NEAR as never, dev_name: '', app_name: '', app_vers: '' });
    if (!('reply' in out)) throw new Error(out.message);
    return out.reply as FindCloudletReply;
  }

  async function createFace(): Promise<string> {
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    expect((await env.createAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    const { kinds, objects } = env.ctl.controller;
    const stored = objects.cache(kinds.appInst).get(keyString.appInst(aiRequest('face', 'c1').key));
    expect(stored?.state).toBe(TrackedState.READY);
    return stored?.uri ?? '';
  }

  it('registers its Node and finds the AppInst the controller created; a delete on the controller removes it', async () => {
    await waitFor(() => env.ctl.controller.nodes.values().some((n) => n.key?.node_type === NodeType.NODE_DME && n.key.name === 'dme-test'), { timeoutMs: 5000 });
    expect((await find()).status).toBe(Find.FIND_NOTFOUND);
    const uri = await createFace();
    expect(uri).not.toBe('');
    const found = await waitFor(async () => {
      const r = await find();
      return r.status === Find.FIND_FOUND ? r : undefined;
    }, { timeoutMs: 5000 });
    expect(found.fqdn).toBe(uri);
    expect(found.cloudlet_location).toMatchObject({ latitude: 52.5, longitude: 13.4 });
    expect(found.ports.length).toBeGreaterThan(0);

    expect((await env.deleteAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    await waitFor(async () => (await find()).status === Find.FIND_NOTFOUND, { timeoutMs: 5000 });
  });

  it('keeps answering from its last data when the controller stops (connected 0)', async () => {
    const uri = await createFace();
    await waitFor(async () => (await find()).status === Find.FIND_FOUND, { timeoutMs: 5000 });
    // The controller goes (its CRM stays: a CRM that stopped first would have its cloudlet marked OFFLINE).
    await env.ctl.close();
    await waitFor(() => !t.dme.status().connected, { timeoutMs: 5000 });
    expect(await metricValue(t.registry, 'cloudletd_dme_controller_connected')).toBe(0);
    const reply = await find();
    expect(reply).toMatchObject({ status: Find.FIND_FOUND, fqdn: uri });
    const rest = await t.rest('/v1/findcloudlet', { session_cookie: cookie, gps_location: NEAR });
    expect(rest).toMatchObject({ status: 200, json: { status: 'FIND_FOUND', fqdn: uri } });
  });

  it('hides the AppInst once its cloudlet goes offline (the CRM stops), and shows it again when it is back', async () => {
    await createFace();
    await waitFor(async () => (await find()).status === Find.FIND_FOUND, { timeoutMs: 5000 });
    await crm.stop();
    await waitFor(async () => (await find()).status === Find.FIND_NOTFOUND, { timeoutMs: 5000 });
    leftDirs.push(crm.dataDir);
    crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', { dataDir: crm.dataDir });
    await waitFor(async () => (await find()).status === Find.FIND_FOUND, { timeoutMs: 10_000 });
  });
});
