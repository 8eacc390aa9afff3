import { afterEach, describe, expect, it } from 'vitest';
import { flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient, startTestServer } from '../../helpers/notify-harness.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('notify reconnect', () => {
  it('tries addresses round robin: a dead first address does not keep a client from the live one', async () => {
    const s = await startTestServer();
    cleanups.push(() => s.close());
    s.flavors.update(flavor('x1.medium'));
    const dead = await startTcpProxy({ targetPort: s.port });
    cleanups.push(() => dead.close());
    dead.refuse(true);
    const c = startTestClient([dead.address, s.address], {
      filter: false,
      random: () => 0, // start at the first (dead) address
      reconnect: { initialMs: 10, maxMs: 50, healthyMs: 10_000, handshakeTimeoutMs: 1_000 },
    });
    cleanups.push(() => c.stop());
    await waitFor(() => c.flavors.size === 1, { timeoutMs: 5_000 });
    expect(dead.accepted).toBeGreaterThanOrEqual(1);
    expect(c.events.find((e) => e.type === 'connected')).toMatchObject({ address: s.address });
  });

  it('counts peers, sent notices, send-all duration and reconnects in metrics', async () => {
    const s = await startTestServer();
    cleanups.push(() => s.close());
    s.flavors.update(flavor('x1.medium'));
    const proxy = await startTcpProxy({ targetPort: s.port });
    cleanups.push(() => proxy.close());
    const c = startTestClient([proxy.address], { filter: false, reconnect: { initialMs: 5, maxMs: 20 } });
    cleanups.push(() => c.stop());
    await waitFor(() => c.events.some((e) => e.type === 'synced'));
    proxy.cut();
    await waitFor(() => c.events.filter((e) => e.type === 'synced').length === 2, { timeoutMs: 5_000 });
    const text = await s.registry.metrics();
    expect(text).toMatch(/cloudletd_notify_server_peers 1/);
    expect(text).toMatch(/cloudletd_notify_server_sent_messages_total\{type="edgeproto.Flavor",action="UPDATE"\} 2/);
    expect(text).toMatch(/cloudletd_notify_server_sendall_duration_seconds_count 2/);
    expect(await c.registry.metrics()).toMatch(/cloudletd_notify_client_reconnects_total 1/);
  });
});
