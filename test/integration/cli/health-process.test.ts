// `cloudletd health` as a process against real HTTP servers on 127.0.0.1: exit 0 on 2xx, 1 with one line on stderr
// saying why (status, refused, timeout), 2 on a usage error; the URL from --url, CLOUDLETD_HEALTH_URL or
// CLOUDLETD_METRICS_ADDR (a wildcard host probed on loopback).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../helpers/controller-process.js';

let server: Server;
let port = 0;
/** Held responses of /hang, ended in afterAll. */
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/healthz':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}\n');
        return;
      case '/sick':
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"status":"unavailable","state":"starting"}\n');
        return;
      case '/moved':
        res.writeHead(302, { Location: '/healthz' }).end();
        return;
      case '/hang':
        hanging.push(res);
        return;
      default:
        res.writeHead(404).end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Runs `cloudletd health <args>` with `env` added (CLOUDLETD_* of the test runner's environment removed). */
async function health(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const clean = { CLOUDLETD_HEALTH_URL: '', CLOUDLETD_METRICS_ADDR: '', CLOUDLETD_HEALTH_TIMEOUT: '' };
  const proc = spawnCli(['health', ...args], { ...clean, ...env });
  const exit = await proc.exited;
  return { code: exit.code, stdout: proc.stdout.join('\n'), stderr: proc.stderr(), ms: performance.now() - started };
}

/** A port nothing listens on: bound, read and closed. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const free = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

describe('cloudletd health (process)', { timeout: 30_000 }, () => {
  it('exits 0 on a 2xx answer, probing the wildcard CLOUDLETD_METRICS_ADDR on 127.0.0.1', async () => {
    const r = await health([], { CLOUDLETD_METRICS_ADDR: `0.0.0.0:${port}` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`http://127.0.0.1:${port}/healthz: HTTP 200`);
    expect(r.stderr).toBe('');
  });

  it('exits 1 on a non-2xx answer with the status and the body on one stderr line', async () => {
    const r = await health([], { CLOUDLETD_HEALTH_URL: `http://127.0.0.1:${port}/sick` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('HTTP 503');
    expect(r.stderr).toContain('"state":"starting"');
    const moved = await health(['--url', `http://127.0.0.1:${port}/moved`]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain('HTTP 302');
  });

  it('exits 1 when the connection is refused', async () => {
    const r = await health(['--url', `http://127.0.0.1:${await closedPort()}/healthz`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('connection refused');
  });

  it('exits 1 at its deadline when the answer does not come', async () => {
    const r = await health(['--url', `http://127.0.0.1:${port}/hang`, '--timeout', '300ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timeout: no answer within 300ms');
    expect(hanging.length).toBeGreaterThan(0);
  });

  it('exits 2 on a usage error, and 0 with the help text', async () => {
    const bad = await health(['--url', 'ftp://127.0.0.1/healthz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--url');
    const help = await health(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: cloudletd health');
  });
});
