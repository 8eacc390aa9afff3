import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/cli/api-client.js';
import { AppInst, AppInstApiService } from '../../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletApiService, CloudletInfo, CloudletInfoApiService, CloudletState } from '../../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiService } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../src/gen/edgeproto/common.js';
import { Operator, OperatorApiService } from '../../../src/gen/edgeproto/operator.js';
import { keyString } from '../../../src/wire/object-key.js';
import { spawnCli, type CliProcess } from '../../helpers/controller-process.js';
import { spawnUp as spawnUpProcess, UP_EPHEMERAL_FLAGS, type UpProcess } from '../../helpers/up-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-up-'));
const running: CliProcess[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const ephemeral = UP_EPHEMERAL_FLAGS;
type Up = UpProcess;

/** Spawns `cloudletd up <args>` (killed after the file) and resolves at its summary line. */
async function spawnUp(args: readonly string[], timeoutMs = 90_000): Promise<Up> {
  const up = await spawnUpProcess(args, { timeoutMs });
  running.push(up.proc);
  return up;
}

/** Reads the demo's objects through the gRPC API. */
async function objects(apiAddress: string): Promise<{ operators: Operator[]; cloudlets: Cloudlet[]; infos: CloudletInfo[]; clusterInsts: ClusterInst[]; appInsts: AppInst[] }> {
  const api = new ApiClient(apiAddress, { defaultTimeoutMs: 5_000 });
  try {
    return {
      operators: await api.stream(OperatorApiService.showOperator, Operator.fromPartial({})),
      cloudlets: await api.stream(CloudletApiService.showCloudlet, Cloudlet.fromPartial({})),
      infos: await api.stream(CloudletInfoApiService.showCloudletInfo, CloudletInfo.fromPartial({})),
      clusterInsts: await api.stream(ClusterInstApiService.showClusterInst, ClusterInst.fromPartial({})),
      appInsts: await api.stream(AppInstApiService.showAppInst, AppInst.fromPartial({})),
    };
  } finally {
    api.close();
  }
}

/** A FindCloudlet answer of the REST gateway. */
interface Found {
  readonly status?: string;
  readonly fqdn?: string;
  readonly cloudlet_location?: { latitude?: number; longitude?: number };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** FindCloudlet from Berlin over REST with `cookie`. */
async function findWith(dmeHttpUrl: string, cookie: string): Promise<Found> {
  const found = await post(`${dmeHttpUrl}/v1/findcloudlet`, { session_cookie: cookie, gps_location: { latitude: 52.52, longitude: 13.405 } });
  expect(found.status).toBe(200);
  return found.json as Found;
}

/** RegisterClient as the demo app arena-server 1.4.2 of AcmeGames, then FindCloudlet from Berlin, over REST. */
async function findFromBerlin(dmeHttpUrl: string): Promise<Found & { cookie: string }> {
  const registered = await post(`${dmeHttpUrl}/v1/registerclient`, { dev_name: 'AcmeGames', app_name: 'arena-server', app_vers: '1.4.2' });
  expect(registered.status).toBe(200);
  expect(registered.json.status).toBe('RS_SUCCESS');
  const cookie = registered.json.session_cookie;
  if (typeof cookie !== 'string' || cookie === '') throw new Error(`no session cookie: ${JSON.stringify(registered.json)}`);
  return { ...(await findWith(dmeHttpUrl, cookie)), cookie };
}

/** The summary's DME commands (the lines from `COOKIE=` to the FindCloudlet curl), as one shell script. */
function summaryCurlScript(stdout: readonly string[]): string {
  const start = stdout.findIndex((l) => l.trimStart().startsWith('COOKIE=$(curl'));
  expect(start).toBeGreaterThan(0);
  const lines = stdout.slice(start, start + 2).map((l) => l.trim());
  expect(lines[1]).toMatch(/^curl -s -X POST http:\/\/\S+\/v1\/findcloudlet /);
  return lines.join('\n');
}

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function stop(proc: CliProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  proc.child.kill(signal);
  return proc.exited;
}

describe('cloudletd up --demo (child process)', () => {
  it('starts everything with the demo READY, stops on SIGTERM with exit 0, and a second start resumes without duplicates', { timeout: 240_000 }, async () => {
    const startedAt = performance.now();
    const first = await spawnUp(['--demo', '--data-dir', dataDir, ...ephemeral]);
    console.info(`cloudletd up --demo: summary ${(performance.now() - startedAt).toFixed(0)} ms after spawn (empty data dir)`);
    expect(first.line).not.toContain('failed');
    expect(first.apiAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(first.notifyAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(first.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    // Piped stdout: plain progress lines, no terminal control sequences.
    const text = first.proc.stdout.join('\n');
    expect(text).not.toContain('\u001b[');
    for (const step of [
      'DME synced: gRPC', 'CRM TDG/berlin-edge-1 ready', 'ClusterInst acme-games on Orange/paris-edge-1 READY', 'AppInst leaderboard 2.1.0 on TDG/munich-edge-1 READY',
      'DME finds arena-server 1.4.2 from Berlin: berlin-edge-1.tdg.cloudletd.net',
    ]) {
      expect(text).toContain(step);
    }

    const seen = await objects(first.apiAddress);
    expect(seen.operators.map((o) => o.key?.name).sort()).toEqual(['Orange', 'TDG']);
    expect(seen.cloudlets).toHaveLength(3);
    expect(seen.infos.map((i) => i.state)).toEqual(Array(3).fill(CloudletState.CLOUDLET_STATE_READY));
    expect(seen.clusterInsts.map((ci) => ci.state)).toEqual(Array(3).fill(TrackedState.READY));
    expect(seen.appInsts).toHaveLength(6);
    expect(seen.appInsts.every((ai) => ai.state === TrackedState.READY)).toBe(true);

    const metrics = await (await fetch(`${first.metricsUrl}/metrics`)).text();
    for (const cloudlet of ['TDG/berlin-edge-1', 'TDG/munich-edge-1', 'Orange/paris-edge-1']) {
      expect(metrics).toContain(`cloudletd_crm_ready{cloudlet="${cloudlet}"} 1`);
    }
    // Three CRMs and the DME.
    expect(metrics).toMatch(/^cloudletd_notify_server_peers 4$/m);
    expect(metrics).toMatch(/^cloudletd_dme_controller_synced\{dme="[^"]+"\} 1$/m);
    const readyz = await fetch(`${first.metricsUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ dme: { connected: true, synced: true, appInsts: 6, apps: 2, cloudlets: 3 } });

    // The DME: from Berlin, the demo app's nearest instance is the one on berlin-edge-1.
    expect(first.dmeApiAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(first.dmeHttpUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const berlin = seen.appInsts.find((ai) => ai.key?.app_key?.name === 'arena-server' && ai.key.cluster_inst_key?.cloudlet_key?.name === 'berlin-edge-1');
    expect(berlin?.uri).toBeTruthy();
    const found = await findFromBerlin(first.dmeHttpUrl);
    expect(found).toMatchObject({ status: 'FIND_FOUND', fqdn: berlin?.uri, cloudlet_location: { latitude: 52.52, longitude: 13.405 } });
    // The summary's curl commands work as printed (when curl and jq are installed).
    const script = summaryCurlScript(first.proc.stdout);
    expect(script).toContain(first.dmeHttpUrl);
    if (hasTool('curl') && hasTool('jq')) {
      const out = execFileSync('sh', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
      expect(JSON.parse(out)).toMatchObject({ status: 'FIND_FOUND', fqdn: berlin?.uri });
    } else {
      console.info('curl or jq missing: the summary\'s curl commands were not run');
    }
    // The controller's REST gateway: the summary's example lists the demo cloudlets as NDJSON.
    const restLine = first.proc.stdout.map((l) => l.trim()).find((l) => l.startsWith('curl -s -X POST http') && l.endsWith("/show/cloudlet -d '{}'"));
    const restUrl = /^curl -s -X POST (http:\/\/127\.0\.0\.1:[1-9]\d*)\/show\/cloudlet /.exec(restLine ?? '')?.[1];
    expect(restUrl, first.proc.stdout.join('\n')).toBeDefined();
    expect(first.proc.stdout.some((l) => l.trim().startsWith(`controller REST ${restUrl ?? ''} `))).toBe(true);
    const shown = hasTool('curl')
      ? execFileSync('sh', ['-c', restLine ?? ''], { encoding: 'utf8', timeout: 10_000 })
      : await (await fetch(`${restUrl ?? ''}/show/cloudlet`, { method: 'POST', body: '{}' })).text();
    const names = shown.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { result: { key: { name: string } } }).result.key.name);
    expect(names.sort()).toEqual(['berlin-edge-1', 'munich-edge-1', 'paris-edge-1']);

    const logFile = join(dataDir, 'cloudletd.log');
    expect(existsSync(logFile)).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"controller started"');

    const stopAt = performance.now();
    expect(await stop(first.proc, 'SIGTERM')).toEqual({ code: 0, signal: null });
    console.info(`cloudletd up stopped ${(performance.now() - stopAt).toFixed(0)} ms after SIGTERM`);
    expect(first.proc.stdout).toContain('stopped');

    const second = await spawnUp(['--demo', '--data-dir', dataDir, ...ephemeral]);
    expect(second.line).not.toContain('failed');
    expect(second.proc.stdout.join('\n')).toMatch(/demo data +20 objects: 0 created now, 20 already there/);
    const again = await objects(second.apiAddress);
    expect(again.operators).toHaveLength(2);
    expect(again.cloudlets).toHaveLength(3);
    expect(again.clusterInsts.map((ci) => ci.state)).toEqual(Array(3).fill(TrackedState.READY));
    const keys = (list: AppInst[]): string[] => list.map((ai) => keyString.appInst(ai.key)).sort();
    expect(keys(again.appInsts)).toEqual(keys(seen.appInsts));
    expect(again.appInsts.every((ai) => ai.state === TrackedState.READY)).toBe(true);
    expect((await findFromBerlin(second.dmeHttpUrl)).fqdn).toBe(berlin?.uri);
    // The session key is kept in the data dir: a cookie of the first run still works.
    expect(await findWith(second.dmeHttpUrl, found.cookie)).toMatchObject({ status: 'FIND_FOUND', fqdn: berlin?.uri });
    expect(await stop(second.proc, 'SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('fails with exit 1 and one line naming the flag when a port is taken', { timeout: 60_000 }, async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'cloudletd-up-port-'));
      const proc = spawnCli(['up', '--demo', '--data-dir', dir, '--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--metrics-addr', `127.0.0.1:${port}`]);
      running.push(proc);
      expect(await proc.exited).toEqual({ code: 1, signal: null });
      const lines = proc.stderr().split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^cloudletd up: UNAVAILABLE: --metrics-addr: metrics server cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
      // The DME's REST port: named by up's flag, and what started before it is stopped.
      const dme = spawnCli(['up', '--demo', '--data-dir', dir, ...ephemeral.slice(0, 6), '--http-addr', '127.0.0.1:0', '--dme-api-addr', '127.0.0.1:0', '--dme-http-addr', `127.0.0.1:${port}`]);
      running.push(dme);
      expect(await dme.exited).toEqual({ code: 1, signal: null });
      const dmeLines = dme.stderr().split('\n').filter((l) => l !== '');
      expect(dmeLines).toHaveLength(1);
      expect(dmeLines[0]).toMatch(/^cloudletd up: UNAVAILABLE: --dme-http-addr: REST gateway cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
      // The controller's REST port.
      const rest = spawnCli(['up', '--demo', '--data-dir', dir, ...ephemeral.slice(0, 6), '--http-addr', `127.0.0.1:${port}`]);
      running.push(rest);
      expect(await rest.exited).toEqual({ code: 1, signal: null });
      expect(rest.stderr().split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^cloudletd up: UNAVAILABLE: --http-addr: REST gateway cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/)]);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      taken.close();
    }
  });

  it('fails with exit 2 and one line for bad flags, and prints its flags for --help', async () => {
    const bad = spawnCli(['up', '--crms', '2']);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.stderr().trim()).toBe('cloudletd up: INVALID_ARGUMENT: --crms: only with --demo (otherwise each --cloudlet gets a CRM)');
    expect(bad.stdout).toEqual([]);
    const help = spawnCli(['up', '--help']);
    expect(await help.exited).toEqual({ code: 0, signal: null });
    expect(help.stdout.join('\n')).toContain('--demo');
  });
});
