import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AppInstInfo, AppInstMetrics } from '../../../src/gen/edgeproto/app_inst.js';
import { CloudletMetrics } from '../../../src/gen/edgeproto/cloudlet.js';
import { ClusterInstInfo } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { Controller } from '../../../src/gen/edgeproto/controller.js';
import { CloudletRefs, ClusterRefs } from '../../../src/gen/edgeproto/refs.js';
import { putStored } from '../../helpers/catalog-clients.js';
import { cloudletClients, type CloudletClients } from '../../helpers/cloudlet-clients.js';
import { collect, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { appInst, cloudletKey, clusterInst } from '../../helpers/edgeproto-fixtures.js';

let ctl: TestController | undefined;
let api: CloudletClients | undefined;
afterEach(async () => {
  api?.close();
  await ctl?.close();
  ctl = undefined;
});

async function start(options: Parameters<typeof startTestController>[0] = {}): Promise<{ ctl: TestController; api: CloudletClients }> {
  ctl = await startTestController(options);
  api = cloudletClients(ctl.apiAddress);
  return { ctl, api };
}

describe('show-only APIs', () => {
  it('ShowController lists this controller by its bound API address, plus others in the store', async () => {
    const { ctl, api } = await start();
    expect(await collect(api.controllers.showController(Controller.fromPartial({})))).toEqual([
      { fields: [], key: { addr: ctl.apiAddress } },
    ]);
    await putStored(ctl, ctl.controller.kinds.controller, Controller.fromPartial({ key: { addr: '10.0.0.2:55001' } }));
    expect((await collect(api.controllers.showController(Controller.fromPartial({})))).map((c) => c.key?.addr).sort()).toEqual([ctl.apiAddress, '10.0.0.2:55001'].sort());
    expect(await collect(api.controllers.showController(Controller.fromPartial({ key: { addr: '10.0.0.2:55001' } })))).toHaveLength(1);
  });

  it('removes its Controller object on close (a restarted controller lists only itself)', async () => {
    const first = await start({ store: 'lmdb', keepDataDir: true });
    const { dataDir } = first.ctl;
    try {
      first.api.close();
      await first.ctl.close();
      ctl = undefined;
      const second = await start({ store: 'lmdb', dataDir });
      expect(await collect(second.api.controllers.showController(Controller.fromPartial({})))).toEqual([{ fields: [], key: { addr: second.ctl.apiAddress } }]);
    } finally {
      await ctl?.close();
      ctl = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ShowCloudletRefs and ShowClusterRefs stream the stored refs, filtered', async () => {
    const { ctl, api } = await start();
    const { kinds } = ctl.controller;
    const berlinRefs = CloudletRefs.fromPartial({ key: cloudletKey('berlin-1'), clusters: [{ name: 'big' }], used_ram: 4096n, used_vcores: 2n, root_lb_ports: { 10000: 1 } });
    await putStored(ctl, kinds.cloudletRefs, berlinRefs, CloudletRefs.fromPartial({ key: cloudletKey('hamburg-1') }));
    const bigRefs = ClusterRefs.fromPartial({ key: clusterInst('big', 'berlin-1').key, apps: [{ developer_key: { name: 'Acme' }, name: 'Face', version: '1.0' }], used_ram: 1024n });
    await putStored(ctl, kinds.clusterRefs, bigRefs);
    expect(await collect(api.cloudletRefs.showCloudletRefs(CloudletRefs.fromPartial({})))).toHaveLength(2);
    expect(await collect(api.cloudletRefs.showCloudletRefs(CloudletRefs.fromPartial({ used_ram: 4096n })))).toEqual([berlinRefs]);
    expect(await collect(api.clusterRefs.showClusterRefs(ClusterRefs.fromPartial({})))).toEqual([bigRefs]);
  });

  it('ShowClusterInstInfo and ShowAppInstInfo derive infos from the stored instances', async () => {
    const { ctl, api } = await start();
    const { kinds } = ctl.controller;
    const failed = { ...clusterInst('small', 'berlin-1'), state: TrackedState.CREATE_ERROR, errors: ['no capacity'] };
    await putStored(ctl, kinds.clusterInst, clusterInst('big', 'berlin-1'), failed);
    const face = appInst('Face', 'big', 'berlin-1');
    await putStored(ctl, kinds.appInst, face);
    const infos = await collect(api.clusterInstInfos.showClusterInstInfo(ClusterInstInfo.fromPartial({ state: TrackedState.CREATE_ERROR })));
    expect(infos).toEqual([ClusterInstInfo.fromPartial({ key: failed.key, state: TrackedState.CREATE_ERROR, errors: ['no capacity'] })]);
    expect(await collect(api.clusterInstInfos.showClusterInstInfo(ClusterInstInfo.fromPartial({})))).toHaveLength(2);
    expect(await collect(api.appInstInfos.showAppInstInfo(AppInstInfo.fromPartial({})))).toEqual([
      AppInstInfo.fromPartial({ key: face.key, state: TrackedState.READY, runtime_info: face.runtime_info }),
    ]);
  });

  it('ShowAppInstMetrics and ShowCloudletMetrics stream nothing', async () => {
    const { api } = await start();
    expect(await collect(api.appInstMetrics.showAppInstMetrics(AppInstMetrics.fromPartial({})))).toEqual([]);
    expect(await collect(api.cloudletMetrics.showCloudletMetrics(CloudletMetrics.fromPartial({})))).toEqual([]);
  });
});
