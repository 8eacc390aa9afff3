/**
 * Invalid requests through the real gRPC API, table-driven: each row is one request that must fail with the
 * given status code and details that name the field (or object) and the reason. After the table the store must
 * hold exactly what was seeded. To cover another service, add its `*Service` definition to `services` and append
 * rows; streamed rpcs (Cloudlet, ClusterInst, AppInst) are read to their end by `invoke`.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, AppApiService, ImageType, type DeleteType } from '../../../src/gen/edgeproto/app.js';
import { Cluster, ClusterApiService } from '../../../src/gen/edgeproto/cluster.js';
import { AppInst, AppInstApiService } from '../../../src/gen/edgeproto/app_inst.js';
import { ClusterInst, ClusterInstApiService } from '../../../src/gen/edgeproto/clusterinst.js';
import type { CRMOverride, IpAccess } from '../../../src/gen/edgeproto/common.js';
import { Developer, DeveloperApiService } from '../../../src/gen/edgeproto/developer.js';
import { Flavor, FlavorApiService } from '../../../src/gen/edgeproto/flavor.js';
import { Operator, OperatorApiService } from '../../../src/gen/edgeproto/operator.js';
import { catalogClients, dockerApp, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { call, collect, failure, insecure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { appInst, cloudlet, clusterInst, flavor } from '../../helpers/edgeproto-fixtures.js';

/** One invalid request and the failure it must get. */
interface Row {
  /** What is wrong with the request. */
  readonly description: string;
  /** `Service/Method` as in the gRPC path, e.g. `AppApi/CreateApp`. */
  readonly rpc: string;
  /** The request message (built with the generated `fromPartial`). */
  readonly request: unknown;
  /** Expected gRPC status name. */
  readonly code: keyof typeof grpc.status;
  /** Expected details: must name the field (or the object) and the reason. */
  readonly details: RegExp;
}

// ---- the seeded store (see `seed`): what the rows run against --------------------------------------------------
const tdg = Operator.fromPartial({ key: { name: 'TDG' } });
const acme = Developer.fromPartial({ key: { name: 'AcmeX' }, email: 'ops@acmex.example' });
const niantic = Developer.fromPartial({ key: { name: 'Niantic' } });
const small = flavor('x1.small');
const large = flavor('x1.large', 8192n);
const bigCluster = Cluster.fromPartial({ key: { name: 'big-cluster' }, default_flavor: { name: 'x1.small' } });
const face = dockerApp('AcmeX', 'Face', '1.0');
const vmApp = App.fromPartial({
  key: { developer_key: { name: 'Niantic' }, name: 'Go VM' },
  image_type: ImageType.IMAGE_TYPE_QCOW,
  image_path: 'https://images.example.com/go.qcow2',
  default_flavor: { name: 'x1.large' },
});
/** Users put straight into the store (their APIs are other modules'): they keep TDG, big-cluster and Face in use. */
const berlin = cloudlet('berlin-1');
const bigInst = { ...clusterInst('big-cluster', 'berlin-1'), flavor: { name: 'x1.large' } };
const faceInst = (() => {
  const ai = appInst('Face', 'big-cluster', 'berlin-1');
  return { ...ai, key: { ...ai.key!, app_key: face.key }, flavor: { name: 'x1.large' } };
})();

const app = (change: Partial<App>): App => App.fromPartial({ ...dockerApp('AcmeX', 'Other', '1.0'), ...change });
const appKey = (change: Partial<NonNullable<App['key']>>): App['key'] => ({ developer_key: { name: 'AcmeX' }, name: 'Other', version: '1.0', ...change });

/** A ClusterInst request on berlin-1 (IGNORE_CRM = 2 skips the CloudletInfo check, which berlin-1 would fail). */
const ci = (change: Partial<ClusterInst> = {}, key: Partial<NonNullable<ClusterInst['key']>> = {}): ClusterInst => ClusterInst.fromPartial({
  key: { cluster_key: { name: 'mine' }, cloudlet_key: berlin.key, developer: 'AcmeX', ...key }, flavor: { name: 'x1.small' }, num_masters: 1, ...change,
});
/** An AppInst request of Face on `cluster` at berlin-1 (cluster developer defaults to the app's). */
const ai = (change: Partial<AppInst> = {}, cluster = 'big-cluster', app: Partial<NonNullable<App['key']>> = {}): AppInst => AppInst.fromPartial({
  key: { app_key: { ...face.key!, ...app }, cluster_inst_key: { cluster_key: { name: cluster }, cloudlet_key: berlin.key } }, ...change,
});
const IGNORE_CRM = 2 as CRMOverride;

// ---- the table -----------------------------------------------------------------------------------------------
const rows: Row[] = [
  // Operator
  { description: 'operator without a name', rpc: 'OperatorApi/CreateOperator', request: Operator.fromPartial({}), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: must not be empty$/ },
  { description: 'operator name starting with a dash', rpc: 'OperatorApi/CreateOperator', request: Operator.fromPartial({ key: { name: '-tdg' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "-tdg" must match / },
  { description: 'operator name with a slash', rpc: 'OperatorApi/CreateOperator', request: Operator.fromPartial({ key: { name: 'TDG/east' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "TDG\/east" must match / },
  { description: 'operator that exists', rpc: 'OperatorApi/CreateOperator', request: tdg, code: 'ALREADY_EXISTS', details: /^operator TDG already exists$/ },
  { description: 'delete of a missing operator', rpc: 'OperatorApi/DeleteOperator', request: Operator.fromPartial({ key: { name: 'Nope' } }), code: 'NOT_FOUND', details: /^operator Nope not found$/ },
  { description: 'update of a missing operator', rpc: 'OperatorApi/UpdateOperator', request: Operator.fromPartial({ key: { name: 'Nope' }, fields: ['2'] }), code: 'NOT_FOUND', details: /^operator Nope not found$/ },
  { description: 'delete of an operator with cloudlets', rpc: 'OperatorApi/DeleteOperator', request: tdg, code: 'FAILED_PRECONDITION', details: /^operator TDG in use by cloudlet berlin-1$/ },
  { description: 'update naming a field the operator lacks', rpc: 'OperatorApi/UpdateOperator', request: { ...tdg, fields: ['9'] }, code: 'INVALID_ARGUMENT', details: /^invalid fields: "9" names no field of edgeproto\.Operator$/ },

  // Developer
  { description: 'developer without a name', rpc: 'DeveloperApi/CreateDeveloper', request: Developer.fromPartial({ email: 'x@y.z' }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: must not be empty$/ },
  { description: 'developer name with a newline', rpc: 'DeveloperApi/CreateDeveloper', request: Developer.fromPartial({ key: { name: 'Acme\nX' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "Acme\nX" must match /s },
  { description: 'developer that exists', rpc: 'DeveloperApi/CreateDeveloper', request: acme, code: 'ALREADY_EXISTS', details: /^developer AcmeX already exists$/ },
  { description: 'delete of a missing developer', rpc: 'DeveloperApi/DeleteDeveloper', request: Developer.fromPartial({ key: { name: 'Ghost' } }), code: 'NOT_FOUND', details: /^developer Ghost not found$/ },
  { description: 'update of a missing developer', rpc: 'DeveloperApi/UpdateDeveloper', request: Developer.fromPartial({ key: { name: 'Ghost' }, fields: ['6'], email: 'a@b.c' }), code: 'NOT_FOUND', details: /^developer Ghost not found$/ },
  { description: 'delete of a developer with apps', rpc: 'DeveloperApi/DeleteDeveloper', request: acme, code: 'FAILED_PRECONDITION', details: /^developer AcmeX in use by app Face 1\.0/ },
  { description: 'update with a non-numeric field path', rpc: 'DeveloperApi/UpdateDeveloper', request: { ...acme, fields: ['email'] }, code: 'INVALID_ARGUMENT', details: /^invalid fields: "email" is not a field-number path/ },
  { description: 'update with a sub-field of a string', rpc: 'DeveloperApi/UpdateDeveloper', request: { ...acme, fields: ['6.1'] }, code: 'INVALID_ARGUMENT', details: /^invalid fields: "6\.1": field email has no sub-fields$/ },

  // Flavor
  { description: 'flavor without a name', rpc: 'FlavorApi/CreateFlavor', request: Flavor.fromPartial({ ram: 1n, vcpus: 1n, disk: 1n }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: must not be empty$/ },
  { description: 'flavor without ram', rpc: 'FlavorApi/CreateFlavor', request: Flavor.fromPartial({ key: { name: 'x2' }, vcpus: 1n, disk: 1n }), code: 'INVALID_ARGUMENT', details: /^invalid ram: must be greater than 0$/ },
  { description: 'flavor without vcpus', rpc: 'FlavorApi/CreateFlavor', request: Flavor.fromPartial({ key: { name: 'x2' }, ram: 1n, disk: 1n }), code: 'INVALID_ARGUMENT', details: /^invalid vcpus: must be greater than 0$/ },
  { description: 'flavor without disk', rpc: 'FlavorApi/CreateFlavor', request: Flavor.fromPartial({ key: { name: 'x2' }, ram: 1n, vcpus: 1n }), code: 'INVALID_ARGUMENT', details: /^invalid disk: must be greater than 0$/ },
  { description: 'flavor that exists', rpc: 'FlavorApi/CreateFlavor', request: small, code: 'ALREADY_EXISTS', details: /^flavor x1\.small already exists$/ },
  { description: 'delete of a missing flavor', rpc: 'FlavorApi/DeleteFlavor', request: flavor('x9.huge'), code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'delete of a flavor used by a cluster and an app', rpc: 'FlavorApi/DeleteFlavor', request: small, code: 'FAILED_PRECONDITION', details: /^flavor x1\.small in use by cluster big-cluster, app Face$/ },
  { description: 'delete of a flavor used by instances', rpc: 'FlavorApi/DeleteFlavor', request: large, code: 'FAILED_PRECONDITION', details: /^flavor x1\.large in use by app Go VM, cluster instance big-cluster, app instance Face$/ },
  { description: 'update setting ram to 0', rpc: 'FlavorApi/UpdateFlavor', request: { ...small, ram: 0n, fields: ['3'] }, code: 'INVALID_ARGUMENT', details: /^invalid ram: must be greater than 0$/ },

  // Cluster
  { description: 'cluster without a name', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({}), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: must not be empty$/ },
  { description: 'cluster name with an underscore', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({ key: { name: 'my_cluster' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "my_cluster" must match / },
  { description: 'cluster name with a space', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({ key: { name: 'my cluster' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "my cluster" must match / },
  { description: 'cluster name with the reserved prefix', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({ key: { name: 'autocluster-face' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "autocluster-face": the prefix autocluster is reserved/ },
  { description: 'cluster marked auto by a user', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({ key: { name: 'mine' }, auto: true }), code: 'INVALID_ARGUMENT', details: /^invalid auto: is set only by the controller/ },
  { description: 'cluster with a missing default flavor', rpc: 'ClusterApi/CreateCluster', request: Cluster.fromPartial({ key: { name: 'mine' }, default_flavor: { name: 'x9.huge' } }), code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'cluster that exists', rpc: 'ClusterApi/CreateCluster', request: bigCluster, code: 'ALREADY_EXISTS', details: /^cluster big-cluster already exists$/ },
  { description: 'delete of a missing cluster', rpc: 'ClusterApi/DeleteCluster', request: Cluster.fromPartial({ key: { name: 'gone' } }), code: 'NOT_FOUND', details: /^cluster gone not found$/ },
  { description: 'update of a missing cluster', rpc: 'ClusterApi/UpdateCluster', request: Cluster.fromPartial({ key: { name: 'gone' }, fields: ['3'] }), code: 'NOT_FOUND', details: /^cluster gone not found$/ },
  { description: 'delete of a cluster with instances', rpc: 'ClusterApi/DeleteCluster', request: bigCluster, code: 'FAILED_PRECONDITION', details: /^cluster big-cluster in use by cluster instance on cloudlet berlin-1/ },
  { description: 'cluster update to a missing default flavor', rpc: 'ClusterApi/UpdateCluster', request: { ...bigCluster, default_flavor: { name: 'x9.huge' }, fields: ['3'] }, code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'update of the auto flag', rpc: 'ClusterApi/UpdateCluster', request: { ...bigCluster, auto: true, fields: ['5'] }, code: 'INVALID_ARGUMENT', details: /^invalid auto: .*cannot be updated$/ },

  // App: key and references
  { description: 'app without a developer', rpc: 'AppApi/CreateApp', request: app({ key: appKey({ developer_key: { name: '' } }) }), code: 'INVALID_ARGUMENT', details: /^invalid key\.developer_key\.name: must not be empty$/ },
  { description: 'app of a missing developer', rpc: 'AppApi/CreateApp', request: app({ key: appKey({ developer_key: { name: 'Ghost' } }) }), code: 'NOT_FOUND', details: /^developer Ghost not found$/ },
  { description: 'app without a name', rpc: 'AppApi/CreateApp', request: app({ key: appKey({ name: '' }) }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: must not be empty$/ },
  { description: 'app name with a colon', rpc: 'AppApi/CreateApp', request: app({ key: appKey({ name: 'face:v1' }) }), code: 'INVALID_ARGUMENT', details: /^invalid key\.name: "face:v1" must match / },
  { description: 'app version with a slash', rpc: 'AppApi/CreateApp', request: app({ key: appKey({ version: '1/2' }) }), code: 'INVALID_ARGUMENT', details: /^invalid key\.version: "1\/2" must match / },
  { description: 'app without a default flavor', rpc: 'AppApi/CreateApp', request: app({ default_flavor: undefined }), code: 'INVALID_ARGUMENT', details: /^invalid default_flavor: must name a flavor$/ },
  { description: 'app with a missing default flavor', rpc: 'AppApi/CreateApp', request: app({ default_flavor: { name: 'x9.huge' } }), code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'app that exists', rpc: 'AppApi/CreateApp', request: face, code: 'ALREADY_EXISTS', details: /^app Face 1\.0 of developer AcmeX already exists$/ },
  // App: image and deployment
  { description: 'app of unknown image type without deployment', rpc: 'AppApi/CreateApp', request: app({ image_type: ImageType.IMAGE_TYPE_UNKNOWN }), code: 'INVALID_ARGUMENT', details: /^invalid image_type: must be IMAGE_TYPE_DOCKER or IMAGE_TYPE_QCOW when deployment is empty$/ },
  { description: 'app of an image type out of range', rpc: 'AppApi/CreateApp', request: app({ image_type: 7 as ImageType }), code: 'INVALID_ARGUMENT', details: /^invalid image_type: 7 is not a known ImageType$/ },
  { description: 'app with an unknown deployment', rpc: 'AppApi/CreateApp', request: app({ deployment: 'openshift' }), code: 'INVALID_ARGUMENT', details: /^invalid deployment: "openshift" is not one of kubernetes, docker, kvm, helm$/ },
  { description: 'kvm deployment of a docker image', rpc: 'AppApi/CreateApp', request: app({ deployment: 'kvm' }), code: 'INVALID_ARGUMENT', details: /^invalid image_type: deployment kvm needs IMAGE_TYPE_QCOW, not IMAGE_TYPE_DOCKER$/ },
  { description: 'helm deployment of a qcow image', rpc: 'AppApi/CreateApp', request: app({ deployment: 'helm', image_type: ImageType.IMAGE_TYPE_QCOW }), code: 'INVALID_ARGUMENT', details: /^invalid image_type: deployment helm needs IMAGE_TYPE_DOCKER, not IMAGE_TYPE_QCOW$/ },
  { description: 'docker app without an image path', rpc: 'AppApi/CreateApp', request: app({ deployment: 'docker', image_path: '' }), code: 'INVALID_ARGUMENT', details: /^invalid image_path: must not be empty for deployment docker$/ },
  { description: 'kvm app without an image path', rpc: 'AppApi/CreateApp', request: app({ image_type: ImageType.IMAGE_TYPE_QCOW, image_path: '' }), code: 'INVALID_ARGUMENT', details: /^invalid image_path: must not be empty for deployment kvm$/ },
  { description: 'image path with whitespace', rpc: 'AppApi/CreateApp', request: app({ image_path: 'registry.example.com/a b:1' }), code: 'INVALID_ARGUMENT', details: /^invalid image_path: .* must not contain whitespace$/ },
  // App: access ports, delete option, configs
  { description: 'access port 0', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'tcp:0' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "tcp:0": port "0" is not an integer from 1 to 65535$/ },
  { description: 'access port above 65535', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'tcp:80, udp:65536' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "udp:65536": port "65536" is not an integer/ },
  { description: 'access port protocol ftp', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'ftp:21' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "ftp:21": protocol "ftp" is not one of tcp, udp, http$/ },
  { description: 'access port without a colon', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'tcp80' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "tcp80" is not protocol:port/ },
  { description: 'access port listed twice', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'tcp:80,TCP:80' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "TCP:80" is listed more than once$/ },
  { description: 'access ports with an empty item', rpc: 'AppApi/CreateApp', request: app({ access_ports: 'tcp:80,,udp:53' }), code: 'INVALID_ARGUMENT', details: /^invalid access_ports: item 2 is empty/ },
  { description: 'unknown delete option', rpc: 'AppApi/CreateApp', request: app({ del_opt: 5 as DeleteType }), code: 'INVALID_ARGUMENT', details: /^invalid del_opt: 5 is not a known DeleteType$/ },
  { description: 'config of an unknown kind', rpc: 'AppApi/CreateApp', request: app({ configs: [{ kind: 'envVars', config: 'A=1' }] }), code: 'INVALID_ARGUMENT', details: /^invalid configs\[0\]\.kind: "envVars" is not one of k8s-manifest, helm-values, deploygen-config, envVarsYaml$/ },
  { description: 'empty config', rpc: 'AppApi/CreateApp', request: app({ configs: [{ kind: 'k8s-manifest', config: '' }] }), code: 'INVALID_ARGUMENT', details: /^invalid configs\[0\]\.config: must not be empty$/ },
  { description: 'helm values for a kubernetes app', rpc: 'AppApi/CreateApp', request: app({ configs: [{ kind: 'helm-values', config: 'a: 1' }] }), code: 'INVALID_ARGUMENT', details: /^invalid configs\[0\]\.kind: helm-values needs deployment helm, not kubernetes$/ },
  // App: delete and update
  { description: 'delete of a missing app', rpc: 'AppApi/DeleteApp', request: app({}), code: 'NOT_FOUND', details: /^app Other 1\.0 of developer AcmeX not found$/ },
  { description: 'update of a missing app', rpc: 'AppApi/UpdateApp', request: app({ fields: ['13'] }), code: 'NOT_FOUND', details: /^app Other 1\.0 of developer AcmeX not found$/ },
  { description: 'delete of an app with instances', rpc: 'AppApi/DeleteApp', request: face, code: 'FAILED_PRECONDITION', details: /^app Face 1\.0 of developer AcmeX in use by app instance on cluster big-cluster at cloudlet berlin-1$/ },
  { description: 'update to bad access ports', rpc: 'AppApi/UpdateApp', request: { ...face, access_ports: 'udp:x', fields: ['7'] }, code: 'INVALID_ARGUMENT', details: /^invalid access_ports: "udp:x": port "x"/ },
  { description: 'update of the image type alone', rpc: 'AppApi/UpdateApp', request: { ...face, image_type: ImageType.IMAGE_TYPE_QCOW, fields: ['5'] }, code: 'INVALID_ARGUMENT', details: /^invalid image_type: deployment kubernetes needs IMAGE_TYPE_DOCKER/ },
  { description: 'app update to a missing default flavor', rpc: 'AppApi/UpdateApp', request: { ...face, default_flavor: { name: 'x9.huge' }, fields: ['9'] }, code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'update emptying the default flavor', rpc: 'AppApi/UpdateApp', request: { ...face, default_flavor: undefined, fields: ['9'] }, code: 'INVALID_ARGUMENT', details: /^invalid default_flavor: must name a flavor$/ },
  { description: 'update with a path below a key name', rpc: 'AppApi/UpdateApp', request: { ...face, fields: ['2.1.2.1'] }, code: 'INVALID_ARGUMENT', details: /^invalid fields: "2\.1\.2\.1": field name has no sub-fields$/ },

  // ClusterInst
  { description: 'cluster instance without a cluster name', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cluster_key: { name: '' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cluster_key\.name: must not be empty$/ },
  { description: 'cluster instance name with an underscore', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cluster_key: { name: 'my_ci' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cluster_key\.name: "my_ci" must match / },
  { description: 'cluster instance with the reserved prefix', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cluster_key: { name: 'autoclusterx' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cluster_key\.name: "autoclusterx": the prefix autocluster is reserved/ },
  { description: 'cluster instance without an operator', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cloudlet_key: { name: 'berlin-1' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cloudlet_key\.operator_key\.name: must not be empty$/ },
  { description: 'cluster instance on a cloudlet name with a slash', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cloudlet_key: { operator_key: { name: 'TDG' }, name: 'a/b' } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cloudlet_key\.name: "a\/b" must match / },
  { description: 'cluster instance developer with a newline', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { developer: 'Acme\nX' }), code: 'INVALID_ARGUMENT', details: /^invalid key\.developer: /s },
  { description: 'cluster instance marked auto by a user', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ auto: true }), code: 'INVALID_ARGUMENT', details: /^invalid auto: is set only by the controller/ },
  { description: 'cluster instance ip access out of range', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ ip_access: 9 as IpAccess }), code: 'INVALID_ARGUMENT', details: /^invalid ip_access: 9 is not a known value$/ },
  { description: 'cluster instance crm override out of range', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ crm_override: 9 as CRMOverride }), code: 'INVALID_ARGUMENT', details: /^invalid crm_override: 9 is not a known value$/ },
  { description: 'cluster instance of an unknown deployment', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ deployment: 'vmware' }), code: 'INVALID_ARGUMENT', details: /^invalid deployment: "vmware" is not one of kubernetes, docker$/ },
  { description: 'cluster instance on a missing cloudlet', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({}, { cloudlet_key: { operator_key: { name: 'TDG' }, name: 'nowhere' } }), code: 'NOT_FOUND', details: /^cloudlet nowhere of operator TDG not found$/ },
  { description: 'cluster instance on a cloudlet whose CRM never reported', rpc: 'ClusterInstApi/CreateClusterInst', request: ci(), code: 'FAILED_PRECONDITION', details: /^cloudlet berlin-1 not ready, state is CLOUDLET_STATE_UNKNOWN/ },
  { description: 'cluster instance of a missing flavor', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ flavor: { name: 'x9.huge' }, crm_override: IGNORE_CRM }), code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'cluster instance without a flavor or cluster default', rpc: 'ClusterInstApi/CreateClusterInst', request: ci({ flavor: undefined, crm_override: IGNORE_CRM }), code: 'INVALID_ARGUMENT', details: /^invalid flavor\.name: is required/ },
  { description: 'cluster instance that exists', rpc: 'ClusterInstApi/CreateClusterInst', request: { ...bigInst, crm_override: IGNORE_CRM }, code: 'ALREADY_EXISTS', details: /^ClusterInst big-cluster on cloudlet berlin-1 already exists$/ },
  { description: 'delete of a missing cluster instance', rpc: 'ClusterInstApi/DeleteClusterInst', request: ci({}, { cluster_key: { name: 'gone' } }), code: 'NOT_FOUND', details: /^ClusterInst gone on cloudlet berlin-1 not found$/ },
  { description: 'delete of a cluster instance with app instances', rpc: 'ClusterInstApi/DeleteClusterInst', request: bigInst, code: 'FAILED_PRECONDITION', details: /^ClusterInst big-cluster on cloudlet berlin-1 in use by AppInst Face 1\.0 on cluster big-cluster of cloudlet berlin-1$/ },
  { description: 'cluster instance update of the flavor', rpc: 'ClusterInstApi/UpdateClusterInst', request: { ...bigInst, fields: ['3'] }, code: 'INVALID_ARGUMENT', details: /^invalid fields: "3" cannot be updated; only num_nodes \(14\) can$/ },
  { description: 'update of a missing cluster instance', rpc: 'ClusterInstApi/UpdateClusterInst', request: ci({ fields: ['14'], num_nodes: 2 }, { cluster_key: { name: 'gone' } }), code: 'NOT_FOUND', details: /^ClusterInst gone on cloudlet berlin-1 not found$/ },
  { description: 'node count update of a cluster without masters', rpc: 'ClusterInstApi/UpdateClusterInst', request: { ...bigInst, fields: ['14'], num_nodes: 3 }, code: 'FAILED_PRECONDITION', details: /^ClusterInst big-cluster on cloudlet berlin-1 has no masters/ },

  // AppInst
  { description: 'app instance without an app name', rpc: 'AppInstApi/CreateAppInst', request: ai({}, 'big-cluster', { name: '' }), code: 'INVALID_ARGUMENT', details: /^invalid key\.app_key\.name: must not be empty$/ },
  { description: 'app instance on a cluster name with a space', rpc: 'AppInstApi/CreateAppInst', request: ai({}, 'big cluster'), code: 'INVALID_ARGUMENT', details: /^invalid key\.cluster_inst_key\.cluster_key\.name: "big cluster" must match / },
  { description: 'app instance of another developer\'s cluster', rpc: 'AppInstApi/CreateAppInst', request: ai({ key: { ...ai().key, cluster_inst_key: { ...bigInst.key!, developer: 'Niantic' } } }), code: 'INVALID_ARGUMENT', details: /^invalid key\.cluster_inst_key\.developer: "Niantic" differs from the app's developer "AcmeX"$/ },
  { description: 'app instance auto-cluster ip access out of range', rpc: 'AppInstApi/CreateAppInst', request: ai({ auto_cluster_ip_access: 7 as IpAccess }), code: 'INVALID_ARGUMENT', details: /^invalid auto_cluster_ip_access: 7 is not a known value$/ },
  { description: 'app instance of a missing app', rpc: 'AppInstApi/CreateAppInst', request: ai({ crm_override: IGNORE_CRM }, 'big-cluster', { name: 'Ghost' }), code: 'NOT_FOUND', details: /^app Ghost 1\.0 of developer AcmeX not found$/ },
  { description: 'app instance on a cloudlet whose CRM never reported', rpc: 'AppInstApi/CreateAppInst', request: ai(), code: 'FAILED_PRECONDITION', details: /^cloudlet berlin-1 not ready, state is CLOUDLET_STATE_UNKNOWN/ },
  { description: 'app instance on a missing cluster instance', rpc: 'AppInstApi/CreateAppInst', request: ai({ crm_override: IGNORE_CRM }), code: 'NOT_FOUND', details: /^cluster instance big-cluster on cloudlet berlin-1 not found$/ },
  { description: 'app instance of a missing flavor', rpc: 'AppInstApi/CreateAppInst', request: ai({ crm_override: IGNORE_CRM, flavor: { name: 'x9.huge' } }), code: 'NOT_FOUND', details: /^flavor x9\.huge not found$/ },
  { description: 'app instance update', rpc: 'AppInstApi/UpdateAppInst', request: faceInst, code: 'UNIMPLEMENTED', details: /^update of app instances is not supported/ },
  { description: 'delete of a missing app instance', rpc: 'AppInstApi/DeleteAppInst', request: ai({}, 'gone'), code: 'NOT_FOUND', details: /^AppInst Face 1\.0 on cluster gone of cloudlet berlin-1 not found$/ },
];

// ---- running a row -------------------------------------------------------------------------------------------
interface MethodDefinition {
  readonly path: string;
  readonly responseStream: boolean;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(value: Buffer): unknown;
}

/** The services the table calls; add a generated `*Service` definition to cover another. */
const services = [OperatorApiService, DeveloperApiService, FlavorApiService, ClusterApiService, AppApiService, ClusterInstApiService, AppInstApiService] as unknown as Record<string, MethodDefinition>[];

function method(rpc: string): MethodDefinition {
  const def = services.flatMap((s) => Object.values(s)).find((d) => d.path === `/edgeproto.${rpc}`);
  if (!def) throw new Error(`no service in the table runner has rpc ${rpc}`);
  return def;
}

/** Calls `rpc` with `request` as a real client would; a streamed response is read to its end. */
function invoke(client: grpc.Client, rpc: string, request: unknown): Promise<unknown> {
  const def = method(rpc);
  if (def.responseStream) {
    return collect(client.makeServerStreamRequest(def.path, (v: unknown) => def.requestSerialize(v), (b: Buffer) => def.responseDeserialize(b), request));
  }
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(def.path, (v: unknown) => def.requestSerialize(v), (b: Buffer) => def.responseDeserialize(b), request,
      (err: grpc.ServiceError | null, res?: unknown) => (err ? reject(err) : resolve(res)));
  });
}

// ---- the test --------------------------------------------------------------------------------------------------
let ctl: TestController;
let c: CatalogClients;
let raw: grpc.Client;

async function seed(): Promise<void> {
  await call(c.operators.createOperator.bind(c.operators), tdg);
  await call(c.developers.createDeveloper.bind(c.developers), acme);
  await call(c.developers.createDeveloper.bind(c.developers), niantic);
  await call(c.flavors.createFlavor.bind(c.flavors), small);
  await call(c.flavors.createFlavor.bind(c.flavors), large);
  await call(c.clusters.createCluster.bind(c.clusters), bigCluster);
  await call(c.apps.createApp.bind(c.apps), face);
  await call(c.apps.createApp.bind(c.apps), vmApp);
  const { kinds } = ctl.controller;
  await putStored(ctl, kinds.cloudlet, berlin);
  await putStored(ctl, kinds.clusterInst, bigInst);
  await putStored(ctl, kinds.appInst, faceInst);
}

/** Everything the API shows, plus the users stored directly, sorted for comparison. */
async function everything(): Promise<Record<string, unknown[]>> {
  const { kinds, objects } = ctl.controller;
  const byKey = (a: unknown, b: unknown): number => JSON.stringify((a as { key?: unknown }).key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    .localeCompare(JSON.stringify((b as { key?: unknown }).key));
  return {
    operators: (await collect(c.operators.showOperator(Operator.fromPartial({})))).sort(byKey),
    developers: (await collect(c.developers.showDeveloper(Developer.fromPartial({})))).sort(byKey),
    flavors: (await collect(c.flavors.showFlavor(Flavor.fromPartial({})))).sort(byKey),
    clusters: (await collect(c.clusters.showCluster(Cluster.fromPartial({})))).sort(byKey),
    apps: (await collect(c.apps.showApp(App.fromPartial({})))).sort(byKey),
    cloudlets: objects.cache(kinds.cloudlet).values(),
    clusterInsts: objects.cache(kinds.clusterInst).values(),
    appInsts: objects.cache(kinds.appInst).values(),
  };
}

describe('invalid requests', () => {
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    ctl = await startTestController();
    c = catalogClients(ctl.apiAddress);
    raw = new grpc.Client(ctl.apiAddress, insecure);
    await seed();
    before = await everything();
  });
  afterAll(async () => {
    raw.close();
    c.close();
    await ctl.close();
  });

  it('has a table of at least 40 distinct rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.description)).size).toBe(rows.length);
  });

  it.each(rows.map((r) => [r.rpc, r.description, r] as const))('%s: %s', async (_rpc, _description, row) => {
    const got = await failure(invoke(raw, row.rpc, row.request));
    expect(got.code).toBe(row.code);
    expect(got.details).toMatch(row.details);
  });

  it('leaves the store exactly as seeded', async () => {
    const after = await everything();
    expect(after).toEqual(before);
    const names = (list: unknown[] | undefined): string[] => (list ?? []).map((o) => (o as { key?: { name?: string } }).key?.name ?? '');
    expect(names(after.operators)).toEqual(['TDG']);
    expect(names(after.developers)).toEqual(['AcmeX', 'Niantic']);
    expect(names(after.flavors)).toEqual(['x1.large', 'x1.small']);
    expect(names(after.clusters)).toEqual(['big-cluster']);
    expect(after.apps).toEqual([{ ...face, deployment: 'kubernetes' }, { ...vmApp, deployment: 'kvm' }]);
    expect(after.cloudlets).toEqual([berlin]);
    expect(after.clusterInsts).toEqual([bigInst]);
    expect(after.appInsts).toEqual([faceInst]);
  });
});
