// AppInst dependencies on a bare notify server (the real controller would refuse an AppInst without its App):
// the CRM waits for a missing App or a cluster still being built, and reports CREATE_ERROR naming what never came.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import type { CrmConfig } from '../../../src/crm/config.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, startRealCrm, type RealCrm } from '../../helpers/crm-harness.js';
import { cloudlet } from '../../helpers/edgeproto-fixtures.js';
import { aiRequest, appFixture, ciRequest, FLAVORS } from '../../helpers/inst-env.js';
import { startTestServer, type TestServer } from '../../helpers/notify-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CI = { ...ciRequest('c1'), state: TrackedState.CREATE_REQUESTED };
const AI: AppInst = { ...aiRequest('face', 'c1'), state: TrackedState.CREATE_REQUESTED };
const CI_KEY = keyString.clusterInst(CI.key);
const AI_KEY = keyString.appInst(AI.key);

/** A bare notify server with the flavors and cloudlet edge1, and a real CRM of edge1 synced to it. */
async function setup(config: Partial<CrmConfig> = {}): Promise<{ server: TestServer; crm: RealCrm }> {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  for (const f of FLAVORS) server.flavors.update(f);
  server.cloudlets.update(cloudlet('edge1'));
  const crm = await startRealCrm(server.address, 'edge1', { config });
  cleanups.push(() => crm.remove());
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitFor(() => crm.crm.status().synced, { timeoutMs: 5000, message: 'synced' });
  return { server, crm };
}

const appInstState = (server: TestServer) => server.appInstInfos.get(AI_KEY)?.state;

describe('CRM AppInst dependencies', () => {
  it('waits for a missing App and creates the AppInst once it arrives', async () => {
    const { server, crm } = await setup({ dependencyWaitMs: 10_000 });
    server.clusterInsts.update(CI);
    await waitFor(() => server.clusterInstInfos.get(CI_KEY)?.state === TrackedState.READY, { timeoutMs: 3000, message: 'ClusterInst READY' });
    server.appInsts.update(AI);

    // Long enough for several dependency polls (every second) and far beyond any create.
    const pushedAt = Date.now();
    const waits = () => metricValue(crm.registry, 'cloudletd_crm_reconcile_duration_seconds', { kind: 'AppInst', op: 'none', result: 'waiting' });
    await waitFor(async () => Date.now() - pushedAt > 1200 && ((await waits()) ?? 0) >= 2, { timeoutMs: 5000, message: 'AppInst waiting' });
    expect(appInstState(server)).toBeUndefined();
    expect(crm.platform.callCount('createAppInst')).toBe(0);
    expect(crm.platform.instances().some((i) => i.key === AI_KEY)).toBe(false);

    // An App travels with its AppInsts only: the AppInst is touched so that the server sends its App along.
    server.apps.update(appFixture('face', 'tcp:8008'));
    server.appInsts.update({ ...AI, uri: 'face.edge1.example' });
    await waitFor(() => appInstState(server) === TrackedState.READY, { timeoutMs: 3000, message: 'AppInst READY' });
    expect(server.appInstInfos.get(AI_KEY)?.runtime_info?.container_ids).toHaveLength(1);
    expect(crm.platform.callCount('createAppInst')).toBe(1);
    expect(crm.platform.instances().find((i) => i.key === AI_KEY)?.status).toBe('ready');
  });

  it('reports CREATE_ERROR naming the App when it never arrives within dependencyWaitMs', async () => {
    const dependencyWaitMs = 500;
    const { server, crm } = await setup({ dependencyWaitMs });
    server.clusterInsts.update(CI);
    await waitFor(() => server.clusterInstInfos.get(CI_KEY)?.state === TrackedState.READY, { timeoutMs: 3000 });
    const pushedAt = Date.now();
    server.appInsts.update(AI);
    const info = await waitFor(() => (appInstState(server) === TrackedState.CREATE_ERROR ? server.appInstInfos.get(AI_KEY) : undefined),
      { timeoutMs: 3000, message: 'AppInst CREATE_ERROR' });
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(dependencyWaitMs);
    expect(info.errors).toHaveLength(1);
    expect(info.errors[0]).toMatch(/^Create App Inst failed: /);
    expect(info.errors[0]).toContain('App face version 1.0');
    expect(crm.platform.callCount('createAppInst')).toBe(0);
    expect(crm.platform.instances().map((i) => i.kind)).toEqual(['ClusterInst']);
  });

  it('waits for its ClusterInst to be built before creating the AppInst (no failed attempt)', async () => {
    const { server, crm } = await setup();
    crm.platform.script('createClusterInst', { latencyMs: 800 });
    server.apps.update(appFixture('face', 'tcp:8008'));
    server.clusterInsts.update(CI);
    server.appInsts.update(AI);
    await waitFor(() => server.clusterInstInfos.get(CI_KEY)?.state === TrackedState.CREATING, { timeoutMs: 3000 });
    expect(appInstState(server)).toBeUndefined();

    await waitFor(() => appInstState(server) === TrackedState.READY, { timeoutMs: 3000, message: 'AppInst READY' });
    expect(server.clusterInstInfos.get(CI_KEY)?.state).toBe(TrackedState.READY);
    expect(crm.platform.calls.map((c) => c.op).filter((op) => op.startsWith('create'))).toEqual(['createClusterInst', 'createAppInst']);
    expect(crm.platform.instances().map((i) => `${i.kind} ${i.status}`)).toEqual(['ClusterInst ready', 'AppInst ready']);
  });

  it('a new CRM whose ClusterInst arrives before the Flavors waits for them instead of failing', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    for (const f of FLAVORS) server.flavors.update(f);
    server.cloudlets.update(cloudlet('edge1'));
    server.clusterInsts.update(CI); // queued as soon as the CRM's CloudletInfo arrives, ahead of the send-all's Flavors
    const crm = await startRealCrm(server.address, 'edge1');
    cleanups.push(() => crm.remove());
    await waitFor(() => server.clusterInstInfos.get(CI_KEY)?.state === TrackedState.READY, { timeoutMs: 5000, message: 'ClusterInst READY' });
    expect(server.clusterInstInfos.get(CI_KEY)?.errors).toEqual([]);
    expect(crm.platform.callCount('createClusterInst')).toBe(1);
  });
});
