import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { startRealCrm, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('CRM on the fake platform, through the real controller', () => {
  let env: InstEnv;
  let crm: RealCrm;

  beforeEach(async () => {
    env = await startInstEnv({ crm: false });
    crm = await startRealCrm(env.ctl.notifyAddress, 'edge1');
    await crm.crm.whenReady(AbortSignal.timeout(5000));
    const { kinds, objects } = env.ctl.controller;
    await waitFor(() => objects.cache(kinds.cloudletInfo).get(keyString.cloudlet(cloudletKeyOf('edge1')))?.state === CloudletState.CLOUDLET_STATE_READY, { timeoutMs: 5000 });
  });

  afterEach(async () => {
    await crm.remove();
    await env.close();
  });

  it('creates a ClusterInst and an AppInst to READY, then deletes both', async () => {
    const ci = await env.createCi(ciRequest('c1'));
    expect(ci.error).toBeUndefined();
    const ai = await env.createAi(aiRequest('face', 'c1'));
    expect(ai.error).toBeUndefined();
    const { kinds, objects } = env.ctl.controller;
    const aiKey = keyString.appInst(aiRequest('face', 'c1').key);
    expect(objects.cache(kinds.appInst).get(aiKey)?.state).toBe(TrackedState.READY);
    expect(objects.cache(kinds.appInst).get(aiKey)?.runtime_info?.container_ids.length).toBeGreaterThan(0);
    expect(crm.platform.instances().map((i) => i.kind).sort()).toEqual(['AppInst', 'ClusterInst']);

    expect((await env.deleteAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    expect((await env.deleteCi(ciRequest('c1'))).error).toBeUndefined();
    expect(crm.platform.instances()).toEqual([]);
    expect(objects.cache(kinds.appInst).size).toBe(0);
  });

  it('reports a platform failure as CREATE_ERROR with the reason', async () => {
    crm.platform.script('createClusterInst', { fail: 'no capacity in rack 3' });
    const ci = await env.createCi(ciRequest('c1'));
    expect(ci.error?.code).toBe('ABORTED');
    expect(ci.error?.details).toContain('no capacity in rack 3');
    const { kinds, objects } = env.ctl.controller;
    const stored = objects.cache(kinds.clusterInst).get(keyString.clusterInst(ciRequest('c1').key));
    expect(stored?.state).toBe(TrackedState.CREATE_ERROR);
    expect(stored?.errors.join()).toContain('Create failed: no capacity in rack 3');
  });
});
