/**
 * The HTTP plumbing of the controller's REST gateway (the bounded body reading is core's `readBody`): turning a
 * body into the rpc's request message (strict proto3 JSON), and writing JSON answers and errors in the gateway's error form.
 */
import type { ServerResponse } from 'node:http';
import { invalidArgument, type Code, type CodedError } from '../../core/errors.js';
import { httpStatusOf } from '../../core/http-status.js';
import { messageFromJson } from '../../wire/strict-json.js';
import type { Route } from './routes.js';

/** The largest request body accepted by default (1 MiB); a larger one is answered 400. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The error body of every failed request: the gRPC status name and the API's message. */
export interface RestErrorBody {
  readonly code: Code;
  readonly message: string;
}

/** The error body of `err`. Pure. */
export function errorBody(err: CodedError): RestErrorBody {
  return { code: err.code, message: err.message };
}

/** Writes `body` as a JSON answer with `status`; nothing when an answer was already started or the peer left. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** Writes `err` as `{code, message}` with the HTTP status grpc-gateway uses for its code (or `status`). */
export function sendError(res: ServerResponse, err: CodedError, options: { status?: number; headers?: Readonly<Record<string, string>> } = {}): void {
  sendJson(res, options.status ?? httpStatusOf(err.code), errorBody(err), options.headers);
}

/** Writes a plain-text answer (probes). */
export function sendText(res: ServerResponse, status: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * The request message of `route` from a body: empty (or white space only) is the empty message; otherwise the
 * body must be a JSON object of the request's fields, read by {@link messageFromJson} (proto or lowerCamelCase
 * names, enums by name or number, 64-bit integers as numbers or strings). Throws INVALID_ARGUMENT naming `body` or
 * the dotted path of the offending field. Pure.
 */
export function parseRequest(route: Route, body: string): unknown {
  if (body.trim() === '') return route.request.codec.fromPartial({} as never);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw invalidArgument('body', `not valid JSON: ${(err as Error).message}`, err);
  }
  return messageFromJson(route.request.fullName, json);
}
