// RunCommand through the controller to the real CRM, ClusterInst resize, and the CRM's /metrics content.
import { afterEach, describe, expect, it } from 'vitest';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { ExecRequest } from '../../../src/gen/edgeproto/exec.js';
import type { CrmConfig } from '../../../src/crm/config.js';
import { keyString } from '../../../src/wire/object-key.js';
import { cloudletClients } from '../../helpers/cloudlet-clients.js';
import { call } from '../../helpers/controller-harness.js';
import { startRealCrm, waitCloudletInfo, type RealCrm } from '../../helpers/crm-harness.js';
import { aiRequest, ciRequest, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CI_KEY = keyString.clusterInst(ciRequest('c1').key);

/** Controller + real CRM with ClusterInst c1 (1 node) and AppInst face READY. */
async function setup(config: Partial<CrmConfig> = {}): Promise<{ env: InstEnv; crm: RealCrm }> {
  const env = await startInstEnv({ crm: false });
  cleanups.push(() => env.close());
  const crm = await startRealCrm(env.ctl.notifyAddress, 'edge1', { config });
  cleanups.push(() => crm.remove());
  await crm.crm.whenReady(AbortSignal.timeout(5000));
  await waitCloudletInfo(env);
  expect((await env.createCi(ciRequest('c1'))).error).toBeUndefined();
  expect((await env.createAi(aiRequest('face', 'c1'))).error).toBeUndefined();
  return { env, crm };
}

const update = (env: InstEnv, numNodes: number) => env.updateCi({ ...ciRequest('c1'), fields: ['14'], num_nodes: numNodes });
const fakeCluster = (crm: RealCrm) => crm.platform.instances().find((i) => i.key === CI_KEY);

describe('CRM exec, update and metrics', () => {
  it('runs commands in the AppInst through the controller ExecApi', async () => {
    const { env, crm } = await setup();
    const api = cloudletClients(env.ctl.apiAddress);
    cleanups.push(() => Promise.resolve(api.close()));
    const run = (command: string) => call<ExecRequest, ExecRequest>(api.exec.runCommand.bind(api.exec),
      ExecRequest.fromPartial({ app_inst_key: aiRequest('face', 'c1').key, command }));

    const hello = await run('echo hello');
    expect(hello.answer).toBe('hello\n');
    expect(hello.err).toBeUndefined();
    const host = await run('hostname');
    expect(host.answer).toMatch(/^face-fake-[0-9a-f]{12}-0\n$/);

    const failing = await run('false');
    expect(failing.answer).toBe('');
    expect(failing.err).toBe('command exited with status 1');
    const unknown = await run('nosuchcmd --now');
    expect(unknown.answer).toBe('sh: nosuchcmd: not found\n');
    expect(unknown.err).toBe('command exited with status 127');
    expect(crm.platform.callCount('exec')).toBe(4);
    const exec = await crm.registry.getSingleMetricAsString('cloudletd_crm_exec_requests_total');
    expect(exec).toContain('cloudletd_crm_exec_requests_total{result="success"} 2');
    expect(exec).toContain('cloudletd_crm_exec_requests_total{result="error"} 2');
  });

  it('resizes a ClusterInst 1 → 3 nodes, and reports a failed resize as UPDATE_ERROR', async () => {
    const { env, crm } = await setup();
    const { kinds, objects } = env.ctl.controller;
    expect(fakeCluster(crm)?.numNodes).toBe(1);
    const grown = await update(env, 3);
    expect(grown.error).toBeUndefined();
    expect(objects.cache(kinds.clusterInst).get(CI_KEY)?.state).toBe(TrackedState.READY);
    expect(objects.cache(kinds.clusterInst).get(CI_KEY)?.num_nodes).toBe(3);
    expect(fakeCluster(crm)).toMatchObject({ status: 'ready', numNodes: 3 });
    expect(crm.platform.callCount('updateClusterInst')).toBe(1);
    expect(crm.platform.callCount('createClusterInst')).toBe(1);

    crm.platform.script('updateClusterInst', { fail: 'quota of nodes exceeded' });
    const failed = await update(env, 5);
    expect(failed.error?.code).toBe('ABORTED');
    expect(failed.error?.details).toContain('quota of nodes exceeded');
    const stored = objects.cache(kinds.clusterInst).get(CI_KEY);
    expect(stored?.state).toBe(TrackedState.UPDATE_ERROR); // the original reported DELETE_ERROR here
    expect(stored?.errors.join()).toContain('Update failed: quota of nodes exceeded');
    expect(fakeCluster(crm)).toMatchObject({ status: 'ready', numNodes: 3 });
    expect(crm.platform.callCount('deleteClusterInst')).toBe(0);
  });

  it('exposes its metrics with the documented names and labels', async () => {
    const { crm } = await setup({ schedules: { refreshInfo: '0 0 1 1 *', drift: '0 0 1 1 *', runtime: '* * * * * *' } });
    const labels = 'developer="Acme",app="face",version="1.0",cluster="c1"';
    // The runtime job (every second) fills the per-AppInst usage gauges; the fake reports half of the RAM of the
    // AppInst's flavor (x1.small, 1024 MB, the App's default flavor) as its memory.
    const text = await waitFor(async () => {
      const t = await crm.registry.metrics();
      return t.includes(`cloudletd_crm_appinst_memory_bytes{${labels}}`) && /^cloudletd_crm_operations_in_flight 0$/m.test(t) ? t : undefined;
    }, { timeoutMs: 5000, message: 'runtime gauges' });

    expect(text).toMatch(/^cloudletd_crm_reconcile_duration_seconds_bucket\{le="[^"]+",kind="AppInst",op="create",result="success"\} 1$/m);
    expect(text).toMatch(/^cloudletd_crm_reconcile_duration_seconds_count\{kind="ClusterInst",op="create",result="success"\} 1$/m);
    expect(text).toMatch(/^cloudletd_crm_reconcile_duration_seconds_count\{kind="AppInst",op="delete",result="error"\} 0$/m);
    expect(text).toMatch(/^cloudletd_crm_workqueue_depth 0$/m);
    expect(text).toMatch(/^cloudletd_crm_objects\{kind="AppInst",state="READY"\} 1$/m);
    expect(text).toMatch(/^cloudletd_crm_objects\{kind="ClusterInst",state="READY"\} 1$/m);
    expect(text).toMatch(/^cloudletd_crm_objects\{kind="AppInst",state="CREATE_ERROR"\} 0$/m);
    expect(text).toMatch(/^# TYPE cloudletd_crm_platform_errors_total counter$/m);
    expect(text).toMatch(/^cloudletd_notify_client_peers 1$/m);
    expect(text).toMatch(/^cloudletd_crm_controller_connected 1$/m);
    expect(text).toMatch(/^cloudletd_crm_ready 1$/m);
    expect(text).toContain(`cloudletd_crm_appinst_memory_bytes{${labels}} ${512 * 1024 * 1024}\n`);
    expect(text).toMatch(new RegExp(`^cloudletd_crm_appinst_cpu_seconds\\{${labels}\\} [\\d.]+$`, 'm'));
    expect(text).toMatch(/^cloudletd_crm_job_runs_total\{job="runtime",result="success"\} [1-9]\d*$/m);

    // A failed platform call is counted by operation and code (here: a drift repair that cannot pull its image),
    // and the usage series of an AppInst that is gone from the platform are removed.
    crm.platform.script('createAppInst', { fail: 'image not found' });
    crm.platform.lose(keyString.appInst(aiRequest('face', 'c1').key));
    await crm.crm.detectDriftNow();
    const after = await waitFor(async () => {
      const t = await crm.registry.metrics();
      return /^cloudletd_crm_platform_errors_total\{op="create_appinst",code="FAILED_PRECONDITION"\} [1-9]\d*$/m.test(t)
        && !t.includes(`cloudletd_crm_appinst_memory_bytes{${labels}}`) ? t : undefined;
    }, { timeoutMs: 5000, message: 'platform error counted, usage series removed' });
    expect(after).toMatch(/^cloudletd_crm_drift_repairs_total\{kind="AppInst",result="error"\} [1-9]\d*$/m);
  });
});
