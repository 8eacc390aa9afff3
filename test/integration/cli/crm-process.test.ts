import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { keyString } from '../../../src/wire/object-key.js';
import { spawnCli } from '../../helpers/controller-process.js';
import { spawnCrm } from '../../helpers/crm-process.js';
import { cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-crm-proc-'));
let env: InstEnv | undefined;

afterAll(async () => {
  await env?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('cloudletd crm (process)', () => {
  it('starts, reports its cloudlet READY, serves /metrics /healthz /readyz, and stops on SIGTERM with 0', async () => {
    env = await startInstEnv({ crm: false });
    const started = performance.now();
    const crm = await spawnCrm(['--cloudlet', '{"operator_key":{"name":"TDG"},"name":"edge1"}', '--notify-addrs', env.ctl.notifyAddress, '--data-dir', dataDir]);
    const { kinds, objects } = env.ctl.controller;
    const key = keyString.cloudlet(cloudletKeyOf('edge1'));
    await waitFor(() => objects.cache(kinds.cloudletInfo).get(key)?.state === CloudletState.CLOUDLET_STATE_READY, { timeoutMs: 10_000, message: 'CloudletInfo READY' });
    const base = `http://${crm.metricsAddress}`;
    await waitFor(async () => (await get(`${base}/readyz`)).status === 200, { timeoutMs: 5000, message: 'readyz 200' });
    const readyMs = performance.now() - started;
    expect(readyMs).toBeLessThan(10_000);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const metrics = (await get(`${base}/metrics`)).body;
    for (const name of ['cloudletd_crm_ready 1', 'cloudletd_crm_controller_connected 1', 'cloudletd_crm_workqueue_depth', 'cloudletd_notify_client_peers 1', 'process_resident_memory_bytes']) {
      expect(metrics).toContain(name);
    }
    const node = env.ctl.controller.nodes.values().find((n) => n.key?.cloudlet_key?.name === 'edge1');
    expect(node?.key?.node_type).toBe(2);
    const exit = await crm.stop('SIGTERM');
    expect(exit.code).toBe(0);
  });

  it('refuses a bad flag with one line naming it and exit code 2', async () => {
    const proc = spawnCli(['crm', '--cloudlet', 'no-slash', '--notify-addrs', '127.0.0.1:1']);
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(proc.stderr().trim().split('\n')[0]).toContain('--cloudlet');
  });
});
