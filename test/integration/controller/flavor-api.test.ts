import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Flavor, FlavorApiClient } from '../../../src/gen/edgeproto/flavor.js';
import { call, collect, failure, insecure, startTestController, type TestController } from '../../helpers/controller-harness.js';

let ctl: TestController;
let flavors: FlavorApiClient;
beforeEach(async () => {
  ctl = await startTestController();
  flavors = new FlavorApiClient(ctl.apiAddress, insecure);
});
afterEach(async () => {
  flavors.close();
  await ctl.close();
});

const x1 = Flavor.fromPartial({ key: { name: 'x1.medium' }, ram: 4096n, vcpus: 2n, disk: 40n });

describe('FlavorApi', () => {
  it('creates, shows, updates listed fields only, and deletes', async () => {
    await call(flavors.createFlavor.bind(flavors), x1);
    expect(await collect(flavors.showFlavor(Flavor.fromPartial({})))).toEqual([x1]);
    await call(flavors.updateFlavor.bind(flavors), Flavor.fromPartial({ fields: ['3'], key: { name: 'x1.medium' }, ram: 18446744073709551615n, vcpus: 99n }));
    const [shown] = await collect(flavors.showFlavor(Flavor.fromPartial({ key: { name: 'x1.medium' } })));
    expect(shown?.ram).toBe(18446744073709551615n);
    expect(shown?.vcpus).toBe(2n);
    expect(shown?.fields).toEqual([]);
    await call(flavors.deleteFlavor.bind(flavors), x1);
    expect(await collect(flavors.showFlavor(Flavor.fromPartial({})))).toEqual([]);
  });

  it('refuses a duplicate create with ALREADY_EXISTS and a missing delete/update with NOT_FOUND', async () => {
    await call(flavors.createFlavor.bind(flavors), x1);
    expect(await failure(call(flavors.createFlavor.bind(flavors), x1))).toMatchObject({ code: 'ALREADY_EXISTS' });
    const missing = Flavor.fromPartial({ key: { name: 'nope' }, fields: ['3'], ram: 1n });
    expect(await failure(call(flavors.deleteFlavor.bind(flavors), missing))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(call(flavors.updateFlavor.bind(flavors), missing))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('filters Show by every field set in the request', async () => {
    await call(flavors.createFlavor.bind(flavors), x1);
    await call(flavors.createFlavor.bind(flavors), Flavor.fromPartial({ key: { name: 'x1.large' }, ram: 8192n, vcpus: 4n, disk: 40n }));
    expect((await collect(flavors.showFlavor(Flavor.fromPartial({ disk: 40n })))).length).toBe(2);
    expect((await collect(flavors.showFlavor(Flavor.fromPartial({ disk: 40n, vcpus: 4n })))).map((f) => f.key?.name)).toEqual(['x1.large']);
  });
});
