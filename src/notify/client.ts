import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import { canReadEncoded, type EncodedObject } from '../cache/encoded-object.js';
import type { ObjectCache } from '../cache/object-cache.js';
import type { MessageKind, ObjectKind } from '../cache/object-kind.js';
import { sleep } from '../core/abort.js';
import { Backoff } from '../core/backoff.js';
import type { Logger } from '../core/logger.js';
import { NoticeAction, type Notice } from '../gen/edgeproto/notice.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { NotifyConnection } from './connection.js';
import { NOTIFY_FEATURES_HEADER, SEQUENCED_SENDALL_FEATURE } from './features.js';
import { clientChannelOptions, DEFAULT_TRANSPORT_SETTINGS, type NotifyTransportSettings } from './keepalive.js';
import { encodeVersionNotice, NOTIFY_VERSION, STREAM_NOTICE_PATH } from './notice-wire.js';
import type { AnyReceiver, MessageReceiver, ObjectReceiver, PeerInfo } from './receivers.js';
import { ResyncTracker } from './resync-tracker.js';

/** Reconnect timing: exponential backoff with full jitter, capped, reset after a healthy connection. */
export interface ReconnectOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A connection that lasted this long resets the backoff. */
  readonly healthyMs: number;
  /** Deadline for dialling and the VERSION exchange. */
  readonly handshakeTimeoutMs: number;
}

/** Defaults: 250 ms (the original's retry time) doubling up to 5 s; healthy after 10 s; 5 s handshake. */
export const DEFAULT_RECONNECT: ReconnectOptions = Object.freeze({ initialMs: 250, maxMs: 5_000, healthyMs: 10_000, handshakeTimeoutMs: 5_000 });

/** Dependencies and options of a {@link NotifyClient}. */
export interface NotifyClientDeps {
  /** Controller notify addresses (`host:port`), tried round robin from a random start. */
  readonly addresses: readonly string[];
  /** Caches this client mirrors from the server (its want_objs), e.g. Flavor, Cloudlet, ClusterInst, App, AppInst. */
  readonly mirrors: readonly ObjectCache<unknown>[];
  /** Messages this client accepts (ExecRequest). */
  readonly messageReceivers: readonly MessageReceiver[];
  /** Caches this client sends, in send order (CloudletInfo, AppInstInfo, ClusterInstInfo, Node). */
  readonly sendCaches: readonly ObjectCache<unknown>[];
  /** Message kinds this client sends (ExecRequest replies, Metric). */
  readonly sendMessageKinds: readonly MessageKind[];
  /** Ask the server to filter by the cloudlets of the CloudletInfos we send (a CRM). */
  readonly filterCloudletKey: boolean;
  readonly log: Logger;
  readonly metrics: NotifyMetrics;
  readonly settings?: NotifyTransportSettings;
  readonly reconnect?: Partial<ReconnectOptions>;
  /** Resync timing against servers that do not sequence their send-all (the original). */
  readonly resync?: { readonly quietMs?: number; readonly graceMs?: number };
  /** Random source for jitter and the start address (tests). */
  readonly random?: () => number;
}

/** Connection state changes, for readiness and status. */
export type NotifyClientEvent =
  | { readonly type: 'connected'; readonly address: string; readonly serverSequenced: boolean }
  | { readonly type: 'synced'; readonly address: string }
  | { readonly type: 'disconnected'; readonly address: string; readonly reason: string };

const FILTERED_KINDS = new Set(['edgeproto.Cloudlet', 'edgeproto.ClusterInst', 'edgeproto.App', 'edgeproto.AppInst']);

/**
 * The CRM/DME side of `NotifyApi.StreamNotice`. `run(signal)` dials the controller and keeps a connection until
 * the signal aborts: VERSION first, then a full send-all of our caches and SENDALL_END, while the server's objects
 * are mirrored into `mirrors` and pruned after its SENDALL_END (see {@link ResyncTracker}). A lost connection never
 * changes the mirrors; reconnects back off exponentially with full jitter. Identical resent objects change nothing.
 */
export class NotifyClient {
  private readonly settings: NotifyTransportSettings;
  private readonly reconnect: ReconnectOptions;
  private readonly mirrorsByName: Map<string, ObjectCache<unknown>>;
  private readonly sendCaches: Map<string, ObjectCache<unknown>>;
  private readonly listeners = new Set<(event: NotifyClientEvent) => void>();
  private readonly random: () => number;
  private current: { connection: NotifyConnection; remoteWants: Set<string>; ready: boolean } | undefined;
  private tracker: ResyncTracker | undefined;

  private constructor(private readonly deps: NotifyClientDeps) {
    this.settings = deps.settings ?? DEFAULT_TRANSPORT_SETTINGS;
    this.reconnect = { ...DEFAULT_RECONNECT, ...deps.reconnect };
    this.random = deps.random ?? Math.random;
    this.mirrorsByName = new Map(deps.mirrors.map((c) => [c.kind.name, c]));
    this.sendCaches = new Map(deps.sendCaches.map((c) => [c.kind.name, c]));
    for (const cache of deps.sendCaches) {
      cache.watch((change) => {
        const current = this.current;
        if (!current?.ready || !current.remoteWants.has(cache.kind.name)) return;
        const object = change.kind === 'update' ? change.value : change.old;
        current.connection.queue.queueKey(cache.kind, change.key, cache.kind.keyOnly(object));
      });
    }
  }

  /** Creates a client; nothing is dialled until `run`. Throws INVALID_ARGUMENT when no address is given. */
  static create(deps: NotifyClientDeps): NotifyClient {
    if (deps.addresses.length === 0) throw new Error('notify client needs at least one address');
    return new NotifyClient(deps);
  }

  /** True while a connection is past its handshake. */
  get connected(): boolean {
    return this.current?.ready ?? false;
  }

  /** Subscribes to connection events; returns the unsubscribe function. */
  on(listener: (event: NotifyClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a message for the server if connected and the server wants its kind. Returns whether it was queued. */
  sendMessage<T>(kind: MessageKind<T>, message: T): boolean {
    const current = this.current;
    if (!current?.ready || !current.remoteWants.has(kind.name)) return false;
    current.connection.queue.queueMessage(kind, message);
    return true;
  }

  /**
   * Queues the current object of a send cache (`kindName`, e.g. `CloudletInfo`) for the server again, although it
   * did not change: for a server that dropped its copy (a deleted and re-created Cloudlet loses its CloudletInfo).
   * Returns whether it was queued: false when not connected, the server does not want the kind, or the object is
   * not in the cache. Idempotent: the send queue coalesces by key.
   */
  resend(kindName: string, key: string): boolean {
    const current = this.current;
    const cache = this.sendCaches.get(kindName);
    const object = cache?.get(key);
    if (!cache || object === undefined || !current?.ready || !current.remoteWants.has(kindName)) return false;
    current.connection.queue.queueKey(cache.kind, key, cache.kind.keyOnly(object));
    return true;
  }

  /**
   * Connects and reconnects until `signal` aborts, then closes the connection and resolves. Never rejects for
   * network reasons; they are logged and retried with backoff.
   */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ initialMs: this.reconnect.initialMs, maxMs: this.reconnect.maxMs, random: this.random });
    const { addresses } = this.deps;
    let index = Math.floor(this.random() * addresses.length);
    let attempts = 0;
    while (!signal.aborted) {
      const address = addresses[index++ % addresses.length] ?? '';
      if (attempts++ > 0) this.deps.metrics.reconnects.inc();
      const started = performance.now();
      const reason = await this.connectOnce(address, signal);
      if (signal.aborted) break;
      if (performance.now() - started >= this.reconnect.healthyMs) backoff.reset();
      const delay = backoff.next();
      this.deps.log.info({ address, reason, retryInMs: Math.round(delay) }, 'notify disconnected');
      try {
        await sleep(delay, signal);
      } catch {
        break;
      }
    }
  }

  private emit(event: NotifyClientEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private receivers(tracker: () => ResyncTracker | undefined): Map<string, AnyReceiver> {
    const out = new Map<string, AnyReceiver>();
    for (const cache of this.deps.mirrors) {
      const kind = cache.kind;
      const receiver: ObjectReceiver = {
        kind,
        update: (value: unknown, bytes: Uint8Array) => {
          const key = kind.keyOf(value);
          tracker()?.recordUpdate(kind.name, key);
          cache.update(value, bytes, key);
        },
        delete: (value: unknown) => {
          cache.delete(kind.keyOf(value));
        },
      };
      // The mirror stores what it receives encoded: checked and keyed on receipt, decoded when first read.
      if (canReadEncoded(kind)) {
        receiver.updateEncoded = (object: EncodedObject) => {
          tracker()?.recordUpdate(kind.name, object.key);
          cache.updateEncoded(object);
        };
      }
      out.set(kind.name, receiver);
    }
    for (const receiver of this.deps.messageReceivers) out.set(receiver.kind.name, receiver);
    return out;
  }

  /** One connection, from dial to end. Resolves with the reason it ended. */
  private async connectOnce(address: string, signal: AbortSignal): Promise<string> {
    const grpcClient = new grpc.Client(address, grpc.credentials.createInsecure(), clientChannelOptions(this.settings));
    const call = grpcClient.makeBidiStreamRequest(STREAM_NOTICE_PATH, (b: Buffer) => b, (b: Buffer) => b);
    const log = this.deps.log.child({ address });
    const peer: PeerInfo = { notifyId: 0, peer: address };
    let serverSequenced = false;
    call.on('metadata', (md: grpc.Metadata) => {
      serverSequenced = md.get(NOTIFY_FEATURES_HEADER).some((v) => String(v).split(',').includes(SEQUENCED_SENDALL_FEATURE));
    });
    let tracker: ResyncTracker | undefined;
    let endReason = 'stream ended';
    const connection: NotifyConnection = new NotifyConnection({
      stream: call as unknown as Duplex,
      peer,
      sendKinds: this.deps.sendCaches.map((c) => c.kind),
      lookup: (kind, key) => this.sendCaches.get(kind.name)?.getEntry(key),
      receivers: this.receivers(() => tracker),
      settings: this.settings,
      metrics: this.deps.metrics,
      log,
      onHandshake: (reply: Notice) => {
        if (reply.action !== NoticeAction.VERSION) log.warn({ action: reply.action }, 'notify server reply is not VERSION');
        const remoteWants = new Set(reply.want_objs);
        tracker = new ResyncTracker(this.mirrorsByName, {
          filteredKinds: this.deps.filterCloudletKey ? FILTERED_KINDS : new Set(),
          serverSequenced,
          quietMs: this.deps.resync?.quietMs ?? 500,
          graceMs: this.deps.resync?.graceMs ?? 30_000,
          onPruned: (kindName, keys) => {
            this.deps.metrics.pruned.inc({ type: kindName }, keys.length);
            log.info({ type: kindName, count: keys.length }, 'notify pruned objects not resent');
          },
          onSynced: () => {
            log.info('notify mirror in sync');
            this.emit({ type: 'synced', address });
          },
        });
        this.current = { connection, remoteWants, ready: true };
        this.deps.metrics.peers.set(1);
        log.info({ version: Math.min(NOTIFY_VERSION, reply.version), serverSequenced }, 'notify connected');
        this.emit({ type: 'connected', address, serverSequenced });
        connection.sendAll(() => {
          for (const cache of this.deps.sendCaches) {
            if (!remoteWants.has(cache.kind.name)) continue;
            for (const key of cache.keys()) {
              const entry = cache.getEntry(key);
              if (entry) connection.queue.queueKey(cache.kind, key, cache.kind.keyOnly(entry.value));
            }
          }
        });
        return true;
      },
      onSent: (kind: ObjectKind, action, value) => {
        if (kind.name === 'edgeproto.CloudletInfo' && action === NoticeAction.UPDATE && kind.cloudletKeyOf) {
          tracker?.onCloudletInfoSent(kind.cloudletKeyOf(value));
        }
      },
      onSendAllEndWritten: () => tracker?.onOurSendAllEnd(),
      onPeerSendAllEnd: () => tracker?.onServerSendAllEnd(),
      onReceived: (kindName, _action, value) => {
        if (!tracker?.watches(kindName)) return;
        const kind = this.mirrorsByName.get(kindName)?.kind;
        tracker.onNotice(kindName, () => kind?.cloudletKeyOf?.(value()));
      },
    });
    const onAbort = (): void => connection.close('client stopping');
    signal.addEventListener('abort', onAbort, { once: true });
    const handshakeTimer = setTimeout(() => {
      if (!this.current || this.current.connection !== connection) {
        endReason = 'handshake timeout';
        connection.close(endReason);
      }
    }, this.reconnect.handshakeTimeoutMs);
    call.on('error', (err: grpc.ServiceError) => {
      endReason = `${grpc.status[err.code] ?? err.code}: ${err.details}`;
    });
    connection.writeNow(encodeVersionNotice([...this.mirrorsByName.keys(), ...this.deps.messageReceivers.map((r) => r.kind.name)], this.deps.filterCloudletKey));
    connection.start();
    await connection.done;
    clearTimeout(handshakeTimer);
    signal.removeEventListener('abort', onAbort);
    tracker?.close();
    call.cancel();
    grpcClient.close();
    if (this.current?.connection === connection) {
      this.current = undefined;
      this.deps.metrics.peers.set(0);
      this.emit({ type: 'disconnected', address, reason: endReason });
    }
    return endReason;
  }
}
