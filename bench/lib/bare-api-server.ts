/**
 * Transport floors of the controller's API: bare @grpc/grpc-js servers on 127.0.0.1:0 (default server options,
 * as the controller's API server) serving one method of a generated service under its real path, so the very same
 * generated client (FlavorApiClient, AppInstApiClient) can call them. No store, no lock, no validation.
 */
import { once } from 'node:events';

import * as grpc from '@grpc/grpc-js';

import { AppInstApiService } from '../../src/gen/edgeproto/app_inst.js';
import { type Flavor, FlavorApiService } from '../../src/gen/edgeproto/flavor.js';
import { Result } from '../../src/gen/edgeproto/result.js';

/** A bare server; `close` shuts it down. */
export interface BareServer {
  readonly address: string;
  /** Requests handled so far. */
  readonly handled: { count: number };
  close(): Promise<void>;
}

async function listen(server: grpc.Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return `127.0.0.1:${port}`;
}

function closer(server: grpc.Server): () => Promise<void> {
  return async () => {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
  };
}

/**
 * `edgeproto.FlavorApi/CreateFlavor` whose handler receives the Flavor decoded by the generated deserializer (the
 * same decode the controller does), checks it has a key, and answers an empty Result.
 */
export async function startBareCreateFlavor(): Promise<BareServer> {
  const server = new grpc.Server();
  const handled = { count: 0 };
  server.addService({ createFlavor: FlavorApiService.createFlavor }, {
    createFlavor: (call: grpc.ServerUnaryCall<Flavor, Result>, callback: grpc.sendUnaryData<Result>) => {
      if (call.request.key === undefined) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no key' });
        return;
      }
      handled.count++;
      callback(null, Result.fromPartial({}));
    },
  });
  return { address: await listen(server), handled, close: closer(server) };
}

/**
 * `edgeproto.AppInstApi/ShowAppInst` writing `messages` (pre-encoded AppInsts) to every call, waiting for 'drain'
 * whenever `write` returns false (as the controller's stream adapter does), then ending the stream.
 */
export async function startBareShowAppInst(messages: readonly Uint8Array[]): Promise<BareServer> {
  const server = new grpc.Server();
  const handled = { count: 0 };
  const definition = {
    showAppInst: {
      ...AppInstApiService.showAppInst,
      responseSerialize: (b: Buffer): Buffer => b,
    },
  };
  const buffers = messages.map((m) => Buffer.from(m.buffer, m.byteOffset, m.byteLength));
  server.addService(definition, {
    showAppInst: (call: grpc.ServerWritableStream<unknown, Buffer>) => {
      handled.count++;
      void pump(call, buffers);
    },
  });
  return { address: await listen(server), handled, close: closer(server) };
}

async function pump(call: grpc.ServerWritableStream<unknown, Buffer>, buffers: readonly Buffer[]): Promise<void> {
  let cancelled = false;
  call.on('cancelled', () => (cancelled = true));
  call.on('error', () => undefined);
  for (const b of buffers) {
    if (cancelled) return;
    if (!call.write(b)) await once(call, 'drain');
  }
  call.end();
}
