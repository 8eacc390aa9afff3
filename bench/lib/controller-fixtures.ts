/**
 * Bench-local controller fixtures: a Controller on 127.0.0.1:0 (API and notify) with its store in a fresh temp
 * directory, small promise wrappers for generated gRPC clients, and the AppInsts the bench stores. Written over
 * src/ only (the bench never imports test/ helpers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';

import { DEFAULT_TIMEOUTS } from '../../src/controller/config.js';
import { Controller } from '../../src/controller/controller.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { appInst } from './notify-fixtures.js';

/** A controller with its data directory (a fresh temp one is removed on close). */
export interface BenchController {
  readonly controller: Controller;
  readonly store: 'lmdb' | 'memory';
  readonly apiAddress: string;
  readonly notifyAddress: string;
  readonly dataDir: string;
  /** The REST gateway's port, when started with `rest: true`. */
  readonly httpPort?: number;
  close(): Promise<void>;
}

/** Options of {@link startController}. */
export interface StartControllerOptions {
  readonly store: 'lmdb' | 'memory';
  /** Use (or reopen) this directory instead of a fresh temp one; it is then left in place on close. */
  readonly dataDir?: string;
  /** Also start the REST gateway (on 127.0.0.1:0). */
  readonly rest?: boolean;
}

/**
 * Starts a controller on 127.0.0.1:0 for both ports (and the REST gateway with `rest`), silent log, the original's
 * operation deadlines.
 */
export async function startController(options: StartControllerOptions): Promise<BenchController> {
  const fresh = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cloudletd-bench-'));
  const controller = await Controller.create({
    config: {
      apiAddr: '127.0.0.1:0',
      notifyAddr: '127.0.0.1:0',
      ...(options.rest ? { httpAddr: '127.0.0.1:0' } : {}),
      dataDir,
      store: options.store,
      timeouts: DEFAULT_TIMEOUTS,
      controllerId: 'bench@127.0.0.1',
    },
    log: silentLogger(),
  });
  return {
    controller,
    store: options.store,
    apiAddress: `127.0.0.1:${controller.apiPort}`,
    notifyAddress: `127.0.0.1:${controller.notifyPort}`,
    ...(controller.httpPort === undefined ? {} : { httpPort: controller.httpPort }),
    dataDir,
    close: async () => {
      await controller.close();
      if (fresh) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Insecure client credentials (loopback only). */
export const insecure = grpc.credentials.createInsecure();

type UnaryMethod<Req, Res> = (request: Req, callback: (err: grpc.ServiceError | null, response: Res) => void) => unknown;

/** Calls a generated unary client method (pass it bound, or as `(r, cb) => client.m(r, cb)`); rejects with the ServiceError. */
export function unaryCall<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Reads a server stream to its end and returns what it sent; rejects with the ServiceError if it ends with one. */
export function readAll<Res>(stream: grpc.ClientReadableStream<Res>): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    stream.on('data', (r: Res) => out.push(r));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

/** Reads a server stream to its end, only counting messages (the last one is kept); rejects on error. */
export function countAll<Res>(stream: grpc.ClientReadableStream<Res>): Promise<{ count: number; last: Res | undefined }> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let last: Res | undefined;
    stream.on('data', (r: Res) => {
      count++;
      last = r;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ count, last }));
  });
}

/** The store's limit is 128 ops per transaction; the bench seeds in batches of this many objects. */
export const SEED_BATCH = 100;

/**
 * Stores `count` realistic AppInsts (`appInst(i)` of notify-fixtures: ~310 B with controller-filled fields: cloudlet
 * location, uri, mapped ports, flavor, state READY, runtime info, created_at) directly through the object store,
 * {@link SEED_BATCH} per transaction. Returns the number of transactions.
 */
export async function seedAppInsts(controller: Controller, count: number, make: (i: number) => AppInst = appInst): Promise<number> {
  const { objects, kinds } = controller;
  let txns = 0;
  for (let start = 0; start < count; start += SEED_BATCH) {
    const end = Math.min(count, start + SEED_BATCH);
    await objects.write((tx) => {
      for (let i = start; i < end; i++) tx.put(kinds.appInst, make(i));
    });
    txns++;
  }
  return txns;
}

/** Polls `condition` every few ms until it holds; rejects after `timeoutMs` with `what`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
