/**
 * The gateway's side of the controller's gRPC API: one grpc-js channel to the API's own port, over which every
 * REST request becomes the gRPC call it names, so REST and gRPC answer alike (same validation, same errors).
 */
import * as grpc from '@grpc/grpc-js';
import { Code, CodedError, fromGrpcStatus } from '../../core/errors.js';
import { Controller, ControllerApiService } from '../../gen/edgeproto/controller.js';
import type { Route, RouteMethod } from './routes.js';

/**
 * The CodedError of a failed call: a gRPC status maps to its code with the server's message (its details); a
 * status without details gets a message naming the method. Anything else is UNKNOWN. Pure.
 */
export function callError(err: unknown, grpcPath: string): CodedError {
  const status = err as Partial<grpc.ServiceError> | undefined;
  if (typeof status?.code === 'number') {
    const code = fromGrpcStatus(status.code);
    return new CodedError(code, status.details || `${grpcPath}: ${code}`, { cause: err });
  }
  return new CodedError(Code.UNKNOWN, `${grpcPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** One channel to the controller's gRPC API. `close()` ends it; calls made after that fail UNAVAILABLE. */
export class ApiForwarder {
  private readonly client: grpc.Client;

  /** Connects lazily to `address` (`host:port` a local client can dial, e.g. `127.0.0.1:55001`). */
  constructor(readonly address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
  }

  /**
   * Calls the unary method of `route` with `request` and a deadline `timeoutMs` from now. Resolves with the
   * response; rejects with {@link callError}. Aborting `signal` cancels the call (it then rejects CANCELLED).
   */
  unary(route: Route, request: unknown, options: { readonly signal: AbortSignal; readonly timeoutMs: number }): Promise<unknown> {
    const { method } = route;
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(
        method.path, (v: unknown) => method.requestSerialize(v), (b: Buffer) => method.responseDeserialize(b),
        request, new grpc.Metadata(), { deadline: Date.now() + options.timeoutMs },
        (err: grpc.ServiceError | null, response?: unknown) => {
          options.signal.removeEventListener('abort', onAbort);
          if (err) reject(callError(err, method.path));
          else resolve(response);
        },
      );
      const onAbort = (): void => call.cancel();
      if (options.signal.aborted) call.cancel();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Starts the server-streaming method of `route` with `request` and a deadline `timeoutMs` from now. The caller
   * reads the stream (it ends with `end`, or an `error` carrying the gRPC status) and cancels it with `cancel()`.
   */
  serverStream(route: Route, request: unknown, timeoutMs: number): grpc.ClientReadableStream<unknown> {
    const { method } = route;
    return this.client.makeServerStreamRequest(
      method.path, (v: unknown) => method.requestSerialize(v), (b: Buffer) => method.responseDeserialize(b),
      request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
    );
  }

  /**
   * Checks that the API answers: a ShowController call read to its end within `timeoutMs`. Resolves when it
   * did; rejects with {@link callError} otherwise. Never leaves the call running.
   */
  probe(timeoutMs: number): Promise<void> {
    const method = ControllerApiService.showController as unknown as RouteMethod;
    return new Promise((resolve, reject) => {
      const call = this.client.makeServerStreamRequest(
        method.path, (v: unknown) => method.requestSerialize(v), (b: Buffer) => method.responseDeserialize(b),
        Controller.fromPartial({}), new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
      );
      call.on('data', () => undefined);
      call.on('error', (err) => reject(callError(err, method.path)));
      call.on('end', () => resolve());
    });
  }

  /** Closes the channel. Idempotent. */
  close(): void {
    this.client.close();
  }
}
