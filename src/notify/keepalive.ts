import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Keepalive and size settings of notify connections, in one place. The defaults are the original's: both sides
 * ping every 30 s and wait 30 s for the ack; the server closes connections idle for 90 s and refuses clients that
 * ping more often than once a second.
 */
export interface NotifyTransportSettings {
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** Server only: the shortest ping interval it tolerates from a client. */
  readonly minClientPingIntervalMs: number;
  readonly maxConnectionIdleMs: number;
  /** Largest notice a peer accepts; a larger one is skipped and counted, and the stream goes on. */
  readonly maxMessageBytes: number;
}

/** The original's keepalive values, and 16 MiB notices. */
export const DEFAULT_TRANSPORT_SETTINGS: NotifyTransportSettings = Object.freeze({
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 30_000,
  minClientPingIntervalMs: 1_000,
  maxConnectionIdleMs: 90_000,
  maxMessageBytes: 16 * 1024 * 1024,
});

/** gRPC refuses (and ends the stream on) anything larger than this; below it we skip oversized notices ourselves. */
function hardLimit(settings: NotifyTransportSettings): number {
  return Math.min(2 ** 31 - 1, settings.maxMessageBytes * 4 + 1024);
}

/**
 * Channel options of a notify client. The ping interval never goes below the server's minimum, so a client can
 * not be disconnected for pinging too often.
 */
export function clientChannelOptions(settings: NotifyTransportSettings): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': Math.max(settings.keepaliveTimeMs, settings.minClientPingIntervalMs),
    'grpc.keepalive_timeout_ms': settings.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 0,
    'grpc.max_receive_message_length': hardLimit(settings),
    'grpc.max_send_message_length': hardLimit(settings),
    // Reconnects are ours (backoff with jitter, round robin over addresses); keep grpc's own short.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  };
}

/** Server options of a notify server. */
export function serverOptions(settings: NotifyTransportSettings): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': settings.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': settings.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': settings.maxConnectionIdleMs,
    'grpc.http2.min_ping_interval_without_data_ms': settings.minClientPingIntervalMs,
    'grpc.max_receive_message_length': hardLimit(settings),
    'grpc.max_send_message_length': hardLimit(settings),
  };
}
