/**
 * A small TCP fault-injection proxy for integration tests of gRPC (HTTP/2) streams.
 *
 * Clients dial {@link TcpProxy.address} instead of the real server; every accepted connection gets its own
 * upstream connection to the current target and bytes are relayed in both directions. The test can then
 * cut every connection, stall traffic, add latency, refuse new connections, move the target, or cut after a
 * number of bytes. Everything listens and dials on loopback only. Memory is unbounded by design (held and
 * delayed bytes are queued without limit): this is a test helper, not a production proxy.
 */
import net from 'node:net';

/** Handle on a running proxy, returned by {@link startTcpProxy}. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` — what clients dial instead of the target. */
  readonly address: string;
  /** The port the proxy listens on (127.0.0.1 only). */
  readonly port: number;
  /**
   * Number of client connections accepted so far, including the ones destroyed right away while
   * {@link TcpProxy.refuse | refusing} (so it also counts dial attempts while the "server" is down).
   */
  readonly accepted: number;
  /**
   * Number of connection pairs (client + upstream) currently open. A pair stops counting as soon as it is
   * torn down: cut, closed by either side, errored, or both sides finished.
   */
  readonly open: number;
  /**
   * Destroys every open connection pair now: both the client and the upstream socket are destroyed, so both
   * peers see the connection close (EOF, or a reset if they had unread data). Bytes still held or delayed in
   * the proxy are dropped. New connections are still accepted afterwards. Also disarms a pending
   * {@link TcpProxy.cutAfterBytes}.
   */
  cut(): void;
  /**
   * Cuts all connections (as {@link TcpProxy.cut}) once `n` more bytes have been forwarded server→client,
   * counted over all connections. One-shot: it disarms itself when it fires. Exactly `n` bytes are written to
   * the client(s) before the cut; everything after is dropped. `n = 0` cuts immediately. A new call replaces
   * a pending one.
   */
  cutAfterBytes(n: number): void;
  /**
   * Starts holding bytes in both directions, on existing and new connections: nothing is forwarded and every
   * socket is paused (`socket.pause()`), so TCP backpressure builds up towards both peers. Bytes already read
   * are kept, in order. Idempotent.
   */
  stall(): void;
  /** Ends a {@link TcpProxy.stall}: forwards what was held, in order, and resumes reading. Idempotent. */
  resume(): void;
  /**
   * Adds `ms` of latency to every chunk forwarded in both directions: a chunk read at time t is written no
   * earlier than t + ms (the current delay is used, so lowering it releases waiting chunks sooner). Byte order
   * per direction is always kept, also when the delay changes mid-stream. `0` disables.
   */
  setDelay(ms: number): void;
  /**
   * While `on`, new client connections are accepted and immediately destroyed (simulates a server that is
   * down); no upstream connection is made. Existing connections are untouched.
   */
  refuse(on: boolean): void;
  /**
   * Switches the upstream target for NEW connections (e.g. after a server restarted on a new port). Existing
   * pairs keep their upstream.
   */
  setTarget(host: string, port: number): void;
  /**
   * Stops listening and destroys all connections. Resolves once the listening socket is closed. Idempotent:
   * every call returns the same promise.
   */
  close(): Promise<void>;
}

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Upstream host. Default `127.0.0.1`. */
  targetHost?: string;
  /** Upstream port. */
  targetPort: number;
  /** Port to listen on (127.0.0.1). Default 0 = ephemeral. */
  listenPort?: number;
}

/** One queued chunk and when it was read. */
interface Held {
  chunk: Buffer;
  at: number;
}

/** One relay direction of a pair. */
interface Direction {
  readonly src: net.Socket;
  readonly dst: net.Socket;
  /** True for upstream → client. */
  readonly toClient: boolean;
  readonly queue: Held[];
  timer: NodeJS.Timeout | undefined;
  /** `src` sent EOF; end `dst` once the queue is flushed. */
  srcEnded: boolean;
  endSent: boolean;
  /** `dst.write` returned false; `src` stays paused until 'drain'. */
  dstBlocked: boolean;
}

/** A client connection and its upstream connection. */
interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly c2s: Direction;
  readonly s2c: Direction;
  clientClosed: boolean;
  upstreamClosed: boolean;
  done: boolean;
}

/**
 * Starts a {@link TcpProxy} listening on 127.0.0.1 (`listenPort`, default ephemeral) that relays every
 * accepted connection to `targetHost:targetPort`. Resolves once listening; rejects if listening fails.
 * Socket errors on either side never surface as unhandled 'error' events: they tear the pair down instead.
 * EOF is propagated (half-close), after any held or delayed bytes of that direction.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  let targetHost = options.targetHost ?? '127.0.0.1';
  let targetPort = options.targetPort;
  let accepted = 0;
  let stalled = false;
  let delayMs = 0;
  let refusing = false;
  let closing: Promise<void> | undefined;
  /** Bytes still to forward server→client before the armed cut fires; undefined = not armed. */
  let cutRemaining: number | undefined;
  /** The armed cut's last bytes are being flushed; forwarding is held until the cut. */
  let cutPending = false;
  const pairs = new Set<Pair>();

  const shouldRead = (d: Direction): boolean => !stalled && !cutPending && !d.dstBlocked;

  const updateFlow = (d: Direction): void => {
    if (d.src.destroyed) return;
    if (shouldRead(d)) d.src.resume();
    else d.src.pause();
  };

  const finish = (p: Pair): void => {
    if (p.done) return;
    p.done = true;
    pairs.delete(p);
    for (const d of [p.c2s, p.s2c]) {
      clearTimeout(d.timer);
      d.timer = undefined;
      d.queue.length = 0;
    }
  };

  const teardown = (p: Pair): void => {
    finish(p);
    p.client.destroy();
    p.upstream.destroy();
  };

  const cutAll = (): void => {
    cutRemaining = undefined;
    cutPending = false;
    for (const p of [...pairs]) teardown(p);
  };

  /** Writes one chunk, applying the armed byte-count cut. Returns false if forwarding must stop now. */
  const forward = (d: Direction, chunk: Buffer): boolean => {
    let out = chunk;
    let fire = false;
    if (d.toClient && cutRemaining !== undefined) {
      if (chunk.length >= cutRemaining) {
        out = chunk.subarray(0, cutRemaining);
        fire = true;
      } else {
        cutRemaining -= chunk.length;
      }
    }
    if (fire) {
      cutRemaining = undefined;
      cutPending = true;
      for (const p of pairs) for (const x of [p.c2s, p.s2c]) updateFlow(x);
      // Cut once the last bytes are handed to the kernel (the callback also runs if the write fails).
      d.dst.write(out, () => {
        if (cutPending) cutAll();
      });
      return false;
    }
    if (!d.dst.write(out) && !d.dstBlocked) {
      d.dstBlocked = true;
      updateFlow(d);
      d.dst.once('drain', () => {
        d.dstBlocked = false;
        updateFlow(d);
      });
    }
    return true;
  };

  /** Forwards queued chunks of `d` that are due, in order; schedules itself for the next one. */
  const pump = (d: Direction): void => {
    if (d.timer !== undefined) return;
    while (!stalled && !cutPending && !d.dst.destroyed) {
      const head = d.queue[0];
      if (head === undefined) {
        if (d.srcEnded && !d.endSent) {
          d.endSent = true;
          d.dst.end();
        }
        return;
      }
      const wait = head.at + delayMs - performance.now();
      if (wait > 0) {
        d.timer = setTimeout(() => {
          d.timer = undefined;
          pump(d);
        }, Math.ceil(wait));
        return;
      }
      d.queue.shift();
      if (!forward(d, head.chunk)) return;
    }
  };

  const pumpAll = (): void => {
    for (const p of pairs) {
      for (const d of [p.c2s, p.s2c]) {
        clearTimeout(d.timer);
        d.timer = undefined;
        pump(d);
      }
    }
  };

  const makeDirection = (src: net.Socket, dst: net.Socket, toClient: boolean): Direction => ({
    src,
    dst,
    toClient,
    queue: [],
    timer: undefined,
    srcEnded: false,
    endSent: false,
    dstBlocked: false,
  });

  const wire = (p: Pair, d: Direction, other: Direction, side: 'client' | 'upstream'): void => {
    d.src.on('data', (chunk: Buffer) => {
      if (p.done) return;
      d.queue.push({ chunk, at: performance.now() });
      pump(d);
    });
    d.src.on('end', () => {
      if (p.done) return;
      d.srcEnded = true;
      pump(d);
    });
    d.src.on('error', () => teardown(p));
    d.src.on('close', () => {
      if (side === 'client') p.clientClosed = true;
      else p.upstreamClosed = true;
      if (p.done) return;
      // Nothing can be written to this socket anymore.
      clearTimeout(other.timer);
      other.timer = undefined;
      other.queue.length = 0;
      if (p.clientClosed && p.upstreamClosed) finish(p);
      // A clean EOF lets the bytes still queued from this socket flush (pump ends the other side);
      // any other close (destroyed, reset) takes the other side down with it.
      else if (!d.srcEnded) teardown(p);
    });
  };

  const onConnection = (client: net.Socket): void => {
    accepted += 1;
    client.on('error', () => undefined);
    if (refusing || closing !== undefined) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const c2s = makeDirection(client, upstream, false);
    const s2c = makeDirection(upstream, client, true);
    const p: Pair = {
      client,
      upstream,
      c2s,
      s2c,
      clientClosed: false,
      upstreamClosed: false,
      done: false,
    };
    pairs.add(p);
    wire(p, c2s, s2c, 'client');
    wire(p, s2c, c2s, 'upstream');
    updateFlow(c2s);
    updateFlow(s2c);
  };

  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  // Errors after listening (e.g. EMFILE on accept) must not crash the test process.
  const onServerError = (): void => undefined;

  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: Error): void => reject(err);
    server.once('error', onListenError);
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
      server.off('error', onListenError);
      server.on('error', onServerError);
      resolve();
    });
  });

  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('tcp-proxy: unexpected listen address');
  const port = addr.port;

  return {
    address: `127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cut: cutAll,
    cutAfterBytes(n: number) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`tcp-proxy: bad byte count ${n}`);
      if (n === 0) {
        cutAll();
        return;
      }
      cutRemaining = n;
    },
    stall() {
      stalled = true;
      for (const p of pairs) for (const d of [p.c2s, p.s2c]) updateFlow(d);
    },
    resume() {
      if (!stalled) return;
      stalled = false;
      for (const p of pairs) for (const d of [p.c2s, p.s2c]) updateFlow(d);
      pumpAll();
    },
    setDelay(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`tcp-proxy: bad delay ${ms}`);
      delayMs = ms;
      pumpAll();
    },
    refuse(on: boolean) {
      refusing = on;
    },
    setTarget(host: string, newPort: number) {
      targetHost = host;
      targetPort = newPort;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        cutAll();
      });
      return closing;
    },
  };
}
