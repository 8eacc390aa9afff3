import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../../src/gen/edgeproto/cluster.js';
import { catalogClients, deleteStored, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';

let ctl: TestController;
let c: CatalogClients;
beforeEach(async () => {
  ctl = await startTestController();
  c = catalogClients(ctl.apiAddress);
  await call(c.flavors.createFlavor.bind(c.flavors), flavor('x1.small'));
  await call(c.flavors.createFlavor.bind(c.flavors), flavor('x1.large', 8192n));
});
afterEach(async () => {
  c.close();
  await ctl.close();
});

const big = Cluster.fromPartial({ key: { name: 'big-cluster' }, default_flavor: { name: 'x1.small' } });
const show = (req = Cluster.fromPartial({})): Promise<Cluster[]> => collect(c.clusters.showCluster(req));
const create = (cluster: Cluster): Promise<unknown> => call(c.clusters.createCluster.bind(c.clusters), cluster);
const update = (cluster: Cluster): Promise<unknown> => call(c.clusters.updateCluster.bind(c.clusters), cluster);

describe('ClusterApi', () => {
  it('creates, shows, updates listed fields only, and deletes', async () => {
    await create({ ...big, fields: ['3'] });
    await create(Cluster.fromPartial({ key: { name: 'no.flavor' } }));
    expect(await show(Cluster.fromPartial({ key: { name: 'big-cluster' } }))).toEqual([big]);
    expect(await show(Cluster.fromPartial({ default_flavor: { name: 'x1.small' } }))).toEqual([big]);
    await update(Cluster.fromPartial({ key: { name: 'big-cluster' }, fields: ['3'], default_flavor: { name: 'x1.large' } }));
    expect(await show(Cluster.fromPartial({ key: { name: 'big-cluster' } }))).toEqual([{ ...big, default_flavor: { name: 'x1.large' } }]);
    await update(Cluster.fromPartial({ key: { name: 'big-cluster' }, fields: [], default_flavor: { name: 'x1.small' } }));
    expect((await show(Cluster.fromPartial({ key: { name: 'big-cluster' } })))[0]?.default_flavor?.name).toBe('x1.large');
    await call(c.clusters.deleteCluster.bind(c.clusters), big);
    expect((await show()).map((x) => x.key?.name)).toEqual(['no.flavor']);
  });

  it('checks the default flavor on create and update, and keeps a flavor in use', async () => {
    expect(await failure(create({ ...big, default_flavor: { name: 'x9.huge' } }))).toEqual({ code: 'NOT_FOUND', details: 'flavor x9.huge not found' });
    await create(big);
    expect(await failure(update(Cluster.fromPartial({ key: { name: 'big-cluster' }, fields: ['3'], default_flavor: { name: 'x9.huge' } }))))
      .toEqual({ code: 'NOT_FOUND', details: 'flavor x9.huge not found' });
    expect(await failure(call(c.flavors.deleteFlavor.bind(c.flavors), flavor('x1.small'))))
      .toEqual({ code: 'FAILED_PRECONDITION', details: 'flavor x1.small in use by cluster big-cluster' });
    expect(await show()).toEqual([big]);
  });

  it('reserves the autocluster prefix and the auto flag for the controller', async () => {
    expect(await failure(create(Cluster.fromPartial({ key: { name: 'autoclusterFace' } })))).toEqual({
      code: 'INVALID_ARGUMENT', details: 'invalid key.name: "autoclusterFace": the prefix autocluster is reserved for clusters the controller creates',
    });
    expect(await failure(create({ ...big, auto: true }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^invalid auto: /) });
    await create(Cluster.fromPartial({ key: { name: 'my-autocluster' } }));
    await create(big);
    expect(await failure(update({ ...big, auto: true, fields: ['5'] }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^invalid auto: .*cannot be updated/) });
    await update({ ...big, auto: true, fields: ['3'] });
    expect((await show(Cluster.fromPartial({ key: { name: 'big-cluster' } })))[0]?.auto).toBe(false);
  });

  it('refuses names that are not Kubernetes-compatible, duplicates and missing keys', async () => {
    for (const name of ['my_cluster', 'my cluster', '-lead', 'a&b', '']) {
      expect(await failure(create(Cluster.fromPartial({ key: { name } })))).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^invalid key\.name: /) });
    }
    await create(big);
    expect(await failure(create(big))).toEqual({ code: 'ALREADY_EXISTS', details: 'cluster big-cluster already exists' });
    const missing = Cluster.fromPartial({ key: { name: 'gone' }, fields: ['3'] });
    expect(await failure(call(c.clusters.deleteCluster.bind(c.clusters), missing))).toEqual({ code: 'NOT_FOUND', details: 'cluster gone not found' });
    expect(await failure(update(missing))).toEqual({ code: 'NOT_FOUND', details: 'cluster gone not found' });
  });

  it('refuses to delete a cluster while a cluster instance of it exists', async () => {
    await create(big);
    const ci = clusterInst('big-cluster', 'berlin-1');
    await putStored(ctl, ctl.controller.kinds.clusterInst, ci);
    expect(await failure(call(c.clusters.deleteCluster.bind(c.clusters), big)))
      .toEqual({ code: 'FAILED_PRECONDITION', details: 'cluster big-cluster in use by cluster instance on cloudlet berlin-1 for developer Acme' });
    await deleteStored(ctl, ctl.controller.kinds.clusterInst, ci);
    await call(c.clusters.deleteCluster.bind(c.clusters), big);
    expect(await show()).toEqual([]);
  });
});
