import type { EdgeprotoKinds } from '../cache/kinds.js';
import { ObjectCache } from '../cache/object-cache.js';
import type { App } from '../gen/edgeproto/app.js';
import type { AppInst, AppInstInfo } from '../gen/edgeproto/app_inst.js';
import type { Cloudlet, CloudletInfo, CloudletKey } from '../gen/edgeproto/cloudlet.js';
import type { ClusterInst, ClusterInstInfo } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import type { Flavor } from '../gen/edgeproto/flavor.js';
import { Node, NodeType } from '../gen/edgeproto/node.js';
import type { Gauge } from 'prom-client';

/**
 * The CRM's caches: the desired state the controller mirrors to it (Flavor, Cloudlet, ClusterInst, App, AppInst;
 * filtered to this cloudlet) and what it reports (CloudletInfo, ClusterInstInfo, AppInstInfo, Node).
 */
export class CrmCaches {
  readonly flavors: ObjectCache<Flavor>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly clusterInstInfos: ObjectCache<ClusterInstInfo>;
  readonly appInstInfos: ObjectCache<AppInstInfo>;
  readonly nodes: ObjectCache<Node>;

  constructor(kinds: EdgeprotoKinds) {
    this.flavors = new ObjectCache(kinds.flavor);
    this.cloudlets = new ObjectCache(kinds.cloudlet);
    this.clusterInsts = new ObjectCache(kinds.clusterInst);
    this.apps = new ObjectCache(kinds.app);
    this.appInsts = new ObjectCache(kinds.appInst, { keepDecoded: false });
    this.cloudletInfos = new ObjectCache(kinds.cloudletInfo);
    this.clusterInstInfos = new ObjectCache(kinds.clusterInstInfo);
    this.appInstInfos = new ObjectCache(kinds.appInstInfo, { keepDecoded: false });
    this.nodes = new ObjectCache(kinds.node);
  }

  /** The mirrors, in the order the original registers them (notify want_objs). */
  mirrors(): ObjectCache<unknown>[] {
    return [this.flavors, this.cloudlets, this.clusterInsts, this.apps, this.appInsts] as ObjectCache<unknown>[];
  }

  /** The caches the CRM sends, in send order (the CloudletInfo first, so the controller starts filtering for us). */
  sends(): ObjectCache<unknown>[] {
    return [this.cloudletInfos, this.appInstInfos, this.clusterInstInfos, this.nodes] as ObjectCache<unknown>[];
  }

  /** Writes this CRM's Node (NODE_CRM). */
  setNode(hostname: string, cloudletKey: CloudletKey): void {
    this.nodes.update(Node.fromPartial({ key: { name: hostname, node_type: NodeType.NODE_CRM, cloudlet_key: cloudletKey } }));
  }

  /** Fills `gauge` (labels kind, state) with the reported infos by state, every known state started at 0. */
  countObjects(gauge: Gauge<'kind' | 'state'>): void {
    gauge.reset();
    for (const [kind, cache] of [['ClusterInst', this.clusterInstInfos], ['AppInst', this.appInstInfos]] as const) {
      const counts = new Map<string, number>();
      for (const state of ['CREATING', 'READY', 'CREATE_ERROR', 'UPDATING', 'UPDATE_ERROR', 'DELETING', 'DELETE_ERROR']) counts.set(state, 0);
      for (const info of (cache as unknown as ObjectCache<{ state: TrackedState }>).values()) {
        const name = TrackedState[info.state] ?? String(info.state);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      for (const [state, n] of counts) gauge.set({ kind, state }, n);
    }
  }
}
