import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why a received notice was refused or skipped. */
export type NotifyBadInputReason =
  | 'malformed_notice'
  | 'unknown_type'
  | 'unwanted_type'
  | 'malformed_object'
  | 'oversized'
  | 'bad_handshake'
  | 'unexpected_action'
  | 'invalid_object';

const BAD_INPUT_REASONS: readonly NotifyBadInputReason[] = [
  'malformed_notice', 'unknown_type', 'unwanted_type', 'malformed_object', 'oversized', 'bad_handshake',
  'unexpected_action', 'invalid_object',
];

/** The notify metrics of one side (`server` or `client`), registered in the given registry. */
export interface NotifyMetrics {
  /** Connected peers (server: clients past the handshake; client: 0 or 1). */
  readonly peers: Gauge;
  readonly sent: Counter<'type' | 'action'>;
  readonly received: Counter<'type' | 'action'>;
  readonly badInput: Counter<'reason'>;
  /** Seconds from the start of a send-all to its SENDALL_END being written. */
  readonly sendAllSeconds: Histogram;
  /** Keys and messages waiting to be sent, over all connections: the sum of the sources, read at each scrape. */
  readonly queueDepth: Gauge;
  /**
   * Adds a connection's send queue to `queueDepth` (`depth` is read at each scrape); returns the function that
   * removes it, to call when the connection ends. Idempotent removal.
   */
  addQueue(depth: () => number): () => void;
  /** Connection attempts after the first (client) or handshakes of a peer seen before (server). */
  readonly reconnects: Counter;
  /** Objects a client pruned after a resync. */
  readonly pruned: Counter<'type'>;
}

/**
 * Creates the notify metrics in `registry`, named `cloudletd_notify_<side>_<what>_<unit>`, with every label set
 * of the given types and all bad-input reasons started at 0. Call once per side per registry (prom-client refuses
 * a second registration of the same name).
 */
export function createNotifyMetrics(registry: Registry, side: 'server' | 'client', typeNames: readonly string[]): NotifyMetrics {
  const p = `cloudletd_notify_${side}`;
  const registers = [registry];
  const queues = new Set<() => number>();
  const metrics: NotifyMetrics = {
    peers: new Gauge({ name: `${p}_peers`, help: 'Connected notify peers', registers }),
    sent: new Counter({ name: `${p}_sent_messages_total`, help: 'Notices sent, by type and action', labelNames: ['type', 'action'], registers }),
    received: new Counter({ name: `${p}_received_messages_total`, help: 'Notices received, by type and action', labelNames: ['type', 'action'], registers }),
    badInput: new Counter({ name: `${p}_bad_input_total`, help: 'Received notices refused or skipped, by reason', labelNames: ['reason'], registers }),
    sendAllSeconds: new Histogram({
      name: `${p}_sendall_duration_seconds`, help: 'Duration of a send-all up to its SENDALL_END', registers,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    }),
    queueDepth: new Gauge({
      name: `${p}_send_queue_depth`, help: 'Keys and messages waiting to be sent, over all connections', registers,
      collect() {
        let total = 0;
        for (const depth of queues) total += depth();
        this.set(total);
      },
    }),
    addQueue(depth) {
      queues.add(depth);
      return () => queues.delete(depth);
    },
    reconnects: new Counter({ name: `${p}_reconnects_total`, help: 'Reconnections', registers }),
    pruned: new Counter({ name: `${p}_pruned_objects_total`, help: 'Objects pruned after a resync', labelNames: ['type'], registers }),
  };
  for (const type of typeNames) {
    for (const action of ['UPDATE', 'DELETE']) {
      metrics.sent.inc({ type, action }, 0);
      metrics.received.inc({ type, action }, 0);
    }
    metrics.pruned.inc({ type }, 0);
  }
  for (const reason of BAD_INPUT_REASONS) metrics.badInput.inc({ reason }, 0);
  return metrics;
}
