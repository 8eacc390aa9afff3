/**
 * The demo data of `cloudletd up --demo`: what a small edge deployment looks like. Two operators with three
 * cloudlets in three cities, three flavors, one game developer with two apps, a ClusterInst per cloudlet and both
 * apps on each. Pure data: {@link demoData} builds fresh objects on every call; `demo-seed.ts` creates them through
 * the controller's API.
 */
import { App, ImageType } from '../gen/edgeproto/app.js';
import { AppInst } from '../gen/edgeproto/app_inst.js';
import { Cloudlet, type CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { ClusterInst, type ClusterInstKey } from '../gen/edgeproto/clusterinst.js';
import { IpAccess, IpSupport } from '../gen/edgeproto/common.js';
import { Developer } from '../gen/edgeproto/developer.js';
import { Flavor } from '../gen/edgeproto/flavor.js';
import { Operator } from '../gen/edgeproto/operator.js';

/** Every object of the demo, in the order they are created (each list only refers to the lists before it). */
export interface DemoData {
  readonly operators: Operator[];
  readonly cloudlets: Cloudlet[];
  readonly flavors: Flavor[];
  readonly developers: Developer[];
  readonly apps: App[];
  /** One per cloudlet, in the order of `cloudlets`. */
  readonly clusterInsts: ClusterInst[];
  /** Every app on every ClusterInst. */
  readonly appInsts: AppInst[];
}

/** The developer that owns the demo apps and clusters. */
export const DEMO_DEVELOPER = 'AcmeGames';

/** The name of the demo cluster on each cloudlet (a Kubernetes-style name). */
export const DEMO_CLUSTER = 'acme-games';

/** The demo cloudlets: operator, name, city and coordinates (WGS 84 degrees). */
const SITES = [
  { operator: 'TDG', name: 'berlin-edge-1', city: 'Berlin', latitude: 52.52, longitude: 13.405 },
  { operator: 'TDG', name: 'munich-edge-1', city: 'Munich', latitude: 48.137, longitude: 11.575 },
  { operator: 'Orange', name: 'paris-edge-1', city: 'Paris', latitude: 48.857, longitude: 2.352 },
] as const;

/** `OPERATOR/NAME` of a cloudlet key, as the cli prints and parses cloudlets. Pure. */
export function cloudletLabel(key: CloudletKey | undefined): string {
  return `${key?.operator_key?.name ?? ''}/${key?.name ?? ''}`;
}

function cloudletKey(operator: string, name: string): CloudletKey {
  return { operator_key: { name: operator }, name };
}

function clusterInstKey(cloudlet: CloudletKey): ClusterInstKey {
  return { cluster_key: { name: DEMO_CLUSTER }, cloudlet_key: cloudlet, developer: DEMO_DEVELOPER };
}

/**
 * Builds the demo data (fresh, mutable objects on each call). Every object is valid for the controller's API:
 * names follow the object-name rules, coordinates are in range, flavors are non-zero, the apps are docker
 * deployments of docker images with parseable access ports, and every reference (operator, flavor, developer,
 * app, ClusterInst) points at an object earlier in the order. Pure.
 */
export function demoData(): DemoData {
  const operators = [...new Set(SITES.map((s) => s.operator))].map((name) => Operator.fromPartial({ key: { name } }));
  const cloudlets = SITES.map((s) =>
    Cloudlet.fromPartial({
      key: cloudletKey(s.operator, s.name),
      location: { latitude: s.latitude, longitude: s.longitude },
      ip_support: IpSupport.IP_SUPPORT_DYNAMIC,
      num_dynamic_ips: 8,
    }),
  );
  const flavors = [
    Flavor.fromPartial({ key: { name: 'x1.small' }, vcpus: 1n, ram: 2048n, disk: 20n }),
    Flavor.fromPartial({ key: { name: 'x1.medium' }, vcpus: 2n, ram: 4096n, disk: 40n }),
    Flavor.fromPartial({ key: { name: 'x1.large' }, vcpus: 4n, ram: 8192n, disk: 80n }),
  ];
  const developers = [
    Developer.fromPartial({
      key: { name: DEMO_DEVELOPER },
      username: 'acme-ops',
      email: 'edge-ops@acmegames.example',
      address: 'Friedrichstraße 68, 10117 Berlin, Germany',
    }),
  ];
  const apps = [
    App.fromPartial({
      key: { developer_key: { name: DEMO_DEVELOPER }, name: 'arena-server', version: '1.4.2' },
      image_type: ImageType.IMAGE_TYPE_DOCKER,
      image_path: 'docker.io/acmegames/arena-server:1.4.2',
      deployment: 'docker',
      access_ports: 'tcp:7777,udp:7777',
      default_flavor: { name: 'x1.medium' },
      command: '/app/arena-server --port 7777',
    }),
    App.fromPartial({
      key: { developer_key: { name: DEMO_DEVELOPER }, name: 'leaderboard', version: '2.1.0' },
      image_type: ImageType.IMAGE_TYPE_DOCKER,
      image_path: 'docker.io/acmegames/leaderboard:2.1.0',
      deployment: 'docker',
      access_ports: 'http:8080',
      default_flavor: { name: 'x1.small' },
    }),
  ];
  const clusterInsts = cloudlets.map((c) =>
    ClusterInst.fromPartial({
      key: clusterInstKey(c.key as CloudletKey),
      flavor: { name: 'x1.large' },
      deployment: 'docker',
      num_masters: 0,
      num_nodes: 1,
      ip_access: IpAccess.IP_ACCESS_SHARED,
    }),
  );
  const appInsts = clusterInsts.flatMap((ci) =>
    apps.map((app) => AppInst.fromPartial({ key: { app_key: app.key, cluster_inst_key: ci.key } })),
  );
  return { operators, cloudlets, flavors, developers, apps, clusterInsts, appInsts };
}

/** The city of a demo cloudlet, for titles ("berlin-edge-1 (Berlin)"); undefined for other cloudlets. Pure. */
export function demoCity(key: CloudletKey | undefined): string | undefined {
  return SITES.find((s) => s.operator === key?.operator_key?.name && s.name === key.name)?.city;
}
