/** Scripted latency, failures and hangs, injected faults, and the call log of the fake platform. */
import { afterEach, describe, expect, it } from 'vitest';
import { Code } from '../../../../src/core/errors.js';
import { seededRandom, type FakePlatform } from '../../../../platforms/fake/index.js';
import { expectCode } from '../../../contract/contract-helpers.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { openFake, opCtx, specs, tempDirs } from './fixtures/fake-specs.js';

const dirs = tempDirs();
const open: FakePlatform[] = [];
async function fake(settings: Record<string, unknown> = {}, options: Parameters<typeof openFake>[2] = {}): Promise<FakePlatform> {
  const p = await openFake(dirs.make(), settings, options);
  open.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  dirs.cleanup();
});

describe('FakePlatform scripting', () => {
  it('fails an operation with a scripted message (FAILED_PRECONDITION) or code, changing nothing; clears it', async () => {
    const p = await fake();
    const cluster = specs.cluster('c1');
    p.script('createClusterInst', { fail: 'no capacity in zone' });
    const e = await expectCode(p.createClusterInst(cluster, opCtx()), Code.FAILED_PRECONDITION);
    expect(e.message).toBe('no capacity in zone');
    expect(p.instances()).toEqual([]);
    p.script('createClusterInst', { fail: { message: 'api down', code: Code.UNAVAILABLE } });
    await expectCode(p.createClusterInst(cluster, opCtx()), Code.UNAVAILABLE);
    p.script('createClusterInst', undefined);
    await p.createClusterInst(cluster, opCtx());
    expect(p.instances().map((i) => i.status)).toEqual(['ready']);
  });

  it('applies failures from the settings to every operation they name', async () => {
    const p = await fake({ fail: { init: 'bad credentials', listInstances: { message: 'flaky', code: 'UNAVAILABLE' } } });
    await expectCode(p.init(opCtx()), Code.FAILED_PRECONDITION);
    await expectCode(p.listInstances(opCtx()), Code.UNAVAILABLE);
    await expect(p.gatherResources(opCtx())).resolves.toBeDefined();
    p.script('init', { fail: undefined, latencyMs: 0 }); // a script without fail falls back to the settings
    await expectCode(p.init(opCtx()), Code.FAILED_PRECONDITION);
  });

  it('takes the scripted latency, else the per-operation one, else the * one', async () => {
    const p = await fake({ latency: { '*': 300, init: 0 } });
    const time = async (f: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    expect(await time(() => p.init(opCtx()))).toBeLessThan(200);
    expect(await time(() => p.listInstances(opCtx()))).toBeGreaterThanOrEqual(295);
    p.script('listInstances', { latencyMs: 0 });
    expect(await time(() => p.listInstances(opCtx()))).toBeLessThan(200);
    p.script('init', { latencyMs: 60 });
    expect(await time(() => p.init(opCtx()))).toBeGreaterThanOrEqual(55);
  });

  it('a create waits its latency with a partial record, then marks it ready, reporting progress', async () => {
    const p = await fake({ latency: { createClusterInst: 50 } });
    const ctx = opCtx();
    const create = p.createClusterInst(specs.cluster('slow'), ctx);
    await waitFor(() => p.instances().length === 1);
    expect(p.instances()).toMatchObject([{ status: 'partial', detail: 'creating' }]);
    expect(await p.listInstances(opCtx())).toMatchObject([{ kind: 'ClusterInst', status: 'partial' }]);
    await create;
    expect(p.instances()[0]).not.toHaveProperty('detail');
    expect(p.instances()[0]?.status).toBe('ready');
    expect(ctx.messages).toEqual(['creating cluster', 'cluster ready']);
  });

  it('a hanging operation ends only when its signal aborts: CANCELLED, or DEADLINE_EXCEEDED for a timeout', async () => {
    const p = await fake({ hang: ['createClusterInst'] });
    const controller = new AbortController();
    const create = p.createClusterInst(specs.cluster('h'), opCtx(controller.signal));
    await waitFor(() => p.instances().length === 1);
    controller.abort();
    await expectCode(create, Code.CANCELLED);
    expect(p.instances()).toMatchObject([{ status: 'partial' }]);
    await expectCode(p.createClusterInst(specs.cluster('h'), opCtx(AbortSignal.timeout(20))), Code.DEADLINE_EXCEEDED);
    p.script('createClusterInst', { hang: false });
    await p.createClusterInst(specs.cluster('h'), opCtx());
    expect(p.instances()).toMatchObject([{ status: 'ready' }]);
  });

  it('an abort with a custom reason still rejects with a CodedError', async () => {
    const p = await fake({ hang: ['listInstances'] });
    const controller = new AbortController();
    const list = p.listInstances(opCtx(controller.signal));
    controller.abort('shutting down');
    const e = await expectCode(list, Code.CANCELLED);
    expect(e.message).toBe('shutting down');
  });

  it('injects UNAVAILABLE faults into creates, updates and deletes at the fault rate, reproducibly with a seed', async () => {
    const outcomes = async (p: FakePlatform): Promise<string[]> => {
      const out: string[] = [];
      for (let n = 0; n < 200; n++) {
        const result = await p.createClusterInst(specs.cluster(`c${n}`), opCtx()).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
        out.push(result);
      }
      return out;
    };
    const limits = { ram: 1e9, vcores: 1e9, disk: 1e9 };
    const a = await outcomes(await fake({ faultRate: 0.3, limits }, { random: seededRandom(1) }));
    const b = await outcomes(await fake({ faultRate: 0.3, limits, seed: 1 }));
    expect(b).toEqual(a);
    const faults = a.filter((r) => r === Code.UNAVAILABLE).length;
    expect(faults).toBeGreaterThan(30);
    expect(faults).toBeLessThan(90);
    expect(a.every((r) => r === 'ok' || r === Code.UNAVAILABLE)).toBe(true);

    const p = await fake({}, { random: () => 0 });
    await p.createClusterInst(specs.cluster('x'), opCtx());
    p.setFaultRate(1);
    const e = await expectCode(p.deleteClusterInst({ key: specs.cluster('x').key }, opCtx()), Code.UNAVAILABLE);
    expect(e.message).toContain('injected fault');
    await expect(p.listInstances(opCtx())).resolves.toHaveLength(1); // reads are never faulted
    p.setFaultRate(0);
    await p.deleteClusterInst({ key: specs.cluster('x').key }, opCtx());
    expect(() => p.setFaultRate(2)).toThrow(expect.objectContaining({ code: Code.INVALID_ARGUMENT }));
  });

  it('counts and logs calls, including failed ones', async () => {
    const p = await fake();
    const cluster = specs.cluster('c');
    await p.init(opCtx());
    await p.createClusterInst(cluster, opCtx());
    await p.createClusterInst(cluster, opCtx());
    await expectCode(p.updateClusterInst(specs.cluster('nope'), opCtx()), Code.NOT_FOUND);
    expect(p.callCount('createClusterInst')).toBe(2);
    expect(p.callCount('updateClusterInst')).toBe(1);
    expect(p.callCount('deleteAppInst')).toBe(0);
    expect(p.calls).toEqual([
      { op: 'init' },
      { op: 'createClusterInst', key: cluster.key },
      { op: 'createClusterInst', key: cluster.key },
      { op: 'updateClusterInst', key: specs.cluster('nope').key },
    ]);
    p.resetCalls();
    expect(p.calls).toEqual([]);
    expect(p.callCount('init')).toBe(0);
  });

  it('rejects a bad script', async () => {
    const p = await fake();
    expect(() => p.script('init', { latencyMs: -1 })).toThrow(expect.objectContaining({ code: Code.INVALID_ARGUMENT }));
    expect(() => p.script('init', { fail: { message: 'x', code: 'BOGUS' as never } })).toThrow(expect.objectContaining({ code: Code.INVALID_ARGUMENT }));
  });
});
