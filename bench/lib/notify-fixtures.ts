/**
 * Bench-local notify fixtures: realistic edgeproto objects, and a controller-side NotifyServer and a
 * CRM/DME-side NotifyClient wired over fresh caches, as the product wires them. Kept here rather than imported
 * from test/ so the bench does not depend on test helpers.
 *
 * Server caches are built once by the caller and handed to every server, so one data set serves many rounds
 * (a NotifyServer only watches its caches, and stops watching on close).
 */
import type { Registry } from 'prom-client';

import { edgeprotoKinds, type EdgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { LProto } from '../../src/gen/dme/appcommon.js';
import { App } from '../../src/gen/edgeproto/app.js';
import { AppInst, type AppInstInfo } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletInfo, CloudletState } from '../../src/gen/edgeproto/cloudlet.js';
import type { Cluster } from '../../src/gen/edgeproto/cluster.js';
import { ClusterInst, type ClusterInstInfo } from '../../src/gen/edgeproto/clusterinst.js';
import { IpAccess, Liveness, TrackedState } from '../../src/gen/edgeproto/common.js';
import type { ExecRequest } from '../../src/gen/edgeproto/exec.js';
import { Flavor } from '../../src/gen/edgeproto/flavor.js';
import type { Node } from '../../src/gen/edgeproto/node.js';
import { createNotifyMetrics, type NotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { NotifyClient, type NotifyClientDeps, type NotifyClientEvent } from '../../src/notify/client.js';
import { InfoCacheReceiver } from '../../src/notify/info-receiver.js';
import { NotifyServer, type NotifyServerDeps } from '../../src/notify/server.js';

const ALL_TYPES: string[] = Object.values(edgeprotoKinds()).map((k: { readonly name: string }) => k.name);

/** Developers, apps and operators the generated objects are spread over. */
const DEVELOPERS = ['AcmeRobotics', 'NiantecLabs', 'Volksmobil', 'SkyFleet', 'MedView'] as const;
const APPS = ['vision-inference', 'ar-overlay', 'telemetry-gw', 'video-transcode', 'game-relay', 'map-tiles'] as const;
const OPERATORS = ['TDG', 'GDDT', 'TEF'] as const;

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Cloudlet key `{operator, name}`. */
export function cloudletKey(name: string, operator = 'TDG'): { operator_key: { name: string }; name: string } {
  return { operator_key: { name: operator }, name };
}

/** Name of the `i`th of many generated cloudlets. */
export function cloudletName(i: number): string {
  return `edge-${String(i).padStart(4, '0')}`;
}

export function flavor(name: string): Flavor {
  return Flavor.fromPartial({ key: { name }, ram: 4096n, vcpus: 2n, disk: 40n });
}

export function cloudlet(name: string, operator = 'TDG'): Cloudlet {
  return Cloudlet.fromPartial({
    key: cloudletKey(name, operator),
    access_uri: `${name}.${operator.toLowerCase()}.example.net`,
    location: { latitude: 52.5, longitude: 13.4 },
  });
}

export function cloudletInfo(name: string, operator = 'TDG'): CloudletInfo {
  return CloudletInfo.fromPartial({
    key: cloudletKey(name, operator),
    state: CloudletState.CLOUDLET_STATE_READY,
    os_max_ram: 65536n,
    os_max_vcores: 16n,
    os_max_vol_gb: 500n,
  });
}

/** Where the `n`th generated AppInst lives and what it runs. */
export interface AppInstPlacement {
  readonly developer: string;
  readonly app: string;
  readonly version: string;
  readonly cluster: string;
  readonly cloudlet: string;
  readonly operator: string;
}

/** A cloudlet: its name and operator. */
export interface Site {
  readonly cloudlet: string;
  readonly operator: string;
}

/** The default spread: 100 generated cloudlets, each under one of three operators. */
export function defaultSite(n: number): Site {
  const i = n % 100;
  return { cloudlet: cloudletName(i), operator: pick(OPERATORS, i) };
}

/**
 * Placement of AppInst `n`: developer/app/version cycle (90 distinct Apps), cluster `autocluster-<n>` (so every key is unique), and
 * the cloudlet `siteOf(n)`.
 */
export function placement(n: number, siteOf: (n: number) => Site = defaultSite): AppInstPlacement {
  const site = siteOf(n);
  return {
    developer: pick(DEVELOPERS, n),
    app: pick(APPS, n >> 3),
    version: `${1 + (n % 3)}.0`,
    cluster: `autocluster-${n}`,
    cloudlet: site.cloudlet,
    operator: site.operator,
  };
}

/** A realistic AppInst as the controller sends it to a CRM (about 300 bytes encoded); every `n` gives another key. */
export function appInst(n: number, p: AppInstPlacement = placement(n)): AppInst {
  const prefix = `${p.app}-${n}`;
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: p.developer }, name: p.app, version: p.version },
      cluster_inst_key: {
        cluster_key: { name: p.cluster },
        cloudlet_key: cloudletKey(p.cloudlet, p.operator),
        developer: p.developer,
      },
    },
    cloudlet_loc: {
      latitude: 48 + (n % 1000) / 100,
      longitude: 8 + (n % 700) / 100,
      altitude: 30 + (n % 50),
      timestamp: { seconds: 1732600000n + BigInt(n), nanos: (n * 7919) % 1_000_000_000 },
    },
    uri: `${p.cloudlet}.${p.operator.toLowerCase()}.example.net`,
    liveness: Liveness.LIVENESS_STATIC,
    mapped_ports: [
      { proto: LProto.L_PROTO_TCP, internal_port: 8443, public_port: 10000 + (n % 50000), fqdn_prefix: `${prefix}-tcp.` },
      { proto: LProto.L_PROTO_UDP, internal_port: 5000 + (n % 100), public_port: 20000 + (n % 40000) },
      { proto: LProto.L_PROTO_HTTP, internal_port: 8080, public_port: 443, path_prefix: `/${p.developer.toLowerCase()}/${p.app}` },
    ],
    flavor: { name: pick(['x1.small', 'x1.medium', 'x1.large'], n) },
    state: TrackedState.READY,
    runtime_info: { container_ids: [`${prefix}-7d9f8c6b5-${(n * 2654435761) % 99991}`] },
    created_at: { seconds: 1732512345n + BigInt(n), nanos: (n * 104729) % 1_000_000_000 },
    auto_cluster_ip_access: IpAccess.IP_ACCESS_SHARED,
  });
}

/** The App an AppInst of placement `p` runs. */
export function app(p: AppInstPlacement): App {
  return App.fromPartial({
    key: { developer_key: { name: p.developer }, name: p.app, version: p.version },
    image_path: `registry.example/${p.developer.toLowerCase()}/${p.app}:${p.version}`,
    access_ports: 'tcp:8443,udp:5000,http:8080',
  });
}

/** The ClusterInst an AppInst of placement `p` runs in. */
export function clusterInst(p: AppInstPlacement): ClusterInst {
  return ClusterInst.fromPartial({
    key: { cluster_key: { name: p.cluster }, cloudlet_key: cloudletKey(p.cloudlet, p.operator), developer: p.developer },
    flavor: { name: 'x1.medium' },
    state: TrackedState.READY,
  });
}

/** The caches a controller's notify server sends from, in the original's send order. */
export interface ServerCaches {
  readonly kinds: EdgeprotoKinds;
  readonly flavors: ObjectCache<Flavor>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly clusters: ObjectCache<Cluster>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
}

export function serverCaches(): ServerCaches {
  const kinds = edgeprotoKinds();
  return {
    kinds,
    flavors: new ObjectCache(kinds.flavor),
    cloudlets: new ObjectCache(kinds.cloudlet),
    clusters: new ObjectCache(kinds.cluster),
    clusterInsts: new ObjectCache(kinds.clusterInst),
    apps: new ObjectCache(kinds.app),
    appInsts: new ObjectCache(kinds.appInst),
  };
}

/** A NotifyServer listening on 127.0.0.1, over `caches`, receiving infos into caches of its own. */
export interface BenchServer {
  readonly server: NotifyServer;
  readonly port: number;
  readonly address: string;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  close(): Promise<void>;
}

/** Starts a controller-like notify server over `caches` on 127.0.0.1:`port` (0: an ephemeral port). */
export async function startServer(caches: ServerCaches, port = 0): Promise<BenchServer> {
  const { kinds } = caches;
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const server = NotifyServer.create({
    kinds,
    sendCaches: [caches.flavors, caches.cloudlets, caches.clusters, caches.clusterInsts, caches.apps, caches.appInsts] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    receivers: [
      new InfoCacheReceiver(cloudletInfos),
      new InfoCacheReceiver(new ObjectCache<AppInstInfo>(kinds.appInstInfo)),
      new InfoCacheReceiver(new ObjectCache<ClusterInstInfo>(kinds.clusterInstInfo)),
      new InfoCacheReceiver(new ObjectCache<Node>(kinds.node)),
      { kind: kinds.execRequest, message: () => undefined },
      { kind: kinds.metric, message: () => undefined },
    ] as NotifyServerDeps['receivers'],
    log: silentLogger(),
    metrics: createNotifyMetrics(createMetricsRegistry(), 'server', ALL_TYPES),
  });
  const bound = await server.listen(`127.0.0.1:${port}`);
  return { server, port: bound, address: `127.0.0.1:${bound}`, cloudletInfos, close: () => server.close() };
}

/** A notify client over fresh mirror caches; `changes` counts every change the mirrors report. */
export interface BenchClient {
  readonly client: NotifyClient;
  readonly registry: Registry;
  readonly metrics: NotifyMetrics;
  readonly flavors: ObjectCache<Flavor>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  /** Mirror changes (updates and deletes over all mirrors) so far. */
  readonly changes: { count: number };
  /** Every client event with its `performance.now()` time, in order. */
  readonly events: Array<{ readonly event: NotifyClientEvent; readonly at: number }>;
  /** Starts `run`; resolves when `stop` is called and the client has closed its connection. */
  start(): void;
  stop(): Promise<void>;
  /** Resolves at the `n`th event of `type` (counted since the client was created). */
  nth(type: NotifyClientEvent['type'], n: number): Promise<void>;
}

/** Builds (without starting) a CRM-like (`filter: true`, sends CloudletInfos) or DME-like (`filter: false`) client. */
export function createClient(
  address: string,
  options: { filter: boolean } & Partial<Pick<NotifyClientDeps, 'reconnect'>>,
): BenchClient {
  const kinds = edgeprotoKinds();
  const registry = createMetricsRegistry();
  const metrics = createNotifyMetrics(registry, 'client', ALL_TYPES);
  const flavors = new ObjectCache(kinds.flavor);
  const cloudlets = new ObjectCache(kinds.cloudlet);
  const clusterInsts = new ObjectCache(kinds.clusterInst);
  const apps = new ObjectCache(kinds.app);
  const appInsts = new ObjectCache(kinds.appInst);
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const mirrors = [flavors, cloudlets, clusterInsts, apps, appInsts] as ObjectCache<unknown>[];
  const changes = { count: 0 };
  for (const cache of mirrors) cache.watch(() => void changes.count++);
  const client = NotifyClient.create({
    addresses: [address],
    mirrors,
    messageReceivers: [{ kind: kinds.execRequest, message: (_m: ExecRequest) => undefined }] as NotifyClientDeps['messageReceivers'],
    sendCaches: [cloudletInfos] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    filterCloudletKey: options.filter,
    log: silentLogger(),
    metrics,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
  });

  const counts = new Map<string, number>();
  const events: Array<{ event: NotifyClientEvent; at: number }> = [];
  const waiters: Array<{ type: string; n: number; resolve: () => void }> = [];
  client.on((e) => {
    events.push({ event: e, at: performance.now() });
    const count = (counts.get(e.type) ?? 0) + 1;
    counts.set(e.type, count);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.type === e.type && w.n <= count) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  });

  const controller = new AbortController();
  let running: Promise<void> | undefined;
  return {
    client, registry, metrics, flavors, cloudlets, clusterInsts, apps, appInsts, cloudletInfos, changes, events,
    start: () => {
      running ??= client.run(controller.signal);
    },
    stop: async () => {
      controller.abort();
      await running;
    },
    nth: (type, n) =>
      (counts.get(type) ?? 0) >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ type, n, resolve })),
  };
}

/** Rejects after `ms` with a message naming `what`, unless `promise` settles first. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
