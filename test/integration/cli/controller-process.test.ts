import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Flavor, FlavorApiClient } from '../../../src/gen/edgeproto/flavor.js';
import { call, collect, insecure } from '../../helpers/controller-harness.js';
import { spawnCli, spawnController, type ControllerProcess } from '../../helpers/controller-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-proc-'));
const running: ControllerProcess[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const ephemeral = ['--api-addr', '127.0.0.1:0', '--notify-addr', '127.0.0.1:0'];
const x1 = Flavor.fromPartial({ key: { name: 'x1.medium' }, ram: 4096n, vcpus: 2n, disk: 40n });

async function showFlavors(address: string): Promise<Flavor[]> {
  const client = new FlavorApiClient(address, insecure);
  try {
    return await collect(client.showFlavor(Flavor.fromPartial({})));
  } finally {
    client.close();
  }
}

describe('cloudletd controller (child process)', () => {
  it('starts fast, serves, stops on SIGTERM with exit 0, and a restart on the same data dir serves the same data', async () => {
    const first = await spawnController([...ephemeral, '--data-dir', dataDir, '--store', 'lmdb']);
    running.push(first);
    console.info(`controller ready ${first.readyMs.toFixed(0)} ms after spawn (empty lmdb store)`);
    expect(first.readyMs).toBeLessThan(3_000);
    const client = new FlavorApiClient(first.apiAddress, insecure);
    await call(client.createFlavor.bind(client), x1);
    client.close();

    const stopAt = performance.now();
    const exit = await first.stop('SIGTERM');
    const stopMs = performance.now() - stopAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(3_000);
    const messages = first.stdout.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m === 'controller started')).toHaveLength(1);
    expect(messages).toContain('controller stopped');
    expect(first.stderr()).toBe('');

    const second = await spawnController([...ephemeral, '--data-dir', dataDir, '--store', 'lmdb']);
    running.push(second);
    console.info(`controller ready ${second.readyMs.toFixed(0)} ms after spawn (restart, 1 flavor)`);
    expect(await showFlavors(second.apiAddress)).toEqual([x1]);
    expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('reads its settings from the environment when no flag is given', async () => {
    const proc = await spawnController(['--data-dir', dataDir], {
      env: { CLOUDLETD_API_ADDR: '127.0.0.1:0', CLOUDLETD_NOTIFY_ADDR: '127.0.0.1:0', CLOUDLETD_STORE: 'memory', CLOUDLETD_CONTROLLER_ID: 'env-ctl', CLOUDLETD_HTTP_ADDR: '127.0.0.1:0' },
    });
    running.push(proc);
    const started = proc.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'controller started');
    expect(started).toMatchObject({ store: 'memory', controllerId: 'env-ctl', httpPort: proc.httpPort });
    const health = await fetch(`http://127.0.0.1:${proc.httpPort ?? 0}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const shown = await fetch(`http://127.0.0.1:${proc.httpPort ?? 0}/show/flavor`, { method: 'POST', body: '{}' });
    expect([shown.status, shown.headers.get('content-type'), await shown.text()]).toEqual([200, 'application/x-ndjson', '']);
    expect(await showFlavors(proc.apiAddress)).toEqual([]);
    expect(await proc.stop()).toEqual({ code: 0, signal: null });
  });

  it('fails at start with exit 2 and one line naming a bad flag or variable', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--api-addr', 'nowhere'], {}, /^cloudletd controller: INVALID_ARGUMENT: --api-addr: "nowhere" is not host:port/],
      [['--bogus'], {}, /^cloudletd controller: INVALID_ARGUMENT: --bogus: unknown flag/],
      [['--create-timeout', '30'], {}, /--create-timeout: "30" is not a duration/],
      [[], { CLOUDLETD_STORE: 'etcd' }, /--store \(from CLOUDLETD_STORE\): "etcd" is not one of memory, lmdb/],
    ];
    for (const [argv, env, expected] of cases) {
      const proc = spawnCli(['controller', ...argv], env);
      expect(await proc.exited).toEqual({ code: 2, signal: null });
      const lines = proc.stderr().split('\n').filter((l) => l !== '');
      expect(lines, argv.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      expect(proc.stdout).toEqual([]);
    }
  });

  it('prints its flags for --help and exits 0', async () => {
    const proc = spawnCli(['controller', '--help']);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const text = proc.stdout.join('\n');
    for (const flag of ['--api-addr', '--notify-addr', '--data-dir', '--store', '--log-level', '--log-format', '--create-timeout', '--controller-id']) {
      expect(text).toContain(flag);
    }
  });

  it('fails with exit 1 and one line when its port is taken', async () => {
    const first = await spawnController([...ephemeral, '--store', 'memory']);
    running.push(first);
    const port = first.notifyAddress.split(':')[1] ?? '';
    const second = spawnCli(['controller', '--api-addr', '127.0.0.1:0', '--notify-addr', `127.0.0.1:${port}`, '--store', 'memory']);
    expect(await second.exited).toEqual({ code: 1, signal: null });
    const lines = second.stderr().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cloudletd controller: UNAVAILABLE: --notify-addr: notify server cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
  });
});
