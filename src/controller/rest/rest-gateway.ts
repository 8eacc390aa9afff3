/**
 * The controller's REST gateway, as the original's grpc-gateway: `POST` to an rpc's `google.api.http` path (see
 * {@link REST_ROUTES}) with the request as JSON is forwarded to the controller's own gRPC API, and its answer or
 * error comes back as JSON. Also `GET /healthz`, `/readyz` and `/metrics`. Design note: ./README.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { asCodedError, Code, CodedError } from '../../core/errors.js';
import { parseHostPort, type HostPort } from '../../core/host-port.js';
import { readBody } from '../../core/http-body.js';
import type { Logger } from '../../core/logger.js';
import { messageToJson } from '../../wire/message-json.js';
import { ApiForwarder } from './api-forwarder.js';
import { DEFAULT_MAX_BODY_BYTES, parseRequest, sendError, sendJson, sendText } from './http-io.js';
import { relayNdjson } from './ndjson.js';
import { createRestMetrics, OTHER_PATH, type RestMetrics } from './rest-metrics.js';
import { REST_ROUTES, ROUTES_BY_PATH, type Route } from './routes.js';

/** Deadline of a forwarded unary call (60 s). */
export const UNARY_TIMEOUT_MS = 60_000;
/** How long /healthz and /readyz wait for the gRPC API (2 s). */
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_PATHS = ['/healthz', '/readyz', '/metrics'] as const;
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';

/** What {@link startRestGateway} serves and where. */
export interface RestGatewayOptions {
  /** `host:port` to listen on (IPv6 in brackets); port 0: any free port. */
  readonly address: string;
  /** The controller's gRPC API as a local client dials it (`127.0.0.1:55001`). */
  readonly apiAddress: string;
  /** The controller's registry: served at /metrics, and where the REST metrics are registered. */
  readonly registry: Registry;
  readonly log: Logger;
  /** Deadline of a forwarded server-streaming call (the longest operation timeout plus a margin). */
  readonly streamTimeoutMs: number;
  /** Deadline of a forwarded unary call. Default {@link UNARY_TIMEOUT_MS}. */
  readonly unaryTimeoutMs?: number;
  /** Largest accepted request body in bytes. Default {@link DEFAULT_MAX_BODY_BYTES} (1 MiB). */
  readonly maxBodyBytes?: number;
  /** False once the controller is closing: /readyz then answers 503. Default always ready. */
  readonly accepting?: () => boolean;
}

/** A listening REST gateway. */
export interface RestGateway {
  /** The bound port (the real one when the address asked for port 0). */
  readonly port: number;
  /**
   * Stops listening, closes every connection (which cancels the gRPC calls of requests still running) and the
   * channel to the API. Idempotent.
   */
  close(): Promise<void>;
}

const FIELD = 'http-addr';

function parseAddress(address: string): HostPort {
  return parseHostPort(address, FIELD);
}

/** Serves one request of the gateway; each request ends in exactly one `done(path, code)`. */
class Gateway {
  private readonly forwarder: ApiForwarder;
  private readonly metrics: RestMetrics;

  constructor(private readonly options: RestGatewayOptions) {
    this.forwarder = new ApiForwarder(options.apiAddress);
    this.metrics = createRestMetrics(options.registry, [...REST_ROUTES.map((r) => r.path), ...PROBE_PATHS]);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const done = (label: string, code: Code): void => {
      this.metrics.requests.inc({ path: label, code });
      this.metrics.duration.observe({ path: label }, (performance.now() - started) / 1000);
      this.options.log.debug({ method: req.method, path, code, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'rest request');
    };
    const refuse = (label: string, err: CodedError, status?: number, headers?: Record<string, string>): void => {
      req.resume();
      sendError(res, err, { ...(status === undefined ? {} : { status }), ...(headers ? { headers } : {}) });
      done(label, err.code);
    };
    if ((PROBE_PATHS as readonly string[]).includes(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(path, new CodedError(Code.UNIMPLEMENTED, `method not allowed: ${path} takes GET`), 405, { Allow: 'GET, HEAD' });
      req.resume();
      void this.probe(path, res).then((code) => done(path, code));
      return;
    }
    const route = ROUTES_BY_PATH.get(path);
    if (!route) return refuse(OTHER_PATH, new CodedError(Code.NOT_FOUND, `not found: no API at ${path}`));
    if (req.method !== 'POST') return refuse(path, new CodedError(Code.UNIMPLEMENTED, `method not allowed: ${path} takes POST`), 405, { Allow: 'POST' });
    void this.forward(route, req, res).then((code) => done(path, code));
  }

  /** Reads, parses and forwards one API request; resolves with its outcome. Never rejects. */
  private async forward(route: Route, req: IncomingMessage, res: ServerResponse): Promise<Code> {
    let request: unknown;
    try {
      request = parseRequest(route, await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    } catch (err) {
      const coded = asCodedError(err, Code.INVALID_ARGUMENT);
      sendError(res, coded, { headers: req.complete ? {} : { Connection: 'close' } });
      return coded.code;
    }
    const toJson = (message: unknown): unknown => messageToJson(route.response.codec, message);
    if (route.streaming) {
      const call = this.forwarder.serverStream(route, request, this.options.streamTimeoutMs);
      return relayNdjson(call, res, { grpcPath: route.grpcPath, toJson, failEarly: (err) => sendError(res, err) });
    }
    const left = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) left.abort();
    };
    res.on('close', onClose);
    try {
      const reply = await this.forwarder.unary(route, request, { signal: left.signal, timeoutMs: this.options.unaryTimeoutMs ?? UNARY_TIMEOUT_MS });
      sendJson(res, 200, toJson(reply));
      return Code.OK;
    } catch (err) {
      const coded = asCodedError(err);
      sendError(res, coded);
      return coded.code;
    } finally {
      res.off('close', onClose);
    }
  }

  /** Answers a probe or a scrape; resolves with its outcome. Never rejects. */
  private async probe(path: string, res: ServerResponse): Promise<Code> {
    if (path === '/metrics') {
      try {
        const text = await this.options.registry.metrics();
        sendText(res, 200, this.options.registry.contentType, text);
        return Code.OK;
      } catch (err) {
        this.options.log.warn({ err }, 'metrics collection failed');
        sendText(res, 500, TEXT, 'metrics collection failed\n');
        return Code.INTERNAL;
      }
    }
    try {
      if (path === '/readyz' && this.options.accepting?.() === false) throw new CodedError(Code.UNAVAILABLE, 'the controller is closing');
      await this.forwarder.probe(PROBE_TIMEOUT_MS);
      sendText(res, 200, JSON_TYPE, JSON.stringify({ status: 'ok' }));
      return Code.OK;
    } catch (err) {
      const coded = asCodedError(err);
      sendText(res, 503, JSON_TYPE, JSON.stringify({ status: 'unavailable', code: coded.code, error: coded.message }));
      return coded.code;
    }
  }

  close(): void {
    this.forwarder.close();
  }
}

function listen(server: Server, address: string): Promise<void> {
  const { host, port } = parseAddress(address);
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code === 'ENOTFOUND' ? Code.INVALID_ARGUMENT : Code.UNAVAILABLE;
      reject(new CodedError(code, `REST gateway cannot listen on ${address}: ${err.message}`, { field: FIELD, cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts the REST gateway on `options.address`; resolves once it listens. Rejects with a CodedError on field
 * `http-addr`: INVALID_ARGUMENT for an address that is not host:port or a host that does not resolve, UNAVAILABLE
 * when it cannot listen (port taken, address not local).
 *
 * Answers: `POST <rpc path>` (body: the request as JSON; empty: the empty request): a unary rpc 200 with the
 * response object, a server-streaming one 200 NDJSON (`{"result": ...}` lines, a final `{"error": ...}` line when
 * it fails after it started; before its first message it is answered like a unary error). Errors: `{code,
 * message}` with grpc-gateway's HTTP status of the code; 400 for a body that is not the request as JSON or larger
 * than the limit; 404 for another path; 405 (with `Allow`) for another method. `GET /healthz`, `/readyz`: 200
 * `{"status":"ok"}` when the gRPC API answers (readyz: and the controller is not closing), else 503
 * `{"status":"unavailable","code","error"}`, the JSON of every cloudletd probe. `GET /metrics`: the registry in
 * Prometheus text format.
 */
export async function startRestGateway(options: RestGatewayOptions): Promise<RestGateway> {
  const gateway = new Gateway(options);
  const server = createServer((req, res) => gateway.handle(req, res));
  try {
    await listen(server, options.address);
  } catch (err) {
    gateway.close();
    throw err;
  }
  server.on('error', (err) => options.log.warn({ err }, 'rest gateway error'));
  const bound = server.address();
  let closing: Promise<void> | undefined;
  return {
    port: typeof bound === 'object' && bound !== null ? bound.port : parseAddress(options.address).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          gateway.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
