import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, DeleteType, ImageType } from '../../../src/gen/edgeproto/app.js';
import { Developer } from '../../../src/gen/edgeproto/developer.js';
import { catalogClients, deleteStored, dockerApp, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { appInst, flavor } from '../../helpers/edgeproto-fixtures.js';

async function seed(clients: CatalogClients): Promise<void> {
  await call(clients.developers.createDeveloper.bind(clients.developers), Developer.fromPartial({ key: { name: 'AcmeX' } }));
  await call(clients.developers.createDeveloper.bind(clients.developers), Developer.fromPartial({ key: { name: 'Niantic' } }));
  await call(clients.flavors.createFlavor.bind(clients.flavors), flavor('x1.small'));
  await call(clients.flavors.createFlavor.bind(clients.flavors), flavor('x1.large', 8192n));
}

let ctl: TestController;
let c: CatalogClients;
beforeEach(async () => {
  ctl = await startTestController();
  c = catalogClients(ctl.apiAddress);
  await seed(c);
});
afterEach(async () => {
  c.close();
  await ctl.close();
});

const face = dockerApp('AcmeX', 'Face', '1.0');
const vm = App.fromPartial({
  key: { developer_key: { name: 'Niantic' }, name: 'Go Server', version: '' },
  image_type: ImageType.IMAGE_TYPE_QCOW,
  image_path: 'https://images.example.com/go.qcow2',
  default_flavor: { name: 'x1.large' },
  del_opt: DeleteType.AUTO_DELETE,
});
const show = (req = App.fromPartial({})): Promise<App[]> => collect(c.apps.showApp(req));
const create = (app: App): Promise<unknown> => call(c.apps.createApp.bind(c.apps), app);
const update = (app: App): Promise<unknown> => call(c.apps.updateApp.bind(c.apps), app);
const remove = (app: App): Promise<unknown> => call(c.apps.deleteApp.bind(c.apps), app);

describe('AppApi', () => {
  it('creates with the defaulted deployment, shows, deletes; fields are never stored', async () => {
    await create({ ...face, fields: ['7'] });
    await create(vm);
    expect(await show(App.fromPartial({ key: face.key }))).toEqual([{ ...face, deployment: 'kubernetes' }]);
    expect(await show(App.fromPartial({ deployment: 'kvm' }))).toEqual([{ ...vm, deployment: 'kvm' }]);
    expect(await show(App.fromPartial({ key: { developer_key: { name: 'AcmeX' } } }))).toHaveLength(1);
    expect(await show(App.fromPartial({ image_type: ImageType.IMAGE_TYPE_DOCKER, access_ports: 'tcp:8008,http:443' }))).toHaveLength(1);
    await remove(face);
    expect((await show()).map((a) => a.key?.name)).toEqual(['Go Server']);
  });

  it('updates only the listed fields, then validates the result and its references', async () => {
    await create(face);
    await update(App.fromPartial({
      ...face, fields: ['7', '13'], access_ports: 'udp:10002', command: 'serve --fast', image_path: 'ignored', default_flavor: { name: 'ignored' },
    }));
    const [shown] = await show(App.fromPartial({ key: face.key }));
    expect(shown).toEqual({ ...face, deployment: 'kubernetes', access_ports: 'udp:10002', command: 'serve --fast' });

    expect(await failure(update({ ...face, fields: ['7'], access_ports: 'tcp:70000' }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/access_ports.*"tcp:70000"/) });
    expect(await failure(update({ ...face, fields: ['9'], default_flavor: { name: 'x9.huge' } }))).toEqual({ code: 'NOT_FOUND', details: 'flavor x9.huge not found' });
    expect(await failure(update({ ...face, fields: ['5'], image_type: ImageType.IMAGE_TYPE_QCOW }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^invalid image_type: deployment kubernetes needs IMAGE_TYPE_DOCKER/) });
    expect(await show(App.fromPartial({ key: face.key }))).toEqual([shown]);

    // Changing the image type together with the deployment (emptied: defaulted again) is fine.
    await update({ ...face, fields: ['4', '5', '15'], image_type: ImageType.IMAGE_TYPE_QCOW, image_path: 'https://images.example.com/face.qcow2', deployment: '' });
    expect((await show(App.fromPartial({ key: face.key })))[0]).toMatchObject({ deployment: 'kvm', image_type: ImageType.IMAGE_TYPE_QCOW });
  });

  it('refuses a duplicate create and a missing delete or update', async () => {
    await create(face);
    expect(await failure(create(face))).toEqual({ code: 'ALREADY_EXISTS', details: 'app Face 1.0 of developer AcmeX already exists' });
    const other = { ...face, key: { ...face.key!, version: '2.0' }, fields: ['13'] };
    expect(await failure(remove(other))).toEqual({ code: 'NOT_FOUND', details: 'app Face 2.0 of developer AcmeX not found' });
    expect(await failure(update(other))).toEqual({ code: 'NOT_FOUND', details: 'app Face 2.0 of developer AcmeX not found' });
    await create(other);
    expect(await show()).toHaveLength(2);
  });

  it('needs an existing developer and default flavor', async () => {
    expect(await failure(create(dockerApp('Ghost', 'Face')))).toEqual({ code: 'NOT_FOUND', details: 'developer Ghost not found' });
    expect(await failure(create(dockerApp('AcmeX', 'Face', '1.0', 'x9.huge')))).toEqual({ code: 'NOT_FOUND', details: 'flavor x9.huge not found' });
    expect(await failure(create({ ...face, default_flavor: undefined }))).toEqual({ code: 'INVALID_ARGUMENT', details: 'invalid default_flavor: must name a flavor' });
    expect(await show()).toEqual([]);
  });

  it('keeps its developer and flavor, and refuses deletion while an app instance exists', async () => {
    await create(face);
    expect(await failure(call(c.flavors.deleteFlavor.bind(c.flavors), flavor('x1.small')))).toMatchObject({ code: 'FAILED_PRECONDITION', details: 'flavor x1.small in use by app Face' });
    const inst = appInst('Face', 'big', 'berlin-1');
    const ai = { ...inst, key: { ...inst.key!, app_key: face.key } };
    await putStored(ctl, ctl.controller.kinds.appInst, ai);
    expect(await failure(remove(face))).toEqual({ code: 'FAILED_PRECONDITION', details: 'app Face 1.0 of developer AcmeX in use by app instance on cluster big at cloudlet berlin-1' });
    await deleteStored(ctl, ctl.controller.kinds.appInst, ai);
    await remove(face);
    await call(c.developers.deleteDeveloper.bind(c.developers), Developer.fromPartial({ key: { name: 'AcmeX' } }));
    await call(c.flavors.deleteFlavor.bind(c.flavors), flavor('x1.small'));
  });

  it('keeps apps, with their defaulted deployment, across a restart of a persistent controller', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-app-'));
    try {
      const first = await startTestController({ store: 'lmdb', dataDir });
      const fc = catalogClients(first.apiAddress);
      await seed(fc);
      await call(fc.apps.createApp.bind(fc.apps), face);
      await call(fc.apps.createApp.bind(fc.apps), vm);
      fc.close();
      await first.close();
      const second = await startTestController({ store: 'lmdb', dataDir });
      const sc = catalogClients(second.apiAddress);
      const apps = await collect(sc.apps.showApp(App.fromPartial({})));
      expect(apps.map((a) => [a.key?.name, a.deployment]).sort()).toEqual([['Face', 'kubernetes'], ['Go Server', 'kvm']]);
      sc.close();
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
