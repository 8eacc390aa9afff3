import { App } from '../gen/edgeproto/app.js';
import { AppInst, AppInstInfo } from '../gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletInfo } from '../gen/edgeproto/cloudlet.js';
import { Cluster } from '../gen/edgeproto/cluster.js';
import { ClusterInst, ClusterInstInfo } from '../gen/edgeproto/clusterinst.js';
import { Controller } from '../gen/edgeproto/controller.js';
import { Developer } from '../gen/edgeproto/developer.js';
import { ExecRequest } from '../gen/edgeproto/exec.js';
import { Flavor } from '../gen/edgeproto/flavor.js';
import { Metric } from '../gen/edgeproto/metric.js';
import { Node } from '../gen/edgeproto/node.js';
import { Operator } from '../gen/edgeproto/operator.js';
import { CloudletRefs, ClusterRefs } from '../gen/edgeproto/refs.js';
import type { MessageCodec } from '../wire/message-codec.js';
import { keyString } from '../wire/object-key.js';
import type { MessageKind, ObjectKind } from './object-kind.js';

/** The kinds table's type: one entry per keyed edgeproto object, plus the two message kinds. */
export interface EdgeprotoKinds {
  readonly operator: ObjectKind<Operator>;
  readonly developer: ObjectKind<Developer>;
  readonly flavor: ObjectKind<Flavor>;
  readonly cluster: ObjectKind<Cluster>;
  readonly app: ObjectKind<App>;
  readonly cloudlet: ObjectKind<Cloudlet>;
  readonly clusterInst: ObjectKind<ClusterInst>;
  readonly appInst: ObjectKind<AppInst>;
  readonly cloudletInfo: ObjectKind<CloudletInfo>;
  readonly clusterInstInfo: ObjectKind<ClusterInstInfo>;
  readonly appInstInfo: ObjectKind<AppInstInfo>;
  readonly node: ObjectKind<Node>;
  readonly controller: ObjectKind<Controller>;
  readonly cloudletRefs: ObjectKind<CloudletRefs>;
  readonly clusterRefs: ObjectKind<ClusterRefs>;
  readonly execRequest: MessageKind<ExecRequest>;
  readonly metric: MessageKind<Metric>;
}

function keyedKind<K, T extends { key?: K | undefined }>(
  name: string,
  codec: MessageCodec<T>,
  keyToString: (key: K | undefined) => string,
  extra: { cloudletKeyOf?: (object: T) => string; hasNotifyId?: boolean } = {},
): ObjectKind<T> {
  const fromPartial = (object: { key?: K | undefined }): T => codec.fromPartial(object as never);
  return {
    name,
    codec,
    keyOf: (object) => keyToString(object.key),
    keyOfKey: (key) => keyToString(key as K | undefined),
    keyOnly: (object) => fromPartial({ key: object.key }),
    ...(extra.cloudletKeyOf ? { cloudletKeyOf: extra.cloudletKeyOf } : {}),
    hasNotifyId: extra.hasNotifyId ?? false,
  };
}

/**
 * The kinds table: every keyed edgeproto object the controller stores or notify carries, plus the message kinds.
 * A new table per call, so nothing is shared between components; the entries are immutable.
 */
export function edgeprotoKinds(): EdgeprotoKinds {
  const cloudletOf = keyString.cloudlet;
  return {
    operator: keyedKind('edgeproto.Operator', Operator, keyString.operator),
    developer: keyedKind('edgeproto.Developer', Developer, keyString.developer),
    flavor: keyedKind('edgeproto.Flavor', Flavor, keyString.flavor),
    cluster: keyedKind('edgeproto.Cluster', Cluster, keyString.cluster),
    app: keyedKind('edgeproto.App', App, keyString.app),
    cloudlet: keyedKind('edgeproto.Cloudlet', Cloudlet, keyString.cloudlet, { cloudletKeyOf: (c) => cloudletOf(c.key) }),
    clusterInst: keyedKind('edgeproto.ClusterInst', ClusterInst, keyString.clusterInst, {
      cloudletKeyOf: (c) => cloudletOf(c.key?.cloudlet_key),
    }),
    appInst: keyedKind('edgeproto.AppInst', AppInst, keyString.appInst, {
      cloudletKeyOf: (a) => cloudletOf(a.key?.cluster_inst_key?.cloudlet_key),
    }),
    cloudletInfo: keyedKind('edgeproto.CloudletInfo', CloudletInfo, keyString.cloudlet, {
      cloudletKeyOf: (c) => cloudletOf(c.key),
      hasNotifyId: true,
    }),
    clusterInstInfo: keyedKind('edgeproto.ClusterInstInfo', ClusterInstInfo, keyString.clusterInst, {
      cloudletKeyOf: (c) => cloudletOf(c.key?.cloudlet_key),
      hasNotifyId: true,
    }),
    appInstInfo: keyedKind('edgeproto.AppInstInfo', AppInstInfo, keyString.appInst, {
      cloudletKeyOf: (a) => cloudletOf(a.key?.cluster_inst_key?.cloudlet_key),
      hasNotifyId: true,
    }),
    node: keyedKind('edgeproto.Node', Node, keyString.node, {
      cloudletKeyOf: (n) => cloudletOf(n.key?.cloudlet_key),
      hasNotifyId: true,
    }),
    controller: keyedKind('edgeproto.Controller', Controller, keyString.controller),
    cloudletRefs: keyedKind('edgeproto.CloudletRefs', CloudletRefs, keyString.cloudlet, { cloudletKeyOf: (r) => cloudletOf(r.key) }),
    clusterRefs: keyedKind('edgeproto.ClusterRefs', ClusterRefs, keyString.clusterInst, {
      cloudletKeyOf: (r) => cloudletOf(r.key?.cloudlet_key),
    }),
    execRequest: {
      name: 'edgeproto.ExecRequest',
      codec: ExecRequest,
      cloudletKeyOf: (e) => cloudletOf(e.app_inst_key?.cluster_inst_key?.cloudlet_key),
    },
    metric: { name: 'edgeproto.Metric', codec: Metric },
  };
}
