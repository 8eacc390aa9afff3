/**
 * Server-streaming rpcs over HTTP: newline-delimited JSON, one `{"result": {...}}` line per message, and a final
 * `{"error": {"code", "message"}}` line when the stream fails after it started.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ServerResponse } from 'node:http';
import { Code, type CodedError } from '../../core/errors.js';
import { callError } from './api-forwarder.js';
import { errorBody } from './http-io.js';

/** The content type of a streamed answer. */
export const NDJSON = 'application/x-ndjson';

/** How {@link relayNdjson} writes and ends. */
export interface RelayOptions {
  /** The gRPC method path, for messages of errors without details. */
  readonly grpcPath: string;
  /** The JSON form of one streamed message. */
  readonly toJson: (message: unknown) => unknown;
  /** Answers a stream that failed before its first message (as a unary error: HTTP status and error body). */
  readonly failEarly: (err: CodedError) => void;
}

/**
 * Relays `call` to `res` and resolves with the stream's outcome (`OK` or the status name). The 200 answer with
 * `Content-Type: application/x-ndjson` starts with the first message (or the end of an empty stream), so a stream
 * that fails before any message is answered by `failEarly` instead. Honours back-pressure: the call is paused while
 * `res` is full. When the peer goes away first, the call is cancelled and the outcome is CANCELLED.
 */
export function relayNdjson(call: grpc.ClientReadableStream<unknown>, res: ServerResponse, options: RelayOptions): Promise<Code> {
  return new Promise((resolve) => {
    let failure: CodedError | undefined;
    let done = false;
    const start = (): void => {
      if (!res.headersSent && !res.destroyed) res.writeHead(200, { 'Content-Type': NDJSON, 'Cache-Control': 'no-store' });
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      res.off('close', onClose);
      if (!failure) {
        start();
        res.end();
        return resolve(Code.OK);
      }
      if (res.headersSent) res.end(JSON.stringify({ error: errorBody(failure) }) + '\n');
      else options.failEarly(failure);
      resolve(failure.code);
    };
    const onClose = (): void => {
      if (done) return;
      failure ??= callError({ code: 1, details: 'the HTTP client went away' }, options.grpcPath);
      call.cancel();
      finish();
    };
    res.on('close', onClose);
    call.on('data', (message: unknown) => {
      if (done) return;
      start();
      if (!res.write(JSON.stringify({ result: options.toJson(message) }) + '\n')) {
        call.pause();
        res.once('drain', () => call.resume());
      }
    });
    call.on('error', (err: unknown) => {
      failure ??= callError(err, options.grpcPath);
      // Messages still buffered (the call was paused) go out first; `end` follows them.
      if (call.readableLength === 0) finish();
    });
    call.on('end', finish);
  });
}
