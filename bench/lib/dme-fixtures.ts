/**
 * Bench-local DME fixtures: a world of cloudlets with random locations and a few apps on every one of them, a
 * notify server playing the controller that sends them (Cloudlet, CloudletInfo READY, App, AppInst READY, as the
 * DME wants them), random client locations, the brute-force answer FindCloudlet must give, and a bare grpc-js
 * FindCloudlet server (the transport floor). Deterministic: everything random comes from a seeded generator.
 */
import * as grpc from '@grpc/grpc-js';

import { edgeprotoKinds, type EdgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { greatCircleKm, type GeoPoint } from '../../src/dme/geo.js';
import { FindCloudletReply, MatchEngineApiService, type FindCloudletRequest } from '../../src/gen/dme/app-client.js';
import { LProto } from '../../src/gen/dme/appcommon.js';
import { App } from '../../src/gen/edgeproto/app.js';
import { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletInfo, CloudletState } from '../../src/gen/edgeproto/cloudlet.js';
import { Liveness, TrackedState } from '../../src/gen/edgeproto/common.js';
import type { Node } from '../../src/gen/edgeproto/node.js';
import { createNotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { InfoCacheReceiver } from '../../src/notify/info-receiver.js';
import { NotifyServer, type NotifyServerDeps } from '../../src/notify/server.js';

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A point uniformly distributed on the sphere (rounded to 1e-6 degrees, about 0.1 m). */
export function randomPoint(rand: () => number): GeoPoint {
  const latitude = (Math.asin(2 * rand() - 1) * 180) / Math.PI;
  const longitude = rand() * 360 - 180;
  return { latitude: Math.round(latitude * 1e6) / 1e6, longitude: Math.round(longitude * 1e6) / 1e6 };
}

/** The developer of every bench app. */
export const DEVELOPER = 'BenchGames';
const OPERATORS = ['TDG', 'Orange', 'Telefonica'] as const;

/** One app of the world: its RegisterClient identity. */
export interface WorldApp {
  readonly developer: string;
  readonly name: string;
  readonly version: string;
}

/** One cloudlet of the world. */
export interface WorldCloudlet {
  readonly operator: string;
  readonly name: string;
  readonly point: GeoPoint;
  /** The uri of every AppInst on it (shared access): what FindCloudlet answers as fqdn. */
  readonly fqdn: string;
}

/** `cloudlets` cloudlets, each running every one of `apps` apps. */
export interface World {
  readonly apps: readonly WorldApp[];
  readonly cloudlets: readonly WorldCloudlet[];
  /** cloudlets × apps. */
  readonly appInsts: number;
}

/** Builds a world of `cloudlets` cloudlets at random points (seeded) with `apps` apps on each. Pure. */
export function world(cloudlets: number, apps: number, seed: number): World {
  const rand = random(seed);
  const appList = Array.from({ length: apps }, (_, i) => ({ developer: DEVELOPER, name: `game-${i}`, version: '1.0' }));
  const cloudletList = Array.from({ length: cloudlets }, (_, i) => {
    const operator = OPERATORS[i % OPERATORS.length] as string;
    const name = `edge-${String(i).padStart(5, '0')}`;
    return { operator, name, point: randomPoint(rand), fqdn: `${name}.${operator.toLowerCase()}.cloudletd.net` };
  });
  return { apps: appList, cloudlets: cloudletList, appInsts: cloudlets * apps };
}

function cloudletKey(c: WorldCloudlet): { operator_key: { name: string }; name: string } {
  return { operator_key: { name: c.operator }, name: c.name };
}

/** The AppInst of `app` on `c`, READY, as the controller sends it (about 250 bytes encoded). */
export function appInstOf(app: WorldApp, c: WorldCloudlet, n: number): AppInst {
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: app.developer }, name: app.name, version: app.version },
      cluster_inst_key: { cluster_key: { name: 'autocluster-games' }, cloudlet_key: cloudletKey(c), developer: app.developer },
    },
    cloudlet_loc: { latitude: c.point.latitude, longitude: c.point.longitude },
    uri: c.fqdn,
    liveness: Liveness.LIVENESS_STATIC,
    mapped_ports: [
      { proto: LProto.L_PROTO_TCP, internal_port: 7777, public_port: 10000 + (n % 50000), fqdn_prefix: `${app.name}-tcp.` },
      { proto: LProto.L_PROTO_UDP, internal_port: 7777, public_port: 10000 + (n % 50000) },
    ],
    flavor: { name: 'x1.medium' },
    state: TrackedState.READY,
    created_at: { seconds: 1732512345n + BigInt(n), nanos: 0 },
  });
}

/** The caches a bench controller sends the DME from. */
export interface WorldCaches {
  readonly kinds: EdgeprotoKinds;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
}

/** Fills fresh caches with the world: every Cloudlet (with location), its CloudletInfo READY, the Apps, the AppInsts. */
export function worldCaches(w: World): WorldCaches {
  const kinds = edgeprotoKinds();
  const caches: WorldCaches = {
    kinds,
    cloudlets: new ObjectCache(kinds.cloudlet),
    cloudletInfos: new ObjectCache(kinds.cloudletInfo),
    apps: new ObjectCache(kinds.app),
    appInsts: new ObjectCache(kinds.appInst),
  };
  for (const app of w.apps) {
    caches.apps.update(App.fromPartial({
      key: { developer_key: { name: app.developer }, name: app.name, version: app.version },
      image_path: `registry.example/${app.developer.toLowerCase()}/${app.name}:${app.version}`,
      access_ports: 'tcp:7777,udp:7777',
      deployment: 'docker',
    }));
  }
  let n = 0;
  for (const c of w.cloudlets) {
    caches.cloudlets.update(Cloudlet.fromPartial({ key: cloudletKey(c), location: { latitude: c.point.latitude, longitude: c.point.longitude } }));
    caches.cloudletInfos.update(CloudletInfo.fromPartial({ key: cloudletKey(c), state: CloudletState.CLOUDLET_STATE_READY }));
    for (const app of w.apps) caches.appInsts.update(appInstOf(app, c, n++));
  }
  return caches;
}

/** A notify server on 127.0.0.1 sending the world to every client that wants it. */
export interface WorldServer {
  readonly address: string;
  readonly nodes: ObjectCache<Node>;
  close(): Promise<void>;
}

/** Starts a controller-like notify server over `caches` (it also accepts the Node the DME reports). */
export async function startWorldServer(caches: WorldCaches): Promise<WorldServer> {
  const { kinds } = caches;
  const nodes = new ObjectCache<Node>(kinds.node);
  const server = NotifyServer.create({
    kinds,
    sendCaches: [caches.cloudlets, caches.cloudletInfos, caches.apps, caches.appInsts] as ObjectCache<unknown>[],
    sendMessageKinds: [],
    receivers: [new InfoCacheReceiver(nodes)] as NotifyServerDeps['receivers'],
    log: silentLogger(),
    metrics: createNotifyMetrics(createMetricsRegistry(), 'server', Object.values(kinds).map((k: { readonly name: string }) => k.name)),
  });
  const port = await server.listen('127.0.0.1:0');
  return { address: `127.0.0.1:${port}`, nodes, close: () => server.close() };
}

/**
 * The cloudlet FindCloudlet must answer for a client at `point`: the nearest of all (every cloudlet runs every app
 * and is READY), by brute force over {@link greatCircleKm}. O(cloudlets).
 */
export function nearestCloudlet(w: World, point: GeoPoint): WorldCloudlet {
  let best = w.cloudlets[0] as WorldCloudlet;
  let bestKm = Infinity;
  for (const c of w.cloudlets) {
    const km = greatCircleKm(point, c.point);
    if (km < bestKm) {
      best = c;
      bestKm = km;
    }
  }
  return best;
}

/** A bare server; `close` shuts it down. */
export interface BareFindCloudlet {
  readonly address: string;
  /** Requests handled so far. */
  readonly handled: { count: number };
  close(): Promise<void>;
}

/**
 * `distributed_match_engine.MatchEngineApi/FindCloudlet` on a bare grpc-js server (default options, 127.0.0.1:0):
 * the handler gets the request decoded by the generated deserializer, checks it carries a cookie and a location,
 * and answers `reply` (encoded by the generated serializer). The transport floor of the DME's FindCloudlet: same
 * path, same client, same request, a reply of the same size, and no cookie check or lookup.
 */
export async function startBareFindCloudlet(reply: FindCloudletReply): Promise<BareFindCloudlet> {
  const server = new grpc.Server();
  const handled = { count: 0 };
  server.addService({ findCloudlet: MatchEngineApiService.findCloudlet }, {
    findCloudlet: (call: grpc.ServerUnaryCall<FindCloudletRequest, FindCloudletReply>, callback: grpc.sendUnaryData<FindCloudletReply>) => {
      if (call.request.session_cookie === '' || call.request.gps_location === undefined) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no cookie or location' });
        return;
      }
      handled.count++;
      callback(null, reply);
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    address: `127.0.0.1:${port}`,
    handled,
    close: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}

/** Nearest-rank percentile (`p` in 0..100) of a non-empty list. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Encoded size of a FindCloudletReply (for notes). */
export function replyBytes(reply: FindCloudletReply): number {
  return FindCloudletReply.encode(reply).finish().length;
}
