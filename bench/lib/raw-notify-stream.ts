/**
 * The transport floor of a notify send-all: a bare @grpc/grpc-js bidi stream on the notify method, with the
 * same identity (Buffer) serializers and channel/server options as the product, whose server writes a list of
 * pre-encoded notices (respecting backpressure) and then a marker, and whose client only counts messages until
 * the marker. No caches, no decoding, no queue: what any notify implementation in this process pays at least.
 */
import { once } from 'node:events';

import * as grpc from '@grpc/grpc-js';

import {
  clientChannelOptions,
  DEFAULT_TRANSPORT_SETTINGS,
  serverOptions,
} from '../../src/notify/keepalive.js';
import { rawNotifyService, STREAM_NOTICE_PATH } from '../../src/notify/notice-wire.js';

const identity = (b: Buffer): Buffer => b;

/** A raw notify-method server that answers every stream with `notices` then `marker`, then ends it. */
export interface RawServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Starts the raw server on 127.0.0.1:0. Like the product server it starts sending once the client's first
 * notice (its VERSION) arrived; writes wait for 'drain' whenever `write` returns false.
 */
export async function startRawServer(notices: readonly Buffer[], marker: Buffer): Promise<RawServer> {
  const server = new grpc.Server(serverOptions(DEFAULT_TRANSPORT_SETTINGS));
  server.addService(rawNotifyService, {
    StreamNotice: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('error', () => undefined);
      call.once('data', () => {
        call.on('data', () => undefined);
        void pump(call, notices, marker);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}

async function pump(call: grpc.ServerDuplexStream<Buffer, Buffer>, notices: readonly Buffer[], marker: Buffer): Promise<void> {
  try {
    for (const notice of notices) {
      if (!call.write(notice)) await once(call, 'drain');
    }
    call.write(marker);
    call.end();
  } catch {
    // The client went away; nothing to do.
  }
}

/**
 * Dials `address`, writes `hello` (a VERSION notice) and counts received messages until one equals `marker`.
 * Resolves with the number of messages before the marker; the channel is closed afterwards.
 */
export async function receiveUntilMarker(address: string, hello: Buffer, marker: Buffer): Promise<number> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), clientChannelOptions(DEFAULT_TRANSPORT_SETTINGS));
  const call = client.makeBidiStreamRequest(STREAM_NOTICE_PATH, identity, identity);
  try {
    return await new Promise<number>((resolve, reject) => {
      let count = 0;
      call.on('data', (b: Buffer) => {
        if (b.length === marker.length && b.equals(marker)) resolve(count);
        else count++;
      });
      call.on('error', (err: Error) => reject(err));
      call.on('end', () => reject(new Error(`stream ended after ${count} messages without the marker`)));
      call.write(hello);
    });
  } finally {
    call.cancel();
    client.close();
  }
}
