import { describe, expect, it } from 'vitest';
import { clientChannelOptions, DEFAULT_TRANSPORT_SETTINGS, serverOptions } from '../../../src/notify/keepalive.js';

describe('notify keepalive settings', () => {
  it("default to the original's: 30 s ping, 30 s timeout, 90 s idle, 1 s minimum client ping interval", () => {
    expect(clientChannelOptions(DEFAULT_TRANSPORT_SETTINGS)).toMatchObject({
      'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 30_000, 'grpc.keepalive_permit_without_calls': 0,
    });
    expect(serverOptions(DEFAULT_TRANSPORT_SETTINGS)).toMatchObject({
      'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 30_000, 'grpc.max_connection_idle_ms': 90_000,
      'grpc.http2.min_ping_interval_without_data_ms': 1_000,
    });
  });

  it("never lets a client ping more often than the server's policy allows", () => {
    const eager = { ...DEFAULT_TRANSPORT_SETTINGS, keepaliveTimeMs: 10, minClientPingIntervalMs: 1_000 };
    expect(clientChannelOptions(eager)['grpc.keepalive_time_ms']).toBe(1_000);
  });

  it('sets gRPC hard message limits above the skip limit, so oversized notices are skipped, not fatal', () => {
    const opts = clientChannelOptions({ ...DEFAULT_TRANSPORT_SETTINGS, maxMessageBytes: 1024 });
    expect(opts['grpc.max_receive_message_length']).toBeGreaterThan(1024);
  });
});
