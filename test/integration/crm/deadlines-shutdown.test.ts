// Operation deadlines, graceful stop in the middle of an operation, and a running operation aborted because the
// desired object changed under it.
import { afterEach, describe, expect, it } from 'vitest';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import type { OperationTimeouts } from '../../../src/controller/config.js';
import type { CrmConfig } from '../../../src/crm/config.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, startRealCrm, waitCloudletInfo, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CI_KEY = keyString.clusterInst(ciRequest('c1').key);
const AI_KEY = keyString.appInst(aiRequest('face', 'c1').key);

async function setup(config: Partial<CrmConfig> = {}, timeouts?: OperationTimeouts): Promise<{ env: InstEnv; crm: RealCrm }> {
  const env = await startInstEnv({ crm: false, ...(timeouts ? { timeouts } : {}) });
  cleanups.push(() => env.close());
  const crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', { config });
  cleanups.push(() => crm.remove());
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitCloudletInfo(env);
  return { env, crm };
}

const partial = (crm: RealCrm, key: string) => crm.platform.instances().find((i) => i.key === key)?.status === 'partial';

describe('CRM operation deadlines and shutdown', () => {
  it('a platform call past operationTimeoutMs is reported CREATE_ERROR "timed out"', async () => {
    const { env, crm } = await setup({ operationTimeoutMs: 300 });
    crm.platform.script('createClusterInst', { hang: true });
    const started = performance.now();
    const out = await env.createCi(ciRequest('c1'));
    expect(performance.now() - started).toBeLessThan(8000); // the CRM's deadline, not the controller's 10 s
    expect(out.error?.code).toBe('ABORTED');
    expect(out.error?.details).toContain('timed out');
    const { kinds, objects } = env.ctl.controller;
    const stored = objects.cache(kinds.clusterInst).get(CI_KEY);
    expect(stored?.state).toBe(TrackedState.CREATE_ERROR);
    expect(stored?.errors.join()).toContain('Create failed: create timed out after 0.3 s');
    expect(await metricValue(crm.registry, 'cloudletd_crm_platform_errors_total', { op: 'create_clusterinst', code: 'DEADLINE_EXCEEDED' })).toBeGreaterThanOrEqual(1);
  });

  it('a timed-out create is attempted once, and what it left goes with the delete', async () => {
    const { env, crm } = await setup({ operationTimeoutMs: 300 });
    crm.platform.script('createClusterInst', { hang: true });
    expect((await env.createCi(ciRequest('c1'))).error?.details).toContain('timed out');
    // Settled: well after the controller's CREATE_ERROR has reached the CRM, nothing queued or running.
    const answeredAt = performance.now();
    await waitFor(async () => performance.now() - answeredAt > 300 && crm.crm.status().queueDepth === 0
      && (await metricValue(crm.registry, 'cloudletd_crm_operations_in_flight')) === 0, { timeoutMs: 3000, message: 'settled' });
    expect(crm.platform.callCount('createClusterInst')).toBe(1);
    // What the CRM reports agrees with the controller (not a CREATING left by a second, abandoned attempt).
    expect(await metricValue(crm.registry, 'cloudletd_crm_objects', { kind: 'ClusterInst', state: 'CREATE_ERROR' })).toBe(1);
    expect(await metricValue(crm.registry, 'cloudletd_crm_objects', { kind: 'ClusterInst', state: 'CREATING' })).toBe(0);

    crm.platform.script('createClusterInst', undefined);
    expect((await env.deleteCi(ciRequest('c1'))).error).toBeUndefined();
    await waitFor(() => crm.platform.instances().length === 0, { timeoutMs: 3000, message: 'partial ClusterInst deleted' });
  });

  it('stops promptly in the middle of a create, and the next start completes it without a duplicate', async () => {
    const { env, crm } = await setup();
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    crm.platform.script('createAppInst', { hang: true });
    const creating = env.createAi(aiRequest('face', 'c1'));
    await waitFor(() => partial(crm, AI_KEY), { timeoutMs: 3000, message: 'create under way' });
    const seq = crm.platform.instances().find((i) => i.key === AI_KEY)!.createSeq;

    const stopping = performance.now();
    await crm.stop();
    expect(performance.now() - stopping).toBeLessThan(2000);
    expect(partial(crm, AI_KEY)).toBe(true);
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.appInst).get(AI_KEY)?.state).not.toBe(TrackedState.READY);

    const next = await startRealCrm(env.ctl.notifyAddress, 'edge1', { dataDir: crm.dataDir });
    cleanups.push(() => next.remove());
    const out = await creating;
    expect(out.error).toBeUndefined();
    expect(objects.cache(kinds.appInst).get(AI_KEY)?.state).toBe(TrackedState.READY);
    const appInsts = next.platform.instances().filter((i) => i.kind === 'AppInst');
    expect(appInsts.map((i) => [i.key, i.status, i.createSeq])).toEqual([[AI_KEY, 'ready', seq]]);
    expect(next.platform.callCount('createAppInst')).toBe(1);
    expect(next.platform.callCount('deleteAppInst')).toBe(0);
  });

  it('aborts a running create when the controller gives up on it, and cleans up what it left', async () => {
    const { env, crm } = await setup({ operationTimeoutMs: 30_000 }, { createMs: 800, updateMs: 10_000, deleteMs: 10_000 });
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    crm.platform.script('createAppInst', { hang: true });
    const started = performance.now();
    const out = await env.createAi(aiRequest('face', 'c1'));
    expect(out.error?.code).toBe('DEADLINE_EXCEEDED');
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.appInst).get(AI_KEY)?.state).toBe(TrackedState.CREATE_ERROR);

    // Long before the CRM's own 30 s deadline: the hanging call is aborted and its partial instance removed.
    await waitFor(async () => (await metricValue(crm.registry, 'cloudletd_crm_operations_in_flight')) === 0 && !crm.platform.instances().some((i) => i.key === AI_KEY),
      { timeoutMs: 5000, message: 'create aborted and cleaned up' });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(crm.platform.callCount('deleteAppInst')).toBe(1);
    expect(await metricValue(crm.registry, 'cloudletd_crm_reconcile_duration_seconds', { kind: 'AppInst', op: 'create', result: 'cancelled' })).toBe(1);

    // The user deletes the failed AppInst; nothing is left anywhere.
    crm.platform.script('createAppInst', undefined);
    expect((await env.deleteAi(aiRequest('face', 'c1'))).error).toBeUndefined();
    expect(objects.cache(kinds.appInst).has(AI_KEY)).toBe(false);
    expect(crm.platform.instances().map((i) => i.kind)).toEqual(['ClusterInst']);
  });
});
