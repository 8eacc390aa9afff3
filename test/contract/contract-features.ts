/**
 * Contract checks of the optional features a driver announces (exec, logs, runtime). A feature the driver does
 * not announce is skipped, never expected to throw.
 */
import { describe, expect, it } from 'vitest';
import { Code } from '../../src/core/errors.js';
import type { AppInstRuntime, AppInstSpec } from '../../src/platform/platform.js';
import { ctx, expectCode, type ContractCheck } from './contract-helpers.js';

/** Creates a ClusterInst and an AppInst on it; returns the AppInst spec, its runtime and a spec never created. */
async function deployed(check: ContractCheck, name: string): Promise<{ app: AppInstSpec; runtime: AppInstRuntime; missing: AppInstSpec }> {
  const { specs, driver } = check;
  const cluster = specs.clusterSpec(specs.clusterInst(name));
  const app = specs.appSpec(specs.app(name), cluster.clusterInst);
  await driver.platform.createClusterInst(cluster, ctx());
  const runtime = await driver.platform.createAppInst(app, ctx());
  return { app, runtime, missing: specs.appSpec(specs.app(`${name}-missing`), cluster.clusterInst) };
}

/** Registers the feature checks. */
export function featureContract(use: () => ContractCheck): void {
  describe('features', () => {
    it('exec runs a command in the AppInst; NOT_FOUND for an AppInst the platform does not have', async (t) => {
      const check = use();
      const exec = check.driver.platform.features().exec;
      if (!exec) return t.skip('exec not announced');
      const { app, missing } = await deployed(check, 'exec');
      const result = await exec.run({ key: app.key, appInst: app.appInst, command: 'echo contract-hello', containerId: '' }, ctx());
      expect(result.output).toContain('contract-hello');
      expect(result.exitCode).toBe(0);
      await expectCode(exec.run({ key: missing.key, appInst: missing.appInst, command: 'echo x', containerId: '' }, ctx()), Code.NOT_FOUND);
    });

    it('logs tails the AppInst log; NOT_FOUND for an AppInst the platform does not have', async (t) => {
      const check = use();
      const logs = check.driver.platform.features().logs;
      if (!logs) return t.skip('logs not announced');
      const { app, missing } = await deployed(check, 'logs');
      expect(typeof (await logs.tail(app.key, 10, ctx()))).toBe('string');
      await expectCode(logs.tail(missing.key, 10, ctx()), Code.NOT_FOUND);
    });

    it('runtime reports the containers create returned; NOT_FOUND for an AppInst the platform does not have', async (t) => {
      const check = use();
      const runtime = check.driver.platform.features().runtime;
      if (!runtime) return t.skip('runtime not announced');
      const { app, runtime: created, missing } = await deployed(check, 'runtime');
      const now = await runtime.appInstRuntime(app.key, ctx());
      expect(now.containerIds).toEqual(created.containerIds);
      for (const n of [now.cpuSeconds, now.memoryBytes, now.networkRxBytes, now.networkTxBytes]) {
        if (n !== undefined) expect(n).toBeGreaterThanOrEqual(0);
      }
      await expectCode(runtime.appInstRuntime(missing.key, ctx()), Code.NOT_FOUND);
    });
  });
}
