// The CRM without its controller: a cold start restores the workloads from the local store, and a lost
// controller never makes the CRM delete anything.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, mutatingCalls, startRealCrm, waitCloudletInfo, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function crmAt(address: string, options: Parameters<typeof startRealCrm>[2] = {}): Promise<RealCrm> {
  const crm = await startRealCrm(address, 'edge1', options);
  cleanups.push(() => crm.remove());
  return crm;
}

/** A controller and a real CRM with ClusterInst c1 and AppInsts face and game on it, all READY. */
async function withWorkloads(config: Parameters<typeof startRealCrm>[2] = {}): Promise<{ env: InstEnv; crm: RealCrm }> {
  const env = await startInstEnv({ crm: false });
  cleanups.push(() => env.close());
  const crm = await crmAt(env.ctl.notifyAddress, config);
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitCloudletInfo(env);
  expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
  for (const app of ['face', 'game']) expect((await env.createAi(aiRequest(app, 'c1'))).error).toBeUndefined();
  expect(crm.platform.instances().map((i) => `${i.kind} ${i.status}`)).toEqual(['ClusterInst ready', 'AppInst ready', 'AppInst ready']);
  return { env, crm };
}

const KEYS = [
  keyString.clusterInst(ciRequest('c1').key),
  keyString.appInst(aiRequest('face', 'c1').key),
  keyString.appInst(aiRequest('game', 'c1').key),
];

describe('CRM without its controller', () => {
  it('cold start on a wiped host: restores the workloads from the local store, then resyncs without work', async () => {
    const { env, crm: first } = await withWorkloads();
    await first.stop();
    // The host rebooted and lost its workloads; the controller cannot be reached.
    rmSync(join(first.dataDir, 'platform'), { recursive: true, force: true });
    const proxy = await startTcpProxy({ targetPort: env.ctl.controller.notifyPort });
    cleanups.push(() => proxy.close());
    proxy.refuse(true);

    const second = await crmAt(proxy.address, { dataDir: first.dataDir, config: { reconnect: { initialMs: 5, maxMs: 50 } } });
    await waitFor(() => second.platform.instances().filter((i) => i.status === 'ready').length === 3, { timeoutMs: 5000, message: 'workloads rebuilt' });
    expect(second.platform.instances().map((i) => i.key).sort()).toEqual([...KEYS].sort());
    expect(second.platform.instances().map((i) => i.createSeq).sort()).toEqual([1, 2, 3]); // a fresh platform
    expect(second.platform.callCount('createClusterInst')).toBe(1);
    expect(second.platform.callCount('createAppInst')).toBe(2);
    expect(second.crm.status().connected).toBe(false);
    expect(proxy.accepted).toBeGreaterThan(0);
    await waitFor(async () => (await metricValue(second.registry, 'cloudletd_crm_drift_repairs_total', { result: 'success' })) === 3);
    // The AppInst was rebuilt from the kept App (its image), not from anything the controller sent.
    expect(second.platform.instances().find((i) => i.key === KEYS[1])?.app?.image).toBe('registry.example.com/acme/face:1.0');
    const exec = await second.platform.features().exec!.run(
      { key: KEYS[1]!, appInst: aiRequest('face', 'c1'), command: 'echo back', containerId: '' },
      { signal: AbortSignal.timeout(1000), log: silentLogger(), progress: () => undefined },
    );
    expect(exec).toEqual({ output: 'back\n', exitCode: 0 });

    // The controller comes back: the resync changes nothing.
    second.platform.resetCalls();
    proxy.refuse(false);
    await waitFor(() => second.crm.status().synced, { timeoutMs: 5000, message: 'synced' });
    await waitCloudletInfo(env);
    await waitFor(() => second.crm.status().queueDepth === 0, { timeoutMs: 5000 });
    expect(mutatingCalls(second.platform)).toEqual([]);
    const { kinds, objects } = env.ctl.controller;
    for (const app of ['face', 'game']) expect(objects.cache(kinds.appInst).get(keyString.appInst(aiRequest(app, 'c1').key))?.state).toBe(TrackedState.READY);
  });

  it('a CRM that loses its controller deletes nothing, whatever its jobs find', async () => {
    const { env, crm } = await withWorkloads({
      config: { schedules: { refreshInfo: '* * * * * *', drift: '* * * * * *', runtime: '* * * * * *' }, orphanGraceMs: 50, reconnect: { initialMs: 5, maxMs: 50 } },
    });
    const before = crm.platform.instances();
    crm.platform.resetCalls();
    await env.close();
    await waitFor(() => !crm.crm.status().connected, { timeoutMs: 5000, message: 'disconnected' });

    // A long disconnect: every periodic job runs at least twice more, and drift is checked on demand too.
    const runs = async (job: string) => (await metricValue(crm.registry, 'cloudletd_crm_job_runs_total', { job, result: 'success' })) ?? 0;
    const start = { drift: await runs('drift'), refresh: await runs('refresh_info'), runtime: await runs('runtime') };
    await waitFor(async () => (await runs('drift')) >= start.drift + 2 && (await runs('refresh_info')) >= start.refresh + 2 && (await runs('runtime')) >= start.runtime + 2,
      { timeoutMs: 5000, message: 'jobs ran while disconnected' });
    await crm.crm.detectDriftNow();
    await waitFor(() => crm.crm.status().queueDepth === 0);

    expect(crm.crm.status().connected).toBe(false);
    expect(mutatingCalls(crm.platform)).toEqual([]);
    expect(crm.platform.instances()).toEqual(before);
    expect(await metricValue(crm.registry, 'cloudletd_crm_orphans_deleted_total')).toBe(0);
    expect(crm.crm.status().cloudletState).toBe('CLOUDLET_STATE_READY');
  });
});
