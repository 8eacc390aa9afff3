/**
 * The REST gateway of MatchEngineApi, as the original's grpc-gateway serves it: `POST /v1/<method>` with the
 * request as JSON in proto field names, the reply as JSON in proto field names (enums by name, 64-bit integers as
 * strings, defaults omitted), errors as an HTTP status with the grpc-gateway body `{code, message, details}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Code, CodedError, invalidArgument, toGrpcStatus } from '../core/errors.js';
import { httpStatusOf } from '../core/http-status.js';
import { parseHostPort, type HostPort } from '../core/host-port.js';
import { readBody } from '../core/http-body.js';
import type { Logger } from '../core/logger.js';
import { messageToJson } from '../wire/message-json.js';
import { DME_METHODS, type ApiCaller, type DmeMethod } from './api-call.js';

/** The HTTP status of a gRPC status name; the table lives in `src/core/http-status.ts`, shared with the controller. */
export { httpStatusOf } from '../core/http-status.js';

/** The largest request body accepted (64 KiB); more is answered 413. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The error body of grpc-gateway: `{"code": <gRPC status number>, "message": "...", "details": []}`. */
export interface RestErrorBody {
  readonly code: number;
  readonly message: string;
  readonly details: readonly unknown[];
}

/** Options of {@link startRestGateway}. */
export interface RestGatewayOptions {
  /** `host:port` to listen on (IPv6 in brackets); port 0: any free port. */
  readonly address: string;
  readonly caller: ApiCaller;
  readonly log: Logger;
  /** Largest accepted request body in bytes. Default {@link DEFAULT_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
}

/** A listening REST gateway. */
export interface RestGateway {
  readonly port: number;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

const FIELD = 'http-addr';

function parseAddress(address: string): HostPort {
  return parseHostPort(address, FIELD);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, code: Code, message: string, status = httpStatusOf(code), headers: Record<string, string> = {}): void {
  const body: RestErrorBody = { code: toGrpcStatus(code), message, details: [] };
  sendJson(res, status, body, headers);
}

/** `fooBar` → `foo_bar`. */
const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Request keys as protojson reads them: proto field names, or their lowerCamelCase JSON names (`devName` for
 * `dev_name`); a proto name wins when both are given. Applied recursively. Pure.
 */
export function normalizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = snake(key);
    if (name !== key && Object.hasOwn(value, name)) continue;
    out[name] = normalizeKeys(v);
  }
  return out;
}

/** The request message of `m` from a JSON body; INVALID_ARGUMENT when it is not a JSON object of that message. */
function parseRequest(m: DmeMethod, body: string): unknown {
  let json: unknown = {};
  if (body.trim() !== '') {
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw invalidArgument('body', `not valid JSON: ${(err as Error).message}`, err);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArgument('body', `must be a JSON object (a ${m.name} request)`);
  try {
    return m.request.fromJSON(normalizeKeys(json));
  } catch (err) {
    throw invalidArgument('body', `not a valid ${m.name} request: ${(err as Error).message}`, err);
  }
}

function handler(options: RestGatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const byPath = new Map(DME_METHODS.map((m) => [m.restPath, m]));
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const m = byPath.get(path);
    if (!m) {
      req.resume();
      return sendError(res, Code.NOT_FOUND, `Not Found: no API at ${path}`);
    }
    if (req.method !== 'POST') {
      req.resume();
      return sendError(res, Code.UNIMPLEMENTED, `Method Not Allowed: ${path} takes POST`, 405, { Allow: 'POST' });
    }
    const tooLarge = (l: number): CodedError => new CodedError(Code.RESOURCE_EXHAUSTED, `request body larger than ${l} bytes`);
    readBody(req, limit, tooLarge).then((body) => {
      let request: unknown;
      try {
        request = parseRequest(m, body);
      } catch (err) {
        const coded = err as CodedError;
        return sendError(res, coded.code, coded.message);
      }
      options.caller.call(m, request).then(
        (reply) => sendJson(res, 200, messageToJson(m.reply, reply)),
        (err: CodedError) => sendError(res, err.code, err.message),
      );
    }, (err: CodedError) => {
      if (err.code === Code.RESOURCE_EXHAUSTED) sendError(res, err.code, err.message, 413, { Connection: 'close' });
      else sendError(res, err.code, err.message);
    });
  };
}

/**
 * Starts the REST gateway on `options.address`. Resolves once it listens. Rejects with a CodedError on field
 * `http-addr`: INVALID_ARGUMENT for an address that is not host:port or a host that does not resolve,
 * UNAVAILABLE when it cannot listen.
 *
 * Requests: `POST` to one of the seven paths (`/v1/registerclient`, `/v1/findcloudlet`, `/v1/verifylocation`,
 * `/v1/getlocation`, `/v1/addusertogroup`, `/v1/getappinstlist`, `/v1/getfqdnlist`), body a JSON object (empty
 * body: the empty request). Answers: 200 with the reply; the API's errors with {@link httpStatusOf} of their code;
 * 400 for a body that is not the request as JSON; 404 for another path; 405 for another method; 413 for a body
 * over the limit. Every error body is a {@link RestErrorBody}.
 */
export async function startRestGateway(options: RestGatewayOptions): Promise<RestGateway> {
  const { host, port } = parseAddress(options.address);
  const server = createServer(handler(options));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code === 'ENOTFOUND' ? Code.INVALID_ARGUMENT : Code.UNAVAILABLE;
      reject(new CodedError(code, `REST gateway cannot listen on ${options.address}: ${err.message}`, { field: FIELD, cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => options.log.warn({ err }, 'rest gateway error'));
  const bound = server.address();
  let closing: Promise<void> | undefined;
  return {
    port: typeof bound === 'object' && bound !== null ? bound.port : port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
