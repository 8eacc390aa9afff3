import { afterEach, describe, expect, it } from 'vitest';
import { keyString } from '../../../src/wire/object-key.js';
import { waitFor } from '../../helpers/wait-for.js';
import { app, appInst, cloudlet, cloudletInfo, cloudletKey, clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient, startTestServer, type TestClient, type TestServer } from '../../helpers/notify-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  cleanups.push(() => s.close());
  return s;
}

function client(addresses: string[], options: Parameters<typeof startTestClient>[1] = {}): TestClient {
  const c = startTestClient(addresses, options);
  cleanups.push(() => c.stop());
  return c;
}

function seed(s: TestServer): void {
  s.flavors.update(flavor('x1.small'));
  s.flavors.update(flavor('x1.medium'));
  for (const name of ['berlin', 'munich']) {
    s.cloudlets.update(cloudlet(name));
    s.clusterInsts.update(clusterInst('c1', name));
    s.appInsts.update(appInst('face', 'c1', name));
  }
  s.apps.update(app('face'));
  s.apps.update(app('unused'));
}

describe('notify send-all, filtering and prune', () => {
  it('gives a CRM every Flavor and only its own cloudlet, with the Apps of its AppInsts', async () => {
    const s = await server();
    seed(s);
    const c = client([s.address]);
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    expect(c.flavors.size).toBe(2);
    expect([...c.cloudlets.keys()]).toEqual([keyString.cloudlet(cloudletKey('berlin'))]);
    expect(c.clusterInsts.size).toBe(1);
    expect(c.appInsts.size).toBe(1);
    expect(c.apps.values().map((a) => a.key?.name)).toEqual(['face']);
    await waitFor(() => s.cloudletInfos.size === 1);
    expect(s.cloudletInfos.values()[0]?.notify_id).toBe(0n);
  });

  it('gives a DME (no filter) everything it wants and nothing else', async () => {
    const s = await server();
    seed(s);
    const c = client([s.address], { filter: false });
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    expect(c.appInsts.size).toBe(2);
    expect(c.apps.size).toBe(2);
    expect(c.cloudlets.size).toBe(2);
  });

  it('mirrors later changes, coalesced: ten updates then a delete arrive as one DELETE', async () => {
    const s = await server();
    seed(s);
    const c = client([s.address]);
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    const sentBefore = await counter(s, 'edgeproto.Flavor', 'UPDATE');
    for (let i = 1; i <= 10; i++) s.flavors.update(flavor('x1.burst', BigInt(i)));
    s.flavors.delete(keyString.flavor({ name: 'x1.burst' }));
    s.flavors.update(flavor('x1.after'));
    await waitFor(() => c.flavors.has(keyString.flavor({ name: 'x1.after' })));
    expect(c.flavors.has(keyString.flavor({ name: 'x1.burst' }))).toBe(false);
    // All eleven changes happened before the send loop ran: nothing but the final state went out.
    expect(await counter(s, 'edgeproto.Flavor', 'UPDATE')).toBe(sentBefore + 1);
    expect(await counter(s, 'edgeproto.Flavor', 'DELETE')).toBe(1);
  });

  it('sends in the original type order within a pass: Flavor, Cloudlet, ClusterInst, App, AppInst', async () => {
    const s = await server();
    const c = client([s.address], { filter: false });
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    s.appInsts.update(appInst('face', 'c1', 'berlin'));
    s.apps.update(app('face'));
    s.clusterInsts.update(clusterInst('c1', 'berlin'));
    s.cloudlets.update(cloudlet('berlin'));
    s.flavors.update(flavor('x1.medium'));
    await waitFor(() => c.changes.length === 5);
    expect(c.changes.map((line) => line.split(' ')[1])).toEqual([
      'edgeproto.Flavor', 'edgeproto.Cloudlet', 'edgeproto.ClusterInst', 'edgeproto.App', 'edgeproto.AppInst',
    ]);
  });

  it('prunes what was deleted on the server while the client was away, and nothing else', async () => {
    const s = await server();
    seed(s);
    const c = client([s.address]);
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => c.appInsts.size === 1 && c.events.some((e) => e.type === 'synced'));
    await s.close();
    // While the client is away: one flavor and the berlin AppInst go, and the mirror keeps them meanwhile.
    s.flavors.delete(keyString.flavor({ name: 'x1.small' }));
    s.appInsts.delete(keyString.appInst(appInst('face', 'c1', 'berlin').key));
    expect(c.flavors.size).toBe(2);
    const s2 = await server({ port: s.port });
    for (const f of s.flavors.values()) s2.flavors.update(f);
    for (const x of s.cloudlets.values()) s2.cloudlets.update(x);
    for (const x of s.clusterInsts.values()) s2.clusterInsts.update(x);
    for (const x of s.apps.values()) s2.apps.update(x);
    for (const x of s.appInsts.values()) s2.appInsts.update(x);
    await waitFor(() => c.events.filter((e) => e.type === 'synced').length === 2, { timeoutMs: 10_000 });
    expect([...c.flavors.keys()]).toEqual([keyString.flavor({ name: 'x1.medium' })]);
    expect(c.appInsts.size).toBe(0);
    expect(c.clusterInsts.size).toBe(1);
  });

  it('flushes what a client reported when its connection ends', async () => {
    const s = await server();
    const c = client([s.address]);
    c.cloudletInfos.update(cloudletInfo('berlin'));
    c.nodes.update({ fields: [], key: { name: 'crm-1', node_type: 1, cloudlet_key: cloudletKey('berlin') }, notify_id: 0n });
    await waitFor(() => s.nodes.size === 1 && s.cloudletInfos.size === 1);
    await c.stop();
    await waitFor(() => s.nodes.size === 0 && s.cloudletInfos.size === 0);
  });

  it('routes an ExecRequest only to the peer that hosts its cloudlet and wants it', async () => {
    const s = await server();
    const berlin = client([s.address]);
    const munich = client([s.address]);
    const dme = client([s.address], { filter: false });
    berlin.cloudletInfos.update(cloudletInfo('berlin'));
    munich.cloudletInfos.update(cloudletInfo('munich'));
    await waitFor(() => s.server.peerSummaries().filter((p) => p.cloudletKeys.length > 0).length === 2);
    const inst = appInst('face', 'c1', 'munich');
    const queued = s.server.sendMessage(s.kinds.execRequest, { app_inst_key: inst.key, command: 'ls', container_id: '', offer: 'o1', answer: '' });
    expect(queued).toBe(2); // munich, and the unfiltered DME which wants ExecRequest in this harness
    await waitFor(() => munich.execRequests.length === 1);
    expect(berlin.execRequests).toHaveLength(0);
    munich.client.sendMessage(s.kinds.execRequest, { ...munich.execRequests[0]!, answer: 'ok' });
    await waitFor(() => s.execReplies.length === 1);
    expect(s.execReplies[0]?.answer).toBe('ok');
    void dme;
  });
});

async function counter(s: TestServer, type: string, action: string): Promise<number> {
  const metric = await s.metrics.sent.get();
  return metric.values.find((v) => v.labels.type === type && v.labels.action === action)?.value ?? 0;
}
