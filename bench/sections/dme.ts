/**
 * Section `dme`: the Distributed Matching Engine's FindCloudlet, in this process over 127.0.0.1 (~30 s).
 *
 * - `findcloudlet_per_s`: gRPC FindCloudlet calls/s from 16 concurrent callers (closed loop, one
 *   MatchEngineApiClient) against a real {@link Dme} fed by a bench notify server playing the controller with 10k
 *   cloudlets at random points on the earth, each READY with 10 apps (100k READY AppInsts). Every call carries the
 *   session cookie RegisterClient gave for its app and a random client location. Baseline: a bare grpc-js
 *   FindCloudlet server (same path, same client, same requests) answering the reply the DME gave for the first
 *   request, without cookie check or lookup. Interleaved rounds.
 * - `findcloudlet_p99_ms`: the 99th percentile of those calls' latencies (pooled over the rounds), beside the bare
 *   server's.
 * - `scaling_ratio`: p50 latency of one in-process lookup (MatchIndex.nearestInsts with FindCloudlet's filter: the
 *   carrier matches and the CloudletInfo is usable) in a world of 100k AppInsts divided by that in a world of 1k
 *   (100 cloudlets x 10 apps), both measured in the same interleaved rounds. 1 means the lookup does not slow down
 *   with 100 times the instances.
 *
 * Before timing, 200 FindCloudlet answers are checked against a brute-force nearest cloudlet, and each lookup of the
 * scaling figure against the brute force on a sample.
 */
import { performance } from 'node:perf_hooks';

import * as grpc from '@grpc/grpc-js';

import { silentLogger } from '../../src/core/logger.js';
import { appKeyString } from '../../src/dme/app-identity.js';
import { DmeCaches } from '../../src/dme/dme-caches.js';
import { Dme } from '../../src/dme/dme.js';
import { MatchIndex, type IndexedInst } from '../../src/dme/match-index.js';
import { isInstUsable } from '../../src/dme/match-engine.js';
import {
  FindCloudletReply, FindCloudletReply_FindStatus, FindCloudletRequest, MatchEngineApiClient, RegisterClientRequest,
  type RegisterClientReply,
} from '../../src/gen/dme/app-client.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { closedLoop } from '../lib/concurrency.js';
import {
  nearestCloudlet, percentile, random, randomPoint, replyBytes, startBareFindCloudlet, startWorldServer, world, worldCaches,
  type World, type WorldCaches,
} from '../lib/dme-fixtures.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, type RoundStats } from '../lib/measure.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/** The world of the FindCloudlet figures: 10k cloudlets x 10 apps = 100k AppInsts. */
const WORLD = { cloudlets: 10_000, apps: 10, seed: 0x5eed_d3e } as const;

/** FindCloudlet load: 2 candidates x 7 rounds x 1.5 s, after 0.5 s of warm-up each. */
const LOAD = { concurrency: 16, rounds: 7, durationMs: 1500, warmupMs: 500, requests: 8192, checked: 200, syncTimeoutMs: 180_000 } as const;

/** Scaling: 1k vs 100k AppInsts (10 apps each), 7 rounds of 4096 timed lookups per candidate. */
const SCALING = { smallCloudlets: 100, rounds: 7, lookups: 4096, checked: 300 } as const;

const insecure = grpc.credentials.createInsecure();

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

function unary<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** FindCloudlet of request `n % requests.length`, its latency pushed to `samples`; a non-FIND_FOUND answer fails. */
function findCall(client: MatchEngineApiClient, requests: readonly FindCloudletRequest[], samples: number[]): (n: number) => Promise<void> {
  return (n) => {
    const request = requests[n % requests.length] as FindCloudletRequest;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      client.findCloudlet(request, (err, reply) => {
        if (err) return reject(err);
        if (reply.status !== FindCloudletReply_FindStatus.FIND_FOUND) return reject(new Error(`FindCloudlet ${n}: status ${reply.status}`));
        samples.push(performance.now() - t0);
        resolve();
      });
    });
  };
}

// ---- findcloudlet_per_s, findcloudlet_p99_ms --------------------------------------------------------------

async function findFigures(ctx: BenchContext, w: World, caches: WorldCaches): Promise<Figure[]> {
  const server = await startWorldServer(caches);
  let dme: Dme | undefined;
  const clients: MatchEngineApiClient[] = [];
  let bare: Awaited<ReturnType<typeof startBareFindCloudlet>> | undefined;
  try {
    const startedAt = performance.now();
    dme = await Dme.start({
      config: {
        notifyAddresses: [server.address],
        apiAddress: '127.0.0.1:0',
        httpAddress: '127.0.0.1:0',
        carrier: '',
        sessionKeyFile: undefined,
        cookieTtlMs: 3_600_000,
        hostname: 'bench-dme',
      },
      log: silentLogger(),
      registry: createMetricsRegistry(),
    });
    await dme.whenSynced(AbortSignal.timeout(LOAD.syncTimeoutMs));
    const syncMs = performance.now() - startedAt;
    const status = dme.status();
    ctx.log(`DME synced in ${Math.round(syncMs)} ms: ${JSON.stringify(status)}`);
    if (status.appInsts !== w.appInsts || status.cloudlets !== w.cloudlets.length || status.apps !== w.apps.length) {
      throw new Error(`DME status ${JSON.stringify(status)}, expected ${w.appInsts} AppInsts, ${w.cloudlets.length} cloudlets, ${w.apps.length} apps`);
    }

    const client = new MatchEngineApiClient(`127.0.0.1:${dme.apiPort}`, insecure);
    clients.push(client);
    const cookies: string[] = [];
    for (const app of w.apps) {
      const reply = await unary<RegisterClientRequest, RegisterClientReply>(
        (r, cb) => client.registerClient(r, cb),
        RegisterClientRequest.fromPartial({ dev_name: app.developer, app_name: app.name, app_vers: app.version }),
      );
      cookies.push(reply.session_cookie);
    }
    const rand = random(WORLD.seed + 1);
    const points = Array.from({ length: LOAD.requests }, () => randomPoint(rand));
    const requests = points.map((p, i) => FindCloudletRequest.fromPartial({ session_cookie: cookies[i % cookies.length], gps_location: p }));

    // Correct before timed: the nearest cloudlet, by brute force.
    let first: FindCloudletReply | undefined;
    for (let i = 0; i < LOAD.checked; i++) {
      const reply = await unary<FindCloudletRequest, FindCloudletReply>((r, cb) => client.findCloudlet(r, cb), requests[i] as FindCloudletRequest);
      const want = nearestCloudlet(w, points[i] as { latitude: number; longitude: number });
      if (reply.status !== FindCloudletReply_FindStatus.FIND_FOUND || reply.fqdn !== want.fqdn) {
        throw new Error(`FindCloudlet ${i} from ${JSON.stringify(points[i])}: ${JSON.stringify(FindCloudletReply.toJSON(reply))}, expected FIND_FOUND ${want.fqdn}`);
      }
      first ??= reply;
    }
    const reply = first as FindCloudletReply;
    bare = await startBareFindCloudlet(reply);
    const bareClient = new MatchEngineApiClient(bare.address, insecure);
    clients.push(bareClient);
    const bareReply = await unary<FindCloudletRequest, FindCloudletReply>((r, cb) => bareClient.findCloudlet(r, cb), requests[0] as FindCloudletRequest);
    if (bareReply.fqdn !== reply.fqdn || bare.handled.count !== 1) throw new Error('the bare FindCloudlet server did not answer');

    const samples = { dme: [] as number[], grpc: [] as number[] };
    const next = { dme: 0, grpc: 0 };
    const run = async (name: 'dme' | 'grpc', ms: number, keep: boolean): Promise<number> => {
      const into: number[] = [];
      const r = await closedLoop(LOAD.concurrency, ms, findCall(name === 'dme' ? client : bareClient, requests, into), next[name]);
      next[name] += r.calls;
      if (keep) samples[name].push(...into);
      return r.perSecond;
    };
    await run('dme', LOAD.warmupMs, false);
    await run('grpc', LOAD.warmupMs, false);
    const r = await interleaveRuns({
      rounds: LOAD.rounds,
      candidates: {
        dme: () => run('dme', LOAD.durationMs, true),
        grpc: () => run('grpc', LOAD.durationMs, true),
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) => {
        const pool = samples[name];
        ctx.log(`findcloudlet round ${round + 1}/${LOAD.rounds} ${name}: ${Math.round(perSec)} calls/s, p99 so far ${percentile(pool, 99).toFixed(2)} ms`);
      },
    });

    const d = samples.dme;
    const g = samples.grpc;
    const dist = (s: number[]): string =>
      `p50 ${percentile(s, 50).toFixed(2)}, p90 ${percentile(s, 90).toFixed(2)}, p99 ${percentile(s, 99).toFixed(2)}, max ${Math.max(...s).toFixed(2)} ms over ${s.length} calls`;
    const ratio = r.dme.median / r.grpc.median;
    const requestBytes = FindCloudletRequest.encode(requests[0] as FindCloudletRequest).finish().length;
    const common =
      `${LOAD.concurrency} concurrent callers on one MatchEngineApiClient, closed loop, ${LOAD.durationMs} ms per round, ${LOAD.rounds} interleaved rounds; ` +
      `DME fed over notify by a bench server with ${w.cloudlets.length} cloudlets (random points on the earth, CloudletInfo READY) x ${w.apps.length} apps = ${w.appInsts} READY AppInsts ` +
      `(synced ${Math.round(syncMs)} ms after Dme.start); ${LOAD.requests} requests cycling over the ${w.apps.length} apps' session cookies and random client locations; ` +
      `request ${requestBytes} B, reply ${replyBytes(reply)} B; ${LOAD.checked} answers checked against a brute-force nearest cloudlet; ` +
      `baseline: bare grpc-js FindCloudlet (decode, fixed reply of the same size), same client and requests; client and servers share this process`;
    return [
      {
        name: 'findcloudlet_per_s',
        value: r.dme.median,
        unit: 'calls/s',
        baseline: r.grpc.median,
        note: `goal ratio >= 0.7: ${ratio >= 0.7 ? 'met' : 'MISSED'}; ${common}; ${spreadNote(r.dme)} (baseline ${spreadNote(r.grpc)})`,
      },
      {
        name: 'findcloudlet_p99_ms',
        value: percentile(d, 99),
        unit: 'ms',
        baseline: percentile(g, 99),
        note: `latency of each call under the load of findcloudlet_per_s, pooled over its rounds; dme ${dist(d)}; baseline ${dist(g)}`,
      },
    ];
  } finally {
    for (const c of clients) c.close();
    await bare?.close();
    await dme?.close();
    await server.close();
  }
}

// ---- scaling_ratio -----------------------------------------------------------------------------------------

/** A MatchIndex over DME caches filled with `caches`' objects (as the notify client would fill them). */
function matchIndex(caches: WorldCaches): { index: MatchIndex; dmeCaches: DmeCaches; stop: () => void } {
  const dmeCaches = new DmeCaches(caches.kinds);
  for (const v of caches.apps.values()) dmeCaches.apps.update(v);
  for (const v of caches.cloudlets.values()) dmeCaches.cloudlets.update(v);
  for (const v of caches.cloudletInfos.values()) dmeCaches.cloudletInfos.update(v);
  for (const key of caches.appInsts.keys()) {
    const entry = caches.appInsts.getEntry(key);
    if (entry) dmeCaches.appInsts.update(entry.value);
  }
  const index = new MatchIndex(dmeCaches);
  const stop = index.attach();
  return { index, dmeCaches, stop };
}

/** FindCloudlet's filter (match-engine.ts `isInstUsable`), for any carrier. */
function usableFilter(): (inst: IndexedInst) => boolean {
  return (inst) => isInstUsable(inst, '');
}

async function scalingFigure(ctx: BenchContext, large: World, largeCaches: WorldCaches): Promise<Figure[]> {
  const small = world(SCALING.smallCloudlets, WORLD.apps, WORLD.seed + 2);
  const worlds = { small, large };
  const built = { small: matchIndex(worldCaches(small)), large: matchIndex(largeCaches) };
  try {
    const rand = random(WORLD.seed + 3);
    const queries = Array.from({ length: SCALING.lookups }, (_, i) => ({
      point: randomPoint(rand),
      appKey: appKeyString(large.apps[i % large.apps.length] as World['apps'][number]),
    }));
    const filters = { small: usableFilter(), large: usableFilter() };
    for (const name of ['small', 'large'] as const) {
      if (built[name].index.size !== worlds[name].appInsts) throw new Error(`${name} index holds ${built[name].index.size} AppInsts, expected ${worlds[name].appInsts}`);
      // Correct: the nearest cloudlet, by brute force (every cloudlet runs every app and is READY).
      for (const q of queries.slice(0, SCALING.checked)) {
        const [found] = built[name].index.nearestInsts(q.appKey, q.point, 1, filters[name]);
        const want = nearestCloudlet(worlds[name], q.point);
        if (found?.value.fqdn !== want.fqdn) throw new Error(`${name}: lookup from ${JSON.stringify(q.point)} gave ${found?.value.fqdn}, expected ${want.fqdn}`);
      }
    }
    const samples = { small: [] as number[], large: [] as number[], smallIndexOnly: [] as number[], largeIndexOnly: [] as number[] };
    let sink = 0;
    const all = (): boolean => true;
    /** Times every query once against the `name` index (with FindCloudlet's filter, or `indexOnly`: a filter accepting all). */
    const lookups = (name: 'small' | 'large', keep: boolean, indexOnly = false): number => {
      const { index } = built[name];
      const filter = indexOnly ? all : filters[name];
      const out = samples[indexOnly ? (`${name}IndexOnly` as const) : name];
      const times: number[] = [];
      for (const q of queries) {
        const t0 = process.hrtime.bigint();
        const found = index.nearestInsts(q.appKey, q.point, 1, filter);
        const t1 = process.hrtime.bigint();
        sink += found.length;
        times.push(Number(t1 - t0) / 1000);
      }
      if (keep) out.push(...times);
      return percentile(times, 50);
    };
    for (let i = 0; i < 3; i++) {
      lookups('small', false);
      lookups('large', false);
      lookups('small', false, true);
      lookups('large', false, true);
    }
    const r = await interleaveRuns({
      rounds: SCALING.rounds,
      candidates: {
        small: () => Promise.resolve(lookups('small', true)),
        large: () => Promise.resolve(lookups('large', true)),
        // Diagnostic only (in the note): the same lookups with a filter that accepts everything.
        smallIndexOnly: () => Promise.resolve(lookups('small', true, true)),
        largeIndexOnly: () => Promise.resolve(lookups('large', true, true)),
      },
      beforeEach: () => void forceGc(),
      onSample: (name, round, p50) => ctx.log(`scaling round ${round + 1}/${SCALING.rounds} ${name}: p50 ${p50.toFixed(2)} µs`),
    });
    if (sink !== 4 * (3 + SCALING.rounds) * SCALING.lookups) throw new Error(`some lookups found nothing (${sink})`);
    const p50 = { small: percentile(samples.small, 50), large: percentile(samples.large, 50) };
    const dist = (s: number[]): string =>
      `p50 ${percentile(s, 50).toFixed(2)}, p90 ${percentile(s, 90).toFixed(2)}, p99 ${percentile(s, 99).toFixed(2)} µs`;
    const ratio = p50.large / p50.small;
    const indexOnlyRatio = percentile(samples.largeIndexOnly, 50) / percentile(samples.smallIndexOnly, 50);
    return [{
      name: 'scaling_ratio',
      value: ratio,
      unit: 'x',
      note:
        `goal < 2: ${ratio < 2 ? 'met' : 'MISSED'}; p50 of one lookup (MatchIndex.nearestInsts, k=1, FindCloudlet's filter) at ${large.appInsts} AppInsts ` +
        `(${large.cloudlets.length} cloudlets x ${large.apps.length} apps) / at ${small.appInsts} (${small.cloudlets.length} x ${small.apps.length}), ` +
        `each lookup timed alone (hrtime), ${SCALING.lookups} random client locations and apps per round, ${SCALING.rounds} interleaved rounds, pooled; ` +
        `100k: ${dist(samples.large)} (per-round p50 ${spreadNote(r.large)}); 1k: ${dist(samples.small)} (per-round p50 ${spreadNote(r.small)}); ` +
        `${SCALING.checked} lookups per index checked against a brute-force nearest cloudlet; ` +
        `diagnostic, same rounds: with a filter accepting everything (the spatial index alone) 100k ${dist(samples.largeIndexOnly)}, ` +
        `1k ${dist(samples.smallIndexOnly)}, ratio ${indexOnlyRatio.toFixed(2)}`,
    }];
  } finally {
    built.small.stop();
    built.large.stop();
  }
}

export const dmeSection: Section = {
  name: 'dme',
  description: 'DME FindCloudlet over gRPC (100k AppInsts) vs a bare grpc-js server; lookup latency at 100k vs 1k AppInsts',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const w = world(WORLD.cloudlets, WORLD.apps, WORLD.seed);
    const caches = worldCaches(w);
    ctx.log(`world: ${w.cloudlets.length} cloudlets x ${w.apps.length} apps = ${w.appInsts} AppInsts`);
    const find = await findFigures(ctx, w, caches);
    forceGc();
    const scaling = await scalingFigure(ctx, w, caches);
    return [...find, ...scaling];
  },
};
