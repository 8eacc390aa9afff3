import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import type { TcpProxy, TcpProxyOptions } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/wait-for.js';

// ---- fixtures -----------------------------------------------------------------------------------------------

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  const fns = cleanups.splice(0).reverse();
  for (const fn of fns) await fn();
});

/** A loopback TCP server: optionally greets, then either echoes or (with `blast`) sends a payload. */
interface TestServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** All bytes received, over every connection. */
  received(): Buffer;
  close(): Promise<void>;
}

async function startServer(opts: { greeting?: string; blast?: Buffer } = {}): Promise<TestServer> {
  let connections = 0;
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (opts.greeting !== undefined) s.write(opts.greeting);
    if (opts.blast !== undefined) {
      s.end(opts.blast);
      s.resume();
      return;
    }
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      s.write(d);
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  const ts: TestServer = {
    port,
    get connections() {
      return connections;
    },
    received: () => Buffer.concat(chunks),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
  cleanups.push(() => ts.close());
  return ts;
}

async function proxyTo(opts: TcpProxyOptions): Promise<TcpProxy> {
  const p = await startTcpProxy(opts);
  cleanups.push(() => p.close());
  return p;
}

/** A client connection that records what it receives and how it ended. */
interface Conn {
  readonly socket: net.Socket;
  data(): Buffer;
  text(): string;
  readonly connected: boolean;
  readonly ended: boolean;
  readonly closed: boolean;
  readonly error: Error | undefined;
}

function dial(port: number): Conn {
  const chunks: Buffer[] = [];
  const state = { connected: false, ended: false, closed: false, error: undefined as Error | undefined };
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('connect', () => (state.connected = true));
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('end', () => (state.ended = true));
  socket.on('close', () => (state.closed = true));
  socket.on('error', (e) => (state.error = e));
  cleanups.push(() => socket.destroy());
  return {
    socket,
    data: () => Buffer.concat(chunks),
    text: () => Buffer.concat(chunks).toString(),
    get connected() {
      return state.connected;
    },
    get ended() {
      return state.ended;
    },
    get closed() {
      return state.closed;
    },
    get error() {
      return state.error;
    },
  };
}

/** Deterministic non-repeating-ish payload, so reordering or loss shows up in a byte comparison. */
function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed + (i >> 8)) & 0xff;
  return b;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on (bound then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// ---- tests --------------------------------------------------------------------------------------------------

describe('startTcpProxy', () => {
  it('listens on 127.0.0.1 and relays bytes in order both ways, propagating EOF', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
    expect(proxy.port).toBeGreaterThan(0);

    const c = dial(proxy.port);
    const payload = pattern(1 << 20);
    // Many writes of varying size, then EOF.
    let off = 0;
    for (let i = 1; off < payload.length; i++) {
      const n = Math.min(payload.length - off, (i * 997) % 65_536 || 1);
      c.socket.write(payload.subarray(off, off + n));
      off += n;
    }
    c.socket.end();

    await waitFor(() => c.ended && c.data().length === payload.length, { timeoutMs: 10_000 });
    expect(c.data().equals(payload)).toBe(true);
    expect(server.received().equals(payload)).toBe(true);
    expect(proxy.accepted).toBe(1);
    await waitFor(() => c.closed && proxy.open === 0);
  });

  it('cut() closes the client side and later connections still work', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });

    const a = dial(proxy.port);
    a.socket.write('hello');
    await waitFor(() => a.text() === 'hello');
    expect(proxy.open).toBe(1);

    proxy.cut();
    expect(proxy.open).toBe(0);
    await waitFor(() => a.closed);

    const b = dial(proxy.port);
    b.socket.write('again');
    await waitFor(() => b.text() === 'again');
    expect(proxy.accepted).toBe(2);
    expect(proxy.open).toBe(1);
    expect(server.connections).toBe(2);
  });

  it('stall() holds bytes in both directions with backpressure; resume() delivers them in order', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    const c = dial(proxy.port);
    c.socket.write('a');
    await waitFor(() => c.text() === 'a');

    proxy.stall();
    c.socket.write('hello ');
    c.socket.write('world');
    // Negative assertion: nothing may get through while stalled.
    await sleep(100);
    expect(c.text()).toBe('a');
    expect(server.received().toString()).toBe('a');

    proxy.resume();
    await waitFor(() => c.text() === 'ahello world');
    expect(server.received().toString()).toBe('ahello world');

    // Server → client direction: the echo server already has the bytes, the proxy holds the echo.
    c.socket.write('x');
    await waitFor(() => c.text() === 'ahello worldx');
    const before = server.received().length;
    c.socket.write('y');
    await waitFor(() => server.received().length === before + 1);
    proxy.stall();
    c.socket.write('z'); // client → server is held now too
    await sleep(50);
    proxy.resume();
    await waitFor(() => c.text().startsWith('ahello worldx') && c.text().length === 'ahello worldxyz'.length);
    expect(c.text()).toBe('ahello worldxyz');

    // With a large write the proxy stops reading, so bytes pile up in the client's own socket buffer.
    proxy.stall();
    const big = pattern(16 << 20, 3);
    const served = server.received().length;
    c.socket.write(big);
    await sleep(100);
    expect(server.received().length).toBe(served);
    // The proxy read at most a socket buffer's worth: most of the 16 MiB is still queued in the client.
    expect(c.socket.writableLength).toBeGreaterThan(8 << 20);
    proxy.resume();
    await waitFor(() => c.data().length === 'ahello worldxyz'.length + big.length, { timeoutMs: 15_000 });
    expect(c.data().subarray('ahello worldxyz'.length).equals(big)).toBe(true);
  });

  it('stall() also holds new connections and EOF until resume()', async () => {
    const server = await startServer({ greeting: 'hi' });
    const proxy = await proxyTo({ targetPort: server.port });
    proxy.stall();
    const c = dial(proxy.port);
    await waitFor(() => c.connected && server.connections === 1);
    c.socket.end('bye');
    await sleep(50);
    expect(c.text()).toBe('');
    expect(server.received().length).toBe(0);
    proxy.resume();
    await waitFor(() => c.ended && c.text() === 'hibye');
    expect(server.received().toString()).toBe('bye');
  });

  it('setDelay() delays every chunk yet keeps the order of many small writes, also when changed mid-stream', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    const c = dial(proxy.port);
    c.socket.write('0;');
    await waitFor(() => c.text() === '0;');

    proxy.setDelay(40);
    const t0 = performance.now();
    c.socket.write('ping');
    await waitFor(() => c.text() === '0;ping');
    // One pass through the proxy each way, each delayed by 40 ms (timers never fire early).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(79);

    let expected = '0;ping';
    const delays = [30, 0, 15, 60, 1, 25, 0];
    for (let i = 0; i < 300; i++) {
      if (i % 43 === 0) proxy.setDelay(delays[(i / 43) % delays.length]!);
      const msg = `m${i};`;
      expected += msg;
      c.socket.write(msg);
      if (i % 50 === 0) await sleep(1);
    }
    await waitFor(() => c.text().length === expected.length, { timeoutMs: 10_000 });
    expect(c.text()).toBe(expected);
    expect(server.received().toString()).toBe(expected);

    proxy.setDelay(0);
    c.socket.write('end');
    await waitFor(() => c.text() === `${expected}end`);
    expect(() => proxy.setDelay(-1)).toThrow(RangeError);
  });

  it('refuse(true) makes new connections close immediately and leaves existing ones alone', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    const a = dial(proxy.port);
    a.socket.write('a1');
    await waitFor(() => a.text() === 'a1');

    proxy.refuse(true);
    const b = dial(proxy.port);
    await waitFor(() => b.closed);
    expect(b.text()).toBe('');
    expect(proxy.accepted).toBe(2);
    expect(proxy.open).toBe(1);
    expect(server.connections).toBe(1);

    a.socket.write('a2');
    await waitFor(() => a.text() === 'a1a2');

    proxy.refuse(false);
    const c = dial(proxy.port);
    c.socket.write('c1');
    await waitFor(() => c.text() === 'c1');
    expect(server.connections).toBe(2);
  });

  it('setTarget() redirects new connections only', async () => {
    const one = await startServer({ greeting: 'one:' });
    const two = await startServer({ greeting: 'two:' });
    const proxy = await proxyTo({ targetHost: '127.0.0.1', targetPort: one.port });

    const a = dial(proxy.port);
    await waitFor(() => a.text() === 'one:');
    proxy.setTarget('127.0.0.1', two.port);
    const b = dial(proxy.port);
    await waitFor(() => b.text() === 'two:');

    a.socket.write('x');
    b.socket.write('y');
    await waitFor(() => a.text() === 'one:x' && b.text() === 'two:y');
    expect(one.received().toString()).toBe('x');
    expect(two.received().toString()).toBe('y');
    expect([one.connections, two.connections]).toEqual([1, 1]);
  });

  it('closes the client when the upstream cannot be reached, without crashing', async () => {
    const proxy = await proxyTo({ targetPort: await deadPort() });
    const c = dial(proxy.port);
    await waitFor(() => c.closed);
    expect(c.text()).toBe('');
    expect(proxy.accepted).toBe(1);
    expect(proxy.open).toBe(0);
  });

  it('closes the client when the server side closes the connection', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    const c = dial(proxy.port);
    c.socket.write('x');
    await waitFor(() => c.text() === 'x');
    await server.close();
    await waitFor(() => c.closed && proxy.open === 0);
  });

  it('propagates a reset from either side to the other', async () => {
    const upstreams: net.Socket[] = [];
    const raw = net.createServer((s) => {
      s.on('error', () => undefined);
      upstreams.push(s);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    cleanups.push(() => upstreams.forEach((s) => s.destroy()));
    const proxy = await proxyTo({ targetPort: (raw.address() as net.AddressInfo).port });

    // Server resets → client is closed.
    const a = dial(proxy.port);
    await waitFor(() => upstreams.length === 1);
    upstreams[0]!.resetAndDestroy();
    await waitFor(() => a.closed);

    // Client resets → upstream is closed.
    const b = dial(proxy.port);
    await waitFor(() => b.connected && upstreams.length === 2);
    const upstreamClosed = new Promise<void>((resolve) => upstreams[1]!.on('close', () => resolve()));
    b.socket.resetAndDestroy();
    await upstreamClosed;
    await waitFor(() => proxy.open === 0);
  });

  it('cutAfterBytes() cuts mid-stream after exactly n server→client bytes, once', async () => {
    const blast = pattern(4 << 20, 11);
    const server = await startServer({ blast });
    const proxy = await proxyTo({ targetPort: server.port });

    proxy.cutAfterBytes(100_000);
    const a = dial(proxy.port);
    await waitFor(() => a.closed, { timeoutMs: 5000 });
    expect(a.data().length).toBe(100_000);
    expect(a.data().equals(blast.subarray(0, 100_000))).toBe(true);
    expect(proxy.open).toBe(0);

    // One-shot: the next connection gets everything.
    const b = dial(proxy.port);
    await waitFor(() => b.ended, { timeoutMs: 10_000 });
    expect(b.data().equals(blast)).toBe(true);

    expect(() => proxy.cutAfterBytes(-1)).toThrow(RangeError);
  });

  it('cutAfterBytes() counts bytes already flowing on an open connection', async () => {
    const server = await startServer();
    const proxy = await proxyTo({ targetPort: server.port });
    const c = dial(proxy.port);
    c.socket.write('warmup');
    await waitFor(() => c.text() === 'warmup');

    proxy.cutAfterBytes(10);
    c.socket.write('0123456');
    await waitFor(() => c.text() === 'warmup0123456');
    expect(c.closed).toBe(false);
    c.socket.write('789abcdef');
    await waitFor(() => c.closed);
    expect(c.text()).toBe('warmup0123456789');
  });

  it('close() stops listening, drops connections and is idempotent', async () => {
    const server = await startServer();
    const proxy = await startTcpProxy({ targetPort: server.port });
    const c = dial(proxy.port);
    c.socket.write('x');
    await waitFor(() => c.text() === 'x');

    const first = proxy.close();
    const second = proxy.close();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await proxy.close();
    expect(proxy.open).toBe(0);
    await waitFor(() => c.closed);

    const late = dial(proxy.port);
    await waitFor(() => late.closed);
    expect(late.connected).toBe(false);
    expect((late.error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNREFUSED');
  });

  it('a listen failure rejects', async () => {
    const proxy = await proxyTo({ targetPort: 1 });
    await expect(startTcpProxy({ targetPort: 1, listenPort: proxy.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

// ---- gRPC over the proxy --------------------------------------------------------------------------------------

describe('startTcpProxy with @grpc/grpc-js', () => {
  const path = '/test.Echo/Echo';
  const identity = (b: Buffer): Buffer => b;

  async function startGrpcEcho(): Promise<number> {
    const server = new grpc.Server();
    server.addService(
      {
        Echo: {
          path,
          requestStream: true,
          responseStream: true,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Echo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
          call.on('data', (d: Buffer) => call.write(d));
          call.on('end', () => call.end());
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    cleanups.push(() => server.forceShutdown());
    return port;
  }

  function openEcho(client: grpc.Client) {
    const call = client.makeBidiStreamRequest(path, identity, identity);
    const got: string[] = [];
    const state = { error: undefined as grpc.ServiceError | undefined };
    call.on('data', (d: Buffer) => got.push(d.toString()));
    call.on('error', (e: grpc.ServiceError) => (state.error = e));
    return { call, got, state };
  }

  it('carries a bidi stream and fails it with UNAVAILABLE after cut(); a new call reconnects', async () => {
    const port = await startGrpcEcho();
    const proxy = await proxyTo({ targetPort: port });
    const client = new grpc.Client(proxy.address, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());

    const first = openEcho(client);
    first.call.write(Buffer.from('one'));
    first.call.write(Buffer.from('two'));
    await waitFor(() => first.got.join(',') === 'one,two', { timeoutMs: 5000 });
    expect(proxy.open).toBe(1);

    proxy.cut();
    const err = await waitFor(() => first.state.error, { timeoutMs: 5000 });
    expect(err.code).toBe(grpc.status.UNAVAILABLE);

    const second = openEcho(client);
    second.call.write(Buffer.from('three'));
    await waitFor(() => second.got.join(',') === 'three', { timeoutMs: 5000 });
    expect(proxy.accepted).toBe(2);
    second.call.end();
  });

  it('holds gRPC messages while stalled and delivers them after resume()', async () => {
    const port = await startGrpcEcho();
    const proxy = await proxyTo({ targetPort: port });
    const client = new grpc.Client(proxy.address, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());

    const s = openEcho(client);
    s.call.write(Buffer.from('a'));
    await waitFor(() => s.got.join(',') === 'a', { timeoutMs: 5000 });

    proxy.stall();
    s.call.write(Buffer.from('b'));
    s.call.write(Buffer.from('c'));
    await sleep(100);
    expect(s.got.join(',')).toBe('a');
    proxy.resume();
    await waitFor(() => s.got.join(',') === 'a,b,c', { timeoutMs: 5000 });
    expect(s.state.error).toBeUndefined();
    s.call.end();
  });
});
