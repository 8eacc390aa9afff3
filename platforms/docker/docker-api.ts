/**
 * The driver's one door to the Docker daemon: a dockerode client on the configured unix socket, and
 * {@link DockerApi.call}, which runs one daemon call under the caller's signal, the platform's close and an
 * internal timeout, and turns whatever fails into a CodedError (an unreachable daemon: UNAVAILABLE).
 */
import { Agent } from 'node:http';
import Docker from 'dockerode';
import { abortable, startDeadline } from '../../src/core/abort.js';
import { asCodedError, Code, CodedError, cancelled, deadlineExceeded, failedPrecondition, isCodedError, unavailable } from '../../src/core/errors.js';

/** Internal deadline of one ordinary daemon call (inspect, list, create, start, remove...). */
export const API_TIMEOUT_MS = 30_000;
/** Internal deadline of an image pull. */
export const PULL_TIMEOUT_MS = 15 * 60_000;
/** Internal deadline of an exec (the caller's signal usually ends it much sooner). */
export const EXEC_TIMEOUT_MS = 10 * 60_000;

/** Error codes of a socket that cannot reach the daemon (or lost it mid-call). */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'EPIPE',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Options of one {@link DockerApi.call}. */
export interface CallOptions<T> {
  /** Internal deadline in ms (default {@link API_TIMEOUT_MS}); passing it rejects DEADLINE_EXCEEDED. */
  readonly timeoutMs?: number;
  /** HTTP statuses that are an answer rather than a failure (e.g. 404 on a delete): the call resolves to this. */
  readonly on?: Readonly<Partial<Record<number, () => T>>>;
}

/** The HTTP status of a dockerode error, if it has one. Pure. */
export function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** What the daemon said: the JSON `message` of its answer, else the dockerode message without its prefix. Pure. */
export function daemonReason(e: unknown): string {
  const json = (e as { json?: unknown } | null)?.json;
  const fromJson = (json as { message?: unknown } | null)?.message;
  if (typeof fromJson === 'string' && fromJson.trim() !== '') return fromJson.trim();
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim() || message.trim();
}

/**
 * Interleaved stdout and stderr of a multiplexed Docker stream (8-byte frame headers: stream type 0/1/2, 3 zero
 * bytes, big-endian length). Data that is not multiplexed (a TTY) is returned as it is. Pure.
 */
export function demultiplex(data: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= data.length) {
    const type = data[at];
    if (type !== 0 && type !== 1 && type !== 2) return at === 0 ? data.toString('utf8') : Buffer.concat([...parts, data.subarray(at)]).toString('utf8');
    const length = data.readUInt32BE(at + 4);
    parts.push(data.subarray(at + 8, Math.min(data.length, at + 8 + length)));
    at += 8 + length;
  }
  if (at === 0 && data.length > 0) return data.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Reads `stream` to its end (at most `limit` bytes are kept; the rest is counted in `dropped`). Rejects with
 * `signal.reason` when the signal aborts, destroying the stream.
 */
export async function readStream(stream: NodeJS.ReadableStream, signal: AbortSignal, limit = 4 * 1024 * 1024): Promise<{ data: Buffer; dropped: number }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  await new Promise<void>((resolve, reject) => {
    const destroy = (): void => (stream as { destroy?: () => void }).destroy?.();
    const onAbort = (): void => {
      destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (error?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = Math.max(0, limit - kept);
      if (room > 0) chunks.push(b.subarray(0, room));
      kept += Math.min(room, b.length);
      dropped += Math.max(0, b.length - room);
    });
    stream.on('end', () => done());
    stream.on('close', () => done());
    stream.on('error', (e: Error) => done(e));
  });
  return { data: Buffer.concat(chunks), dropped };
}

/** A dockerode client on one unix socket, with coded errors, deadlines and cancellation. One per platform. */
export class DockerApi {
  readonly docker: Docker;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly closing = new AbortController();

  constructor(readonly socketPath: string) {
    // Every connection option is given explicitly, so DOCKER_HOST & co. in the environment change nothing.
    const options: Docker.DockerOptions & { agent: Agent } = {
      socketPath,
      host: undefined,
      port: undefined,
      protocol: 'http',
      ca: undefined,
      cert: undefined,
      key: undefined,
      timeout: undefined,
      agent: this.agent,
    };
    this.docker = new Docker(options);
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Runs `fn` (one or more daemon requests) with a signal that aborts on `signal`, on {@link close} and after the
   * internal timeout, and rejects as soon as that signal aborts. Failures become CodedErrors: the caller's abort
   * reason (CANCELLED / DEADLINE_EXCEEDED), CANCELLED after close, DEADLINE_EXCEEDED for the internal timeout,
   * UNAVAILABLE for an unreachable daemon, and the daemon's HTTP status mapped by {@link toCodedError}. A
   * CodedError thrown by `fn` passes unchanged. `what` names the call in messages ("inspect container x").
   */
  async call<T>(what: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>, options: CallOptions<T> = {}): Promise<T> {
    if (this.closed) throw failedPrecondition('the docker platform is closed');
    if (signal.aborted) throw asCodedError(signal.reason, Code.CANCELLED);
    const timeoutMs = options.timeoutMs ?? API_TIMEOUT_MS;
    const callDeadline = startDeadline(timeoutMs);
    const timeout = callDeadline.signal;
    const inner = AbortSignal.any([signal, this.closing.signal, timeout]);
    try {
      return await abortable(fn(inner), inner);
    } catch (e) {
      if (signal.aborted) throw asCodedError(signal.reason, Code.CANCELLED);
      if (this.closed) throw cancelled('the docker platform was closed');
      if (timeout.aborted) throw deadlineExceeded(`docker ${what} (no answer within ${timeoutMs} ms)`, e);
      const status = statusOf(e);
      const answer = status === undefined ? undefined : options.on?.[status];
      if (answer) return answer();
      throw this.toCodedError(e, what);
    } finally {
      callDeadline.clear();
    }
  }

  /**
   * A daemon failure as a CodedError: unreachable socket → UNAVAILABLE (naming the socket); HTTP 404 → NOT_FOUND,
   * 400/403/409 → FAILED_PRECONDITION, 401 → PERMISSION_DENIED, 500 → INTERNAL, 502-504 → UNAVAILABLE, anything
   * else UNKNOWN; the message carries the daemon's reason, the cause the original error.
   */
  toCodedError(e: unknown, what: string): CodedError {
    if (isCodedError(e)) return e;
    const errno = (e as { code?: unknown } | null)?.code;
    const reason = daemonReason(e);
    if (typeof errno === 'string' && UNREACHABLE.has(errno)) {
      return unavailable(`Docker daemon unreachable at ${this.socketPath} (${what}): ${reason}`, e);
    }
    const status = statusOf(e);
    const code: Code =
      status === 404
        ? Code.NOT_FOUND
        : status === 400 || status === 403 || status === 409
          ? Code.FAILED_PRECONDITION
          : status === 401
            ? Code.PERMISSION_DENIED
            : status === 500
              ? Code.INTERNAL
              : status !== undefined && status >= 502 && status <= 504
                ? Code.UNAVAILABLE
                : Code.UNKNOWN;
    return new CodedError(code, `docker ${what} failed: ${reason}`, { cause: e });
  }

  /** `GET /_ping` (the typings lack the options dockerode takes). */
  async ping(signal: AbortSignal): Promise<void> {
    const ping = this.docker.ping.bind(this.docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    await this.call('ping', signal, (s) => ping({ abortSignal: s }));
  }

  /** `GET /info`: the raw answer. */
  async info(signal: AbortSignal): Promise<unknown> {
    const info = this.docker.info.bind(this.docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    return this.call('info', signal, (s) => info({ abortSignal: s }));
  }

  /** Cancels the calls in flight (CANCELLED), refuses later ones (FAILED_PRECONDITION), closes the sockets. */
  close(): void {
    if (this.closed) return;
    this.closing.abort(cancelled('the docker platform was closed'));
    this.agent.destroy();
  }
}
