/**
 * A bench-local CRM: the project's NotifyClient with filterCloudletKey, mirroring its cloudlet's objects from a
 * controller and answering at once. It reports one CloudletInfo (READY, generous limits); every ClusterInst and
 * AppInst it receives in CREATE_REQUESTED gets a ClusterInstInfo / AppInstInfo READY straight from the cache
 * watcher (no CREATING step, no delay), so a create costs the controller exactly one notify round trip.
 * Other requests (update, delete) are not answered.
 */
import { edgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { AppInstInfo } from '../../src/gen/edgeproto/app_inst.js';
import { CloudletInfo, CloudletState, type CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInstInfo } from '../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../src/gen/edgeproto/common.js';
import type { ExecRequest } from '../../src/gen/edgeproto/exec.js';
import type { Node } from '../../src/gen/edgeproto/node.js';
import { createNotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { NotifyClient, type NotifyClientDeps, type NotifyClientEvent } from '../../src/notify/client.js';

const ALL_TYPES: string[] = Object.values(edgeprotoKinds()).map((k: { readonly name: string }) => k.name);

/** A running bench CRM. */
export interface BenchCrm {
  readonly client: NotifyClient;
  /** Requests answered so far. */
  readonly answered: { clusterInsts: number; appInsts: number };
  /** Resolves once the client has completed its first sync with the controller. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/** Starts a CRM for `cloudletKey` against the controller's notify address. */
export function startBenchCrm(notifyAddress: string, cloudletKey: CloudletKey): BenchCrm {
  const kinds = edgeprotoKinds();
  const flavors = new ObjectCache(kinds.flavor);
  const cloudlets = new ObjectCache(kinds.cloudlet);
  const clusterInsts = new ObjectCache(kinds.clusterInst);
  const apps = new ObjectCache(kinds.app);
  const appInsts = new ObjectCache(kinds.appInst);
  const cloudletInfos = new ObjectCache(kinds.cloudletInfo);
  const appInstInfos = new ObjectCache(kinds.appInstInfo);
  const clusterInstInfos = new ObjectCache(kinds.clusterInstInfo);
  const nodes = new ObjectCache<Node>(kinds.node);
  const answered = { clusterInsts: 0, appInsts: 0 };

  clusterInsts.watch((change) => {
    if (change.kind !== 'update' || change.value.state !== TrackedState.CREATE_REQUESTED) return;
    answered.clusterInsts++;
    clusterInstInfos.update(ClusterInstInfo.fromPartial({ key: change.value.key, state: TrackedState.READY }));
  });
  appInsts.watch((change) => {
    if (change.kind !== 'update' || change.value.state !== TrackedState.CREATE_REQUESTED) return;
    answered.appInsts++;
    const name = change.value.key?.app_key?.name ?? 'app';
    appInstInfos.update(AppInstInfo.fromPartial({
      key: change.value.key,
      state: TrackedState.READY,
      runtime_info: { container_ids: [`${name}-${answered.appInsts}`] },
    }));
  });

  cloudletInfos.update(CloudletInfo.fromPartial({
    key: cloudletKey,
    state: CloudletState.CLOUDLET_STATE_READY,
    os_max_ram: 4_194_304n,
    os_max_vcores: 2048n,
    os_max_vol_gb: 100_000n,
  }));

  const client = NotifyClient.create({
    addresses: [notifyAddress],
    mirrors: [flavors, cloudlets, clusterInsts, apps, appInsts] as ObjectCache<unknown>[],
    messageReceivers: [{ kind: kinds.execRequest, message: (_m: ExecRequest) => undefined }] as NotifyClientDeps['messageReceivers'],
    sendCaches: [cloudletInfos, appInstInfos, clusterInstInfos, nodes] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    filterCloudletKey: true,
    log: silentLogger(),
    metrics: createNotifyMetrics(createMetricsRegistry(), 'client', ALL_TYPES),
  });
  const synced = new Promise<void>((resolve) => {
    client.on((e: NotifyClientEvent) => {
      if (e.type === 'synced') resolve();
    });
  });
  const abort = new AbortController();
  const running = client.run(abort.signal);
  return {
    client,
    answered,
    synced,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
