import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMEOUTS, type ControllerConfig } from '../../src/controller/config.js';
import { Controller } from '../../src/controller/controller.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';

/** A controller on ephemeral loopback ports with its own data directory, removed on close. */
export interface TestController {
  readonly controller: Controller;
  readonly apiAddress: string;
  readonly notifyAddress: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Starts a controller (memory store unless `store: 'lmdb'`), on 127.0.0.1:0 for both ports. */
export async function startTestController(options: Partial<ControllerConfig> & { log?: Logger; keepDataDir?: boolean } = {}): Promise<TestController> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cloudletd-ctrl-'));
  const controller = await Controller.create({
    config: {
      apiAddr: '127.0.0.1:0',
      notifyAddr: '127.0.0.1:0',
      store: 'memory',
      timeouts: DEFAULT_TIMEOUTS,
      controllerId: 'test@127.0.0.1',
      ...options,
      dataDir,
    },
    log: options.log ?? silentLogger(),
  });
  return {
    controller,
    apiAddress: `127.0.0.1:${controller.apiPort}`,
    notifyAddress: `127.0.0.1:${controller.notifyPort}`,
    dataDir,
    close: async () => {
      await controller.close();
      if (!options.keepDataDir && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

/** Calls a generated unary client method and resolves to its response (rejects with the ServiceError). */
export function call<Req, Res>(method: (req: Req, cb: Callback<Res>) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Reads a server stream to its end; rejects with the ServiceError if it ends with one. */
export function collect<Res>(stream: grpc.ClientReadableStream<Res>): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    stream.on('data', (r: Res) => out.push(r));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

/** The gRPC status of a failed call, as `{ code, details }`. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await promise;
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: grpc.status[err.code], details: err.details };
  }
  throw new Error('expected the call to fail');
}

/** Insecure client credentials for loopback tests. */
export const insecure = grpc.credentials.createInsecure();
