/** Semantics of the fake platform: idempotent creates and deletes, preconditions, capacity, drift, persistence. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { FAKE_JOURNAL_FILE, type FakePlatform } from '../../../../platforms/fake/index.js';
import { expectCode } from '../../../contract/contract-helpers.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { openFake, opCtx, specs, tempDirs } from './fixtures/fake-specs.js';

const dirs = tempDirs();
const opened: FakePlatform[] = [];
async function fake(dir = dirs.make(), settings: Record<string, unknown> = {}, options: Parameters<typeof openFake>[2] = {}): Promise<FakePlatform> {
  const p = await openFake(dir, settings, options);
  opened.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
  dirs.cleanup();
});

describe('FakePlatform instances', () => {
  it('create of a ready instance changes nothing; of a partial one completes it, keeping its identity', async () => {
    let clock = Date.parse('2024-05-01T10:00:00Z');
    const p = await fake(undefined, {}, { now: () => clock });
    const cluster = specs.cluster('c1', { numNodes: 2 });
    await p.createClusterInst(cluster, opCtx());
    const [first] = p.instances();
    clock += 60_000;
    await p.createClusterInst(cluster, opCtx());
    expect(p.instances()).toEqual([first]);
    expect(first).toMatchObject({ kind: 'ClusterInst', key: cluster.key, status: 'ready', numNodes: 2, numMasters: 0, nodeFlavor: 'm4.small', createdAt: '2024-05-01T10:00:00.000Z', createSeq: 1 });

    p.script('createAppInst', { hang: true });
    const controller = new AbortController();
    const app = specs.app('a1', cluster.clusterInst);
    const create = p.createAppInst(app, opCtx(controller.signal));
    await waitFor(() => p.instances().length === 2);
    controller.abort();
    await expectCode(create, Code.CANCELLED);
    const partial = p.instances()[1];
    expect(partial).toMatchObject({ status: 'partial', createSeq: 2 });
    p.script('createAppInst', undefined);
    const runtime = await p.createAppInst(app, opCtx());
    expect(runtime.containerIds).toEqual(partial?.runtime?.containerIds);
    expect(runtime.containerIds).toEqual([expect.stringMatching(/^fake-[0-9a-f]{12}-0$/)]);
    expect(p.instances()[1]).toMatchObject({ status: 'ready', createSeq: 2, createdAt: partial?.createdAt });
  });

  it('an AppInst needs its ClusterInst ready on the platform, except for VM deployments', async () => {
    const p = await fake();
    const cluster = specs.cluster('web');
    const e = await expectCode(p.createAppInst(specs.app('a', cluster.clusterInst), opCtx()), Code.FAILED_PRECONDITION);
    expect(e.message).toContain('ClusterInst web');
    expect(e.field).toBe('key.cluster_inst_key');
    p.script('createClusterInst', { hang: true });
    const controller = new AbortController();
    const creating = p.createClusterInst(cluster, opCtx(controller.signal));
    await waitFor(() => p.instances().length === 1);
    const partial = await expectCode(p.createAppInst(specs.app('a', cluster.clusterInst), opCtx()), Code.FAILED_PRECONDITION);
    expect(partial.message).toContain('partial');
    controller.abort();
    await expectCode(creating, Code.CANCELLED);

    await p.createAppInst(specs.app('vm1', undefined, { deployment: 'vm' }), opCtx());
    await p.createAppInst(specs.app('vm2', cluster.clusterInst, { deployment: 'kvm' }), opCtx());
    expect(p.instances().filter((i) => i.kind === 'AppInst').map((i) => i.status)).toEqual(['ready', 'ready']);
  });

  it('update resizes (NOT_FOUND when absent), checking the added capacity', async () => {
    const p = await fake(undefined, { limits: { vcores: 10 } });
    const cluster = specs.cluster('c', { numNodes: 1 });
    await expectCode(p.updateClusterInst(cluster, opCtx()), Code.NOT_FOUND);
    await p.createClusterInst(cluster, opCtx());
    const ctx = opCtx();
    await p.updateClusterInst(specs.cluster('c', { numNodes: 4 }), ctx);
    expect(ctx.messages).toEqual(['resizing cluster to 4 nodes', 'cluster updated']);
    expect(await p.listInstances(opCtx())).toEqual([{ kind: 'ClusterInst', key: cluster.key, status: 'ready', numNodes: 4 }]);
    const e = await expectCode(p.updateClusterInst(specs.cluster('c', { numNodes: 6 }), opCtx()), Code.RESOURCE_EXHAUSTED);
    expect(e.message).toMatch(/^vCPUs exhausted: ClusterInst c .* needs 4 vCPUs more, only 2 vCPUs of 10 vCPUs free$/);
    await p.updateClusterInst(specs.cluster('c', { numNodes: 2 }), opCtx());
    expect(p.instances()[0]?.usage).toEqual({ vcpus: 4, ramMb: 8192, diskGb: 80 });
  });

  it('refuses a ClusterInst that would exceed the limits, naming the resource', async () => {
    const p = await fake(undefined, { limits: { ram: 20_000, vcores: 100, disk: 100 } });
    const big = { name: 'm4.large', vcpus: 8, ramMb: 16384, diskGb: 160 };
    const ram = await expectCode(p.createClusterInst(specs.cluster('r', { numNodes: 1, numMasters: 1, nodeFlavor: big }), opCtx()), Code.RESOURCE_EXHAUSTED);
    expect(ram.message).toContain('RAM exhausted');
    const disk = await expectCode(p.createClusterInst(specs.cluster('d', { nodeFlavor: big }), opCtx()), Code.RESOURCE_EXHAUSTED);
    expect(disk.message).toContain('disk exhausted');
    expect(p.instances()).toEqual([]);
    await p.createClusterInst(specs.cluster('zero', { numNodes: 0 }), opCtx()); // max(1, 0): one machine
    expect(p.instances()[0]?.usage).toEqual({ vcpus: 2, ramMb: 4096, diskGb: 40 });
  });

  it('delete marks the instance partial while it runs, then removes it; delete of absent succeeds', async () => {
    const p = await fake(undefined, { latency: { deleteClusterInst: 40 } });
    const cluster = specs.cluster('c');
    await p.createClusterInst(cluster, opCtx());
    const deleting = p.deleteClusterInst({ key: cluster.key, object: cluster.clusterInst }, opCtx());
    await waitFor(() => p.instances()[0]?.status === 'partial');
    expect(p.instances()[0]?.detail).toBe('deleting');
    await deleting;
    expect(p.instances()).toEqual([]);
    await p.deleteClusterInst({ key: cluster.key }, opCtx());
    await p.deleteAppInst({ key: specs.app('never', cluster.clusterInst).key }, opCtx());
  });

  it('a create whose instance is deleted meanwhile rejects ABORTED and resurrects nothing', async () => {
    const p = await fake(undefined, { latency: { createClusterInst: 40 } });
    const cluster = specs.cluster('c');
    const create = p.createClusterInst(cluster, opCtx());
    await waitFor(() => p.instances().length === 1);
    await p.deleteClusterInst({ key: cluster.key }, opCtx());
    await expectCode(create, Code.ABORTED);
    expect(p.instances()).toEqual([]);
  });

  it('two creates of the same key at once both succeed, with one instance', async () => {
    const p = await fake(undefined, { latency: { createAppInst: 20 } });
    const cluster = specs.cluster('c');
    await p.createClusterInst(cluster, opCtx());
    const app = specs.app('a', cluster.clusterInst);
    const [one, two] = await Promise.all([p.createAppInst(app, opCtx()), p.createAppInst(app, opCtx())]);
    expect(two).toEqual(one);
    expect(p.instances().map((i) => [i.kind, i.status])).toEqual([
      ['ClusterInst', 'ready'],
      ['AppInst', 'ready'],
    ]);
  });

  it('lose and breakInstance simulate drift, and persist', async () => {
    const dir = dirs.make();
    const p = await fake(dir);
    const a = specs.cluster('a');
    const b = specs.cluster('b');
    await p.createClusterInst(a, opCtx());
    await p.createClusterInst(b, opCtx());
    expect(p.lose(a.key)).toBe(true);
    expect(p.lose(a.key)).toBe(false);
    p.breakInstance(b.key, 'node crashed');
    expect(() => p.breakInstance(a.key, 'x')).toThrow(expect.objectContaining({ code: Code.NOT_FOUND }));
    expect(await p.listInstances(opCtx())).toEqual([{ kind: 'ClusterInst', key: b.key, status: 'failed', detail: 'node crashed', numNodes: 1 }]);
    await p.close();

    const again = await fake(dir);
    expect(await again.listInstances(opCtx())).toMatchObject([{ key: b.key, status: 'failed' }]);
    await again.createClusterInst(b, opCtx()); // create repairs a failed instance
    await again.createClusterInst(a, opCtx()); // and re-creates a lost one, as a new instance
    expect(again.instances().map((i) => [i.key, i.status, i.createSeq])).toEqual([
      [b.key, 'ready', 2],
      [a.key, 'ready', 3],
    ]);
  });

  it('setResources changes what gatherResources reports and what creates are checked against', async () => {
    const p = await fake();
    await p.createClusterInst(specs.cluster('c', { numNodes: 3 }), opCtx());
    p.setResources({ flavors: [{ name: 'tiny', vcpus: 1, ramMb: 512, diskGb: 5 }], limits: { vcores: 4 } });
    const resources = await p.gatherResources(opCtx());
    expect(resources).toEqual({
      maxRamMb: 256_000,
      maxVcores: 4,
      maxVolGb: 10_000,
      flavors: [{ name: 'tiny', vcpus: 1, ramMb: 512, diskGb: 5 }],
      warnings: ['vCPUs in use (6) exceed the limit (4)'],
    });
    await expectCode(p.createClusterInst(specs.cluster('d'), opCtx()), Code.RESOURCE_EXHAUSTED);
    expect(() => p.setResources({ limits: { ramMb: -1 } })).toThrow(expect.objectContaining({ code: Code.INVALID_ARGUMENT, field: 'platform.limits.ram' }));
    expect(() => p.setResources({ flavors: [] })).toThrow(expect.objectContaining({ code: Code.INVALID_ARGUMENT }));
  });

  it('persists instances across a restart; persist: false writes nothing at all', async () => {
    const dir = dirs.make();
    const p = await fake(dir);
    const cluster = specs.cluster('c');
    await p.createClusterInst(cluster, opCtx());
    await p.createAppInst(specs.app('a', cluster.clusterInst), opCtx());
    const before = p.instances();
    await p.close();
    expect(readdirSync(dir)).toEqual([FAKE_JOURNAL_FILE]);
    const again = await fake(dir);
    expect(again.instances()).toEqual(before);
    await again.close();

    const dryDir = dirs.make();
    const dry = await fake(dryDir, { persist: false });
    await dry.createClusterInst(cluster, opCtx());
    await dry.createAppInst(specs.app('a', cluster.clusterInst), opCtx());
    dry.lose(cluster.key);
    await dry.close();
    expect(readdirSync(dryDir)).toEqual([]);
    expect((await fake(dryDir)).instances()).toEqual([]);

    const journal = readFileSync(join(dir, FAKE_JOURNAL_FILE), 'utf8');
    const dryOnExisting = await fake(dir, { persist: false });
    expect(dryOnExisting.instances()).toEqual(before); // reads what is there
    await dryOnExisting.deleteAppInst({ key: before[1]!.key }, opCtx());
    await dryOnExisting.close();
    expect(readFileSync(join(dir, FAKE_JOURNAL_FILE), 'utf8')).toBe(journal);
  });

  it('close cancels running calls, and later calls fail FAILED_PRECONDITION', async () => {
    const p = await fake(undefined, { hang: ['listInstances'] });
    const running = p.listInstances(opCtx());
    await p.close();
    await p.close();
    await expectCode(running, Code.CANCELLED);
    await expectCode(p.init(opCtx()), Code.FAILED_PRECONDITION);
  });

  it('stays cheap with 10,000 instances and thousands of mutations: one appended line each, no rewrite', async () => {
    const dir = dirs.make();
    const file = join(dir, FAKE_JOURNAL_FILE);
    const p = await fake(dir, { limits: { ram: 1e9, vcores: 1e9, disk: 1e9 } });
    for (let n = 0; n < 10_000; n++) await p.createClusterInst(specs.cluster(`c${n}`), opCtx());
    for (let n = 0; n < 2_000; n++) await p.updateClusterInst(specs.cluster(`c${n}`, { numNodes: 2 }), opCtx());
    for (let n = 0; n < 2_000; n++) await p.deleteClusterInst({ key: specs.cluster(`c${n}`).key }, opCtx());
    expect(await p.listInstances(opCtx())).toHaveLength(8_000);
    // A mutation among 8,000 instances appends its two lines (partial, ready) and rewrites nothing.
    const before = statSync(file).size;
    await p.createClusterInst(specs.cluster('one-more'), opCtx());
    const grown = statSync(file).size - before;
    expect(grown).toBeGreaterThan(0);
    expect(grown).toBeLessThan(2_000);
    await p.close();

    const again = await fake(dir);
    expect(again.instances()).toHaveLength(8_001);
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(3 * 8_001); // compaction keeps the file proportional to the instances
  }, 60_000);
});
