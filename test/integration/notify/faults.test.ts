// Fault injection on the notify stream: connections cut mid send-all, cuts with nothing changed, server restarts
// and outages, and a stalled peer under heavy churn. Real gRPC servers on 127.0.0.1:0; clients dial a TCP fault proxy.
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectCache } from '../../../src/cache/object-cache.js';
import type { AppInst } from '../../../src/gen/edgeproto/app_inst.js';
import type { NotifyClientEvent } from '../../../src/notify/client.js';
import { keyString } from '../../../src/wire/object-key.js';
import { app, appInst, cloudlet, cloudletInfo, cloudletKey, clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';
import { startTestClient, startTestServer, type TestClient, type TestServer } from '../../helpers/notify-harness.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Reconnect fast, so that twenty cuts fit in a few seconds. */
const FAST_RECONNECT = { initialMs: 5, maxMs: 50, healthyMs: 1000, handshakeTimeoutMs: 2000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  cleanups.push(() => s.close());
  return s;
}

async function proxyTo(s: TestServer): Promise<TcpProxy> {
  const p = await startTcpProxy({ targetPort: s.port });
  cleanups.push(() => p.close());
  return p;
}

function client(addresses: string[], options: Parameters<typeof startTestClient>[1] = {}): TestClient {
  const c = startTestClient(addresses, options);
  cleanups.push(() => c.stop());
  return c;
}

function count(c: TestClient, type: NotifyClientEvent['type']): number {
  return c.events.filter((e) => e.type === type).length;
}

/** Sum of a labelled notify counter of a client or server, for one type (and action, when given). */
async function counterValue(c: { metrics: TestClient['metrics'] }, metric: 'sent' | 'received' | 'pruned', type: string, action?: string): Promise<number> {
  const values = (await c.metrics[metric].get()).values as Array<{ value: number; labels: Partial<Record<string, string | number>> }>;
  return values
    .filter((v) => v.labels.type === type && (action === undefined || v.labels.action === action))
    .reduce((sum, v) => sum + v.value, 0);
}

// ---- expected client views ---------------------------------------------------------------------------------------

const MIRRORS = ['flavors', 'cloudlets', 'clusterInsts', 'apps', 'appInsts'] as const;
type MirrorName = (typeof MIRRORS)[number];
type View = Map<MirrorName, Map<string, Uint8Array>>;

function entries<T>(cache: ObjectCache<T>, keep: (key: string, value: T) => boolean = () => true): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const key of cache.keys()) {
    const entry = cache.getEntry(key);
    if (entry && keep(key, entry.value)) out.set(key, entry.bytes);
  }
  return out;
}

/**
 * What a client of `s` must hold, byte for byte: everything for an unfiltered client (`cloudlets` undefined);
 * for a CRM, every Flavor, the Cloudlets, ClusterInsts and AppInsts of its cloudlets, and the Apps of those AppInsts.
 */
function expectedView(s: TestServer, cloudlets?: readonly string[]): View {
  if (cloudlets === undefined) return new Map(MIRRORS.map((m) => [m, entries(s[m] as ObjectCache<unknown>)]));
  const mine = new Set(cloudlets.map((name) => keyString.cloudlet(cloudletKey(name))));
  const { kinds } = s;
  const appInsts = entries(s.appInsts, (_k, v) => mine.has(kinds.appInst.cloudletKeyOf!(v)));
  const appKeys = new Set([...appInsts.keys()].map((k) => keyString.app(s.appInsts.get(k)?.key?.app_key)));
  return new Map<MirrorName, Map<string, Uint8Array>>([
    ['flavors', entries(s.flavors)],
    ['cloudlets', entries(s.cloudlets, (_k, v) => mine.has(kinds.cloudlet.cloudletKeyOf!(v)))],
    ['clusterInsts', entries(s.clusterInsts, (_k, v) => mine.has(kinds.clusterInst.cloudletKeyOf!(v)))],
    ['apps', entries(s.apps, (k) => appKeys.has(k))],
    ['appInsts', appInsts],
  ]);
}

/** How the client's mirrors differ from `expected` ('' when they hold exactly the same keys and bytes). */
function viewDiff(expected: View, c: TestClient): string {
  const problems: string[] = [];
  for (const name of MIRRORS) {
    const want = expected.get(name) ?? new Map<string, Uint8Array>();
    const have = entries(c[name] as ObjectCache<unknown>);
    const missing = [...want.keys()].filter((k) => !have.has(k));
    const extra = [...have.keys()].filter((k) => !want.has(k));
    const differ = [...want].filter(([k, b]) => {
      const h = have.get(k);
      return h !== undefined && Buffer.compare(h, b) !== 0;
    }).map(([k]) => k);
    if (missing.length + extra.length + differ.length === 0) continue;
    problems.push(`${name}: ${missing.length} missing ${JSON.stringify(missing.slice(0, 2))}, ${extra.length} extra ` +
      `${JSON.stringify(extra.slice(0, 2))}, ${differ.length} differ ${JSON.stringify(differ.slice(0, 2))}`);
  }
  return problems.join('; ');
}

/** Waits until `c` holds exactly `expected()`; on timeout fails with the remaining difference. */
async function converges(c: TestClient, expected: () => View, timeoutMs: number): Promise<void> {
  try {
    await waitFor(() => viewDiff(expected(), c) === '', { timeoutMs, intervalMs: 10, message: 'client converged' });
  } catch (err) {
    expect(viewDiff(expected(), c), String(err)).toBe('');
  }
}

function viewBytes(view: View): number {
  let n = 0;
  for (const m of view.values()) for (const b of m.values()) n += b.byteLength;
  return n;
}

// ---- server churn ------------------------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG), so a failing run can be replayed. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * AppInsts on the server that get deleted (the oldest, which a client has already received), updated (new bytes)
 * and added (new keys, at the end of the send order) in rounds.
 */
class Churn {
  private readonly present: number[] = [];
  private readonly revisions = new Map<number, number>();
  private next = 0;
  private readonly random: () => number;

  constructor(private readonly s: TestServer, private readonly make: (i: number, revision: number) => AppInst, initial: number, seed: number) {
    this.random = lcg(seed);
    this.add(initial);
  }

  add(n: number): void {
    for (let k = 0; k < n; k++) {
      const i = this.next++;
      this.present.push(i);
      this.revisions.set(i, 0);
      this.s.appInsts.update(this.make(i, 0));
    }
  }

  deleteOldest(n: number): void {
    for (const i of this.present.splice(0, n)) {
      this.revisions.delete(i);
      this.s.appInsts.delete(keyString.appInst(this.make(i, 0).key));
    }
  }

  updateSome(n: number): void {
    for (let k = 0; k < n && this.present.length > 0; k++) {
      const i = this.present[Math.floor(this.random() * this.present.length)]!;
      const revision = (this.revisions.get(i) ?? 0) + 1;
      this.revisions.set(i, revision);
      this.s.appInsts.update(this.make(i, revision));
    }
  }

  /** One round of churn of about `n` objects each way; the number of AppInsts stays the same. */
  round(n: number): void {
    this.deleteOldest(n);
    this.updateSome(n);
    this.add(n);
  }
}

/** Flavors churn too (an unfiltered kind on every client): one updated, one deleted, one added per round. */
function churnFlavors(s: TestServer, round: number): void {
  s.flavors.update(flavor('x1.medium', BigInt(4096 + round)));
  s.flavors.delete(keyString.flavor({ name: `x1.round${round - 1}` }));
  s.flavors.update(flavor(`x1.round${round}`));
}

function seedCommon(s: TestServer): void {
  s.flavors.update(flavor('x1.small'));
  s.flavors.update(flavor('x1.medium'));
  for (const name of ['berlin', 'munich']) s.cloudlets.update(cloudlet(name));
}

// ---- tests ---------------------------------------------------------------------------------------------------------

describe('notify under network faults', () => {
  it('ends up holding exactly the server state after 20 cuts during a send-all of 10k objects (unfiltered client)', async () => {
    const s = await server();
    seedCommon(s);
    s.clusterInsts.update(clusterInst('c1', 'berlin'));
    for (let i = 0; i < 100; i++) s.apps.update(app(`app${i}`));
    const churn = new Churn(s, (i, rev) => appInst(`app${i}`, 'c1', 'berlin', i + rev * 1_000_000), 10_000, 1);
    const payload = viewBytes(expectedView(s));
    const proxy = await proxyTo(s);

    // Each cut fires after n bytes (1%..30% of the send-all, one at 85%) of the connection it is armed for; the
    // next one is armed, and the server churned, as soon as the client sees the connection gone, before it redials.
    const CUTS = 20;
    let cuts = 0;
    const random = lcg(7);
    const cutAt = (): number => Math.floor(payload * (cuts === 9 ? 0.85 : 0.01 + 0.29 * random()));
    let syncedDuringCuts = 0;
    proxy.cutAfterBytes(cutAt());
    const c = client([proxy.address], { filter: false, reconnect: FAST_RECONNECT });
    c.client.on((e) => {
      if (cuts >= CUTS) return;
      if (e.type === 'synced') syncedDuringCuts++;
      if (e.type !== 'disconnected') return;
      cuts++;
      // While the client is away: deleted objects it already holds must be pruned on a later complete send-all.
      churn.round(40);
      churnFlavors(s, cuts);
      if (cuts === 7) s.cloudlets.delete(keyString.cloudlet(cloudletKey('munich')));
      if (cuts === 13) s.cloudlets.update(cloudlet('hamburg'));
      if (cuts < CUTS) proxy.cutAfterBytes(cutAt());
    });

    for (let round = 1; round <= CUTS; round++) {
      await waitFor(() => cuts >= round, { timeoutMs: 5000, message: `cut ${round}` });
      // While the next connection's send-all is in flight: live changes ride on the same stream.
      await waitFor(() => c.client.connected || cuts > round, { timeoutMs: 2000, message: `reconnect ${round}` });
      churn.round(10);
    }
    expect(cuts).toBe(CUTS);
    expect(syncedDuringCuts).toBe(0); // every cut landed before the server's SENDALL_END
    expect(proxy.accepted).toBeGreaterThanOrEqual(CUTS + 1);

    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000, message: 'synced after the cuts' });
    await converges(c, () => expectedView(s), 3000);
    expect(c.appInsts.size).toBe(10_000);
    expect(c.cloudlets.has(keyString.cloudlet(cloudletKey('munich')))).toBe(false);
    expect(await counterValue(c, 'pruned', 'edgeproto.AppInst')).toBeGreaterThan(0);
    expect(await counterValue(c, 'pruned', 'edgeproto.Flavor')).toBeGreaterThan(0);

    // And live changes after the storm still get through.
    churn.round(25);
    churnFlavors(s, CUTS + 1);
    await converges(c, () => expectedView(s), 3000);
  });

  it('ends up holding exactly its cloudlet after 20 cuts during a filtered send-all (CRM client)', async () => {
    const s = await server();
    seedCommon(s);
    for (let j = 0; j < 100; j++) for (const name of ['berlin', 'munich']) s.clusterInsts.update(clusterInst(`c${j}`, name));
    for (let a = 0; a < 25; a++) s.apps.update(app(`app${a}`));
    // 20 Apps shared by many AppInsts (so none loses its last AppInst); one AppInst in five is on munich.
    const make = (i: number, rev: number): AppInst =>
      appInst(`app${i % 20}`, `c${Math.floor(i / 20)}`, i % 5 === 4 ? 'munich' : 'berlin', i + rev * 1_000_000);
    const churn = new Churn(s, make, 2_500, 2);
    const payload = viewBytes(expectedView(s, ['berlin']));
    const proxy = await proxyTo(s);

    const CUTS = 20;
    let cuts = 0;
    const random = lcg(11);
    const cutAt = (): number => Math.floor(payload * (cuts === 9 ? 0.85 : 0.01 + 0.29 * random()));
    let syncedDuringCuts = 0;
    proxy.cutAfterBytes(cutAt());
    const c = client([proxy.address], { reconnect: FAST_RECONNECT });
    c.cloudletInfos.update(cloudletInfo('berlin'));
    c.client.on((e) => {
      if (cuts >= CUTS) return;
      if (e.type === 'synced') syncedDuringCuts++;
      if (e.type !== 'disconnected') return;
      cuts++;
      churn.round(20);
      churnFlavors(s, cuts);
      // Apps only change while the client is away: a CRM gets an App only along with an AppInst (as the original).
      s.apps.update({ ...app(`app${cuts % 20}`), image_path: `registry.example/app:${cuts}` });
      if (cuts === 9) s.cloudlets.update({ ...cloudlet('berlin'), access_uri: 'berlin-2.example' });
      if (cuts < CUTS) proxy.cutAfterBytes(cutAt());
    });

    for (let round = 1; round <= CUTS; round++) {
      await waitFor(() => cuts >= round, { timeoutMs: 5000, message: `cut ${round}` });
      await waitFor(() => c.client.connected || cuts > round, { timeoutMs: 2000, message: `reconnect ${round}` });
      churn.round(5);
    }
    expect(syncedDuringCuts).toBe(0);
    expect(proxy.accepted).toBeGreaterThanOrEqual(CUTS + 1);

    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000, message: 'synced after the cuts' });
    await converges(c, () => expectedView(s, ['berlin']), 3000);
    expect(c.appInsts.size).toBe(2_000);
    expect(c.cloudlets.size).toBe(1);
    expect(await counterValue(c, 'pruned', 'edgeproto.AppInst')).toBeGreaterThan(0);

    churn.round(10);
    s.cloudlets.update({ ...cloudlet('berlin'), access_uri: 'berlin-3.example' });
    await converges(c, () => expectedView(s, ['berlin']), 3000);
  });

  it.each([
    { mode: 'cloudletd' as const, label: 'a sequencing (cloudletd) server' },
    { mode: 'original' as const, label: 'an original-style server (client prunes after a quiet period)' },
  ])('changes nothing downstream when a connection is cut and nothing changed: $label', async ({ mode }) => {
    const s = await server({ mode });
    seedCommon(s);
    for (const name of ['berlin', 'munich']) {
      s.clusterInsts.update(clusterInst('c1', name));
      for (let i = 0; i < 50; i++) s.appInsts.update(appInst(`app${i}`, 'c1', name, i));
    }
    for (let i = 0; i < 50; i++) s.apps.update(app(`app${i}`));
    s.apps.update(app('unused'));
    const proxy = await proxyTo(s);
    const c = client([proxy.address], { reconnect: FAST_RECONNECT, resync: { quietMs: 100, graceMs: 2000 } });
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000 });
    await converges(c, () => expectedView(s, ['berlin']), 2000);
    // Only a sequencing server may claim so: the client's prune timing depends on it.
    expect(c.events.find((e) => e.type === 'connected')).toMatchObject({ serverSequenced: mode === 'cloudletd' });
    const changesBefore = c.changes.length;
    const resentBefore = await counterValue(c, 'received', 'edgeproto.AppInst', 'UPDATE');

    proxy.cut();
    await waitFor(() => count(c, 'synced') === 2, { timeoutMs: 5000, message: 'second sync' });
    // A short wait past the quiet period, so that a late prune or resend would be seen.
    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(count(c, 'disconnected')).toBe(1);
    expect(await counterValue(c, 'received', 'edgeproto.AppInst', 'UPDATE')).toBe(resentBefore + 50); // it was resent...
    expect(c.changes.slice(changesBefore)).toEqual([]); // ...and changed nothing: no updates, no deletes
    expect(await counterValue(c, 'pruned', 'edgeproto.AppInst')).toBe(0);
    expect(viewDiff(expectedView(s, ['berlin']), c)).toBe('');
  });

  it('changes nothing downstream when a slow link makes a sequencing server time out waiting for the CRM', async () => {
    // The server's send-all waits for the CRM's SENDALL_END at most sequenceTimeoutMs; on a link slower than that,
    // its SENDALL_END goes out before it has seen the CRM's CloudletInfo, so it does not cover that cloudlet.
    const s = await server({ sequenceTimeoutMs: 100 });
    seedCommon(s);
    s.clusterInsts.update(clusterInst('c1', 'berlin'));
    for (let i = 0; i < 20; i++) {
      s.appInsts.update(appInst(`app${i}`, 'c1', 'berlin', i));
      s.apps.update(app(`app${i}`));
    }
    const proxy = await proxyTo(s);
    const c = client([proxy.address], { reconnect: FAST_RECONNECT, resync: { quietMs: 100, graceMs: 2000 } });
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000 });
    await converges(c, () => expectedView(s, ['berlin']), 2000);
    const changesBefore = c.changes.length;

    proxy.setDelay(150); // one way: the CloudletInfo reaches the server ~300 ms after its handshake
    proxy.cut();
    await waitFor(() => count(c, 'synced') === 2, { timeoutMs: 5000, message: 'second sync' });
    await converges(c, () => expectedView(s, ['berlin']), 3000);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the resend's arrival and the quiet period
    expect(c.changes.slice(changesBefore)).toEqual([]);
    expect(await counterValue(c, 'pruned', 'edgeproto.AppInst')).toBe(0);
  });

  it('brings three clients to the new state of a restarted server within the backoff cap', async () => {
    const reconnect = { initialMs: 50, maxMs: 200, healthyMs: 1000, handshakeTimeoutMs: 2000 };
    const s = await server();
    seedCommon(s);
    for (const name of ['berlin', 'munich']) {
      s.clusterInsts.update(clusterInst('c1', name));
      for (let i = 0; i < 20; i++) s.appInsts.update(appInst(`app${i}`, 'c1', name, i));
    }
    for (let i = 0; i < 20; i++) s.apps.update(app(`app${i}`));
    const berlin = client([s.address], { reconnect });
    const munich = client([s.address], { reconnect });
    const dme = client([s.address], { filter: false, reconnect });
    berlin.cloudletInfos.update(cloudletInfo('berlin'));
    munich.cloudletInfos.update(cloudletInfo('munich'));
    const clients: Array<[TestClient, string[] | undefined]> = [[berlin, ['berlin']], [munich, ['munich']], [dme, undefined]];
    await waitFor(() => clients.every(([c]) => count(c, 'synced') === 1), { timeoutMs: 5000 });

    await s.close();
    await waitFor(() => clients.every(([c]) => count(c, 'disconnected') === 1), { timeoutMs: 2000 });
    // Down long enough for the backoff to reach its cap.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const s2 = await server({ port: s.port });
    for (const m of MIRRORS) for (const v of (s[m] as ObjectCache<unknown>).values()) (s2[m] as ObjectCache<unknown>).update(v);
    // The change made while the server was down.
    s2.flavors.update(flavor('x1.medium', 8192n));
    s2.appInsts.delete(keyString.appInst(appInst('app3', 'c1', 'berlin', 3).key));
    s2.appInsts.update(appInst('app7', 'c1', 'munich', 70));
    s2.appInsts.update(appInst('app20', 'c1', 'berlin', 20));
    s2.apps.update(app('app20'));
    const started = performance.now();
    for (const [c, cloudlets] of clients) {
      await waitFor(() => count(c, 'synced') === 2, { timeoutMs: 3000 });
      await converges(c, () => expectedView(s2, cloudlets), 3000);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(reconnect.maxMs + 2800);
    expect(berlin.appInsts.has(keyString.appInst(appInst('app3', 'c1', 'berlin').key))).toBe(false);
    expect(berlin.apps.has(keyString.app(app('app20').key))).toBe(true);
    expect(munich.apps.has(keyString.app(app('app20').key))).toBe(false);
    expect(dme.flavors.get(keyString.flavor({ name: 'x1.medium' }))?.ram).toBe(8192n);
  });

  it('spaces its reconnect attempts while the server is unreachable, then catches up', async () => {
    const reconnect = { initialMs: 50, maxMs: 200, healthyMs: 1000, handshakeTimeoutMs: 2000 };
    const s = await server();
    seedCommon(s);
    s.clusterInsts.update(clusterInst('c1', 'berlin'));
    s.appInsts.update(appInst('face', 'c1', 'berlin'));
    s.apps.update(app('face'));
    const proxy = await proxyTo(s);
    const c = client([proxy.address], { reconnect });
    c.cloudletInfos.update(cloudletInfo('berlin'));
    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000 });

    proxy.refuse(true);
    proxy.cut();
    const acceptedBefore = proxy.accepted;
    const attemptsBefore = (await c.metrics.reconnects.get()).values[0]?.value ?? 0;
    s.appInsts.delete(keyString.appInst(appInst('face', 'c1', 'berlin').key));
    s.appInsts.update(appInst('tail', 'c1', 'berlin'));
    s.apps.update(app('tail'));
    s.flavors.update(flavor('x1.large', 16384n));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Backoff ceilings 50, 100, 200, 200... ms with full jitter: about 10 attempts in a second, each of which
    // makes grpc-js dial (about) twice. A busy loop would make hundreds.
    const attempts = ((await c.metrics.reconnects.get()).values[0]?.value ?? 0) - attemptsBefore;
    const dials = proxy.accepted - acceptedBefore;
    expect(attempts).toBeGreaterThanOrEqual(3); // it keeps trying...
    expect(attempts).toBeLessThan(25); // ...but spaced out
    expect(dials).toBeGreaterThanOrEqual(attempts);
    expect(dials).toBeLessThan(60);
    expect(count(c, 'synced')).toBe(1);

    proxy.refuse(false);
    const started = performance.now();
    await waitFor(() => count(c, 'synced') === 2, { timeoutMs: 3000 });
    await converges(c, () => expectedView(s, ['berlin']), 1000);
    expect(performance.now() - started).toBeLessThan(reconnect.maxMs + 2800);
  });

  it('bounds the queue of a stalled peer by its distinct keys while the server churns, then delivers the final values', async () => {
    const s = await server();
    seedCommon(s);
    s.clusterInsts.update(clusterInst('c1', 'berlin'));
    const make = (i: number, rev: number): AppInst => appInst(`app${i}`, 'c1', 'berlin', i + rev * 1_000_000);
    for (let i = 0; i < 100; i++) s.appInsts.update(make(i, 0));
    const proxy = await proxyTo(s);
    const c = client([proxy.address], { filter: false, reconnect: FAST_RECONNECT });
    await waitFor(() => count(c, 'synced') === 1, { timeoutMs: 5000 });
    const sentBefore = await counterValue(s, 'sent', 'edgeproto.AppInst', 'UPDATE');

    proxy.stall();
    let maxDepth = 0;
    for (let rev = 1; rev <= 50; rev++) {
      for (let i = 0; i < 100; i++) s.appInsts.update(make(i, rev));
      // Let the send loop run between rounds, as it would between real changes.
      await new Promise((resolve) => setTimeout(resolve, 1));
      const depth = s.server.peerSummaries()[0]?.queueDepth ?? -1;
      expect(depth).toBeLessThanOrEqual(100);
      maxDepth = Math.max(maxDepth, depth);
    }
    const sentWhileStalled = (await counterValue(s, 'sent', 'edgeproto.AppInst', 'UPDATE')) - sentBefore;
    expect(maxDepth).toBe(100); // backpressure reached the queue, which then held each key once
    expect(sentWhileStalled).toBeLessThan(1000); // 5000 changes, most of them coalesced away
    expect(s.server.peerSummaries()).toHaveLength(1);
    // The gauge is read at scrape time over every connection: the stalled queue shows while it is stalled.
    const gauge = async (): Promise<number> => (await s.metrics.queueDepth.get()).values[0]?.value ?? -1;
    expect(await gauge()).toBe(100);

    proxy.resume();
    await converges(c, () => expectedView(s), 5000);
    await waitFor(async () => (await gauge()) === 0, { timeoutMs: 5000, message: 'send queue depth 0' });
    expect(c.appInsts.get(keyString.appInst(make(42, 0).key))?.uri).toBe(make(42, 50).uri);
    expect(count(c, 'disconnected')).toBe(0);
  });
});
