import * as grpc from '@grpc/grpc-js';
import { Notice } from '../../src/gen/edgeproto/notice.js';
import { rawNotifyService, STREAM_NOTICE_PATH } from '../../src/notify/notice-wire.js';

const identity = (b: Buffer): Buffer => b;

/** A notify peer speaking raw bytes, for handshake and malformed-input tests. */
export interface RawNotifyPeer {
  /** Every notice received, decoded. */
  readonly notices: Notice[];
  write(bytes: Buffer | string): void;
  /** Resolves when the stream ends: with the gRPC error if it ended with one. */
  readonly ended: Promise<grpc.ServiceError | undefined>;
  close(): void;
}

/** Opens a StreamNotice call to `address` that writes and records raw notices (hex strings are decoded). */
export function rawNotifyClient(address: string): RawNotifyPeer {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(STREAM_NOTICE_PATH, identity, identity);
  const notices: Notice[] = [];
  call.on('data', (b: Buffer) => notices.push(Notice.decode(b)));
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) resolve(undefined);
    });
  });
  return {
    notices,
    write: (bytes) => call.write(typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes),
    ended,
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

/** A raw StreamNotice server on 127.0.0.1:0 that hands each call to `onCall`. */
export async function rawNotifyServer(
  onCall: (call: grpc.ServerDuplexStream<Buffer, Buffer>, received: Notice[]) => void,
): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(rawNotifyService, {
    StreamNotice: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const received: Notice[] = [];
      call.on('data', (b: Buffer) => received.push(Notice.decode(b)));
      onCall(call, received);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => { server.forceShutdown(); resolve(); })),
  };
}
