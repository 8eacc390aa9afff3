import { request, Agent } from 'node:http';
import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startMetricsServer, type MetricsServer, type MetricsServerOptions, type ProbeResult } from '../../../src/metrics/http-server.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with node:http (keep-alive through `agent` when given). */
function get(port: number, path: string, options: { method?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: options.agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<MetricsServerOptions> = {}): Promise<MetricsServer> {
  const server = await startMetricsServer({
    address: '127.0.0.1:0',
    registry: createMetricsRegistry(),
    health: () => ({ ok: true }),
    ready: () => ({ ok: true }),
    log: silentLogger(),
    ...overrides,
  });
  servers.push(server);
  return server;
}

async function startFailure(address: string): Promise<{ code: string; field: string | undefined; message: string }> {
  try {
    await start({ address });
  } catch (e) {
    if (!isCodedError(e)) throw e;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error(`expected ${address} to fail`);
}

describe('startMetricsServer', () => {
  it('listens on an ephemeral port and reports the bound address', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
  });

  it('serves the registry on GET /metrics in its content type', async () => {
    const registry = createMetricsRegistry();
    const counter = new Counter({ name: 'cloudletd_test_events_total', help: 'test events', registers: [registry] });
    counter.inc(3);
    const server = await start({ registry });
    const reply = await get(server.port, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(registry.contentType);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.body).toContain('# TYPE cloudletd_test_events_total counter');
    expect(reply.body).toContain('cloudletd_test_events_total 3');
    expect((await get(server.port, '/metrics?x=1')).status).toBe(200);
  });

  it('includes the process metrics of a registry made with them', async () => {
    const server = await start({ registry: createMetricsRegistry({ processMetrics: true }) });
    expect((await get(server.port, '/metrics')).body).toContain('cloudletd_process_cpu_user_seconds_total');
  });

  it('answers /healthz and /readyz from their probes, asked on every request', async () => {
    let ready: ProbeResult = { ok: false, detail: { connected: false, queueDepth: 2 } };
    const server = await start({ health: () => ({ ok: true, detail: { state: 'running' } }), ready: () => ready });
    const health = await get(server.port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toBe('application/json');
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', state: 'running' });
    const notReady = await get(server.port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toBe('{"status":"unavailable","connected":false,"queueDepth":2}\n');
    ready = { ok: true, detail: { connected: true, status: 'overridden?' } };
    const nowReady = await get(server.port, '/readyz');
    expect(nowReady.status).toBe(200);
    expect(JSON.parse(nowReady.body)).toEqual({ status: 'ok', connected: true });
  });

  it('answers 503 with the error when a probe throws', async () => {
    const server = await start({
      health: () => {
        throw new Error('probe broke');
      },
    });
    const reply = await get(server.port, '/healthz');
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toEqual({ status: 'unavailable', error: 'probe broke' });
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const server = await start();
    for (const path of ['/', '/metric', '/healthz/', '/favicon.ico']) expect((await get(server.port, path)).status, path).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await get(server.port, '/metrics', { method });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const head = await get(server.port, '/readyz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 500 when collecting the metrics fails', async () => {
    const registry = createMetricsRegistry();
    registry.metrics = () => Promise.reject(new Error('collector broke'));
    const server = await start({ registry });
    const reply = await get(server.port, '/metrics');
    expect(reply.status).toBe(500);
  });

  it('closes keep-alive connections, idempotently', async () => {
    const server = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(server.port, '/healthz', { agent })).status).toBe(200);
      expect((await get(server.port, '/healthz', { agent })).status).toBe(200);
      const started = performance.now();
      const first = server.close();
      expect(server.close()).toBe(first);
      await first;
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(get(server.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('does not wait for a request in flight when it closes', async () => {
    const registry = createMetricsRegistry();
    let asked = false;
    registry.metrics = () => {
      asked = true;
      return new Promise<string>(() => undefined);
    };
    const server = await start({ registry });
    const pending = get(server.port, '/metrics');
    while (!asked) await new Promise((resolve) => setTimeout(resolve, 1));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('closes when its signal aborts, and does not start with an aborted one', async () => {
    const controller = new AbortController();
    const server = await start({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await server.close();
    await expect(get(server.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    await expect(start({ signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
  });

  it('refuses a malformed address with INVALID_ARGUMENT on metrics-addr', async () => {
    for (const address of ['9091', ':9091', 'localhost:99999', 'host name:1']) {
      const failure = await startFailure(address);
      expect(failure, address).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'metrics-addr' });
      expect(failure.message).toContain(JSON.stringify(address));
    }
  });

  it('fails UNAVAILABLE on metrics-addr when the port is taken', async () => {
    const first = await start();
    const failure = await startFailure(`127.0.0.1:${first.port}`);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', field: 'metrics-addr' });
    expect(failure.message).toMatch(/^metrics server cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    expect(failure.message).not.toContain('\n');
  });

  it('fails on metrics-addr for an address that is not local', async () => {
    const failure = await startFailure('192.0.2.1:0');
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', field: 'metrics-addr' });
    expect(failure.message).toMatch(/EADDRNOTAVAIL/);
  });
});
