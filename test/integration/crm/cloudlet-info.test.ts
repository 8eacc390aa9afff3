// The CloudletInfo the CRM reports: from the platform at start, refreshed on its schedule, ERRORS while the
// platform cannot be reached (never a delete), READY again when it comes back.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/cli/api-client.js';
import { Cloudlet, CloudletApiService, CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { keyString } from '../../../src/wire/object-key.js';
import { mutatingCalls, startRealCrm, waitCloudletInfo } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, cloudletKeyOf, startInstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('CRM CloudletInfo', () => {
  it('reports the platform limits and flavors, follows changes on the refresh schedule, and shows platform errors', async () => {
    const env = await startInstEnv({ crm: false });
    cleanups.push(() => env.close());
    const crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', {
      settings: { flavors: [{ name: 'm4.small', vcpus: 2, ram: 4096, disk: 40 }], limits: { ram: 64000, vcores: 32, disk: 2000 } },
      config: { schedules: { refreshInfo: '* * * * * *', drift: '0 0 1 1 *', runtime: '0 0 1 1 *' } },
    });
    cleanups.push(() => crm.remove());
    await waitCloudletInfo(env);
    const { kinds, objects } = env.ctl.controller;
    const info = () => objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(cloudletKeyOf('edge1')));
    expect(info()).toMatchObject({ os_max_ram: 64000n, os_max_vcores: 32n, os_max_vol_gb: 2000n, errors: [] });
    expect(info()?.flavors).toEqual([{ name: 'm4.small', vcpus: 2n, ram: 4096n, disk: 40n }]);
    expect(info()?.controller).not.toBe('');

    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    expect((await env.createAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    crm.platform.resetCalls();

    crm.platform.setResources({ limits: { ramMb: 128000 } });
    await waitFor(() => info()?.os_max_ram === 128000n, { timeoutMs: 5000, message: 'refreshed limits' });

    crm.platform.script('gatherResources', { fail: { message: 'endpoint unreachable', code: 'UNAVAILABLE' } });
    await waitFor(() => info()?.state === CloudletState.CLOUDLET_STATE_ERRORS, { timeoutMs: 5000, message: 'ERRORS' });
    expect(info()?.errors.join()).toContain('endpoint unreachable');
    crm.platform.script('gatherResources', undefined);
    await waitFor(() => info()?.state === CloudletState.CLOUDLET_STATE_READY && info()?.errors.length === 0, { timeoutMs: 5000, message: 'READY again' });
    expect(mutatingCalls(crm.platform)).toEqual([]);
    expect(crm.platform.instances()).toHaveLength(2);
  });

  it('keeps trying a platform that cannot start: ERRORS with the reason, then READY and working', async () => {
    const env = await startInstEnv({ crm: false });
    cleanups.push(() => env.close());
    const crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', {
      beforeStart: (platform) => platform.script('init', { fail: { message: 'credentials rejected', code: 'UNAVAILABLE' } }),
    });
    cleanups.push(() => crm.remove());
    await waitCloudletInfo(env, 'edge1', CloudletState.CLOUDLET_STATE_ERRORS);
    const { kinds, objects } = env.ctl.controller;
    const info = () => objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(cloudletKeyOf('edge1')));
    expect(info()?.errors.join()).toContain('credentials rejected');
    crm.platform.script('init', undefined);
    await waitCloudletInfo(env, 'edge1', CloudletState.CLOUDLET_STATE_READY, 10_000);
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
  });

  it('reports its CloudletInfo again when its Cloudlet is deleted and created again while it runs', async () => {
    const env = await startInstEnv({ crm: false });
    cleanups.push(() => env.close());
    const crm = await startRealCrm(env.ctl.notifyAddress, 'edge2');
    cleanups.push(() => crm.remove());
    await waitCloudletInfo(env, 'edge2');
    const api = new ApiClient(env.ctl.apiAddress);
    cleanups.push(async () => api.close());
    const { kinds, objects } = env.ctl.controller;
    const key = keyString.cloudlet(cloudletKeyOf('edge2'));
    const cloudlet = objects.cache(kinds.cloudlet).get(key);
    if (!cloudlet) throw new Error('fixture cloudlet edge2 missing');

    await api.stream(CloudletApiService.deleteCloudlet, Cloudlet.fromPartial({ key: cloudlet.key }), { timeoutMs: 5000 });
    expect(objects.cache(kinds.cloudletInfo).get(key)).toBeUndefined();
    await api.stream(CloudletApiService.createCloudlet, cloudlet, { timeoutMs: 5000 });
    await waitCloudletInfo(env, 'edge2', CloudletState.CLOUDLET_STATE_READY, 5000);
    expect(mutatingCalls(crm.platform)).toEqual([]);
  });
});
