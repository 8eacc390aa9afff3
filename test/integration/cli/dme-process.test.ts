import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MatchEngineApiClient, RegisterClientRequest } from '../../../src/gen/dme/app-client.js';
import { NodeType } from '../../../src/gen/edgeproto/node.js';
import { spawnCli, type CliProcess } from '../../helpers/controller-process.js';
import { call, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudletd-dme-proc-'));
let ctl: TestController | undefined;
const running: CliProcess[] = [];

afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await ctl?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The bound ports of the `dme started` line. */
interface Started {
  readonly apiPort: number;
  readonly httpPort: number;
  readonly metricsPort: number;
  readonly record: Record<string, unknown>;
}

/**
 * Spawns `cloudletd dme <args>` (JSON logs, every listener on 127.0.0.1:0) and resolves at its `dme started` line;
 * rejects (killing it) if it exits first or does not start within 20 s.
 */
async function spawnDme(args: readonly string[]): Promise<{ proc: CliProcess; started: Started }> {
  const proc = spawnCli(['dme', '--log-format', 'json', '--api-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', ...args]);
  running.push(proc);
  const line = waitFor(() => proc.stdout.find((l) => l.startsWith('{') && (JSON.parse(l) as { msg?: string }).msg === 'dme started'), {
    timeoutMs: 20_000, intervalMs: 5, message: 'the dme started line',
  });
  const exit = proc.exited.then((e) => {
    throw new Error(`exited (${e.code ?? e.signal}) before it started: ${proc.stderr()}`);
  });
  const found = await Promise.race([line, exit]).catch(async (err: unknown) => {
    proc.child.kill('SIGKILL');
    await proc.exited;
    throw err;
  });
  exit.catch(() => undefined);
  const record = JSON.parse(found) as Record<string, unknown>;
  return { proc, started: { apiPort: Number(record.apiPort), httpPort: Number(record.httpPort), metricsPort: Number(record.metricsPort), record } };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('cloudletd dme (process)', () => {
  it('starts against a controller, gets ready, answers REST and gRPC, and stops on SIGTERM with 0', { timeout: 60_000 }, async () => {
    ctl = await startTestController();
    const keyFile = join(dir, 'keys', 'session.pem');
    const { proc, started } = await spawnDme(['--notify-addrs', ctl.notifyAddress, '--session-key-file', keyFile, '--hostname', 'dme-under-test', '--carrier', 'TDG']);
    for (const port of [started.apiPort, started.httpPort, started.metricsPort]) expect(port).toBeGreaterThan(0);
    expect(started.record).toMatchObject({
      component: 'dme', notifyAddresses: [ctl.notifyAddress], carrier: 'TDG', sessionKeyFile: keyFile,
      apiAddress: `127.0.0.1:${started.apiPort}`, httpAddress: `127.0.0.1:${started.httpPort}`, metricsAddress: `127.0.0.1:${started.metricsPort}`,
    });
    // The session key was generated into the file, readable by the owner only.
    expect(readFileSync(keyFile, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const metrics = `http://127.0.0.1:${started.metricsPort}`;
    const ready = await waitFor(async () => {
      const r = await get(`${metrics}/readyz`);
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, message: 'readyz 200' });
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok', connected: true, synced: true });
    expect((await get(`${metrics}/healthz`)).status).toBe(200);
    const text = (await get(`${metrics}/metrics`)).body;
    for (const name of ['cloudletd_dme_controller_synced 1', 'cloudletd_notify_client_peers 1', 'process_resident_memory_bytes']) expect(text).toContain(name);
    // The controller knows this DME by its node name.
    const node = await waitFor(() => ctl?.controller.nodes.values().find((n) => n.key?.name === 'dme-under-test'), { timeoutMs: 5_000, message: 'the DME node' });
    expect(node.key?.node_type).toBe(NodeType.NODE_DME);

    // REST: an unknown app is 404 with a grpc-gateway JSON error.
    const res = await fetch(`http://127.0.0.1:${started.httpPort}/v1/registerclient`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dev_name: 'NoSuchDev', app_name: 'no-such-app', app_vers: '1.0' }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(grpc.status.NOT_FOUND);
    expect(body.message).toContain('no-such-app');

    // gRPC: the same call is NOT_FOUND.
    const client = new MatchEngineApiClient(`127.0.0.1:${started.apiPort}`, grpc.credentials.createInsecure());
    try {
      const refused = await failure(call((r: RegisterClientRequest, cb) => client.registerClient(r, cb), RegisterClientRequest.fromPartial({ dev_name: 'NoSuchDev', app_name: 'no-such-app', app_vers: '1.0' })));
      expect(refused.code).toBe('NOT_FOUND');
    } finally {
      client.close();
    }

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const messages = proc.stdout.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg?: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['session key loaded', 'dme started', 'dme stopping', 'dme stopped']));
    expect(proc.stderr()).toBe('');
  });

  it('refuses a bad flag with one line naming it and exit code 2', async () => {
    const proc = spawnCli(['dme', '--cookie-ttl', 'forever']);
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    expect(proc.stderr().trim()).toBe('cloudletd dme: INVALID_ARGUMENT: --cookie-ttl: "forever" is not a duration such as 3s, 20m or 1h30m');
    const env = spawnCli(['dme'], { CLOUDLETD_API_ADDR: 'nowhere' });
    expect(await env.exited).toEqual({ code: 2, signal: null });
    expect(env.stderr().trim().split('\n')).toEqual(['cloudletd dme: INVALID_ARGUMENT: --api-addr (from CLOUDLETD_API_ADDR): "nowhere" is not host:port (port 0..65535)']);
  });

  it('fails with one line naming the flag when the session key file holds no key', async () => {
    const bad = join(dir, 'not-a-key.pem');
    writeFileSync(bad, 'hello\n');
    const proc = spawnCli(['dme', '--session-key-file', bad, '--api-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0']);
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`cloudletd dme: INVALID_ARGUMENT: --session-key-file: session key file ${bad} does not hold a PEM private key`);
  });

  it('prints its flags for --help', async () => {
    const help = spawnCli(['dme', '--help']);
    expect(await help.exited).toEqual({ code: 0, signal: null });
    expect(help.stdout.join('\n')).toContain('--session-key-file');
  });
});
