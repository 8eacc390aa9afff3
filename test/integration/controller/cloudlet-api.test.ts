import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cloudlet, CloudletInfo } from '../../../src/gen/edgeproto/cloudlet.js';
import { IpSupport } from '../../../src/gen/edgeproto/common.js';
import { Operator } from '../../../src/gen/edgeproto/operator.js';
import { CloudletRefs } from '../../../src/gen/edgeproto/refs.js';
import { catalogClients, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { cloudletClients, type CloudletClients } from '../../helpers/cloudlet-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { appInst, cloudlet, cloudletInfo, cloudletKey, clusterInst } from '../../helpers/edgeproto-fixtures.js';

let ctl: TestController;
let api: CloudletClients;
let catalog: CatalogClients;
beforeEach(async () => {
  ctl = await startTestController();
  api = cloudletClients(ctl.apiAddress);
  catalog = catalogClients(ctl.apiAddress);
  await call(catalog.operators.createOperator.bind(catalog.operators), Operator.fromPartial({ key: { name: 'TDG' } }));
});
afterEach(async () => {
  api.close();
  catalog.close();
  await ctl.close();
});

const create = (c: Cloudlet) => collect(api.cloudlets.createCloudlet(c));
const remove = (c: Cloudlet) => collect(api.cloudlets.deleteCloudlet(c));
const update = (c: Cloudlet) => collect(api.cloudlets.updateCloudlet(c));
const show = (c: Partial<Cloudlet> = {}) => collect(api.cloudlets.showCloudlet(Cloudlet.fromPartial(c)));

describe('CloudletApi', () => {
  it('creates (one final Result), shows, updates listed fields only, and deletes', async () => {
    const berlin = { ...cloudlet('berlin-1'), ip_support: IpSupport.IP_SUPPORT_DYNAMIC, num_dynamic_ips: 10 };
    const results = await create(berlin);
    expect(results).toEqual([{ message: 'Created cloudlet berlin-1 of operator TDG' }]);
    expect(await show()).toEqual([berlin]);
    await update(Cloudlet.fromPartial({ key: cloudletKey('berlin-1'), fields: ['5.1', '8'], location: { latitude: -33.9, longitude: 99 }, num_dynamic_ips: 3, access_uri: 'ignored' }));
    const [shown] = await show({ key: cloudletKey('berlin-1') });
    expect(shown?.location?.latitude).toBe(-33.9);
    expect(shown?.location?.longitude).toBe(13.4);
    expect(shown?.num_dynamic_ips).toBe(3);
    expect(shown?.access_uri).toBe('berlin-1.example');
    expect(shown?.fields).toEqual([]);
    expect(await remove(berlin)).toEqual([{ message: 'Deleted cloudlet berlin-1 of operator TDG' }]);
    expect(await show()).toEqual([]);
  });

  it('filters Show by the fields set in the request', async () => {
    await create(cloudlet('berlin-1'));
    await create({ ...cloudlet('hamburg-1'), ip_support: IpSupport.IP_SUPPORT_STATIC, static_ips: '10.0.0.1,10.0.0.2' });
    expect((await show({ ip_support: IpSupport.IP_SUPPORT_STATIC })).map((c) => c.key?.name)).toEqual(['hamburg-1']);
    expect((await show({ key: { operator_key: { name: 'TDG' }, name: '' } })).length).toBe(2);
  });

  it('refuses a missing operator, a duplicate, and missing deletes/updates', async () => {
    expect(await failure(create({ ...cloudlet('x'), key: { operator_key: { name: 'Nobody' }, name: 'x' } })))
      .toMatchObject({ code: 'NOT_FOUND', details: 'operator Nobody not found' });
    await create(cloudlet('berlin-1'));
    expect(await failure(create(cloudlet('berlin-1')))).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(await failure(remove(cloudlet('nope')))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(update(Cloudlet.fromPartial({ key: cloudletKey('nope'), fields: ['3'] })))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates names, location, ip support, dynamic IPs and static IPs, naming the field', async () => {
    const base = cloudlet('berlin-1');
    const cases: [Cloudlet, RegExp][] = [
      [{ ...base, key: cloudletKey('') }, /invalid key\.name: must not be empty/],
      [{ ...base, key: cloudletKey('bad/name') }, /invalid key\.name/],
      [{ ...base, key: { operator_key: { name: '' }, name: 'x' } }, /invalid key\.operator_key\.name/],
      [{ ...base, location: { latitude: 90.5, longitude: 0 } as Cloudlet['location'] }, /invalid location\.latitude: 90\.5 is outside -90\.\.90/],
      [{ ...base, location: { latitude: 0, longitude: -181 } as Cloudlet['location'] }, /invalid location\.longitude/],
      [{ ...base, ip_support: 7 as IpSupport }, /invalid ip_support: unknown value 7/],
      [{ ...base, num_dynamic_ips: -1 }, /invalid num_dynamic_ips/],
      [{ ...base, static_ips: '10.0.0.1, 10.0.0.300' }, /invalid static_ips: "10\.0\.0\.300"/],
      [{ ...base, static_ips: '10.0.0.0/33' }, /invalid static_ips/],
    ];
    for (const [request, details] of cases) {
      expect(await failure(create(request)), details.source).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(details) as string });
    }
    await create({ ...base, static_ips: '10.0.0.1 10.0.0.2,192.168.0.0/28,::1' });
    expect(await failure(update(Cloudlet.fromPartial({ key: cloudletKey('berlin-1'), fields: ['5.2'], location: { longitude: 200 } }))))
      .toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/location\.longitude/) as string });
    expect(await show()).toHaveLength(1);
  });

  it('refuses to delete a cloudlet with ClusterInsts or AppInsts, naming them', async () => {
    await create(cloudlet('berlin-1'));
    await putStored(ctl, ctl.controller.kinds.clusterInst, clusterInst('big', 'berlin-1'));
    expect(await failure(remove(cloudlet('berlin-1')))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      details: 'cloudlet berlin-1 of operator TDG in use by cluster instance big of Acme',
    });
    await ctl.controller.objects.write((tx) => tx.delete(ctl.controller.kinds.clusterInst, ctl.controller.kinds.clusterInst.keyOf(clusterInst('big', 'berlin-1'))));
    await putStored(ctl, ctl.controller.kinds.appInst, appInst('Face', 'big', 'berlin-1'));
    expect(await failure(remove(cloudlet('berlin-1')))).toMatchObject({ code: 'FAILED_PRECONDITION', details: expect.stringMatching(/app instance Face/) as string });
    expect(await show()).toHaveLength(1);
  });

  it('removes the CloudletInfo and CloudletRefs with the cloudlet, and only those of that cloudlet', async () => {
    const { kinds, objects } = ctl.controller;
    await create(cloudlet('berlin-1'));
    await create(cloudlet('hamburg-1'));
    await call(api.cloudletInfos.injectCloudletInfo.bind(api.cloudletInfos), cloudletInfo('berlin-1'));
    await call(api.cloudletInfos.injectCloudletInfo.bind(api.cloudletInfos), cloudletInfo('hamburg-1'));
    await putStored(ctl, kinds.cloudletRefs, CloudletRefs.fromPartial({ key: cloudletKey('berlin-1') }), CloudletRefs.fromPartial({ key: cloudletKey('hamburg-1') }));
    await remove(cloudlet('berlin-1'));
    expect(objects.cache(kinds.cloudletInfo).values().map((i) => i.key?.name)).toEqual(['hamburg-1']);
    expect(objects.cache(kinds.cloudletRefs).values().map((r) => r.key?.name)).toEqual(['hamburg-1']);
    expect((await collect(api.cloudletInfos.showCloudletInfo(CloudletInfo.fromPartial({})))).map((i) => i.key?.name)).toEqual(['hamburg-1']);
  });
});
