import type * as grpc from '@grpc/grpc-js';
import { asCodedError, Code, toGrpcStatus, type CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** What an API handler gets besides the request. */
export interface CallContext {
  /** Aborted when the client cancels or its deadline passes. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * The one mapping from errors to gRPC status (architecture convention 6). A CodedError keeps its code and message;
 * anything else is INTERNAL with a generic message, and the cause is logged, never sent.
 */
export function toServiceError(err: unknown, log: Logger): Partial<grpc.ServiceError> {
  const coded: CodedError = asCodedError(err, Code.INTERNAL);
  if (coded.code === Code.INTERNAL || coded.code === Code.UNKNOWN) {
    log.error({ err }, 'api call failed');
    return { code: toGrpcStatus(Code.INTERNAL), details: 'internal error; see the controller log' };
  }
  return { code: toGrpcStatus(coded.code), details: coded.message };
}

function callSignal(call: { on(event: 'cancelled', fn: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort(new Error('call cancelled by the client')));
  return controller.signal;
}

/** Wraps an async handler as a grpc-js unary handler: errors become statuses, the signal follows cancellation. */
export function unary<Req, Res>(
  log: Logger,
  method: string,
  handler: (request: Req, context: CallContext) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const context: CallContext = { signal: callSignal(call), log: log.child({ method }) };
    handler(call.request, context).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toServiceError(err, context.log) as grpc.ServiceError),
    );
  };
}

/**
 * Wraps an async handler as a grpc-js server-streaming handler. `send` writes one response and waits while the
 * client is not reading (backpressure). The stream ends OK when the handler resolves, with the mapped status when
 * it rejects.
 */
export function serverStream<Req, Res>(
  log: Logger,
  method: string,
  handler: (request: Req, send: (response: Res) => Promise<void>, context: CallContext) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const signal = callSignal(call);
    const context: CallContext = { signal, log: log.child({ method }) };
    const send = async (response: Res): Promise<void> => {
      signal.throwIfAborted();
      if (!call.write(response)) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void => reject(signal.reason as Error);
          call.once('drain', () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          });
          signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    };
    handler(call.request, send, context).then(
      () => call.end(),
      (err: unknown) => {
        if (signal.aborted) return;
        call.emit('error', toServiceError(err, context.log));
      },
    );
  };
}
