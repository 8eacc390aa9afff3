/**
 * The platform driver contract suite (src/platform/README.md): every driver passes the same checks. A driver's
 * test calls `describePlatformContract(name, makeDriver)`, where `makeDriver` opens a fresh driver on fresh state
 * and returns a {@link ContractDriver} (restart on the same state, cleanup, optionally a hang hook). The suite
 * builds one driver per check and cleans it up afterwards. The checks live in this folder by concern.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Code } from '../../src/core/errors.js';
import { cancelContract } from './contract-cancel.js';
import { featureContract } from './contract-features.js';
import { ContractSpecs, ctx, expectCode, listed, recordingContext, type ContractCheck, type MakeContractDriver, type PlatformContractOptions } from './contract-helpers.js';

export * from './contract-helpers.js';

/** Registers the contract checks of one driver (a vitest `describe`). */
export function describePlatformContract(name: string, makeDriver: MakeContractDriver, options: PlatformContractOptions = {}): void {
  describe(`Platform contract: ${name}`, () => {
    let current: ContractCheck | undefined;
    const use = (): ContractCheck => {
      if (!current) throw new Error('no driver: the check runs outside the contract suite');
      return current;
    };
    beforeEach(async () => {
      const driver = await makeDriver();
      try {
        const resources = await driver.platform.gatherResources(ctx());
        current = { driver, specs: new ContractSpecs(resources.flavors, options), options };
      } catch (e) {
        await driver.cleanup();
        throw e;
      }
    });
    afterEach(async () => {
      const check = current;
      current = undefined;
      await check?.driver.cleanup();
    });
    lifecycleContract(use);
    cancelContract(use);
    featureContract(use);
  });
}

function lifecycleContract(use: () => ContractCheck): void {
  it('has a type and constant features, initialises, and gathers resources', async () => {
    const { platform } = use().driver;
    expect(platform.type).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(Object.keys(platform.features()).sort()).toEqual(Object.keys(platform.features()).sort());
    await platform.init(ctx());
    const resources = await platform.gatherResources(ctx());
    expect(resources.maxRamMb).toBeGreaterThan(0);
    expect(resources.maxVcores).toBeGreaterThan(0);
    expect(resources.maxVolGb).toBeGreaterThan(0);
    expect(resources.flavors.length).toBeGreaterThan(0);
    for (const f of resources.flavors) {
      expect(f.name).not.toBe('');
      expect(f.vcpus).toBeGreaterThan(0);
      expect(f.ramMb).toBeGreaterThan(0);
      expect(f.diskGb).toBeGreaterThanOrEqual(0);
    }
  });

  it('creates a ClusterInst, then an AppInst on it: both listed ready under their key labels', async () => {
    const { driver, specs } = use();
    const { platform } = driver;
    await platform.init(ctx());
    const cluster = specs.clusterSpec(specs.clusterInst('one', 2));
    await platform.createClusterInst(cluster, ctx());
    const app = specs.appSpec(specs.app('one'), cluster.clusterInst);
    const runtime = await platform.createAppInst(app, ctx());
    expect(runtime.containerIds.length).toBeGreaterThan(0);

    const list = await platform.listInstances(ctx());
    expect(list.find((i) => i.key === cluster.key)).toMatchObject({ kind: 'ClusterInst', status: 'ready', numNodes: 2 });
    const listedApp = list.find((i) => i.key === app.key);
    expect(listedApp).toMatchObject({ kind: 'AppInst', status: 'ready' });
    expect(listedApp?.runtime?.containerIds).toEqual(runtime.containerIds);
  });

  it('create is idempotent: a second create makes no second copy and returns the same runtime', async () => {
    const { platform } = use().driver;
    const { specs } = use();
    const cluster = specs.clusterSpec(specs.clusterInst('idem'));
    await platform.createClusterInst(cluster, ctx());
    await platform.createClusterInst(cluster, ctx());
    const app = specs.appSpec(specs.app('idem'), cluster.clusterInst);
    const first = await platform.createAppInst(app, ctx());
    const second = await platform.createAppInst(app, ctx());
    expect(second.containerIds).toEqual(first.containerIds);
    const list = await platform.listInstances(ctx());
    expect(list.filter((i) => i.key === cluster.key)).toHaveLength(1);
    expect(list.filter((i) => i.key === app.key)).toHaveLength(1);
  });

  it('delete is idempotent: deleting twice, or something never created, succeeds', async () => {
    const { platform } = use().driver;
    const { specs } = use();
    const cluster = specs.clusterSpec(specs.clusterInst('del'));
    const app = specs.appSpec(specs.app('del'), cluster.clusterInst);
    await platform.createClusterInst(cluster, ctx());
    await platform.createAppInst(app, ctx());
    await platform.deleteAppInst({ key: app.key, object: app.appInst }, ctx());
    await platform.deleteAppInst({ key: app.key }, ctx());
    await platform.deleteClusterInst({ key: cluster.key, object: cluster.clusterInst }, ctx());
    await platform.deleteClusterInst({ key: cluster.key }, ctx());
    expect(await listed(platform, app.key)).toBeUndefined();
    expect(await listed(platform, cluster.key)).toBeUndefined();

    const never = specs.clusterSpec(specs.clusterInst('never'));
    await platform.deleteClusterInst({ key: never.key }, ctx());
    await platform.deleteAppInst({ key: specs.appSpec(specs.app('never'), never.clusterInst).key }, ctx());
  });

  it('update resizes a ClusterInst; NOT_FOUND when it does not exist', async () => {
    const { platform } = use().driver;
    const { specs } = use();
    const cluster = specs.clusterSpec(specs.clusterInst('resize', 1));
    await expectCode(platform.updateClusterInst(cluster, ctx()), Code.NOT_FOUND);
    await platform.createClusterInst(cluster, ctx());
    const bigger = specs.clusterSpec(specs.clusterInst('resize', 3));
    expect(bigger.key).toBe(cluster.key);
    await platform.updateClusterInst(bigger, ctx());
    expect(await listed(platform, cluster.key)).toMatchObject({ status: 'ready', numNodes: 3 });
  });

  it('a restarted driver lists the same instances (adoption), and can delete them', async () => {
    const { driver, specs } = use();
    const cluster = specs.clusterSpec(specs.clusterInst('adopt'));
    const app = specs.appSpec(specs.app('adopt'), cluster.clusterInst);
    await driver.platform.createClusterInst(cluster, ctx());
    const runtime = await driver.platform.createAppInst(app, ctx());
    const before = (await driver.platform.listInstances(ctx())).filter((i) => i.key === cluster.key || i.key === app.key);

    const restarted = await driver.restart();
    await restarted.init(ctx());
    const after = (await restarted.listInstances(ctx())).filter((i) => i.key === cluster.key || i.key === app.key);
    expect(after).toEqual(before);
    expect(after.find((i) => i.key === app.key)?.runtime?.containerIds).toEqual(runtime.containerIds);
    expect((await restarted.createAppInst(app, ctx())).containerIds).toEqual(runtime.containerIds);

    await restarted.deleteAppInst({ key: app.key }, ctx());
    await restarted.deleteClusterInst({ key: cluster.key }, ctx());
    const again = await driver.restart();
    expect(await listed(again, app.key)).toBeUndefined();
    expect(await listed(again, cluster.key)).toBeUndefined();
  });

  it('reports progress while creating', async () => {
    const { platform } = use().driver;
    const { specs } = use();
    const cluster = specs.clusterSpec(specs.clusterInst('progress'));
    const clusterCtx = recordingContext();
    await platform.createClusterInst(cluster, clusterCtx);
    expect(clusterCtx.messages.length).toBeGreaterThan(0);
    const appCtx = recordingContext();
    await platform.createAppInst(specs.appSpec(specs.app('progress'), cluster.clusterInst), appCtx);
    expect(appCtx.messages.length).toBeGreaterThan(0);
    for (const m of [...clusterCtx.messages, ...appCtx.messages]) expect(typeof m === 'string' && m !== '').toBe(true);
  });
}
