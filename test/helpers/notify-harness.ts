import { edgeprotoKinds, type EdgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { AppInstInfo } from '../../src/gen/edgeproto/app_inst.js';
import type { App } from '../../src/gen/edgeproto/app.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import type { Cloudlet, CloudletInfo } from '../../src/gen/edgeproto/cloudlet.js';
import type { Cluster } from '../../src/gen/edgeproto/cluster.js';
import type { ClusterInst, ClusterInstInfo } from '../../src/gen/edgeproto/clusterinst.js';
import type { ExecRequest } from '../../src/gen/edgeproto/exec.js';
import type { Flavor } from '../../src/gen/edgeproto/flavor.js';
import type { Node } from '../../src/gen/edgeproto/node.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { createNotifyMetrics, type NotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { NotifyClient, type NotifyClientDeps, type NotifyClientEvent } from '../../src/notify/client.js';
import { InfoCacheReceiver } from '../../src/notify/info-receiver.js';
import { NotifyServer, type NotifyServerDeps } from '../../src/notify/server.js';
import type { Registry } from 'prom-client';

const ALL_TYPES = Object.values(edgeprotoKinds()).map((k) => k.name);

/** A controller-side notify server over fresh caches, listening on 127.0.0.1:0. */
export interface TestServer {
  readonly kinds: EdgeprotoKinds;
  readonly server: NotifyServer;
  readonly port: number;
  readonly address: string;
  readonly registry: Registry;
  readonly metrics: NotifyMetrics;
  readonly flavors: ObjectCache<Flavor>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly clusters: ObjectCache<Cluster>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly clusterInstInfos: ObjectCache<ClusterInstInfo>;
  readonly appInstInfos: ObjectCache<AppInstInfo>;
  readonly nodes: ObjectCache<Node>;
  readonly execReplies: ExecRequest[];
  close(): Promise<void>;
}

/** Starts a notify server as the controller runs it (sends desired state, receives infos). */
export async function startTestServer(options: Partial<Pick<NotifyServerDeps, 'mode' | 'settings' | 'sequenceTimeoutMs' | 'maxQueuedMessages'>> & { port?: number; log?: Logger } = {}): Promise<TestServer> {
  const kinds = edgeprotoKinds();
  const registry = createMetricsRegistry();
  const metrics = createNotifyMetrics(registry, 'server', ALL_TYPES);
  const flavors = new ObjectCache(kinds.flavor);
  const cloudlets = new ObjectCache(kinds.cloudlet);
  const clusters = new ObjectCache(kinds.cluster);
  const clusterInsts = new ObjectCache(kinds.clusterInst);
  const apps = new ObjectCache(kinds.app);
  const appInsts = new ObjectCache(kinds.appInst);
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const clusterInstInfos = new ObjectCache(kinds.clusterInstInfo);
  const appInstInfos = new ObjectCache(kinds.appInstInfo);
  const nodes = new ObjectCache(kinds.node);
  const execReplies: ExecRequest[] = [];
  const server = NotifyServer.create({
    kinds,
    sendCaches: [flavors, cloudlets, clusters, clusterInsts, apps, appInsts] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    receivers: [
      new InfoCacheReceiver(cloudletInfos),
      new InfoCacheReceiver(appInstInfos),
      new InfoCacheReceiver(clusterInstInfos),
      new InfoCacheReceiver(nodes),
      { kind: kinds.execRequest, message: (m: ExecRequest) => execReplies.push(m) },
      { kind: kinds.metric, message: () => undefined },
    ] as NotifyServerDeps['receivers'],
    log: options.log ?? silentLogger(),
    metrics,
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.sequenceTimeoutMs !== undefined ? { sequenceTimeoutMs: options.sequenceTimeoutMs } : {}),
    ...(options.maxQueuedMessages !== undefined ? { maxQueuedMessages: options.maxQueuedMessages } : {}),
  });
  const port = await server.listen(`127.0.0.1:${options.port ?? 0}`);
  return {
    kinds, server, port, address: `127.0.0.1:${port}`, registry, metrics,
    flavors, cloudlets, clusters, clusterInsts, apps, appInsts, cloudletInfos, clusterInstInfos, appInstInfos, nodes,
    execReplies,
    close: () => server.close(),
  };
}

/** A CRM-side notify client over fresh caches, running until `stop()`. */
export interface TestClient {
  readonly client: NotifyClient;
  readonly registry: Registry;
  readonly metrics: NotifyMetrics;
  readonly flavors: ObjectCache<Flavor>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly clusterInstInfos: ObjectCache<ClusterInstInfo>;
  readonly appInstInfos: ObjectCache<AppInstInfo>;
  readonly nodes: ObjectCache<Node>;
  readonly execRequests: ExecRequest[];
  /** Every change the mirrors reported, in order ("update <type> <key>" / "delete <type> <key>"). */
  readonly changes: string[];
  readonly events: NotifyClientEvent[];
  stop(): Promise<void>;
}

/** Starts a CRM-like (filter on) or DME-like (`filter: false`) notify client. */
export function startTestClient(
  addresses: readonly string[],
  options: { filter?: boolean; log?: Logger } & Partial<Pick<NotifyClientDeps, 'reconnect' | 'resync' | 'settings' | 'random'>> = {},
): TestClient {
  const kinds = edgeprotoKinds();
  const registry = createMetricsRegistry();
  const metrics = createNotifyMetrics(registry, 'client', ALL_TYPES);
  const flavors = new ObjectCache(kinds.flavor);
  const cloudlets = new ObjectCache(kinds.cloudlet);
  const clusterInsts = new ObjectCache(kinds.clusterInst);
  const apps = new ObjectCache(kinds.app);
  const appInsts = new ObjectCache(kinds.appInst);
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const clusterInstInfos = new ObjectCache(kinds.clusterInstInfo);
  const appInstInfos = new ObjectCache(kinds.appInstInfo);
  const nodes = new ObjectCache(kinds.node);
  const execRequests: ExecRequest[] = [];
  const changes: string[] = [];
  const events: NotifyClientEvent[] = [];
  const mirrors = [flavors, cloudlets, clusterInsts, apps, appInsts] as ObjectCache<unknown>[];
  for (const cache of mirrors) cache.watch((c) => changes.push(`${c.kind} ${cache.kind.name} ${c.key}`));
  const client = NotifyClient.create({
    addresses,
    mirrors,
    messageReceivers: [{ kind: kinds.execRequest, message: (m: ExecRequest) => execRequests.push(m) }] as NotifyClientDeps['messageReceivers'],
    sendCaches: [cloudletInfos, appInstInfos, clusterInstInfos, nodes] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    filterCloudletKey: options.filter ?? true,
    log: options.log ?? silentLogger(),
    metrics,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    ...(options.resync ? { resync: options.resync } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  client.on((e) => events.push(e));
  const controller = new AbortController();
  const running = client.run(controller.signal);
  return {
    client, registry, metrics, flavors, cloudlets, clusterInsts, apps, appInsts, cloudletInfos, clusterInstInfos,
    appInstInfos, nodes, execRequests, changes, events,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}
