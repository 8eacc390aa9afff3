import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudletInfo, CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { Node, NodeType } from '../../../src/gen/edgeproto/node.js';
import { cloudletClients, startExecCrm, type CloudletClients, type ExecCrm } from '../../helpers/cloudlet-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { cloudletInfo, cloudletKey } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient } from '../../helpers/notify-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

let ctl: TestController | undefined;
let api: CloudletClients | undefined;
let crms: ExecCrm[] = [];
afterEach(async () => {
  await Promise.all(crms.map((c) => c.stop()));
  crms = [];
  api?.close();
  await ctl?.close();
  ctl = undefined;
});

async function start(options: Parameters<typeof startTestController>[0] = {}): Promise<{ ctl: TestController; api: CloudletClients }> {
  ctl = await startTestController(options);
  api = cloudletClients(ctl.apiAddress);
  return { ctl, api };
}

const showInfos = (a: CloudletClients, filter: Partial<CloudletInfo> = {}) => collect(a.cloudletInfos.showCloudletInfo(CloudletInfo.fromPartial(filter)));
const showNodes = (a: CloudletClients) => collect(a.nodes.showNode(Node.fromPartial({})));
const crmNode = (name: string) => Node.fromPartial({ key: { name: `crm-${name}`, node_type: NodeType.NODE_CRM, cloudlet_key: cloudletKey(name) } });

describe('CloudletInfo from CRMs', () => {
  it('stores each CloudletInfo with controller and notify_id set, fields empty; OFFLINE when the stream ends', async () => {
    const { ctl, api } = await start();
    const crm = startExecCrm(ctl.notifyAddress, [{ ...cloudletInfo('berlin-1'), controller: 'crm-lies', notify_id: 77n, fields: ['9'] }], () => undefined);
    crms.push(crm);
    const [stored] = await waitFor(async () => {
      const infos = await showInfos(api);
      return infos.length === 1 ? infos : undefined;
    });
    expect(stored).toMatchObject({ key: cloudletKey('berlin-1'), state: CloudletState.CLOUDLET_STATE_READY, controller: 'test@127.0.0.1', notify_id: 0n, fields: [] });
    expect(stored?.os_max_ram).toBe(65536n);
    // an UPDATE from the CRM replaces it
    crm.cloudletInfos.update({ ...cloudletInfo('berlin-1'), os_max_ram: 1n });
    await waitFor(async () => (await showInfos(api))[0]?.os_max_ram === 1n);
    await crm.stop();
    const [offline] = await waitFor(async () => {
      const infos = await showInfos(api, { state: CloudletState.CLOUDLET_STATE_OFFLINE });
      return infos.length === 1 ? infos : undefined;
    });
    expect(offline).toMatchObject({ os_max_ram: 1n, controller: 'test@127.0.0.1', notify_id: 0n });
  });

  it('a CloudletInfo DELETE marks it OFFLINE rather than deleting it', async () => {
    const { ctl, api } = await start();
    const crm = startExecCrm(ctl.notifyAddress, [cloudletInfo('berlin-1'), cloudletInfo('hamburg-1')], () => undefined);
    crms.push(crm);
    await waitFor(async () => (await showInfos(api)).length === 2);
    crm.cloudletInfos.delete(ctl.controller.kinds.cloudletInfo.keyOf(cloudletInfo('hamburg-1')));
    await waitFor(async () => (await showInfos(api, { state: CloudletState.CLOUDLET_STATE_OFFLINE })).map((i) => i.key?.name).join() === 'hamburg-1');
    expect((await showInfos(api, { state: CloudletState.CLOUDLET_STATE_READY })).map((i) => i.key?.name)).toEqual(['berlin-1']);
  });

  it('flush marks only the lost connection\'s infos OFFLINE', async () => {
    const { ctl, api } = await start();
    const a = startExecCrm(ctl.notifyAddress, [cloudletInfo('berlin-1')], () => undefined);
    const b = startExecCrm(ctl.notifyAddress, [cloudletInfo('hamburg-1')], () => undefined);
    crms.push(b);
    await waitFor(async () => (await showInfos(api)).length === 2);
    await a.stop();
    await waitFor(async () => (await showInfos(api, { state: CloudletState.CLOUDLET_STATE_OFFLINE })).map((i) => i.key?.name).join() === 'berlin-1');
    expect((await showInfos(api, { state: CloudletState.CLOUDLET_STATE_READY })).map((i) => i.key?.name)).toEqual(['hamburg-1']);
  });

  it('skips a CloudletInfo with an invalid key and counts it as invalid_object', async () => {
    const { ctl, api } = await start();
    const crm = startExecCrm(ctl.notifyAddress, [CloudletInfo.fromPartial({ key: { operator_key: { name: 'TDG' }, name: '' } }), cloudletInfo('berlin-1')], () => undefined);
    crms.push(crm);
    await waitFor(async () => (await showInfos(api)).length === 1);
    const metric = await ctl.controller.registry.getSingleMetric('cloudletd_notify_server_bad_input_total')?.get();
    expect(metric?.values.find((v) => v.labels.reason === 'invalid_object')?.value).toBe(1);
  });

  it('lists Nodes of connected CRMs and DMEs, and forgets them when they disconnect', async () => {
    const { ctl, api } = await start();
    const crm = startExecCrm(ctl.notifyAddress, [cloudletInfo('berlin-1')], () => undefined);
    crm.nodes.update(crmNode('berlin-1'));
    const dme = startTestClient([ctl.notifyAddress], { filter: false });
    dme.nodes.update(Node.fromPartial({ key: { name: 'dme-1', node_type: NodeType.NODE_DME } }));
    try {
      await waitFor(async () => (await showNodes(api)).length === 2);
      const local = await collect(api.nodes.showNodeLocal(Node.fromPartial({ key: { node_type: NodeType.NODE_CRM } })));
      expect(local.map((n) => n.key?.name)).toEqual(['crm-berlin-1']);
      await crm.stop();
      await waitFor(async () => (await showNodes(api)).map((n) => n.key?.name).join() === 'dme-1');
    } finally {
      await dme.stop();
    }
    await waitFor(async () => (await showNodes(api)).length === 0);
  });
});

describe('CloudletInfoApi', () => {
  it('injects (controller set), shows with a filter, evicts, and refuses evicting a missing one', async () => {
    const { api } = await start();
    await call(api.cloudletInfos.injectCloudletInfo.bind(api.cloudletInfos), { ...cloudletInfo('berlin-1'), controller: 'x', fields: ['3'] });
    await call(api.cloudletInfos.injectCloudletInfo.bind(api.cloudletInfos), cloudletInfo('hamburg-1', CloudletState.CLOUDLET_STATE_ERRORS));
    expect((await showInfos(api, { state: CloudletState.CLOUDLET_STATE_ERRORS })).map((i) => i.key?.name)).toEqual(['hamburg-1']);
    expect((await showInfos(api, { key: cloudletKey('berlin-1') }))[0]).toMatchObject({ controller: 'test@127.0.0.1', fields: [] });
    await call(api.cloudletInfos.evictCloudletInfo.bind(api.cloudletInfos), CloudletInfo.fromPartial({ key: cloudletKey('berlin-1') }));
    expect((await showInfos(api)).map((i) => i.key?.name)).toEqual(['hamburg-1']);
    expect(await failure(call(api.cloudletInfos.evictCloudletInfo.bind(api.cloudletInfos), CloudletInfo.fromPartial({ key: cloudletKey('berlin-1') }))))
      .toMatchObject({ code: 'NOT_FOUND', details: 'cloudlet info berlin-1 of operator TDG not found' });
    expect(await failure(call(api.cloudletInfos.injectCloudletInfo.bind(api.cloudletInfos), CloudletInfo.fromPartial({ key: cloudletKey('') }))))
      .toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/key\.name/) as string });
  });
});

describe('controller start', () => {
  it('marks the stored CloudletInfos OFFLINE (no CRM connected yet), also those written under another id', async () => {
    const first = await start({ store: 'lmdb', keepDataDir: true });
    const dataDir = first.ctl.dataDir;
    try {
      await call(first.api.cloudletInfos.injectCloudletInfo.bind(first.api.cloudletInfos), cloudletInfo('berlin-1'));
      const { kinds } = first.ctl.controller;
      await first.ctl.controller.objects.write((tx) => tx.put(kinds.cloudletInfo, { ...cloudletInfo('paris-1'), controller: 'other@10.0.0.9:55001' }));
      first.api.close();
      await first.ctl.close();
      ctl = undefined;
      const second = await start({ store: 'lmdb', dataDir });
      const infos = await showInfos(second.api);
      expect(infos.map((i) => [i.key?.name, i.state])).toEqual([
        ['berlin-1', CloudletState.CLOUDLET_STATE_OFFLINE],
        ['paris-1', CloudletState.CLOUDLET_STATE_OFFLINE],
      ]);
      expect(infos[0]?.os_max_ram).toBe(65536n);
      expect(infos.map((i) => i.controller)).toEqual(['test@127.0.0.1', 'other@10.0.0.9:55001']);
    } finally {
      await ctl?.close();
      ctl = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
