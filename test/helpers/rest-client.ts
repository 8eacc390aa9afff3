import * as grpc from '@grpc/grpc-js';
import type { Route } from '../../src/controller/rest/routes.js';
import { fromGrpcStatus } from '../../src/core/errors.js';
import { httpStatusOf } from '../../src/core/http-status.js';
import { messageToJson } from '../../src/wire/message-json.js';
import { messageFromJson } from '../../src/wire/strict-json.js';

/** An HTTP answer of the REST gateway, read completely. */
export interface RestAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON (a JSON answer), or its lines as JSON (an NDJSON answer); undefined for other bodies. */
  readonly body: unknown;
}

/** `POST <base><path>` with `body` (text as is, anything else as JSON); reads the whole answer. */
export async function rest(base: string, path: string, body: unknown = '', init: RequestInit = {}): Promise<RestAnswer> {
  const method = init.method ?? 'POST';
  const payload = method === 'GET' || method === 'HEAD' ? null : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(base + path, { ...init, method, body: payload });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let parsed: unknown;
  if (contentType.startsWith('application/json')) parsed = JSON.parse(text);
  else if (contentType.startsWith('application/x-ndjson')) parsed = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
  return { status: res.status, contentType, headers: res.headers, text, body: parsed };
}

/** What the gateway must answer for a call: HTTP status, content type family and body (see {@link RestAnswer}). */
export interface ExpectedAnswer {
  readonly status: number;
  readonly ndjson: boolean;
  readonly body: unknown;
}

/**
 * Makes the call of `route` with the request `json` directly on the gRPC API at `apiAddress`, and returns what the
 * REST gateway must answer for it: the response (or each streamed message as `{result}`), the error as
 * `{code, message}` with grpc-gateway's HTTP status, or after streamed messages a final `{error}` line.
 */
export function grpcAnswer(apiAddress: string, route: Route, json: unknown): Promise<ExpectedAnswer> {
  const client = new grpc.Client(apiAddress, grpc.credentials.createInsecure());
  const request = messageFromJson(route.request.fullName, json);
  const { method } = route;
  const toJson = (m: unknown): unknown => messageToJson(route.response.codec, m);
  const errorOf = (err: grpc.ServiceError): { code: string; message: string } => ({ code: fromGrpcStatus(err.code), message: err.details });
  return new Promise<ExpectedAnswer>((resolve) => {
    if (!route.streaming) {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, (err: grpc.ServiceError | null, res?: unknown) => {
        if (err) resolve({ status: httpStatusOf(fromGrpcStatus(err.code)), ndjson: false, body: errorOf(err) });
        else resolve({ status: 200, ndjson: false, body: toJson(res) });
      });
      return;
    }
    const lines: unknown[] = [];
    const call = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request);
    call.on('data', (m: unknown) => lines.push({ result: toJson(m) }));
    call.on('error', (err: grpc.ServiceError) => {
      const error = errorOf(err);
      if (lines.length === 0) resolve({ status: httpStatusOf(fromGrpcStatus(err.code)), ndjson: false, body: error });
      else resolve({ status: 200, ndjson: true, body: [...lines, { error }] });
    });
    call.on('end', () => resolve({ status: 200, ndjson: true, body: lines }));
  }).finally(() => client.close());
}

/** `answer` in the form of {@link ExpectedAnswer}. */
export function answerShape(answer: RestAnswer): ExpectedAnswer {
  return { status: answer.status, ndjson: answer.contentType.startsWith('application/x-ndjson'), body: answer.body };
}
