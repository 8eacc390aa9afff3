import type { MessageKind, ObjectKind } from '../cache/object-kind.js';

/** What one pass of the send loop sends: keys per kind in send order, then messages, then SENDALL_END. */
export interface SendBatch {
  readonly keys: ReadonlyArray<{ readonly kind: ObjectKind; readonly entries: ReadonlyArray<readonly [key: string, tombstone: unknown]> }>;
  readonly messages: ReadonlyArray<{ readonly kind: MessageKind; readonly message: unknown }>;
  readonly sendAllEnd: boolean;
}

/** Options of a {@link SendQueue}. */
export interface SendQueueOptions {
  /** Cache kinds this side sends, in the original's send order (Flavor, Cloudlet, Cluster, ClusterInst, App...). */
  readonly order: readonly ObjectKind[];
  /** Most messages (ExecRequest, Metric) held for a peer that does not read; the oldest are dropped beyond it. */
  readonly maxMessages: number;
  /** Told of each dropped message. */
  readonly onDropped?: (kind: MessageKind) => void;
}

/**
 * The per-connection send queue. Cache kinds are keyed and coalescing: it holds keys (with a key-only tombstone
 * to send if the object is gone by then), never values, and the sender reads the current value at send time, so
 * update-then-delete becomes one DELETE and ten updates become one UPDATE. Its size is bounded by the number of
 * distinct objects, whatever a slow peer does. Message kinds are FIFO and capped at `maxMessages`.
 * Single-threaded; `take` hands over everything queued so far.
 */
export class SendQueue {
  private readonly pending = new Map<string, Map<string, unknown>>();
  private messages: Array<{ kind: MessageKind; message: unknown }> = [];
  private sendAllEnd = false;
  private wake: (() => void) | undefined;
  private readonly kindOrder: readonly ObjectKind[];

  constructor(private readonly options: SendQueueOptions) {
    this.kindOrder = options.order;
    for (const kind of options.order) this.pending.set(kind.name, new Map());
  }

  /** Queues `key` of `kind`. `tombstone` is the key-only object sent as DELETE if the object is gone at send time. */
  queueKey(kind: ObjectKind, key: string, tombstone: unknown): void {
    const keys = this.pending.get(kind.name);
    if (!keys) return;
    keys.set(key, tombstone);
    this.signal();
  }

  /** Queues a message (FIFO). Returns false when the queue was full and the oldest message was dropped. */
  queueMessage(kind: MessageKind, message: unknown): boolean {
    this.messages.push({ kind, message });
    let kept = true;
    while (this.messages.length > this.options.maxMessages) {
      const dropped = this.messages.shift();
      if (dropped) this.options.onDropped?.(dropped.kind);
      kept = false;
    }
    this.signal();
    return kept;
  }

  /** Queues a SENDALL_END after everything queued so far. */
  queueSendAllEnd(): void {
    this.sendAllEnd = true;
    this.signal();
  }

  /** Keys and messages waiting. */
  depth(): number {
    let n = this.messages.length;
    for (const keys of this.pending.values()) n += keys.size;
    return n;
  }

  /** Hands over everything queued, in send order, and empties the queue; undefined when there is nothing. */
  take(): SendBatch | undefined {
    if (this.depth() === 0 && !this.sendAllEnd) return undefined;
    const keys = [];
    for (const kind of this.kindOrder) {
      const pending = this.pending.get(kind.name);
      if (!pending || pending.size === 0) continue;
      keys.push({ kind, entries: [...pending] });
      pending.clear();
    }
    const batch: SendBatch = { keys, messages: this.messages, sendAllEnd: this.sendAllEnd };
    this.messages = [];
    this.sendAllEnd = false;
    return batch;
  }

  /** Resolves when something is queued (at once if something already is). Rejects when `signal` aborts. */
  async waitForWork(signal: AbortSignal): Promise<void> {
    if (this.depth() > 0 || this.sendAllEnd) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      this.wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

