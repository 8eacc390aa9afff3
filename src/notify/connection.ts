import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { readEncoded, type EncodedObject } from '../cache/encoded-object.js';
import type { CacheEntry } from '../cache/object-cache.js';
import type { MessageKind, ObjectKind } from '../cache/object-kind.js';
import { isCodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { NoticeAction, type Notice } from '../gen/edgeproto/notice.js';
import type { NotifyBadInputReason, NotifyMetrics } from '../metrics/notify-metrics.js';
import { typeNameOf } from '../wire/any.js';
import { decodeMessage } from '../wire/decode.js';
import { findMessageType } from '../wire/message-registry.js';
import type { NotifyTransportSettings } from './keepalive.js';
import { DataNoticeEncoder, decodeNotice, encodeSendAllEnd, readDataNotice, type DataNotice } from './notice-wire.js';
import { writeNotice } from './notice-writer.js';
import { isMessageReceiver, type AnyReceiver, type ObjectReceiver, type PeerInfo } from './receivers.js';
import { SendQueue } from './send-queue.js';

/** An object receiver that takes encoded objects. */
type EncodedReceiver = ObjectReceiver & Required<Pick<ObjectReceiver, 'updateEncoded'>>;

/** Everything a connection needs; both the client and the server build one per stream. */
export interface ConnectionDeps {
  /** The gRPC bidi stream, carrying raw notice bytes. */
  readonly stream: Duplex;
  readonly peer: PeerInfo;
  /** Cache kinds this side sends, in send order. */
  readonly sendKinds: readonly ObjectKind[];
  /** Current value of a key at send time; undefined means it is gone (send DELETE). */
  readonly lookup: (kind: ObjectKind, key: string) => CacheEntry<unknown> | undefined;
  /** Receivers by full type name: what this side accepts from the peer. */
  readonly receivers: ReadonlyMap<string, AnyReceiver>;
  readonly settings: NotifyTransportSettings;
  readonly metrics: NotifyMetrics;
  readonly log: Logger;
  /** Most queued messages for a peer that does not read. */
  readonly maxQueuedMessages?: number;
  /** The first notice from the peer (the handshake); return false to end the connection. */
  readonly onHandshake: (notice: Notice) => boolean;
  /** The first bytes from the peer were not a Notice; the connection ends after this. */
  readonly onHandshakeMalformed?: (error: unknown) => void;
  /** The peer's first SENDALL_END. */
  readonly onPeerSendAllEnd?: () => void;
  /** After each data notice is written (client: to learn which CloudletInfo keys it has sent). */
  readonly onSent?: (kind: ObjectKind, action: NoticeAction, value: unknown) => void;
  /** After our SENDALL_END is written. */
  readonly onSendAllEndWritten?: () => void;
  /**
   * After each data notice received and applied (client: to watch resync progress). `value` gives the received
   * object, decoded on demand for an object that was stored encoded.
   */
  readonly onReceived?: (kindName: string, action: NoticeAction, value: () => unknown) => void;
}

/**
 * One notify stream, either side: a send loop draining the coalescing {@link SendQueue} with backpressure, and a
 * receive path that validates every notice, skips and counts bad input, and hands good objects to receivers.
 * `done` settles when the stream has ended for any reason; `close()` ends it. Nothing here throws at the caller.
 */
export class NotifyConnection {
  readonly queue: SendQueue;
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private readonly encoders = new Map<string, DataNoticeEncoder>();
  private handshakeDone = false;
  private peerSendAllEndSeen = false;
  private sendAllStartedAt: number | undefined;
  private resolveDone!: () => void;
  /** The receiver of the last type_url seen (a send-all is one type after another). */
  private lastReceiver: { typeUrl: string; typeName: string; receiver: AnyReceiver | undefined } | undefined;
  /** Notices counted but not yet added to the metrics, by type: sent UPDATE, sent DELETE, received UPDATE, DELETE. */
  private readonly tallies = new Map<string, number[]>();
  private flushScheduled = false;
  private readonly removeQueueGauge: () => void;

  constructor(private readonly deps: ConnectionDeps) {
    this.queue = new SendQueue({
      order: deps.sendKinds,
      maxMessages: deps.maxQueuedMessages ?? 10_000,
      onDropped: (kind) => deps.log.warn({ type: kind.name }, 'notify queue full, message dropped'),
    });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.removeQueueGauge = deps.metrics.addQueue(() => this.queue.depth());
  }

  /** Aborted when the connection ends. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** True once the peer's first SENDALL_END arrived. */
  get peerSendAllEnd(): boolean {
    return this.peerSendAllEndSeen;
  }

  /** Starts reading and the send loop. Call once. */
  start(): void {
    const { stream } = this.deps;
    stream.on('data', (bytes: Buffer) => this.onData(bytes));
    stream.on('end', () => this.close('peer closed the stream'));
    stream.on('error', (err: Error) => this.close('stream error', err));
    stream.on('close', () => this.close('stream closed'));
    void this.sendLoop();
  }

  /** Writes a raw notice at once, ahead of the queue (the handshake). */
  writeNow(bytes: Buffer): void {
    this.deps.stream.write(bytes);
  }

  /**
   * Runs a send-all: `fill` queues every key to send, then SENDALL_END is queued behind them. Its duration, to
   * the SENDALL_END being written, goes to the send-all metric.
   */
  sendAll(fill: () => void): void {
    this.sendAllStartedAt = performance.now();
    fill();
    this.queue.queueSendAllEnd();
  }

  /** Ends the connection (idempotent). The stream is ended or destroyed; `done` resolves. */
  close(reason: string, cause?: unknown): void {
    if (this.abort.signal.aborted) return;
    this.deps.log.debug({ reason, err: cause }, 'notify connection ended');
    this.abort.abort(new Error(reason));
    this.removeQueueGauge();
    const { stream } = this.deps;
    if (!stream.destroyed) stream.end();
    this.resolveDone();
  }

  private encoderFor(kindName: string): DataNoticeEncoder {
    let encoder = this.encoders.get(kindName);
    if (!encoder) {
      encoder = new DataNoticeEncoder(kindName);
      this.encoders.set(kindName, encoder);
    }
    return encoder;
  }

  private async sendLoop(): Promise<void> {
    const { signal } = this.abort;
    const { stream, metrics, settings } = this.deps;
    try {
      while (!signal.aborted) {
        await this.queue.waitForWork(signal);
        const batch = this.queue.take();
        if (!batch) continue;
        for (const { kind, entries } of batch.keys) {
          const encoder = this.encoderFor(kind.name);
          for (const [key, tombstone] of entries) {
            const entry = this.deps.lookup(kind, key);
            const action = entry ? NoticeAction.UPDATE : NoticeAction.DELETE;
            // A queued tombstone may be the whole last value (send-all); a DELETE carries only its key.
            const keyOnly = entry ? undefined : kind.keyOnly(tombstone);
            const bytes = entry ? entry.bytes : kind.codec.encode(keyOnly).finish();
            const notice = encoder.encode(action, bytes);
            if (notice.length > settings.maxMessageBytes) {
              this.deps.log.error({ type: kind.name, key, bytes: notice.length }, 'notify object too large, not sent');
              continue;
            }
            // Inline fast path of writeNotice: no promise per notice unless the stream is full.
            if (!stream.write(notice)) await once(stream, 'drain', { signal });
            this.count('sent', kind.name, action);
            this.deps.onSent?.(kind, action, entry ? entry.value : keyOnly);
          }
        }
        for (const { kind, message } of batch.messages) await this.sendMessageNow(kind, message, signal);
        if (batch.sendAllEnd) {
          await writeNotice(stream, encodeSendAllEnd(), signal);
          if (this.sendAllStartedAt !== undefined) {
            metrics.sendAllSeconds.observe((performance.now() - this.sendAllStartedAt) / 1000);
            this.sendAllStartedAt = undefined;
          }
          this.deps.onSendAllEndWritten?.();
        }
      }
    } catch (err) {
      if (!signal.aborted) this.close('send failed', err);
    }
  }

  private async sendMessageNow(kind: MessageKind, message: unknown, signal: AbortSignal): Promise<void> {
    const notice = this.encoderFor(kind.name).encode(NoticeAction.UPDATE, kind.codec.encode(message).finish());
    if (notice.length > this.deps.settings.maxMessageBytes) {
      this.deps.log.error({ type: kind.name, bytes: notice.length }, 'notify message too large, not sent');
      return;
    }
    await writeNotice(this.deps.stream, notice, signal);
    this.deps.metrics.sent.inc({ type: kind.name, action: 'UPDATE' });
  }

  /**
   * Counts a notice sent or received. Counts are tallied here and added to the metrics once per event-loop turn
   * (a send-all moves thousands of notices per turn; a metric update each is measurable).
   */
  private count(which: 'sent' | 'received', type: string, action: NoticeAction): void {
    let tally = this.tallies.get(type);
    if (!tally) {
      tally = [0, 0, 0, 0];
      this.tallies.set(type, tally);
    }
    tally[(which === 'sent' ? 0 : 2) + (action === NoticeAction.UPDATE ? 0 : 1)]!++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushCounts);
    }
  }

  private readonly flushCounts = (): void => {
    this.flushScheduled = false;
    const { sent, received } = this.deps.metrics;
    for (const [type, tally] of this.tallies) {
      for (let i = 0; i < 4; i++) {
        const n = tally[i]!;
        if (n === 0) continue;
        tally[i] = 0;
        (i < 2 ? sent : received).inc({ type, action: i % 2 === 0 ? 'UPDATE' : 'DELETE' }, n);
      }
    }
  };

  private bad(reason: NotifyBadInputReason, fields: Record<string, unknown>): void {
    this.deps.metrics.badInput.inc({ reason });
    this.deps.log.warn({ reason, peer: this.deps.peer.peer, ...fields }, 'notify input skipped');
  }

  private onData(bytes: Buffer): void {
    if (this.abort.signal.aborted) return;
    if (bytes.length > this.deps.settings.maxMessageBytes) {
      this.bad('oversized', { bytes: bytes.length, limit: this.deps.settings.maxMessageBytes });
      return;
    }
    if (!this.handshakeDone) {
      this.onHandshakeData(bytes);
      return;
    }
    let notice: DataNotice;
    try {
      notice = readDataNotice(bytes);
    } catch (err) {
      this.bad('malformed_notice', { err });
      return;
    }
    switch (notice.action) {
      case NoticeAction.UPDATE:
      case NoticeAction.DELETE:
        this.onDataNotice(notice);
        return;
      case NoticeAction.SENDALL_END:
        if (this.peerSendAllEndSeen) {
          this.deps.log.debug({ peer: this.deps.peer.peer }, 'notify repeated SENDALL_END ignored');
          return;
        }
        this.peerSendAllEndSeen = true;
        this.deps.onPeerSendAllEnd?.();
        return;
      default:
        this.bad('unexpected_action', { action: notice.action });
    }
  }

  /** The first notice: decoded in full (want_objs, version, filter) and handed to `onHandshake`. */
  private onHandshakeData(bytes: Buffer): void {
    let notice: Notice;
    try {
      notice = decodeNotice(bytes);
    } catch (err) {
      this.bad('bad_handshake', { err });
      this.deps.onHandshakeMalformed?.(err);
      this.close('malformed handshake');
      return;
    }
    this.handshakeDone = true;
    if (!this.deps.onHandshake(notice)) this.close('handshake refused');
  }

  private receiverOf(typeUrl: string): { typeName: string; receiver: AnyReceiver | undefined } {
    let cached = this.lastReceiver;
    if (cached?.typeUrl !== typeUrl) {
      const typeName = typeNameOf(typeUrl);
      cached = { typeUrl, typeName, receiver: this.deps.receivers.get(typeName) };
      this.lastReceiver = cached;
    }
    return cached;
  }

  private onDataNotice(notice: DataNotice): void {
    if (notice.typeUrl === undefined) {
      this.bad('malformed_notice', { why: 'data notice without any' });
      return;
    }
    const { typeName, receiver } = this.receiverOf(notice.typeUrl);
    if (!receiver) {
      this.bad(findMessageType(typeName) ? 'unwanted_type' : 'unknown_type', { type: typeName });
      return;
    }
    const action = notice.action;
    if (action === NoticeAction.UPDATE && !isMessageReceiver(receiver) && receiver.updateEncoded) {
      this.onEncodedUpdate(typeName, receiver as EncodedReceiver, notice.value);
      return;
    }
    let value: unknown;
    try {
      value = decodeMessage(receiver.kind.codec, notice.value, 'any.value');
    } catch (err) {
      this.bad('malformed_object', { type: typeName, err });
      return;
    }
    this.count('received', typeName, action);
    try {
      if (isMessageReceiver(receiver)) receiver.message(value, this.deps.peer);
      else if (action === NoticeAction.UPDATE) receiver.update(value, notice.value, this.deps.peer);
      else receiver.delete(value, this.deps.peer);
    } catch (err) {
      this.bad('invalid_object', { type: typeName, code: isCodedError(err) ? err.code : undefined, err });
      return;
    }
    this.deps.onReceived?.(typeName, action, () => value);
  }

  /** An UPDATE for a receiver that takes encoded objects: checked and keyed here, decoded by nobody yet. */
  private onEncodedUpdate(typeName: string, receiver: EncodedReceiver, bytes: Uint8Array): void {
    let object: EncodedObject;
    try {
      object = readEncoded(receiver.kind, bytes);
    } catch (err) {
      this.bad('malformed_object', { type: typeName, err });
      return;
    }
    this.count('received', typeName, NoticeAction.UPDATE);
    try {
      receiver.updateEncoded(object, this.deps.peer);
    } catch (err) {
      this.bad('invalid_object', { type: typeName, code: isCodedError(err) ? err.code : undefined, err });
      return;
    }
    // The checked bytes decode without error; only a watcher of filtered kinds (a CRM's resync) asks for the value.
    this.deps.onReceived?.(typeName, NoticeAction.UPDATE, () => receiver.kind.codec.decode(bytes));
  }
}
