/**
 * The kinds `cloudletd ctl` knows: for each, its names on the command line and in data files, its message type, the
 * controller API methods of its verbs, the short argument aliases of the original CLI and the columns of its table.
 * Read-only data.
 */
import { App, AppApiService } from '../../gen/edgeproto/app.js';
import { AppInst, AppInstApiService, AppInstInfo, AppInstInfoApiService } from '../../gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletApiService, CloudletInfo, CloudletInfoApiService } from '../../gen/edgeproto/cloudlet.js';
import { Cluster, ClusterApiService } from '../../gen/edgeproto/cluster.js';
import { ClusterInst, ClusterInstApiService, ClusterInstInfo, ClusterInstInfoApiService } from '../../gen/edgeproto/clusterinst.js';
import { Controller, ControllerApiService } from '../../gen/edgeproto/controller.js';
import { Developer, DeveloperApiService } from '../../gen/edgeproto/developer.js';
import { Flavor, FlavorApiService } from '../../gen/edgeproto/flavor.js';
import { Node, NodeApiService } from '../../gen/edgeproto/node.js';
import { Operator, OperatorApiService } from '../../gen/edgeproto/operator.js';
import { CloudletRefs, CloudletRefsApiService, ClusterRefs, ClusterRefsApiService } from '../../gen/edgeproto/refs.js';
import type { Result } from '../../gen/edgeproto/result.js';
import type { MessageCodec } from '../../wire/message-codec.js';
import type { MethodDefinition, ServerStreamMethod } from '../api-client.js';

/** A create, update or delete method: unary (one Result) or server-streaming (progress Results, then done). */
export interface ChangeMethod<T> {
  readonly method: MethodDefinition<T, Result>;
  readonly streaming: boolean;
}

/** One column of `show -o table`: its header and the dotted path of the value in the object's JSON form. */
export interface Column {
  readonly header: string;
  /** E.g. `key.cloudlet_key.operator_key.name`; a list is shown joined with `,`. */
  readonly path: string;
}

/** One kind of object `ctl` works on. */
export interface CtlKind<T = unknown> {
  /** Name on the command line: `appinst`. */
  readonly name: string;
  /** List name in data files (`apply -f`): `appinsts`. Undefined for show-only kinds. */
  readonly plural: string;
  /** Full message name: `edgeproto.AppInst`. */
  readonly message: string;
  /** The kind as people write it: `AppInst`. */
  readonly title: string;
  readonly codec: MessageCodec<T>;
  readonly create?: ChangeMethod<T>;
  readonly update?: ChangeMethod<T>;
  readonly delete?: ChangeMethod<T>;
  readonly show: ServerStreamMethod<T, T>;
  /** Short argument names of the original CLI: `developer` → `key.app_key.developer_key.name`. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Dotted paths of the key's fields (what identifies one object). */
  readonly keyPaths: readonly string[];
  /** True for kinds with a `state` that the CRM moves (ClusterInst, AppInst): apply waits until READY. */
  readonly tracked: boolean;
  readonly columns: readonly Column[];
}

const unary = <T>(method: MethodDefinition<T, Result>): ChangeMethod<T> => ({ method, streaming: false });
const streaming = <T>(method: MethodDefinition<T, Result>): ChangeMethod<T> => ({ method, streaming: true });

const cloudletAliases = (prefix: string): Record<string, string> => ({
  cloudlet: `${prefix}.name`,
  operator: `${prefix}.operator_key.name`,
});

const flavor: CtlKind<Flavor> = {
  name: 'flavor', plural: 'flavors', message: 'edgeproto.Flavor', title: 'Flavor', codec: Flavor,
  create: unary(FlavorApiService.createFlavor), update: unary(FlavorApiService.updateFlavor), delete: unary(FlavorApiService.deleteFlavor),
  show: FlavorApiService.showFlavor,
  aliases: { name: 'key.name', flavor: 'key.name' },
  keyPaths: ['key.name'], tracked: false,
  columns: [{ header: 'NAME', path: 'key.name' }, { header: 'RAM(MB)', path: 'ram' }, { header: 'VCPUS', path: 'vcpus' }, { header: 'DISK(GB)', path: 'disk' }],
};

const operator: CtlKind<Operator> = {
  name: 'operator', plural: 'operators', message: 'edgeproto.Operator', title: 'Operator', codec: Operator,
  create: unary(OperatorApiService.createOperator), update: unary(OperatorApiService.updateOperator), delete: unary(OperatorApiService.deleteOperator),
  show: OperatorApiService.showOperator,
  aliases: { name: 'key.name', operator: 'key.name' },
  keyPaths: ['key.name'], tracked: false,
  columns: [{ header: 'NAME', path: 'key.name' }],
};

const developer: CtlKind<Developer> = {
  name: 'developer', plural: 'developers', message: 'edgeproto.Developer', title: 'Developer', codec: Developer,
  create: unary(DeveloperApiService.createDeveloper), update: unary(DeveloperApiService.updateDeveloper), delete: unary(DeveloperApiService.deleteDeveloper),
  show: DeveloperApiService.showDeveloper,
  aliases: { name: 'key.name', developer: 'key.name' },
  keyPaths: ['key.name'], tracked: false,
  columns: [{ header: 'NAME', path: 'key.name' }, { header: 'EMAIL', path: 'email' }, { header: 'USERNAME', path: 'username' }],
};

const cloudlet: CtlKind<Cloudlet> = {
  name: 'cloudlet', plural: 'cloudlets', message: 'edgeproto.Cloudlet', title: 'Cloudlet', codec: Cloudlet,
  create: streaming(CloudletApiService.createCloudlet), update: streaming(CloudletApiService.updateCloudlet), delete: streaming(CloudletApiService.deleteCloudlet),
  show: CloudletApiService.showCloudlet,
  aliases: { ...cloudletAliases('key'), name: 'key.name' },
  keyPaths: ['key.operator_key.name', 'key.name'], tracked: false,
  columns: [
    { header: 'OPERATOR', path: 'key.operator_key.name' }, { header: 'NAME', path: 'key.name' },
    { header: 'LATITUDE', path: 'location.latitude' }, { header: 'LONGITUDE', path: 'location.longitude' },
    { header: 'IP SUPPORT', path: 'ip_support' }, { header: 'DYNAMIC IPS', path: 'num_dynamic_ips' },
  ],
};

const cluster: CtlKind<Cluster> = {
  name: 'cluster', plural: 'clusters', message: 'edgeproto.Cluster', title: 'Cluster', codec: Cluster,
  create: unary(ClusterApiService.createCluster), update: unary(ClusterApiService.updateCluster), delete: unary(ClusterApiService.deleteCluster),
  show: ClusterApiService.showCluster,
  aliases: { name: 'key.name', cluster: 'key.name', flavor: 'default_flavor.name' },
  keyPaths: ['key.name'], tracked: false,
  columns: [{ header: 'NAME', path: 'key.name' }, { header: 'DEFAULT FLAVOR', path: 'default_flavor.name' }],
};

const app: CtlKind<App> = {
  name: 'app', plural: 'apps', message: 'edgeproto.App', title: 'App', codec: App,
  create: unary(AppApiService.createApp), update: unary(AppApiService.updateApp), delete: unary(AppApiService.deleteApp),
  show: AppApiService.showApp,
  aliases: { developer: 'key.developer_key.name', appname: 'key.name', appvers: 'key.version', flavor: 'default_flavor.name', cluster: 'cluster.name' },
  keyPaths: ['key.developer_key.name', 'key.name', 'key.version'], tracked: false,
  columns: [
    { header: 'DEVELOPER', path: 'key.developer_key.name' }, { header: 'NAME', path: 'key.name' }, { header: 'VERSION', path: 'key.version' },
    { header: 'IMAGE', path: 'image_path' }, { header: 'DEPLOYMENT', path: 'deployment' }, { header: 'PORTS', path: 'access_ports' },
    { header: 'FLAVOR', path: 'default_flavor.name' },
  ],
};

const clusterInst: CtlKind<ClusterInst> = {
  name: 'clusterinst', plural: 'clusterinsts', message: 'edgeproto.ClusterInst', title: 'ClusterInst', codec: ClusterInst,
  create: streaming(ClusterInstApiService.createClusterInst), update: streaming(ClusterInstApiService.updateClusterInst),
  delete: streaming(ClusterInstApiService.deleteClusterInst),
  show: ClusterInstApiService.showClusterInst,
  aliases: {
    cluster: 'key.cluster_key.name', ...cloudletAliases('key.cloudlet_key'), developer: 'key.developer', flavor: 'flavor.name',
  },
  keyPaths: ['key.cluster_key.name', 'key.cloudlet_key.operator_key.name', 'key.cloudlet_key.name', 'key.developer'], tracked: true,
  columns: [
    { header: 'CLUSTER', path: 'key.cluster_key.name' }, { header: 'OPERATOR', path: 'key.cloudlet_key.operator_key.name' },
    { header: 'CLOUDLET', path: 'key.cloudlet_key.name' }, { header: 'DEVELOPER', path: 'key.developer' },
    { header: 'FLAVOR', path: 'flavor.name' }, { header: 'NODES', path: 'num_nodes' }, { header: 'STATE', path: 'state' },
    { header: 'ERRORS', path: 'errors' },
  ],
};

const appInst: CtlKind<AppInst> = {
  name: 'appinst', plural: 'appinsts', message: 'edgeproto.AppInst', title: 'AppInst', codec: AppInst,
  create: streaming(AppInstApiService.createAppInst), update: streaming(AppInstApiService.updateAppInst),
  delete: streaming(AppInstApiService.deleteAppInst),
  show: AppInstApiService.showAppInst,
  aliases: {
    developer: 'key.app_key.developer_key.name', appname: 'key.app_key.name', appvers: 'key.app_key.version',
    cluster: 'key.cluster_inst_key.cluster_key.name', ...cloudletAliases('key.cluster_inst_key.cloudlet_key'),
    clusterdeveloper: 'key.cluster_inst_key.developer', flavor: 'flavor.name',
  },
  keyPaths: [
    'key.app_key.developer_key.name', 'key.app_key.name', 'key.app_key.version', 'key.cluster_inst_key.cluster_key.name',
    'key.cluster_inst_key.cloudlet_key.operator_key.name', 'key.cluster_inst_key.cloudlet_key.name', 'key.cluster_inst_key.developer',
  ],
  tracked: true,
  columns: [
    { header: 'DEVELOPER', path: 'key.app_key.developer_key.name' }, { header: 'APP', path: 'key.app_key.name' },
    { header: 'VERSION', path: 'key.app_key.version' }, { header: 'CLUSTER', path: 'key.cluster_inst_key.cluster_key.name' },
    { header: 'OPERATOR', path: 'key.cluster_inst_key.cloudlet_key.operator_key.name' }, { header: 'CLOUDLET', path: 'key.cluster_inst_key.cloudlet_key.name' },
    { header: 'STATE', path: 'state' }, { header: 'URI', path: 'uri' }, { header: 'ERRORS', path: 'errors' },
  ],
};

const cloudletInfo: CtlKind<CloudletInfo> = {
  name: 'cloudletinfo', plural: 'cloudletinfos', message: 'edgeproto.CloudletInfo', title: 'CloudletInfo', codec: CloudletInfo,
  show: CloudletInfoApiService.showCloudletInfo,
  aliases: { ...cloudletAliases('key'), name: 'key.name' },
  keyPaths: ['key.operator_key.name', 'key.name'], tracked: false,
  columns: [
    { header: 'OPERATOR', path: 'key.operator_key.name' }, { header: 'NAME', path: 'key.name' }, { header: 'STATE', path: 'state' },
    { header: 'VCPUS', path: 'os_max_vcores' }, { header: 'RAM(MB)', path: 'os_max_ram' }, { header: 'DISK(GB)', path: 'os_max_vol_gb' },
    { header: 'CONTROLLER', path: 'controller' }, { header: 'ERRORS', path: 'errors' },
  ],
};

const clusterInstInfo: CtlKind<ClusterInstInfo> = {
  name: 'clusterinstinfo', plural: 'clusterinstinfos', message: 'edgeproto.ClusterInstInfo', title: 'ClusterInstInfo', codec: ClusterInstInfo,
  show: ClusterInstInfoApiService.showClusterInstInfo,
  aliases: clusterInst.aliases,
  keyPaths: clusterInst.keyPaths, tracked: false,
  columns: [
    { header: 'CLUSTER', path: 'key.cluster_key.name' }, { header: 'OPERATOR', path: 'key.cloudlet_key.operator_key.name' },
    { header: 'CLOUDLET', path: 'key.cloudlet_key.name' }, { header: 'STATE', path: 'state' }, { header: 'STATUS', path: 'status.task_name' },
    { header: 'ERRORS', path: 'errors' },
  ],
};

const appInstInfo: CtlKind<AppInstInfo> = {
  name: 'appinstinfo', plural: 'appinstinfos', message: 'edgeproto.AppInstInfo', title: 'AppInstInfo', codec: AppInstInfo,
  show: AppInstInfoApiService.showAppInstInfo,
  aliases: appInst.aliases,
  keyPaths: appInst.keyPaths, tracked: false,
  columns: [
    { header: 'DEVELOPER', path: 'key.app_key.developer_key.name' }, { header: 'APP', path: 'key.app_key.name' },
    { header: 'VERSION', path: 'key.app_key.version' }, { header: 'CLOUDLET', path: 'key.cluster_inst_key.cloudlet_key.name' },
    { header: 'STATE', path: 'state' }, { header: 'STATUS', path: 'status.task_name' }, { header: 'ERRORS', path: 'errors' },
  ],
};

const node: CtlKind<Node> = {
  name: 'node', plural: 'nodes', message: 'edgeproto.Node', title: 'Node', codec: Node,
  show: NodeApiService.showNode,
  aliases: { name: 'key.name', type: 'key.node_type', ...cloudletAliases('key.cloudlet_key') },
  keyPaths: ['key.name', 'key.node_type', 'key.cloudlet_key.operator_key.name', 'key.cloudlet_key.name'], tracked: false,
  columns: [
    { header: 'NAME', path: 'key.name' }, { header: 'TYPE', path: 'key.node_type' },
    { header: 'OPERATOR', path: 'key.cloudlet_key.operator_key.name' }, { header: 'CLOUDLET', path: 'key.cloudlet_key.name' },
    { header: 'NOTIFY ID', path: 'notify_id' },
  ],
};

const controller: CtlKind<Controller> = {
  name: 'controller', plural: 'controllers', message: 'edgeproto.Controller', title: 'Controller', codec: Controller,
  show: ControllerApiService.showController,
  aliases: { addr: 'key.addr' },
  keyPaths: ['key.addr'], tracked: false,
  columns: [{ header: 'ADDRESS', path: 'key.addr' }],
};

const cloudletRefs: CtlKind<CloudletRefs> = {
  name: 'cloudletrefs', plural: 'cloudletrefs', message: 'edgeproto.CloudletRefs', title: 'CloudletRefs', codec: CloudletRefs,
  show: CloudletRefsApiService.showCloudletRefs,
  aliases: { ...cloudletAliases('key'), name: 'key.name' },
  keyPaths: ['key.operator_key.name', 'key.name'], tracked: false,
  columns: [
    { header: 'OPERATOR', path: 'key.operator_key.name' }, { header: 'NAME', path: 'key.name' }, { header: 'CLUSTERS', path: 'clusters' },
    { header: 'USED RAM', path: 'used_ram' }, { header: 'USED VCPUS', path: 'used_vcores' }, { header: 'USED DISK', path: 'used_disk' },
  ],
};

const clusterRefs: CtlKind<ClusterRefs> = {
  name: 'clusterrefs', plural: 'clusterrefs', message: 'edgeproto.ClusterRefs', title: 'ClusterRefs', codec: ClusterRefs,
  show: ClusterRefsApiService.showClusterRefs,
  aliases: clusterInst.aliases,
  keyPaths: clusterInst.keyPaths, tracked: false,
  columns: [
    { header: 'CLUSTER', path: 'key.cluster_key.name' }, { header: 'CLOUDLET', path: 'key.cloudlet_key.name' },
    { header: 'APPS', path: 'apps' }, { header: 'USED RAM', path: 'used_ram' }, { header: 'USED VCPUS', path: 'used_vcores' },
  ],
};

/**
 * The kinds a data file may hold, in dependency order: `apply -f` creates in this order, `delete -f` deletes in the
 * reverse order.
 */
export const APPLY_KINDS: readonly CtlKind[] = [flavor, operator, developer, cloudlet, cluster, app, clusterInst, appInst] as CtlKind[];

/** Every kind `ctl` knows, those with changes first, then the show-only ones. */
export const ALL_KINDS: readonly CtlKind[] = [
  ...APPLY_KINDS, cloudletInfo, clusterInstInfo, appInstInfo, node, controller, cloudletRefs, clusterRefs,
] as CtlKind[];

/** The kind with command-line name `name` (`appinst`, also its plural `appinsts`), or undefined. Pure. */
export function findKind(name: string): CtlKind | undefined {
  const lower = name.toLowerCase();
  return ALL_KINDS.find((k) => k.name === lower || k.plural === lower);
}
