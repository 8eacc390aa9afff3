import { App } from '../../src/gen/edgeproto/app.js';
import { AppInst, AppInstInfo } from '../../src/gen/edgeproto/app_inst.js';
import { Cloudlet, CloudletInfo, CloudletState } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { Flavor } from '../../src/gen/edgeproto/flavor.js';
import { TrackedState, Liveness } from '../../src/gen/edgeproto/common.js';
import { LProto } from '../../src/gen/dme/appcommon.js';

/** Cloudlet key of the given name under operator TDG. */
export function cloudletKey(name: string) {
  return { operator_key: { name: 'TDG' }, name };
}

export function flavor(name: string, ram = 4096n): Flavor {
  return Flavor.fromPartial({ key: { name }, ram, vcpus: 2n, disk: 40n });
}

export function cloudlet(name: string): Cloudlet {
  return Cloudlet.fromPartial({ key: cloudletKey(name), access_uri: `${name}.example`, location: { latitude: 52.5, longitude: 13.4 } });
}

export function cloudletInfo(name: string, state = CloudletState.CLOUDLET_STATE_READY): CloudletInfo {
  return CloudletInfo.fromPartial({ key: cloudletKey(name), state, os_max_ram: 65536n, os_max_vcores: 16n, os_max_vol_gb: 500n });
}

export function clusterInst(cluster: string, cloudletName: string): ClusterInst {
  return ClusterInst.fromPartial({
    key: { cluster_key: { name: cluster }, cloudlet_key: cloudletKey(cloudletName), developer: 'Acme' },
    flavor: { name: 'x1.medium' },
    state: TrackedState.READY,
  });
}

export function app(name: string): App {
  return App.fromPartial({ key: { developer_key: { name: 'Acme' }, name, version: '1.0' }, image_path: `registry.example/${name}:1.0`, access_ports: 'tcp:8008' });
}

/** A realistic AppInst (about 300 bytes encoded). */
export function appInst(appName: string, cluster: string, cloudletName: string, n = 0): AppInst {
  return AppInst.fromPartial({
    key: {
      app_key: { developer_key: { name: 'Acme' }, name: appName, version: '1.0' },
      cluster_inst_key: { cluster_key: { name: cluster }, cloudlet_key: cloudletKey(cloudletName), developer: 'Acme' },
    },
    cloudlet_loc: { latitude: 52.52, longitude: 13.405, altitude: 34.5 },
    uri: `${appName}-${n}.${cloudletName}.tdg.example.net`,
    liveness: Liveness.LIVENESS_STATIC,
    mapped_ports: [
      { proto: LProto.L_PROTO_TCP, internal_port: 8008, public_port: 10000 + (n % 50000) },
      { proto: LProto.L_PROTO_HTTP, internal_port: 443, public_port: 443, path_prefix: appName },
    ],
    flavor: { name: 'x1.medium' },
    state: TrackedState.READY,
    runtime_info: { container_ids: [`${appName}-${n}-0`, `${appName}-${n}-1`] },
    created_at: { seconds: 1558656000n + BigInt(n), nanos: 1 },
  });
}

export function appInstInfo(inst: AppInst, state = TrackedState.READY): AppInstInfo {
  return AppInstInfo.fromPartial({ key: inst.key, state });
}
