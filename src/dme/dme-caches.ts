import type { EdgeprotoKinds } from '../cache/kinds.js';
import { ObjectCache } from '../cache/object-cache.js';
import type { App } from '../gen/edgeproto/app.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { Cloudlet, CloudletInfo } from '../gen/edgeproto/cloudlet.js';
import { Node, NodeType } from '../gen/edgeproto/node.js';

/**
 * The DME's caches: what the controller mirrors to it, unfiltered (App, AppInst, Cloudlet, CloudletInfo), and what
 * it reports (its Node).
 */
export class DmeCaches {
  readonly apps: ObjectCache<App>;
  /** Kept as bytes only: the match index holds what the API needs, so AppInsts are decoded once per change. */
  readonly appInsts: ObjectCache<AppInst>;
  readonly cloudlets: ObjectCache<Cloudlet>;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly nodes: ObjectCache<Node>;

  constructor(kinds: EdgeprotoKinds) {
    this.apps = new ObjectCache(kinds.app);
    this.appInsts = new ObjectCache(kinds.appInst, { keepDecoded: false });
    this.cloudlets = new ObjectCache(kinds.cloudlet);
    this.cloudletInfos = new ObjectCache(kinds.cloudletInfo);
    this.nodes = new ObjectCache(kinds.node);
  }

  /** The mirrors (notify want_objs), in registration order: App, AppInst (the original's), Cloudlet, CloudletInfo. */
  mirrors(): ObjectCache<unknown>[] {
    return [this.apps, this.appInsts, this.cloudlets, this.cloudletInfos] as ObjectCache<unknown>[];
  }

  /** The caches the DME sends: its Node. */
  sends(): ObjectCache<unknown>[] {
    return [this.nodes] as ObjectCache<unknown>[];
  }

  /** Writes this DME's Node (NODE_DME, named `hostname`). */
  setNode(hostname: string): void {
    this.nodes.update(Node.fromPartial({ key: { name: hostname, node_type: NodeType.NODE_DME } }));
  }
}
