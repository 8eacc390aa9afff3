import { afterEach, describe, expect, it } from 'vitest';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { startRealCrm, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('CRM restart adoption', () => {
  let env: InstEnv | undefined;
  const crms: RealCrm[] = [];

  afterEach(async () => {
    for (const c of crms.splice(0)) await c.remove();
    await env?.close();
  });

  it('adopts what the platform holds after a restart: READY stays READY, no second create', async () => {
    env = await startInstEnv({ crm: false });
    const first = await startRealCrm(env.ctl.notifyAddress, 'edge1');
    await first.crm.whenReady(AbortSignal.timeout(5000));
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    for (const app of ['face', 'game']) expect((await env.createAi(aiRequest(app, 'c1'))).error).toBeUndefined();
    const before = first.platform.instances().map((i) => [i.key, i.runtime?.containerIds.join(), i.createSeq]);
    await first.stop();

    const second = await startRealCrm(env.ctl.notifyAddress, 'edge1', { dataDir: first.dataDir });
    crms.push(second);
    await second.crm.whenReady(AbortSignal.timeout(5000));
    await waitFor(() => second.crm.status().synced, { timeoutMs: 5000 });
    await waitFor(() => second.crm.status().queueDepth === 0, { timeoutMs: 5000 });
    expect(second.platform.callCount('createClusterInst')).toBe(0);
    expect(second.platform.callCount('createAppInst')).toBe(0);
    expect(second.platform.instances().map((i) => [i.key, i.runtime?.containerIds.join(), i.createSeq])).toEqual(before);
    const { kinds, objects } = env.ctl.controller;
    for (const app of ['face', 'game']) {
      expect(objects.cache(kinds.appInst).get(keyString.appInst(aiRequest(app, 'c1').key))?.state).toBe(TrackedState.READY);
    }
    crms.push(first);
  });

  it('a new CRM with nothing local rebuilds its cloudlet, even though the ClusterInsts arrive before the Flavors', async () => {
    env = await startInstEnv({ crm: false });
    const first = await startRealCrm(env.ctl.notifyAddress, 'edge1');
    crms.push(first);
    await first.crm.whenReady(AbortSignal.timeout(5000));
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    expect((await env.createAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    await first.remove(); // the host is replaced: no local store, no platform state

    const fresh = await startRealCrm(env.ctl.notifyAddress, 'edge1');
    crms.push(fresh);
    await waitFor(() => fresh.platform.instances().filter((i) => i.status === 'ready').length === 2, { timeoutMs: 10_000, message: 'rebuilt' });
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.clusterInst).get(keyString.clusterInst(ciRequest('c1').key))?.state).toBe(TrackedState.READY);
    expect(objects.cache(kinds.appInst).get(keyString.appInst(aiRequest('face', 'c1').key))?.state).toBe(TrackedState.READY);
    await waitFor(() => fresh.crm.status().queueDepth === 0, { timeoutMs: 5000 });
    expect(fresh.crm.status().cloudletState).toBe('CLOUDLET_STATE_READY');
  });
});
