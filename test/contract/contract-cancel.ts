/**
 * Contract checks about signals and errors: an aborted create rejects CANCELLED promptly and leaves its instance
 * partial or absent (also for a restarted driver), and the next create completes it; deadlines reject
 * DEADLINE_EXCEEDED; errors are CodedErrors with the codes of the contract.
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/abort.js';
import { Code, isCodedError, type CodedError } from '../../src/core/errors.js';
import type { Platform } from '../../src/platform/platform.js';
import { ctx, expectCode, listed, recordingContext, type ContractCheck, type HangableOperation } from './contract-helpers.js';

const KINDS = ['ClusterInst', 'AppInst'] as const;

/** Starts the create of `kind` with a signal that is aborted mid-operation; resolves to what it rejected with and how long that took. */
async function abortedCreate(check: ContractCheck, kind: (typeof KINDS)[number], platform: Platform, specs: ReturnType<typeof makeSpecs>) {
  const controller = new AbortController();
  const op: HangableOperation = kind === 'ClusterInst' ? 'createClusterInst' : 'createAppInst';
  const release = check.driver.hang?.(op);
  let progressed = (): void => undefined;
  const firstProgress = new Promise<void>((resolve) => (progressed = resolve));
  // Without a hang hook the abort comes inside the first progress call: the driver is then mid-operation.
  const context = recordingContext(controller.signal, () => (release ? progressed() : controller.abort()));
  const create = kind === 'ClusterInst' ? platform.createClusterInst(specs.cluster, context) : platform.createAppInst(specs.app, context);
  const outcome = create.then(
    () => undefined,
    (e: unknown) => e,
  );
  let abortedAt = performance.now();
  if (release) {
    await Promise.race([firstProgress, outcome, sleep(1000)]);
    await sleep(20); // well inside the hanging wait
    abortedAt = performance.now();
    controller.abort();
  }
  const error = await outcome;
  return { error, took: performance.now() - abortedAt, release: release ?? (() => undefined) };
}

function makeSpecs(check: ContractCheck, name: string) {
  const cluster = check.specs.clusterSpec(check.specs.clusterInst(name));
  const app = check.specs.appSpec(check.specs.app(name), cluster.clusterInst);
  return { cluster, app };
}

/** Registers the cancellation and error checks. */
export function cancelContract(use: () => ContractCheck): void {
  describe('signals and errors', () => {
    for (const kind of KINDS) {
      it(`an aborted ${kind} create rejects CANCELLED promptly and leaves it partial or absent; the next create completes it`, async () => {
        const check = use();
        const { driver, options } = check;
        const specs = makeSpecs(check, `cancel-${kind.toLowerCase()}`);
        const key = kind === 'ClusterInst' ? specs.cluster.key : specs.app.key;
        if (kind === 'AppInst') await driver.platform.createClusterInst(specs.cluster, ctx());

        const { error, took, release } = await abortedCreate(check, kind, driver.platform, specs);
        expect(isCodedError(error), `expected a CodedError, got ${String(error)}`).toBe(true);
        expect((error as CodedError).code).toBe(Code.CANCELLED);
        expect(took).toBeLessThan(options.promptMs ?? 1000);
        const left = await listed(driver.platform, key);
        expect(left === undefined || left.status === 'partial', `left ${JSON.stringify(left)}`).toBe(true);
        release();

        // A restart sees the same leftover; its create completes it, its delete removes it.
        const restarted = await driver.restart();
        expect((await listed(restarted, key))?.status).toBe(left?.status);
        if (kind === 'ClusterInst') await restarted.createClusterInst(specs.cluster, ctx());
        else expect((await restarted.createAppInst(specs.app, ctx())).containerIds.length).toBeGreaterThan(0);
        expect((await listed(restarted, key))?.status).toBe('ready');
        if (kind === 'ClusterInst') await restarted.deleteClusterInst({ key }, ctx());
        else await restarted.deleteAppInst({ key }, ctx());
        expect(await listed(restarted, key)).toBeUndefined();
      });
    }

    it('a deadline that passes mid-create rejects DEADLINE_EXCEEDED (needs the hang hook)', async (t) => {
      const check = use();
      if (!check.driver.hang) return t.skip('the driver has no hang hook');
      const specs = makeSpecs(check, 'deadline');
      const release = check.driver.hang('createClusterInst');
      const started = performance.now();
      await expectCode(check.driver.platform.createClusterInst(specs.cluster, recordingContext(AbortSignal.timeout(50))), Code.DEADLINE_EXCEEDED);
      expect(performance.now() - started).toBeLessThan(50 + (check.options.promptMs ?? 1000));
      release();
    });

    it('a call with an already aborted signal rejects CANCELLED', async () => {
      const check = use();
      const specs = makeSpecs(check, 'preaborted');
      const controller = new AbortController();
      controller.abort();
      const aborted = recordingContext(controller.signal);
      await expectCode(check.driver.platform.listInstances(aborted), Code.CANCELLED);
      await expectCode(check.driver.platform.createClusterInst(specs.cluster, aborted), Code.CANCELLED);
      const left = await listed(check.driver.platform, specs.cluster.key);
      expect(left === undefined || left.status === 'partial').toBe(true);
    });

    it('an AppInst on a ClusterInst the platform does not have fails FAILED_PRECONDITION naming the cluster', async () => {
      const check = use();
      const specs = makeSpecs(check, 'nocluster');
      const error = await expectCode(check.driver.platform.createAppInst(specs.app, ctx()), Code.FAILED_PRECONDITION);
      expect(error.message).toContain(specs.cluster.clusterInst.key?.cluster_key?.name ?? '?');
      expect(await listed(check.driver.platform, specs.app.key)).toBeUndefined();
    });
  });
}
