/**
 * The HTTP side of a process's observability: Prometheus `/metrics` from its private registry, and the `/healthz`
 * (alive) and `/readyz` (ready for work) probes of systemd, Kubernetes or a load balancer. Nothing else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { CodedError, Code } from '../core/errors.js';
import { parseHostPort, type HostPort } from '../core/host-port.js';
import type { Logger } from '../core/logger.js';

/** The answer of a probe: `ok` chooses 200 or 503; `detail`'s fields are added to the JSON body. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail?: object;
}

/** What {@link startMetricsServer} serves and where. */
export interface MetricsServerOptions {
  /** `host:port` to listen on (IPv6 in brackets); port 0 takes any free port. */
  readonly address: string;
  readonly registry: Registry;
  /** Liveness, asked on every GET /healthz. A throw counts as not ok. */
  readonly health: () => ProbeResult;
  /** Readiness, asked on every GET /readyz. A throw counts as not ok. */
  readonly ready: () => ProbeResult;
  readonly log: Logger;
  /** Closes the server when it aborts. */
  readonly signal?: AbortSignal;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** The bound port (the real one when the address asked for port 0). */
  readonly port: number;
  /** The address with the bound port: `127.0.0.1:0` → `127.0.0.1:39211`. */
  readonly address: string;
  /** Stops listening and closes every connection, keep-alive ones included. Idempotent. */
  close(): Promise<void>;
}

const FIELD = 'metrics-addr';
const TEXT = 'text/plain; charset=utf-8';

function parseAddress(address: string): HostPort {
  return parseHostPort(address, FIELD);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Status first, then the detail's fields (a `status` in the detail does not override it). */
function probeBody(probe: () => ProbeResult): { status: number; body: string } {
  let result: ProbeResult;
  try {
    result = probe();
  } catch (err) {
    result = { ok: false, detail: { error: err instanceof Error ? err.message : String(err) } };
  }
  const status = result.ok ? 'ok' : 'unavailable';
  const body = JSON.stringify(Object.assign({ status }, result.detail, { status }), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return { status: result.ok ? 200 : 503, body: body + '\n' };
}

function handler(options: MetricsServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const log = options.log;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return send(res, 404, TEXT, 'not found: try /metrics, /healthz or /readyz\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, TEXT, 'method not allowed\n');
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => send(res, 200, options.registry.contentType, body),
        (err: unknown) => {
          log.warn({ err }, 'metrics collection failed');
          send(res, 500, TEXT, 'metrics collection failed\n');
        },
      );
      return;
    }
    const { status, body } = probeBody(path === '/healthz' ? options.health : options.ready);
    send(res, status, 'application/json', body);
  };
}

/**
 * Starts the HTTP server of `/metrics` (the registry's text format), `/healthz` and `/readyz` (200 with
 * `{"status":"ok",...detail}` when the probe is ok, else 503 with `"status":"unavailable"`), on `address`.
 * GET and HEAD only (others: 405 with `Allow`); any other path: 404. Resolves once it listens. Rejects with a
 * CodedError on field `metrics-addr`: INVALID_ARGUMENT for an address that is not host:port or a host that does
 * not resolve, UNAVAILABLE when it cannot listen (port taken, address not local, no permission); with the signal's
 * reason when the signal is already aborted.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port } = parseAddress(options.address);
  options.signal?.throwIfAborted();
  const server = createServer(handler(options));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code === 'ENOTFOUND' ? Code.INVALID_ARGUMENT : Code.UNAVAILABLE;
      reject(new CodedError(code, `metrics server cannot listen on ${options.address}: ${err.message}`, { field: FIELD, cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => options.log.warn({ err }, 'metrics server error'));
  const bound = server.address();
  const boundPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  const colon = options.address.lastIndexOf(':');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      options.signal?.removeEventListener('abort', onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  const onAbort = (): void => void close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) {
    await close();
    options.signal.throwIfAborted();
  }
  options.log.debug({ metricsPort: boundPort }, 'metrics server listening');
  return { port: boundPort, address: `${options.address.slice(0, colon)}:${boundPort}`, close };
}
