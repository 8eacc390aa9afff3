import { edgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { AppInstInfoApiClient, AppInstMetricsApiClient } from '../../src/gen/edgeproto/app_inst.js';
import { CloudletApiClient, CloudletInfoApiClient, CloudletMetricsApiClient, type CloudletInfo } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInstInfoApiClient } from '../../src/gen/edgeproto/clusterinst.js';
import { ControllerApiClient } from '../../src/gen/edgeproto/controller.js';
import { ExecApiClient, type ExecRequest } from '../../src/gen/edgeproto/exec.js';
import { NodeApiClient, type Node } from '../../src/gen/edgeproto/node.js';
import { CloudletRefsApiClient, ClusterRefsApiClient } from '../../src/gen/edgeproto/refs.js';
import { createNotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { NotifyClient, type NotifyClientDeps } from '../../src/notify/client.js';
import { insecure } from './controller-harness.js';

/** Clients of the cloudlet-side services of one controller. `close()` closes them all. */
export interface CloudletClients {
  readonly cloudlets: CloudletApiClient;
  readonly cloudletInfos: CloudletInfoApiClient;
  readonly exec: ExecApiClient;
  readonly clusterInstInfos: ClusterInstInfoApiClient;
  readonly appInstInfos: AppInstInfoApiClient;
  readonly appInstMetrics: AppInstMetricsApiClient;
  readonly cloudletMetrics: CloudletMetricsApiClient;
  readonly controllers: ControllerApiClient;
  readonly nodes: NodeApiClient;
  readonly cloudletRefs: CloudletRefsApiClient;
  readonly clusterRefs: ClusterRefsApiClient;
  close(): void;
}

/** Opens insecure clients of the cloudlet-side services at `address`. */
export function cloudletClients(address: string): CloudletClients {
  const clients = {
    cloudlets: new CloudletApiClient(address, insecure),
    cloudletInfos: new CloudletInfoApiClient(address, insecure),
    exec: new ExecApiClient(address, insecure),
    clusterInstInfos: new ClusterInstInfoApiClient(address, insecure),
    appInstInfos: new AppInstInfoApiClient(address, insecure),
    appInstMetrics: new AppInstMetricsApiClient(address, insecure),
    cloudletMetrics: new CloudletMetricsApiClient(address, insecure),
    controllers: new ControllerApiClient(address, insecure),
    nodes: new NodeApiClient(address, insecure),
    cloudletRefs: new CloudletRefsApiClient(address, insecure),
    clusterRefs: new ClusterRefsApiClient(address, insecure),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}

/** A CRM-like notify client that reports CloudletInfos and Nodes and answers every ExecRequest it gets. */
export interface ExecCrm {
  readonly client: NotifyClient;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly nodes: ObjectCache<Node>;
  /** Every ExecRequest received, in order. */
  readonly received: ExecRequest[];
  stop(): Promise<void>;
}

/**
 * Starts a filtered (CRM) notify client at `address` that reports `infos` and answers each ExecRequest with
 * `answer(request)` (undefined: no answer), sent back over notify with the same offer.
 */
export function startExecCrm(
  address: string,
  infos: readonly CloudletInfo[],
  answer: (request: ExecRequest) => Partial<ExecRequest> | undefined,
): ExecCrm {
  const kinds = edgeprotoKinds();
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const nodes = new ObjectCache(kinds.node);
  for (const info of infos) cloudletInfos.update(info);
  const received: ExecRequest[] = [];
  const registry = createMetricsRegistry();
  const client: NotifyClient = NotifyClient.create({
    addresses: [address],
    mirrors: [new ObjectCache(kinds.flavor), new ObjectCache(kinds.cloudlet), new ObjectCache(kinds.clusterInst), new ObjectCache(kinds.app), new ObjectCache(kinds.appInst)] as ObjectCache<unknown>[],
    messageReceivers: [{
      kind: kinds.execRequest,
      message: (request: ExecRequest) => {
        received.push(request);
        const reply = answer(request);
        if (reply) client.sendMessage(kinds.execRequest, { ...request, ...reply, offer: request.offer });
      },
    }] as NotifyClientDeps['messageReceivers'],
    sendCaches: [cloudletInfos, nodes] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    filterCloudletKey: true,
    log: silentLogger(),
    metrics: createNotifyMetrics(registry, 'client', Object.values(kinds).map((k: { name: string }) => k.name)),
    reconnect: { initialMs: 20, maxMs: 200 },
  });
  const controller = new AbortController();
  const running = client.run(controller.signal);
  return {
    client, cloudletInfos, nodes, received,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}
