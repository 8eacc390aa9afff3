/**
 * Section `notify`: the notify stream (edgeproto.NotifyApi/StreamNotice) end to end over 127.0.0.1, server and
 * client in this process.
 *
 * - `sendall_objects_per_s`: a NotifyServer holding 100k AppInsts sends them to one unfiltered NotifyClient (a
 *   DME) until the client has applied SENDALL_END ('synced'). Baseline, in alternating rounds: a bare grpc-js
 *   bidi stream on the same method and options whose server writes the same 100k notice byte buffers and a
 *   marker, and whose client only counts them (the transport floor).
 * - `resync_10k_ms`: a filtered CRM client with a synced mirror of 10k AppInsts on its cloudlet; the server is
 *   closed and started again on the same port with the same content; time from the cut to the client's second
 *   'synced', and the number of mirror changes the reconnect caused (must be 0). Baseline: the initial sync of
 *   the same client in the same round.
 *
 * Every round uses a fresh server and client (fresh port), closed afterwards; a full GC runs before each round.
 */
import { performance } from 'node:perf_hooks';

import type { ObjectCache } from '../../src/cache/object-cache.js';
import { NoticeAction } from '../../src/gen/edgeproto/notice.js';
import { DataNoticeEncoder, encodeSendAllEnd, encodeVersionNotice } from '../../src/notify/notice-wire.js';
import { keyString } from '../../src/wire/object-key.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, median, type RoundStats } from '../lib/measure.js';
import {
  app,
  appInst,
  cloudlet,
  cloudletInfo,
  clusterInst,
  createClient,
  flavor,
  placement,
  serverCaches,
  startServer,
  withDeadline,
  type BenchClient,
  type BenchServer,
  type ServerCaches,
  type Site,
} from '../lib/notify-fixtures.js';
import { receiveUntilMarker, startRawServer } from '../lib/raw-notify-stream.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/**
 * Send-all: 100k objects, 3 rounds of each candidate (the product takes ~4 s a round on a 2-core machine, the
 * bare stream ~2 s), so the figure takes ~20 s.
 */
const SENDALL = { objects: 100_000, rounds: 3, deadlineMs: 120_000 } as const;

/** Resync: 10k AppInsts on the CRM's cloudlet, 2k elsewhere (filtered out); 5 rounds of ~1-2 s. */
const RESYNC = { objects: 10_000, elsewhere: 2_000, clusterInsts: 20, rounds: 5, deadlineMs: 30_000, reconnect: { initialMs: 5, maxMs: 50 } } as const;

const BERLIN: Site = { cloudlet: 'berlin', operator: 'TDG' };
const ELSEWHERE: readonly Site[] = [{ cloudlet: 'munich', operator: 'TDG' }, { cloudlet: 'paris', operator: 'GDDT' }];
const FLAVORS = ['x1.small', 'x1.medium', 'x1.large'] as const;

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

/** Throws unless `mirror` holds exactly the keys of `source`, each with the same encoded bytes. */
function assertMirrors<T>(what: string, mirror: ObjectCache<T>, source: ObjectCache<T>, keys: Iterable<string> = source.keys()): void {
  let expected = 0;
  for (const key of keys) {
    expected++;
    const got = mirror.getEntry(key);
    const want = source.getEntry(key);
    if (!got || !want || Buffer.compare(got.bytes, want.bytes) !== 0) {
      throw new Error(`${what}: mirror entry ${key} is ${got ? 'different' : 'missing'}`);
    }
  }
  if (mirror.size !== expected) throw new Error(`${what}: mirror holds ${mirror.size} objects, expected ${expected}`);
}

// ---- sendall_objects_per_s ------------------------------------------------------------------------------

async function sendAllFigure(ctx: BenchContext): Promise<Figure> {
  const n = SENDALL.objects;
  const built = performance.now();
  const caches = serverCaches();
  let objectBytes = 0;
  for (let i = 0; i < n; i++) caches.appInsts.update(appInst(i));
  const encoder = new DataNoticeEncoder(caches.kinds.appInst.name);
  const notices: Buffer[] = [];
  for (const key of caches.appInsts.keys()) {
    const bytes = caches.appInsts.getEntry(key)!.bytes;
    objectBytes += bytes.length;
    notices.push(encoder.encode(NoticeAction.UPDATE, bytes));
  }
  const noticeBytes = notices.reduce((sum, b) => sum + b.length, 0);
  const marker = encodeSendAllEnd();
  const hello = encodeVersionNotice([caches.kinds.appInst.name], false);
  const meanObject = Math.round(objectBytes / n);
  const meanNotice = Math.round(noticeBytes / n);
  ctx.log(`built ${n} AppInsts (mean ${meanObject} B, ${meanNotice} B as Notice) in ${((performance.now() - built) / 1000).toFixed(1)} s`);

  const product = async (): Promise<number> => {
    const server = await startServer(caches);
    const client = createClient(server.address, { filter: false });
    try {
      const started = performance.now();
      client.start();
      await withDeadline(client.nth('synced', 1), SENDALL.deadlineMs, 'notify send-all');
      const ms = performance.now() - started;
      assertMirrors('notify send-all', client.appInsts, caches.appInsts);
      return (n * 1000) / ms;
    } finally {
      await client.stop();
      await server.close();
    }
  };

  const bare = async (): Promise<number> => {
    const server = await startRawServer(notices, marker);
    try {
      const started = performance.now();
      const count = await withDeadline(receiveUntilMarker(server.address, hello, marker), SENDALL.deadlineMs, 'bare gRPC stream');
      const ms = performance.now() - started;
      if (count !== n) throw new Error(`bare gRPC stream delivered ${count} notices, expected ${n}`);
      return (n * 1000) / ms;
    } finally {
      await server.close();
    }
  };

  const r = await interleaveRuns({
    rounds: SENDALL.rounds,
    candidates: { notify: product, grpc: bare },
    beforeEach: () => void forceGc(),
    onSample: (name, round, perSec) =>
      ctx.log(`sendall round ${round + 1}/${SENDALL.rounds} ${name}: ${Math.round(perSec)} objects/s (${((n / perSec) * 1000).toFixed(0)} ms)`),
  });

  return {
    name: 'sendall_objects_per_s',
    value: r.notify.median,
    unit: 'objects/s',
    baseline: r.grpc.median,
    note:
      `${n} AppInsts (${meanObject} B, ${meanNotice} B as Notice) NotifyServer -> unfiltered NotifyClient, run() to 'synced'; ` +
      `baseline: bare grpc-js stream of the same notices, counted only; ` +
      `median of ${SENDALL.rounds} rounds, ${spreadNote(r.notify)} (baseline ${spreadNote(r.grpc)})`,
  };
}

// ---- resync_10k_ms --------------------------------------------------------------------------------------

/** Server content: 10k AppInsts on berlin with their Apps, some ClusterInsts, Flavors, and objects elsewhere. */
function resyncContent(): { caches: ServerCaches; berlinAppKeys: Set<string>; berlinAppInstKeys: string[]; berlinClusterInstKeys: string[] } {
  const caches = serverCaches();
  for (const name of FLAVORS) caches.flavors.update(flavor(name));
  for (const site of [BERLIN, ...ELSEWHERE]) caches.cloudlets.update(cloudlet(site.cloudlet, site.operator));
  const berlinAppKeys = new Set<string>();
  const berlinAppInstKeys: string[] = [];
  const berlinClusterInstKeys: string[] = [];
  for (let i = 0; i < RESYNC.objects + RESYNC.elsewhere; i++) {
    const site = i < RESYNC.objects ? BERLIN : ELSEWHERE[i % ELSEWHERE.length]!;
    const p = placement(i, () => site);
    const inst = appInst(i, p);
    caches.appInsts.update(inst);
    const a = app(p);
    caches.apps.update(a);
    if (site === BERLIN) {
      berlinAppKeys.add(keyString.app(a.key));
      berlinAppInstKeys.push(keyString.appInst(inst.key));
    }
    if (i < RESYNC.clusterInsts || (i >= RESYNC.objects && i < RESYNC.objects + 5)) {
      const ci = clusterInst(p);
      caches.clusterInsts.update(ci);
      if (site === BERLIN) berlinClusterInstKeys.push(keyString.clusterInst(ci.key));
    }
  }
  return { caches, berlinAppKeys, berlinAppInstKeys, berlinClusterInstKeys };
}

interface ResyncRound {
  /** Cut (server close starts) to the client's second 'synced'. */
  resyncMs: number;
  /** Client run() start to its first 'synced'. */
  initialMs: number;
  /** Mirror changes between the cut and the second 'synced'. */
  changes: number;
  /** Cut to server.close() resolved. */
  closeMs: number;
  /** Cut to the client's second 'connected' (VERSION reply received). */
  connectedMs: number;
  /** Second 'connected' to second 'synced': resend, apply, prune. */
  syncMs: number;
}

async function resyncRound(content: ReturnType<typeof resyncContent>): Promise<ResyncRound> {
  const { caches } = content;
  const first = await startServer(caches);
  const servers: BenchServer[] = [first];
  const client = createClient(first.address, { filter: true, reconnect: RESYNC.reconnect });
  client.cloudletInfos.update(cloudletInfo(BERLIN.cloudlet, BERLIN.operator));
  try {
    const started = performance.now();
    client.start();
    await withDeadline(client.nth('synced', 1), RESYNC.deadlineMs, 'notify initial sync');
    const initialMs = performance.now() - started;
    assertCrmMirror('initial sync', client, content);

    const changesBefore = client.changes.count;
    const eventsBefore = client.events.length;
    const cut = performance.now();
    await first.close();
    const closeMs = performance.now() - cut;
    servers.push(await startServer(caches, first.port));
    await withDeadline(client.nth('synced', 2), RESYNC.deadlineMs, 'notify resync');
    const resyncMs = performance.now() - cut;
    const changes = client.changes.count - changesBefore;
    assertCrmMirror('resync', client, content);

    const after = client.events.slice(eventsBefore);
    const connectedAt = after.find((e) => e.event.type === 'connected')?.at ?? Number.NaN;
    const syncedAt = after.find((e) => e.event.type === 'synced')?.at ?? Number.NaN;
    return { resyncMs, initialMs, changes, closeMs, connectedMs: connectedAt - cut, syncMs: syncedAt - connectedAt };
  } finally {
    await client.stop();
    for (const s of servers) await s.close();
  }
}

function assertCrmMirror(what: string, client: BenchClient, content: ReturnType<typeof resyncContent>): void {
  const { caches } = content;
  assertMirrors(`${what} AppInst`, client.appInsts, caches.appInsts, content.berlinAppInstKeys);
  assertMirrors(`${what} App`, client.apps, caches.apps, content.berlinAppKeys);
  assertMirrors(`${what} ClusterInst`, client.clusterInsts, caches.clusterInsts, content.berlinClusterInstKeys);
  assertMirrors(`${what} Cloudlet`, client.cloudlets, caches.cloudlets, [keyString.cloudlet({ operator_key: { name: BERLIN.operator }, name: BERLIN.cloudlet })]);
  assertMirrors(`${what} Flavor`, client.flavors, caches.flavors);
}

async function resyncFigure(ctx: BenchContext): Promise<Figure> {
  const content = resyncContent();
  const mirrored = content.berlinAppInstKeys.length + content.berlinAppKeys.size + content.berlinClusterInstKeys.length + 1 + FLAVORS.length;
  ctx.log(
    `resync: server holds ${content.caches.appInsts.size} AppInsts (${RESYNC.objects} on berlin), ${content.caches.apps.size} Apps, ` +
      `${content.caches.clusterInsts.size} ClusterInsts; the berlin CRM mirrors ${mirrored} objects`,
  );

  const rounds: ResyncRound[] = [];
  for (let i = 0; i < RESYNC.rounds; i++) {
    forceGc();
    const r = await resyncRound(content);
    rounds.push(r);
    ctx.log(
      `resync round ${i + 1}/${RESYNC.rounds}: resync ${r.resyncMs.toFixed(1)} ms (close ${r.closeMs.toFixed(1)}, ` +
        `reconnected at ${r.connectedMs.toFixed(1)}, resend+prune ${r.syncMs.toFixed(1)}), initial sync ${r.initialMs.toFixed(1)} ms, ` +
        `mirror changes after the cut: ${r.changes}`,
    );
  }
  const med = (f: (r: ResyncRound) => number): number => median(rounds.map(f));
  const resync = rounds.map((r) => r.resyncMs);
  const initial = rounds.map((r) => r.initialMs);
  const spread = (xs: number[]): string => formatSpread((Math.max(...xs) - Math.min(...xs)) / median(xs));
  const changes = rounds.map((r) => r.changes);
  const changed = changes.some((c) => c !== 0);
  if (changed) ctx.log(`BUG: the reconnect changed the client mirrors (${changes.join(', ')} changes per round); expected 0`);

  return {
    name: 'resync_10k_ms',
    value: med((r) => r.resyncMs),
    unit: 'ms',
    baseline: med((r) => r.initialMs),
    note:
      `${changed ? `BUG: mirror changes after reconnect ${changes.join('/')} (must be 0); ` : 'mirror changes after reconnect: 0 in every round; '}` +
      `filtered CRM (${RESYNC.objects} AppInsts + ${content.berlinAppKeys.size} Apps + ${content.berlinClusterInstKeys.length} ClusterInsts + 1 Cloudlet + ${FLAVORS.length} Flavors); ` +
      `server closed and restarted on the same port, cut -> 2nd 'synced'; of it (medians): close ${med((r) => r.closeMs).toFixed(1)} ms, ` +
      `cut -> reconnected (VERSION reply, backoff ${RESYNC.reconnect.initialMs}-${RESYNC.reconnect.maxMs} ms) ${med((r) => r.connectedMs).toFixed(1)} ms, ` +
      `reconnected -> synced (resend, apply, prune) ${med((r) => r.syncMs).toFixed(1)} ms; baseline: initial sync of the same client; ` +
      `median of ${RESYNC.rounds} rounds, spread ${spread(resync)} (baseline ${spread(initial)})`,
  };
}

export const notifySection: Section = {
  name: 'notify',
  description: 'notify stream over 127.0.0.1: 100k-AppInst send-all vs a bare gRPC stream; CRM resync of 10k after a server restart',
  async run(ctx) {
    const sendAll = await sendAllFigure(ctx);
    const resync = await resyncFigure(ctx);
    return [sendAll, resync];
  },
};
