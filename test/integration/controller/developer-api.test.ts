import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Developer } from '../../../src/gen/edgeproto/developer.js';
import { catalogClients, deleteStored, dockerApp, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';

let ctl: TestController;
let c: CatalogClients;
beforeEach(async () => {
  ctl = await startTestController();
  c = catalogClients(ctl.apiAddress);
});
afterEach(async () => {
  c.close();
  await ctl.close();
});

const acme = Developer.fromPartial({ key: { name: 'AcmeX' }, username: 'acme', address: '1 Main St', email: 'ops@acmex.example' });
const show = (req = Developer.fromPartial({})): Promise<Developer[]> => collect(c.developers.showDeveloper(req));

describe('DeveloperApi', () => {
  it('creates, shows, updates listed fields only, and deletes', async () => {
    await call(c.developers.createDeveloper.bind(c.developers), { ...acme, fields: ['5'] });
    expect(await show()).toEqual([acme]);
    await call(c.developers.updateDeveloper.bind(c.developers), Developer.fromPartial({
      fields: ['6'], key: { name: 'AcmeX' }, email: 'new@acmex.example', address: 'ignored', username: 'ignored',
    }));
    expect(await show()).toEqual([{ ...acme, email: 'new@acmex.example' }]);
    await call(c.developers.updateDeveloper.bind(c.developers), Developer.fromPartial({ fields: ['5'], key: { name: 'AcmeX' } }));
    expect((await show())[0]?.address).toBe('');
    await call(c.developers.deleteDeveloper.bind(c.developers), acme);
    expect(await show()).toEqual([]);
  });

  it('filters Show by every non-empty field', async () => {
    await call(c.developers.createDeveloper.bind(c.developers), acme);
    await call(c.developers.createDeveloper.bind(c.developers), Developer.fromPartial({ key: { name: 'Niantic' }, email: 'ops@acmex.example' }));
    expect(await show(Developer.fromPartial({ email: 'ops@acmex.example' }))).toHaveLength(2);
    expect((await show(Developer.fromPartial({ email: 'ops@acmex.example', username: 'acme' }))).map((d) => d.key?.name)).toEqual(['AcmeX']);
    expect(await show(Developer.fromPartial({ key: { name: 'Nobody' } }))).toEqual([]);
  });

  it('refuses a duplicate create, a missing delete or update, and an invalid name', async () => {
    await call(c.developers.createDeveloper.bind(c.developers), acme);
    expect(await failure(call(c.developers.createDeveloper.bind(c.developers), acme))).toEqual({ code: 'ALREADY_EXISTS', details: 'developer AcmeX already exists' });
    const missing = Developer.fromPartial({ key: { name: 'Ghost' }, fields: ['6'] });
    expect(await failure(call(c.developers.deleteDeveloper.bind(c.developers), missing))).toMatchObject({ code: 'NOT_FOUND', details: 'developer Ghost not found' });
    expect(await failure(call(c.developers.updateDeveloper.bind(c.developers), missing))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(call(c.developers.createDeveloper.bind(c.developers), Developer.fromPartial({ key: { name: '_acme' } }))))
      .toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^invalid key\.name: "_acme" must match/) });
  });

  it('refuses to delete a developer while an app or a cluster instance belongs to it', async () => {
    await call(c.developers.createDeveloper.bind(c.developers), acme);
    await call(c.flavors.createFlavor.bind(c.flavors), flavor('x1.small'));
    const face = dockerApp('AcmeX', 'Face', '1.0');
    await call(c.apps.createApp.bind(c.apps), face);
    expect(await failure(call(c.developers.deleteDeveloper.bind(c.developers), acme)))
      .toEqual({ code: 'FAILED_PRECONDITION', details: 'developer AcmeX in use by app Face 1.0' });
    await call(c.apps.deleteApp.bind(c.apps), face);

    const ci = { ...clusterInst('big', 'berlin-1'), key: { ...clusterInst('big', 'berlin-1').key!, developer: 'AcmeX' } };
    await putStored(ctl, ctl.controller.kinds.clusterInst, ci);
    expect(await failure(call(c.developers.deleteDeveloper.bind(c.developers), acme)))
      .toEqual({ code: 'FAILED_PRECONDITION', details: 'developer AcmeX in use by cluster instance big on cloudlet berlin-1' });
    await deleteStored(ctl, ctl.controller.kinds.clusterInst, ci);
    await call(c.developers.deleteDeveloper.bind(c.developers), acme);
    expect(await show()).toEqual([]);
  });
});
