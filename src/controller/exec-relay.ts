import { randomUUID } from 'node:crypto';
import type { MessageKind } from '../cache/object-kind.js';
import { alreadyExists, cancelled, deadlineExceeded } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ExecRequest } from '../gen/edgeproto/exec.js';
import type { MessageReceiver } from '../notify/receivers.js';

/** How a request goes out: returns how many peers it was queued for (0: nobody can answer). */
export type ExecSend = (request: ExecRequest) => number;

/**
 * Matches ExecRequest replies from CRMs to the RunCommand calls waiting for them, by `offer` (as the original's
 * exec_api.go). `receiver` is the notify MessageReceiver of ExecRequest replies; `request` registers a waiter, sends
 * and waits for the first reply with the same offer. Later replies for an offer nobody waits for any more are
 * dropped (debug-logged). State is only the map of pending offers; nothing survives a restart.
 */
export class ExecRelay {
  private readonly pending = new Map<string, (reply: ExecRequest) => void>();

  /** The notify receiver of ExecRequest replies; register it with the notify server. */
  readonly receiver: MessageReceiver<ExecRequest>;

  constructor(kind: MessageKind<ExecRequest>, private readonly log: Logger) {
    this.receiver = { kind, message: (reply) => this.onReply(reply) };
  }

  /** A fresh, unique offer string for a request that came without one. */
  static newOffer(): string {
    return `cloudletd-exec-${randomUUID()}`;
  }

  /** Number of calls waiting for a reply (for tests and status). */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Registers `request.offer` (which must be non-empty), calls `send`, and resolves with the first reply carrying
   * the same offer, as received (a reply with `err` set included). Rejects ALREADY_EXISTS when a call with this
   * offer is already waiting, with `onNoPeer()` when `send` queued it for nobody, with what `send` throws,
   * DEADLINE_EXCEEDED after `timeoutMs`, CANCELLED when `signal` aborts. The waiter is always removed.
   */
  async request(
    request: ExecRequest,
    send: ExecSend,
    options: { timeoutMs: number; signal: AbortSignal; onNoPeer: () => Error },
  ): Promise<ExecRequest> {
    const offer = request.offer;
    if (this.pending.has(offer)) throw alreadyExists(`exec offer ${JSON.stringify(offer)} (a call with it is waiting)`, 'offer');
    let settle!: (reply: ExecRequest) => void;
    const replied = new Promise<ExecRequest>((resolve) => (settle = resolve));
    this.pending.set(offer, settle);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (send(request) === 0) throw options.onNoPeer();
      const stopped = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(deadlineExceeded(`exec offer ${offer}: no one answered within ${options.timeoutMs} ms;`)), options.timeoutMs);
        onAbort = () => reject(cancelled('exec call cancelled'));
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener('abort', onAbort, { once: true });
      });
      return await Promise.race([replied, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal.removeEventListener('abort', onAbort);
      if (this.pending.get(offer) === settle) this.pending.delete(offer);
    }
  }

  private onReply(reply: ExecRequest): void {
    const waiter = this.pending.get(reply.offer);
    if (!waiter) {
      this.log.debug({ offer: reply.offer }, 'exec reply for no waiting call, dropped');
      return;
    }
    this.pending.delete(reply.offer);
    waiter(reply);
  }
}
