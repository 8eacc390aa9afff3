/**
 * A small typed client of the controller's gRPC API for the cli (`up`, later `ctl`): one channel, every call with
 * an AbortSignal and a deadline, failures as CodedErrors (architecture conventions 6 and 7). Calls name the
 * generated service definition of the method, so request and response types come from the generated code:
 * `api.unary(FlavorApiService.createFlavor, flavor, { timeoutMs: 5_000 })`.
 */
import * as grpc from '@grpc/grpc-js';
import { abortKind } from '../core/abort.js';
import { CodedError, Code, cancelled, deadlineExceeded, fromGrpcStatus, isCodedError } from '../core/errors.js';

/** What every generated method definition (`FlavorApiService.createFlavor`...) has. */
export interface MethodDefinition<Req, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  requestSerialize(value: Req): Buffer;
  responseDeserialize(value: Buffer): Res;
}

/** A unary method (one request, one response). */
export type UnaryMethod<Req, Res> = MethodDefinition<Req, Res> & { readonly requestStream: false; readonly responseStream: false };

/** A server-streaming method (one request, a stream of responses). */
export type ServerStreamMethod<Req, Res> = MethodDefinition<Req, Res> & { readonly requestStream: false; readonly responseStream: true };

/** Options of one call. */
export interface ApiCallOptions {
  /** Aborting it cancels the call; the promise then rejects CANCELLED (or DEADLINE_EXCEEDED for a timeout signal). */
  readonly signal?: AbortSignal;
  /** The call's gRPC deadline from now; default the client's `defaultTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** Options of a server-streaming call. */
export interface ApiStreamOptions<Res> extends ApiCallOptions {
  /** Called for each message as it arrives (e.g. a Result's progress text). */
  readonly onMessage?: (message: Res) => void;
}

/** Options of an {@link ApiClient}. */
export interface ApiClientOptions {
  /** Deadline of calls that give none. Default 30 s. */
  readonly defaultTimeoutMs?: number;
  /** Channel credentials; default insecure (the controller's API is plaintext). */
  readonly credentials?: grpc.ChannelCredentials;
}

/**
 * The CodedError of a failed call: a gRPC status maps to its code with the status details as message (the
 * server's field-naming message); an abort of `signal` gives CANCELLED, or DEADLINE_EXCEEDED for a timeout
 * signal. `what` (the method path) prefixes messages that are not the server's own. Pure.
 */
export function callError(err: unknown, what: string, signal?: AbortSignal): CodedError {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (isCodedError(reason)) return reason;
    return abortKind(reason) === 'timeout' ? deadlineExceeded(what, reason) : cancelled(`${what} cancelled`, reason);
  }
  if (isCodedError(err)) return err;
  const status = err as Partial<grpc.ServiceError>;
  if (typeof status.code === 'number') {
    const code = fromGrpcStatus(status.code);
    const details = status.details || `${what} failed`;
    return new CodedError(code, code === Code.DEADLINE_EXCEEDED && !status.details ? `${what} deadline exceeded` : details, { cause: err });
  }
  return new CodedError(Code.UNKNOWN, `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** One connection to the controller's API. `close()` ends it; calls made after that fail. */
export class ApiClient {
  private readonly client: grpc.Client;
  private readonly defaultTimeoutMs: number;

  /** Connects lazily to `address` (`host:port`). */
  constructor(readonly address: string, options: ApiClientOptions = {}) {
    this.client = new grpc.Client(address, options.credentials ?? grpc.credentials.createInsecure());
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  }

  private callOptions(options: ApiCallOptions): grpc.CallOptions {
    return { deadline: Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs) };
  }

  /** Calls a unary method; resolves with its response or rejects with a CodedError (see {@link callError}). */
  unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: ApiCallOptions = {}): Promise<Res> {
    const { signal } = options;
    return new Promise<Res>((resolve, reject) => {
      if (signal?.aborted) {
        reject(callError(undefined, method.path, signal));
        return;
      }
      const onAbort = (): void => call.cancel();
      const call = this.client.makeUnaryRequest(
        method.path, (v: Req) => method.requestSerialize(v), (b: Buffer) => method.responseDeserialize(b),
        request, new grpc.Metadata(), this.callOptions(options),
        (err: grpc.ServiceError | null, response?: Res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err || response === undefined) reject(callError(err ?? new Error('empty response'), method.path, signal));
          else resolve(response);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Calls a server-streaming method and reads it to its end; resolves with every message (each also passed to
   * `onMessage` as it arrives) or rejects with a CodedError when the stream ends with an error status.
   */
  stream<Req, Res>(method: ServerStreamMethod<Req, Res>, request: Req, options: ApiStreamOptions<Res> = {}): Promise<Res[]> {
    const { signal, onMessage } = options;
    return new Promise<Res[]>((resolve, reject) => {
      if (signal?.aborted) {
        reject(callError(undefined, method.path, signal));
        return;
      }
      const messages: Res[] = [];
      const call = this.client.makeServerStreamRequest(
        method.path, (v: Req) => method.requestSerialize(v), (b: Buffer) => method.responseDeserialize(b),
        request, new grpc.Metadata(), this.callOptions(options),
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(messages);
        else reject(callError(err, method.path, signal));
      };
      call.on('data', (message: Res) => {
        messages.push(message);
        try {
          onMessage?.(message);
        } catch (err) {
          call.cancel();
          finish(err);
        }
      });
      call.on('error', (err: grpc.ServiceError) => finish(err));
      call.on('end', () => finish());
    });
  }

  /** Closes the channel. Idempotent. */
  close(): void {
    this.client.close();
  }
}
