// `cloudletd crm --platform docker` as a real process with 10 AppInsts running: kill -9, start again, and every
// container is adopted (same id, same start time, no new container) while the controller keeps them READY. Then
// the same while creates are in flight: the restarted CRM completes them without a duplicate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { waitCloudletInfo } from '../../helpers/crm-harness.js';
import { spawnCrm, type CrmProcess } from '../../helpers/crm-process.js';
import { DOCKER_TEST_SETTINGS } from '../../helpers/docker-crm.js';
import { dockerTestEnv } from '../../helpers/docker-daemon.js';
import { cloudletContainers, containerIdentities, dockerClient, freePorts, pageOf, purgeUntilClean } from '../../helpers/docker-host.js';
import { addDockerCloudlet, appInstKeyOf, dockerAiRequest, dockerCiRequest, uniqueCloudletName, webApp } from '../../helpers/docker-inst-env.js';
import { cloudletKeyOf, startInstEnv, type InstEnv } from '../../helpers/inst-env.js';
import { waitFor } from '../../helpers/wait-for.js';

const { socketPath, image } = dockerTestEnv();
const docker = dockerClient(socketPath);
const CLOUDLET = uniqueCloudletName('adopt');
const cloudletKey = cloudletKeyOf(CLOUDLET);
const FIRST = Array.from({ length: 10 }, (_, i) => `web${i}`);
const LATER = Array.from({ length: 6 }, (_, i) => `late${i}`);

const dir = mkdtempSync(join(tmpdir(), 'cloudletd-docker-adopt-'));
const dataDir = join(dir, 'crm');
const configFile = join(dir, 'crm.yaml');
let env: InstEnv | undefined;
let crm: CrmProcess | undefined;
const ports = new Map<string, number>();

function startCrm(): Promise<CrmProcess> {
  return spawnCrm([
    '--cloudlet', `TDG/${CLOUDLET}`, '--notify-addrs', env!.ctl.notifyAddress, '--data-dir', dataDir, '--hostname', `${CLOUDLET}-crm`,
    '--platform', 'docker', '--docker-socket', socketPath, '--docker-host-ip', '127.0.0.1', '--config', configFile,
    '--orphan-grace', '500ms', '--operation-timeout', '60s',
  ], { timeoutMs: 30_000 });
}

async function metrics(proc: CrmProcess): Promise<string> {
  const res = await fetch(`http://${proc.metricsAddress}/metrics`);
  return res.text();
}

/** Waits until the CRM process is connected, has nothing queued and reports `ready` AppInsts READY. */
async function settled(proc: CrmProcess, ready: number): Promise<string> {
  return waitFor(async () => {
    const text = await metrics(proc);
    return /^cloudletd_crm_controller_connected 1$/m.test(text) && /^cloudletd_crm_workqueue_depth 0$/m.test(text)
      && new RegExp(`^cloudletd_crm_objects\\{kind="AppInst",state="READY"\\} ${ready}$`, 'm').test(text) ? text : undefined;
  }, { timeoutMs: 30_000, intervalMs: 100, message: `CRM settled with ${ready} AppInsts READY` });
}

/** The `platform ready` log line of the process: what it listed at start. */
async function listedAtStart(proc: CrmProcess): Promise<{ clusterInsts: number; appInsts: number }> {
  return waitFor(() => {
    const line = proc.stdout.find((l) => l.includes('"platform ready"'));
    return line ? (JSON.parse(line) as { clusterInsts: number; appInsts: number }) : undefined;
  }, { timeoutMs: 30_000, message: 'platform ready' });
}

/** The `inFlight` count of the process's `local state loaded` line: operations a kill interrupted. */
async function interruptedOperations(proc: CrmProcess): Promise<number> {
  return waitFor(() => {
    const line = proc.stdout.find((l) => l.includes('"local state loaded"'));
    return line ? { n: (JSON.parse(line) as { inFlight: number }).inFlight } : undefined;
  }, { timeoutMs: 30_000, message: 'local state loaded' }).then((r) => r.n);
}

function appInstStates(apps: readonly string[]): (TrackedState | undefined)[] {
  const { kinds, objects } = env!.ctl.controller;
  return apps.map((app) => objects.cache(kinds.appInst).get(appInstKeyOf(app, 'c1', CLOUDLET))?.state);
}

beforeAll(async () => {
  const all = [...FIRST, ...LATER];
  const free = await freePorts(all.length);
  all.forEach((app, i) => ports.set(app, free[i]!));
  writeFileSync(configFile, stringify({ platform: { type: 'docker', settings: { ...DOCKER_TEST_SETTINGS } } }));
  env = await startInstEnv({ crm: false, timeouts: { createMs: 90_000, updateMs: 90_000, deleteMs: 90_000 } });
  await addDockerCloudlet(env, CLOUDLET, all.map((app) => webApp(app, image, ports.get(app)!)));
}, 60_000);

afterAll(async () => {
  await crm?.stop('SIGKILL');
  await purgeUntilClean(docker, cloudletKey);
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('cloudletd crm --platform docker: kill -9 and adoption', () => {
  it('adopts 10 running AppInsts after kill -9: same container ids and start times, no new container, READY', async () => {
    const e = env!;
    crm = await startCrm();
    await waitCloudletInfo(e, CLOUDLET, CloudletState.CLOUDLET_STATE_READY, 20_000);
    expect((await e.createCi(dockerCiRequest('c1', CLOUDLET))).error).toBeUndefined();
    const created = await Promise.all(FIRST.map((app) => e.createAi(dockerAiRequest(app, 'c1', CLOUDLET))));
    expect(created.filter((o) => o.error)).toEqual([]);
    expect(appInstStates(FIRST).filter((s) => s !== TrackedState.READY)).toEqual([]);
    for (const app of FIRST) {
      expect(await waitFor(() => pageOf(ports.get(app)!), { timeoutMs: 15_000, intervalMs: 50, message: `${app} serves` })).toBe('hello from cloudletd\n');
    }
    await settled(crm, FIRST.length);
    const before = await containerIdentities(docker, cloudletKey);
    expect(before).toHaveLength(FIRST.length);
    expect(before.filter((c) => c.status !== 'running')).toEqual([]);

    const exit = await crm.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    crm = undefined;
    await waitCloudletInfo(e, CLOUDLET, CloudletState.CLOUDLET_STATE_OFFLINE, 10_000);
    crm = await startCrm();
    expect(await interruptedOperations(crm)).toBe(0);
    expect(await listedAtStart(crm)).toEqual(expect.objectContaining({ clusterInsts: 1, appInsts: FIRST.length }));
    await waitCloudletInfo(e, CLOUDLET, CloudletState.CLOUDLET_STATE_READY, 20_000);
    const text = await settled(crm, FIRST.length);
    expect(text).not.toMatch(/^cloudletd_crm_reconcile_duration_seconds_count\{kind="(AppInst|ClusterInst)",op="(create|delete)",result="success"\} [1-9]/m);
    expect(text).toMatch(/^cloudletd_crm_orphans_deleted_total\{kind="AppInst"\} 0$/m);

    expect(await containerIdentities(docker, cloudletKey)).toEqual(before);
    expect(appInstStates(FIRST).filter((s) => s !== TrackedState.READY)).toEqual([]);
    for (const app of FIRST) expect(await pageOf(ports.get(app)!)).toBe('hello from cloudletd\n');
  }, 90_000);

  it('kill -9 while creates are in flight: the restarted CRM completes them, one container each', async () => {
    const e = env!;
    const creates = Promise.all(LATER.map((app) => e.createAi(dockerAiRequest(app, 'c1', CLOUDLET))));
    // Kill once the first of them is on the daemon: the others are somewhere between journal and start.
    await waitFor(async () => (await cloudletContainers(docker, cloudletKey)).length > FIRST.length, { timeoutMs: 30_000, intervalMs: 5, message: 'a create under way' });
    await crm!.stop('SIGKILL');
    crm = await startCrm();
    expect(await interruptedOperations(crm)).toBeGreaterThan(0); // the kill did land amid the operations
    const outcomes = await creates;
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    await settled(crm, FIRST.length + LATER.length);
    expect(appInstStates([...FIRST, ...LATER]).filter((s) => s !== TrackedState.READY)).toEqual([]);

    const containers = await containerIdentities(docker, cloudletKey);
    expect(containers).toHaveLength(FIRST.length + LATER.length); // one per AppInst: no duplicate, no leftover
    expect(containers.filter((c) => c.status !== 'running')).toEqual([]);
    for (const app of LATER) {
      const mine = await cloudletContainers(docker, cloudletKey, appInstKeyOf(app, 'c1', CLOUDLET));
      expect(mine).toHaveLength(1);
      expect(await waitFor(() => pageOf(ports.get(app)!), { timeoutMs: 15_000, intervalMs: 50, message: `${app} serves` })).toBe('hello from cloudletd\n');
    }
  }, 90_000);
});
