import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import type { EdgeprotoKinds } from '../cache/kinds.js';
import type { ObjectCache } from '../cache/object-cache.js';
import type { MessageKind, ObjectKind } from '../cache/object-kind.js';
import { Code, CodedError, toGrpcStatus } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { NoticeAction, type Notice } from '../gen/edgeproto/notice.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { NotifyConnection } from './connection.js';
import { NOTIFY_FEATURES_HEADER, SEQUENCED_SENDALL_FEATURE } from './features.js';
import { DEFAULT_TRANSPORT_SETTINGS, serverOptions, type NotifyTransportSettings } from './keepalive.js';
import { encodeVersionNotice, rawNotifyService } from './notice-wire.js';
import { isMessageReceiver, type AnyReceiver, type ObjectReceiver, type PeerInfo } from './receivers.js';
import { ServerRouting, type RoutedPeer } from './server-routing.js';

/** Dependencies and options of a {@link NotifyServer}. */
export interface NotifyServerDeps {
  readonly kinds: EdgeprotoKinds;
  /** Caches the server sends, in send order: Flavor, Cloudlet, Cluster, ClusterInst, App, AppInst. */
  readonly sendCaches: readonly ObjectCache<unknown>[];
  /** Message kinds the server may send (ExecRequest). */
  readonly sendMessageKinds: readonly MessageKind[];
  /** What the server accepts: infos, Nodes, ExecRequest replies, Metrics. */
  readonly receivers: readonly AnyReceiver[];
  readonly log: Logger;
  readonly metrics: NotifyMetrics;
  readonly settings?: NotifyTransportSettings;
  /**
   * `cloudletd` (default): a filtered peer's send-all waits for the peer's own SENDALL_END (or
   * `sequenceTimeoutMs`), so the peer's CloudletInfo has been seen and that cloudlet's objects are in the send-all.
   * `original`: send-all at once, as the original controller does (used to test clients against that behaviour).
   */
  readonly mode?: 'cloudletd' | 'original';
  readonly sequenceTimeoutMs?: number;
  /** Most messages queued for one peer that does not read. */
  readonly maxQueuedMessages?: number;
}

/** One connected peer, as the server tracks it. */
interface ServerPeer extends RoutedPeer {
  readonly info: PeerInfo;
  readonly connection: NotifyConnection;
  readonly cloudletKeys: Set<string>;
  wants: Set<string>;
  filterCloudletKey: boolean;
}

/** A summary of a connected peer, for status pages and tests. */
export interface NotifyPeerSummary {
  readonly notifyId: number;
  readonly peer: string;
  readonly wants: readonly string[];
  readonly filterCloudletKey: boolean;
  readonly cloudletKeys: readonly string[];
  readonly queueDepth: number;
}

/**
 * The controller side of `NotifyApi.StreamNotice`. Validates each handshake (VERSION first, or the stream ends with
 * INVALID_ARGUMENT), gives every connection a notify_id, sends each peer what it wants (cloudlet-filtered where
 * asked), mirrors cache changes to peers through coalescing queues, overwrites `notify_id` on received infos and
 * calls receivers' `flush` when a connection ends. Lifecycle: `create`, `bind` or `listen`, `close`.
 */
export class NotifyServer {
  private readonly settings: NotifyTransportSettings;
  private readonly caches = new Map<string, ObjectCache<unknown>>();
  private readonly sendKinds: ObjectKind[];
  private readonly receivers: Map<string, AnyReceiver>;
  private readonly routing: ServerRouting;
  private readonly peers = new Set<ServerPeer>();
  private readonly unwatch: Array<() => void> = [];
  /** Cloudlets reported on any connection so far: one reported again on a new connection is a returning CRM. */
  private readonly seenCloudlets = new Set<string>();
  private nextNotifyId = 0;
  private ownServer: grpc.Server | undefined;

  private constructor(private readonly deps: NotifyServerDeps) {
    this.settings = deps.settings ?? DEFAULT_TRANSPORT_SETTINGS;
    for (const cache of deps.sendCaches) this.caches.set(cache.kind.name, cache);
    this.sendKinds = deps.sendCaches.map((c) => c.kind);
    this.receivers = new Map(deps.receivers.map((r) => [r.kind.name, r]));
    this.routing = new ServerRouting(deps.kinds, this.caches);
    for (const cache of deps.sendCaches) {
      this.unwatch.push(cache.watch((change) => {
        const object = change.kind === 'update' ? change.value : change.old;
        for (const peer of this.peers) this.routing.route(peer, cache.kind, change.key, object);
      }));
    }
  }

  /** Creates a server over the given caches; nothing listens until `bind` or `listen`. */
  static create(deps: NotifyServerDeps): NotifyServer {
    return new NotifyServer(deps);
  }

  /** Adds the StreamNotice service to an existing gRPC server (which the caller starts and stops). */
  bind(server: grpc.Server): void {
    server.addService(rawNotifyService, { StreamNotice: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => this.accept(call) });
  }

  /**
   * Starts a gRPC server of its own on `address` (e.g. `127.0.0.1:50001`, or port 0 for an ephemeral port) with the
   * notify keepalive settings. Resolves to the bound port. Rejects with UNAVAILABLE when the address is taken.
   */
  async listen(address: string): Promise<number> {
    const server = new grpc.Server(serverOptions(this.settings));
    this.bind(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, boundPort) => {
        if (err) reject(new CodedError(Code.UNAVAILABLE, `notify server cannot listen on ${address}: ${err.message}`, { field: 'notify-addr', cause: err }));
        else resolve(boundPort);
      });
    });
    this.ownServer = server;
    return port;
  }

  /**
   * Queues a message (ExecRequest) for every peer that wants its kind and, on filtered connections, hosts its
   * cloudlet. Returns how many peers it was queued for (0: nobody can answer).
   */
  sendMessage<T>(kind: MessageKind<T>, message: T): number {
    let queued = 0;
    for (const peer of this.peers) {
      if (!peer.wants.has(kind.name)) continue;
      if (peer.filterCloudletKey && kind.cloudletKeyOf && !peer.cloudletKeys.has(kind.cloudletKeyOf(message))) continue;
      peer.connection.queue.queueMessage(kind, message);
      queued++;
    }
    return queued;
  }

  /** The connected peers (past the handshake). */
  peerSummaries(): NotifyPeerSummary[] {
    return [...this.peers].map((p) => ({
      notifyId: p.info.notifyId,
      peer: p.info.peer,
      wants: [...p.wants],
      filterCloudletKey: p.filterCloudletKey,
      cloudletKeys: [...p.cloudletKeys],
      queueDepth: p.connection.queue.depth(),
    }));
  }

  /** Ends every connection (peers reconnect elsewhere) and stops the own server if any. Idempotent. */
  async close(): Promise<void> {
    for (const stop of this.unwatch.splice(0)) stop();
    for (const peer of [...this.peers]) peer.connection.close('server closing');
    const server = this.ownServer;
    this.ownServer = undefined;
    if (server) {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    }
  }

  private accept(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    const peerAddress = call.getPeer();
    const log = this.deps.log.child({ peer: peerAddress });
    let peer: ServerPeer | undefined;
    const info: { notifyId: number; peer: string } = { notifyId: -1, peer: peerAddress };
    const receivers = this.connectionReceivers(info);
    const connection: NotifyConnection = new NotifyConnection({
      stream: call as unknown as Duplex,
      peer: info,
      sendKinds: this.sendKinds,
      lookup: (kind, key) => this.caches.get(kind.name)?.getEntry(key),
      receivers,
      settings: this.settings,
      metrics: this.deps.metrics,
      log,
      ...(this.deps.maxQueuedMessages !== undefined ? { maxQueuedMessages: this.deps.maxQueuedMessages } : {}),
      onHandshake: (notice) => {
        peer = this.handshake(call, connection, notice, info, log);
        return peer !== undefined;
      },
      onHandshakeMalformed: () => this.endWithError(call, 'first message is not a valid Notice (expected VERSION)'),
      onPeerSendAllEnd: () => {
        if (peer && this.sequenced(peer)) this.sendAll(peer);
      },
      onReceived: (kindName, action, value) => {
        if (peer && kindName === this.deps.kinds.cloudletInfo.name) this.onCloudletInfo(peer, action, value());
      },
    });
    const firstMessageTimer = setTimeout(() => {
      if (!peer) {
        this.deps.metrics.badInput.inc({ reason: 'bad_handshake' });
        this.endWithError(call, 'no VERSION notice within the handshake deadline');
        connection.close('handshake timeout');
      }
    }, 10_000);
    connection.start();
    void connection.done.then(() => {
      clearTimeout(firstMessageTimer);
      if (peer) this.disconnected(peer, log);
    });
  }

  private handshake(
    call: grpc.ServerDuplexStream<Buffer, Buffer>,
    connection: NotifyConnection,
    notice: Notice,
    info: { notifyId: number; peer: string },
    log: Logger,
  ): ServerPeer | undefined {
    if (notice.action !== NoticeAction.VERSION) {
      this.deps.metrics.badInput.inc({ reason: 'bad_handshake' });
      log.warn({ action: notice.action }, 'notify handshake refused: first notice is not VERSION');
      this.endWithError(call, `first notice must be VERSION, got action ${notice.action}`);
      return undefined;
    }
    info.notifyId = this.nextNotifyId++;
    const peer: ServerPeer = {
      info,
      connection,
      queue: connection.queue,
      wants: new Set(notice.want_objs),
      filterCloudletKey: notice.filter_cloudlet_key,
      cloudletKeys: new Set(),
    };
    const metadata = new grpc.Metadata();
    // Only a sequencing server may advertise it: the client prunes filtered kinds at SENDALL_END because of it.
    if ((this.deps.mode ?? 'cloudletd') === 'cloudletd') metadata.set(NOTIFY_FEATURES_HEADER, SEQUENCED_SENDALL_FEATURE);
    call.sendMetadata(metadata);
    connection.writeNow(encodeVersionNotice([...this.receivers.keys()], false));
    this.peers.add(peer);
    this.deps.metrics.peers.set(this.peers.size);
    log.info({ notifyId: info.notifyId, wants: notice.want_objs, filter: notice.filter_cloudlet_key }, 'notify peer connected');
    if (!this.sequenced(peer)) {
      this.sendAll(peer);
    } else {
      const timeout = setTimeout(() => {
        if (!connection.signal.aborted && !connection.peerSendAllEnd) this.sendAll(peer);
      }, this.deps.sequenceTimeoutMs ?? 5_000);
      connection.signal.addEventListener('abort', () => clearTimeout(timeout), { once: true });
    }
    return peer;
  }

  /** Whether this peer's send-all waits for its own SENDALL_END (so its CloudletInfo has been seen). */
  private sequenced(peer: ServerPeer): boolean {
    return (this.deps.mode ?? 'cloudletd') === 'cloudletd' && peer.filterCloudletKey;
  }

  private readonly sentAll = new WeakSet<ServerPeer>();

  private sendAll(peer: ServerPeer): void {
    if (this.sentAll.has(peer)) return;
    this.sentAll.add(peer);
    peer.connection.sendAll(() => this.routing.queueSendAll(peer));
  }

  private onCloudletInfo(peer: ServerPeer, action: NoticeAction, value: unknown): void {
    const kind = this.deps.kinds.cloudletInfo;
    const info = value as { key?: unknown };
    const key = kind.keyOf(value as never);
    if (action === NoticeAction.DELETE) {
      peer.cloudletKeys.delete(key);
      return;
    }
    if (!peer.cloudletKeys.has(key)) {
      if (this.seenCloudlets.has(key)) this.deps.metrics.reconnects.inc();
      this.seenCloudlets.add(key);
    }
    peer.cloudletKeys.add(key);
    if (peer.filterCloudletKey) this.routing.queueCloudlet(peer, key, info.key);
  }

  /** Receivers of one connection: infos get the connection's notify_id written over whatever the peer sent. */
  private connectionReceivers(info: PeerInfo): Map<string, AnyReceiver> {
    const out = new Map<string, AnyReceiver>();
    for (const [name, receiver] of this.receivers) {
      if (isMessageReceiver(receiver) || !receiver.kind.hasNotifyId) {
        out.set(name, receiver);
        continue;
      }
      const inner = receiver as ObjectReceiver<{ notify_id: bigint }>;
      out.set(name, {
        kind: inner.kind,
        update: (value: { notify_id: bigint }, _bytes: Uint8Array, p: PeerInfo) => {
          value.notify_id = BigInt(info.notifyId);
          inner.update(value, inner.kind.codec.encode(value).finish(), p);
        },
        delete: (value: { notify_id: bigint }, p: PeerInfo) => {
          value.notify_id = BigInt(info.notifyId);
          inner.delete(value, p);
        },
      } satisfies ObjectReceiver<{ notify_id: bigint }>);
    }
    return out;
  }

  private disconnected(peer: ServerPeer, log: Logger): void {
    if (!this.peers.delete(peer)) return;
    this.deps.metrics.peers.set(this.peers.size);
    log.info({ notifyId: peer.info.notifyId }, 'notify peer disconnected');
    for (const receiver of this.receivers.values()) {
      if (isMessageReceiver(receiver) || !receiver.flush) continue;
      try {
        receiver.flush(peer.info);
      } catch (err) {
        log.error({ err, type: receiver.kind.name }, 'notify flush failed');
      }
    }
  }

  private endWithError(call: grpc.ServerDuplexStream<Buffer, Buffer>, details: string): void {
    call.emit('error', { code: toGrpcStatus(Code.INVALID_ARGUMENT), details: `notify: ${details}` });
  }
}
