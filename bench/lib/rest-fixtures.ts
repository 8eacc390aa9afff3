/**
 * Bench-local REST fixtures: a Controller whose REST gateway is on (`ControllerConfig.httpAddr` = 127.0.0.1:0), and
 * a minimal HTTP/1.1 client over node:http with a keep-alive Agent, as a REST client of the controller would be:
 * a JSON POST read whole, and a POST whose NDJSON answer is parsed line by line as it arrives.
 */
import { Agent, request, type IncomingMessage } from 'node:http';

import { startController, type BenchController } from './controller-fixtures.js';

/** A {@link BenchController} with its REST gateway's port. */
export interface RestBenchController extends BenchController {
  readonly httpPort: number;
}

/** Starts a controller as {@link startController} does, with its REST gateway on 127.0.0.1:0. */
export async function startRestController(store: 'lmdb' | 'memory'): Promise<RestBenchController> {
  const ctl = await startController({ store, rest: true });
  const { httpPort } = ctl;
  if (httpPort === undefined) {
    await ctl.close();
    throw new Error('the controller did not start its REST gateway');
  }
  return { ...ctl, httpPort };
}

/** An HTTP/1.1 client of one REST gateway on 127.0.0.1: keep-alive connections, at most `maxSockets` of them. */
export interface RestClient {
  /** POSTs `body` (JSON) to `path` and reads the whole answer. Rejects on a transport error or after `timeoutMs`. */
  post(path: string, body: string, timeoutMs?: number): Promise<RestAnswer>;
  /**
   * POSTs `body` to `path` and, when the answer is a 200, hands every NDJSON line to `onLine` as `JSON.parse` gives
   * it, as the bytes arrive; any other status is read whole into `body`. Rejects on a transport error, a line
   * that is not JSON, or after `timeoutMs`.
   */
  postNdjson(path: string, body: string, onLine: (value: unknown) => void, timeoutMs?: number): Promise<NdjsonAnswer>;
  /** Closes the idle connections. */
  close(): void;
}

/** A whole answer. */
export interface RestAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A streamed answer: the lines went to `onLine`; `body` is set only for a status other than 200. */
export interface NdjsonAnswer extends RestAnswer {
  readonly lines: number;
  /** Bytes of the answer's body. */
  readonly bytes: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A {@link RestClient} of the gateway on 127.0.0.1:`port`. */
export function restClient(port: number, maxSockets: number): RestClient {
  const agent = new Agent({ keepAlive: true, maxSockets });

  const send = <T>(
    path: string,
    body: string,
    timeoutMs: number,
    read: (res: IncomingMessage, resolve: (v: T) => void, reject: (e: Error) => void) => void,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.on('error', reject);
          read(res, resolve, reject);
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`POST ${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
      const settle = (): void => clearTimeout(timer);
      req.on('error', (err) => {
        settle();
        reject(err);
      });
      req.on('close', settle);
      req.end(body);
    });

  return {
    post: (path, body, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      send<RestAnswer>(path, body, timeoutMs, (res, resolve) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: text }));
      }),

    postNdjson: (path, body, onLine, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      send<NdjsonAnswer>(path, body, timeoutMs, (res, resolve, reject) => {
        const status = res.statusCode ?? 0;
        const contentType = res.headers['content-type'];
        let pending = '';
        let lines = 0;
        let bytes = 0;
        let failed = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          bytes += Buffer.byteLength(chunk);
          if (status !== 200) {
            pending += chunk;
            return;
          }
          if (failed) return;
          const text = pending + chunk;
          let from = 0;
          let nl: number;
          try {
            while ((nl = text.indexOf('\n', from)) !== -1) {
              onLine(JSON.parse(text.slice(from, nl)));
              lines++;
              from = nl + 1;
            }
          } catch (err) {
            failed = true;
            res.destroy();
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          pending = text.slice(from);
        });
        res.on('end', () => {
          if (failed) return;
          if (status === 200 && pending !== '') return reject(new Error(`POST ${path}: answer ends in an unterminated line`));
          resolve({ status, contentType, body: status === 200 ? '' : pending, lines, bytes });
        });
      }),

    close: () => agent.destroy(),
  };
}
