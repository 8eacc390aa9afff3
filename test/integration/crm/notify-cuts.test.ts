// The CRM behind a TCP fault proxy: connection cuts must cost no platform work, and a CRM cut off from its
// controller must delete nothing; an orphan is deleted only after a full resync plus orphanGraceMs.
import { afterEach, describe, expect, it } from 'vitest';
import { CRMOverride, TrackedState } from '../../../src/gen/edgeproto/common.js';
import type { Crm } from '../../../src/crm/crm.js';
import type { CrmConfig } from '../../../src/crm/config.js';
import { keyString } from '../../../src/wire/object-key.js';
import { metricValue, mutatingCalls, startRealCrm, waitCloudletInfo, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, appFixture, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/wait-for.js';

const FAST_RECONNECT = { initialMs: 5, maxMs: 50, healthyMs: 1000, handshakeTimeoutMs: 2000 };
const APPS = ['a1', 'a2', 'a3', 'a4', 'a5'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  env: InstEnv;
  proxy: TcpProxy;
  crm: RealCrm;
}

/** Controller with apps a1..a5, a proxy in front of its notify port, and a real CRM dialling the proxy. */
async function setup(config: Partial<CrmConfig>): Promise<Setup> {
  const env = await startInstEnv({ crm: false });
  cleanups.push(() => env.close());
  const { kinds, objects } = env.ctl.controller;
  await objects.write((tx) => APPS.forEach((name, i) => tx.put(kinds.app, appFixture(name, `tcp:${9000 + i}`))));
  const proxy = await startTcpProxy({ targetPort: env.ctl.controller.notifyPort });
  cleanups.push(() => proxy.close());
  const crm = await startRealCrm(proxy.address, 'edge1', { config: { reconnect: FAST_RECONNECT, ...config } });
  cleanups.push(() => crm.remove());
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitCloudletInfo(env);
  await waitFor(() => crm.crm.status().synced, { timeoutMs: 5000, message: 'first sync' });
  return { env, proxy, crm };
}

/** Counts the CRM's disconnections and resyncs (rising edges of `synced`) from now on. */
function watchSync(crm: Crm): { syncs: number; disconnects: number; lastSyncAt: number } {
  const seen = { syncs: 0, disconnects: 0, lastSyncAt: 0 };
  let synced = crm.status().synced;
  let connected = crm.status().connected;
  crm.onStatus((s) => {
    if (s.synced && !synced) {
      seen.syncs++;
      seen.lastSyncAt = Date.now();
    }
    if (!s.connected && connected) seen.disconnects++;
    synced = s.synced;
    connected = s.connected;
  });
  return seen;
}

/** The controller's ClusterInsts and AppInsts as key → encoded bytes. */
function snapshot(env: InstEnv): Map<string, string> {
  const { kinds, objects } = env.ctl.controller;
  const out = new Map<string, string>();
  for (const kind of [kinds.clusterInst, kinds.appInst]) {
    const cache = objects.cache(kind as typeof kinds.appInst);
    for (const key of cache.keys()) out.set(`${kind.name} ${key}`, Buffer.from(cache.getEntry(key)!.bytes).toString('hex'));
  }
  return out;
}

describe('CRM notify connection faults', () => {
  it('20 cuts with resync cost no platform create/update/delete and leave the controller objects unchanged', async () => {
    const orphanGraceMs = 100;
    const { env, proxy, crm } = await setup({ orphanGraceMs });
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    for (const app of APPS) expect((await env.createAi(aiRequest(app, 'c1'))).error).toBeUndefined();
    await waitFor(() => crm.crm.status().queueDepth === 0, { timeoutMs: 5000 });
    const before = snapshot(env);
    expect(before.size).toBe(6);
    const { kinds, objects } = env.ctl.controller;
    for (const ai of objects.cache(kinds.appInst).values()) expect(ai.state).toBe(TrackedState.READY);
    const instancesBefore = crm.platform.instances();
    expect(instancesBefore.map((i) => i.status)).toEqual(Array(6).fill('ready'));
    crm.platform.resetCalls();

    const sync = watchSync(crm.crm);
    const CUTS = 20;
    for (let i = 1; i <= CUTS; i++) {
      proxy.cut();
      await waitFor(() => sync.syncs >= i, { timeoutMs: 5000, message: `resync after cut ${i}` });
    }
    expect(sync.disconnects).toBeGreaterThanOrEqual(CUTS);
    expect(proxy.accepted).toBeGreaterThanOrEqual(CUTS + 1);
    await waitCloudletInfo(env);
    // Long enough after the last resync for a wrongly pruned object to have become an orphan and been deleted.
    await waitFor(() => Date.now() - sync.lastSyncAt > 3 * orphanGraceMs && crm.crm.status().queueDepth === 0, { timeoutMs: 5000 });

    expect(mutatingCalls(crm.platform)).toEqual([]);
    expect(crm.platform.instances()).toEqual(instancesBefore);
    expect(snapshot(env)).toEqual(before);
    expect(await metricValue(crm.registry, 'cloudletd_crm_orphans_deleted_total')).toBe(0);
    expect(await metricValue(crm.registry, 'cloudletd_notify_client_reconnects_total')).toBeGreaterThanOrEqual(CUTS);
  }, 40_000);

  it('deletes nothing while cut off; the orphan goes only after the resync plus orphanGraceMs', async () => {
    const orphanGraceMs = 400;
    const { env, proxy, crm } = await setup({ orphanGraceMs });
    expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
    for (const app of ['a1', 'a2']) expect((await env.createAi(aiRequest(app, 'c1'))).error).toBeUndefined();
    const gone = keyString.appInst(aiRequest('a1', 'c1').key);
    const kept = keyString.appInst(aiRequest('a2', 'c1').key);
    crm.platform.resetCalls();

    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => !crm.crm.status().connected, { message: 'CRM disconnected' });
    const del = await env.deleteAi({ ...aiRequest('a1', 'c1'), crm_override: CRMOverride.IGNORE_CRM });
    expect(del.error).toBeUndefined();
    const { kinds, objects } = env.ctl.controller;
    expect(objects.cache(kinds.appInst).has(gone)).toBe(false);

    // Cut off for well over the grace period, redialling all the while.
    const cutAt = Date.now();
    const dials = proxy.accepted;
    await waitFor(() => proxy.accepted >= dials + 3 && Date.now() - cutAt > 2 * orphanGraceMs, { timeoutMs: 5000 });
    expect(crm.crm.status().connected).toBe(false);
    expect(mutatingCalls(crm.platform)).toEqual([]);
    expect(crm.platform.instances().find((i) => i.key === gone)?.status).toBe('ready');
    expect(await metricValue(crm.registry, 'cloudletd_crm_orphans_deleted_total', { kind: 'AppInst' })).toBe(0);

    const sync = watchSync(crm.crm);
    proxy.refuse(false);
    await waitFor(() => sync.syncs >= 1, { timeoutMs: 5000, message: 'resync' });
    const goneAt = await waitFor(() => (crm.platform.instances().some((i) => i.key === gone) ? undefined : Date.now()), { timeoutMs: 5000, message: 'orphan deleted' });
    expect(goneAt - sync.lastSyncAt).toBeGreaterThanOrEqual(orphanGraceMs - 10);
    expect(mutatingCalls(crm.platform)).toEqual([{ op: 'deleteAppInst', key: gone }]);
    // The fake drops the instance inside the call; the CRM counts it when the call has returned.
    await waitFor(async () => (await metricValue(crm.registry, 'cloudletd_crm_orphans_deleted_total', { kind: 'AppInst' })) === 1, { message: 'orphan counted' });
    expect(crm.platform.instances().find((i) => i.key === kept)?.status).toBe('ready');
    expect(objects.cache(kinds.appInst).get(kept)?.state).toBe(TrackedState.READY);
    expect(crm.platform.instances().filter((i) => i.kind === 'ClusterInst')).toHaveLength(1);
  });
});
