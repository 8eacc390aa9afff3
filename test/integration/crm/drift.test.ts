// Drift: the platform loses (or breaks) an AppInst behind the CRM's back. The drift job rebuilds it, reports
// what it cannot repair in CloudletInfo.errors, and clears the error once the repair succeeds.
import { afterEach, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import type { CrmConfig } from '../../../src/crm/config.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, startRealCrm, waitCloudletInfo, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AI_KEY = keyString.appInst(aiRequest('face', 'c1').key);
const CLOUDLET_KEY = keyString.cloudlet(cloudletKeyOf('edge1'));

/** Controller + real CRM with ClusterInst c1 and AppInst face READY. */
async function setup(config: Partial<CrmConfig> = {}): Promise<{ env: InstEnv; crm: RealCrm }> {
  const env = await startInstEnv({ crm: false });
  cleanups.push(() => env.close());
  const crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', { config });
  cleanups.push(() => crm.remove());
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitCloudletInfo(env);
  expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
  expect((await env.createAi(aiRequest('face', 'c1'))).error).toBeUndefined();
  crm.platform.resetCalls();
  return { env, crm };
}

const repairs = (crm: RealCrm, result: 'success' | 'error') =>
  metricValue(crm.registry, 'cloudletd_crm_drift_repairs_total', { kind: 'AppInst', result });

function controllerAppInstState(env: InstEnv): TrackedState | undefined {
  const { kinds, objects } = env.ctl.controller;
  return objects.cache(kinds.appInst).get(AI_KEY)?.state;
}

describe('CRM drift repair', () => {
  it('rebuilds an AppInst the platform lost, once, with the same containers', async () => {
    const { env, crm } = await setup();
    const before = crm.platform.instances().find((i) => i.key === AI_KEY)!;
    expect(crm.platform.lose(AI_KEY)).toBe(true);
    await crm.crm.detectDriftNow();
    const after = await waitFor(() => crm.platform.instances().find((i) => i.key === AI_KEY && i.status === 'ready'), { timeoutMs: 5000, message: 'rebuilt' });
    await waitFor(async () => (await repairs(crm, 'success')) === 1, { message: 'repair counted' });
    expect(crm.platform.callCount('createAppInst')).toBe(1);
    expect(crm.platform.callCount('createClusterInst')).toBe(0);
    expect(after.runtime).toEqual(before.runtime);
    expect(after.createSeq).toBeGreaterThan(before.createSeq);
    expect(await repairs(crm, 'error')).toBe(0);
    expect(controllerAppInstState(env)).toBe(TrackedState.READY);

    // Nothing drifted any more: another pass does nothing.
    await crm.crm.detectDriftNow();
    await waitFor(() => crm.crm.status().queueDepth === 0);
    expect(crm.platform.callCount('createAppInst')).toBe(1);
  });

  it('reports unrepairable drift in CloudletInfo.errors and clears it after the repair succeeds', async () => {
    const { env, crm } = await setup();
    const { kinds, objects } = env.ctl.controller;
    const info = () => objects.cache(kinds.cloudletInfo).get(CLOUDLET_KEY);
    crm.platform.script('createAppInst', { fail: 'image registry.example.com/acme/face:1.0 not found' });
    crm.platform.lose(AI_KEY);
    await crm.crm.detectDriftNow();

    const broken = await waitFor(() => (info()?.state === CloudletState.CLOUDLET_STATE_ERRORS ? info() : undefined), { timeoutMs: 5000, message: 'CloudletInfo ERRORS' });
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toContain('AppInst face');
    expect(broken.errors[0]).toContain('image registry.example.com/acme/face:1.0 not found');
    expect(await repairs(crm, 'error')).toBeGreaterThanOrEqual(1);
    expect(crm.platform.instances().some((i) => i.key === AI_KEY)).toBe(false);
    // The AppInst itself is not moved to an error state by the CRM: the user did nothing wrong.
    expect(controllerAppInstState(env)).toBe(TrackedState.READY);

    crm.platform.script('createAppInst', undefined);
    // The failed repair is retried with backoff; a drift pass meanwhile must not get in its way.
    await crm.crm.detectDriftNow();
    await waitFor(() => crm.platform.instances().find((i) => i.key === AI_KEY)?.status === 'ready', { timeoutMs: 5000, message: 'repaired' });
    await waitFor(() => info()?.state === CloudletState.CLOUDLET_STATE_READY, { timeoutMs: 5000, message: 'CloudletInfo READY again' });
    expect(info()?.errors).toEqual([]);
    await waitFor(async () => (await repairs(crm, 'success')) === 1);
    expect(controllerAppInstState(env)).toBe(TrackedState.READY);
  });

  it('repairs on the drift schedule, without being asked', async () => {
    const { env, crm } = await setup({ schedules: { refreshInfo: '0 0 1 1 *', drift: '* * * * * *', runtime: '0 0 1 1 *' } });
    crm.platform.lose(AI_KEY);
    await waitFor(() => crm.platform.instances().find((i) => i.key === AI_KEY)?.status === 'ready', { timeoutMs: 5000, message: 'rebuilt by the job' });
    await waitFor(async () => (await repairs(crm, 'success')) === 1);
    expect(crm.platform.callCount('createAppInst')).toBe(1);
    expect(await metricValue(crm.registry, 'cloudletd_crm_job_runs_total', { job: 'drift', result: 'success' })).toBeGreaterThanOrEqual(1);

    // A failed AppInst (its container exited) is not rebuilt: its health goes to the controller as errors of the
    // READY AppInst, and clears when the platform has it running again.
    crm.platform.breakInstance(AI_KEY, 'container exited with status 137');
    const stored = () => env.ctl.controller.objects.cache(env.ctl.controller.kinds.appInst).get(AI_KEY);
    await waitFor(() => stored()?.errors.join().includes('container exited with status 137'), { timeoutMs: 5000, message: 'health reported' });
    expect(stored()?.state).toBe(TrackedState.READY);
    expect(crm.platform.callCount('createAppInst')).toBe(1);
    crm.platform.lose(AI_KEY);
    await waitFor(() => crm.platform.instances().find((i) => i.key === AI_KEY)?.status === 'ready' && stored()?.errors.length === 0,
      { timeoutMs: 5000, message: 'rebuilt and healthy' });
  });
});
