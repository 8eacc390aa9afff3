/**
 * Fixtures of the `docker` section: the desired objects a controller would send for N AppInsts of deployment docker
 * on one ClusterInst (each AppInst runs its own App: httpd of the local test image on port 8080, published on
 * 127.0.0.1 at a port Docker picks), the raw container options of the baseline (what the driver asks Docker for,
 * written out by hand: same image, command, labels, limits, restart policy, network and port), and a few daemon
 * helpers (list and purge by cloudlet label, GET of a published port).
 */
import { request } from 'node:http';

import type Docker from 'dockerode';

import { DockerNaming } from '../../platforms/docker/index.js';
import { App, ImageType } from '../../src/gen/edgeproto/app.js';
import { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { IpAccess, type TrackedState } from '../../src/gen/edgeproto/common.js';
import { Flavor } from '../../src/gen/edgeproto/flavor.js';
import { keyString } from '../../src/wire/object-key.js';

const DEVELOPER = 'AcmeRobotics';
const CLUSTER = 'bench-docker-0';
/** The port httpd listens on in every container. */
export const APP_PORT = 8080;
/** The driver's label and name prefix (its default). */
const LABEL_PREFIX = 'cloudletd';
/** The driver's default restart policy cap. */
const RESTART_MAX = 5;

/** The one Flavor of the section: 1 vCPU, 1024 MB, 10 GB (AppInsts and the ClusterInst). */
export const BENCH_FLAVOR = Flavor.fromPartial({ key: { name: 'x1.small' }, ram: 1024n, vcpus: 1n, disk: 10n });

/** Driver settings of the section: the socket, ports on 127.0.0.1, nothing pulled, a flavor for x1.small. */
export function benchDriverSettings(socketPath: string): Record<string, unknown> {
  return {
    socketPath,
    hostIp: '127.0.0.1',
    pull: 'never',
    flavors: [{ name: 'docker.small', vcpus: 1, ram: 1024, disk: 10 }],
    limits: { vcores: 1024, ram: 1_048_576, disk: 100_000 },
  };
}

/** `httpd -f -p 8080 -h /www` as App.command and as argv. */
const COMMAND = `httpd -f -p ${APP_PORT} -h /www`;
const ARGV = COMMAND.split(' ');

function clusterInstKey(cloudlet: CloudletKey) {
  return { cluster_key: { name: CLUSTER }, cloudlet_key: cloudlet, developer: DEVELOPER };
}

function appInstKey(cloudlet: CloudletKey, n: number) {
  return { app_key: { developer_key: { name: DEVELOPER }, name: `bench-web-${n}`, version: '1.0' }, cluster_inst_key: clusterInstKey(cloudlet) };
}

/** The ClusterInst all AppInsts run on: deployment docker, dedicated access, no masters, one node. */
export function benchClusterInst(cloudlet: CloudletKey, state: TrackedState): ClusterInst {
  return ClusterInst.fromPartial({
    key: clusterInstKey(cloudlet),
    flavor: { name: BENCH_FLAVOR.key!.name },
    deployment: 'docker',
    ip_access: IpAccess.IP_ACCESS_DEDICATED,
    num_masters: 0,
    num_nodes: 1,
    state,
  });
}

/** App `n`: the test image's httpd on 8080. */
export function benchApp(n: number, image: string): App {
  return App.fromPartial({
    key: { developer_key: { name: DEVELOPER }, name: `bench-web-${n}`, version: '1.0' },
    image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: image,
    deployment: 'docker',
    command: COMMAND,
    access_ports: `tcp:${APP_PORT}`,
    default_flavor: { name: BENCH_FLAVOR.key!.name },
  });
}

/** AppInst `n` (of App `n`) on the ClusterInst, flavor x1.small, in `state`; no mapped ports (Docker picks the host port). */
export function benchAppInst(cloudlet: CloudletKey, n: number, state: TrackedState): AppInst {
  return AppInst.fromPartial({
    key: appInstKey(cloudlet, n),
    flavor: { name: BENCH_FLAVOR.key!.name },
    state,
  });
}

/** The key string of AppInst `n`. */
export function benchAppInstKey(cloudlet: CloudletKey, n: number): string {
  return keyString.appInst(appInstKey(cloudlet, n));
}

/** The driver's naming for `cloudlet`. */
export function namingOf(cloudlet: CloudletKey): DockerNaming {
  return new DockerNaming(LABEL_PREFIX, keyString.cloudlet(cloudlet));
}

/** Labels of the baseline's network, as the driver puts on a ClusterInst's network. */
export function rawNetworkLabels(cloudlet: CloudletKey): Record<string, string> {
  const naming = namingOf(cloudlet);
  const l = naming.labels;
  const key = keyString.clusterInst(clusterInstKey(cloudlet));
  return {
    ...naming.base('ClusterInst'),
    [l.clusterInst]: key,
    [l.clusterInstId]: naming.id(key),
    [l.numNodes]: '1',
    [l.network]: 'bridge',
    [l.vcpus]: '1',
    [l.ramMb]: '1024',
    [l.diskGb]: '10',
  };
}

/**
 * The create options of AppInst `n`'s container as the baseline gives them to Docker: the same name scheme, image,
 * command, the same ten labels, NanoCpus and Memory of x1.small, restart policy on-failure:5, the network with the
 * App's name as alias, port 8080/tcp published on 127.0.0.1 at a port Docker picks.
 */
export function rawContainerOptions(cloudlet: CloudletKey, n: number, image: string, network: string): Docker.ContainerCreateOptions {
  const naming = namingOf(cloudlet);
  const l = naming.labels;
  const key = benchAppInstKey(cloudlet, n);
  const clusterKey = keyString.clusterInst(clusterInstKey(cloudlet));
  const name = naming.containerName(key, 'main');
  const port = `${APP_PORT}/tcp`;
  return {
    name,
    Image: image,
    Cmd: [...ARGV],
    Env: [],
    Labels: {
      ...naming.base('AppInst'),
      [l.appInst]: key,
      [l.appInstId]: naming.id(key),
      [l.clusterInst]: clusterKey,
      [l.clusterInstId]: naming.id(clusterKey),
      [l.container]: 'main',
      [l.containers]: '1',
      [l.restartMax]: String(RESTART_MAX),
    },
    ExposedPorts: { [port]: {} },
    HostConfig: {
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: RESTART_MAX },
      NetworkMode: network,
      NanoCpus: 1e9,
      Memory: 1024 * 1024 * 1024,
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [`bench-web-${n}`] } } },
  };
}

/** A label filter for everything labelled for `cloudlet` (of `kind`, when given). */
export function cloudletFilter(cloudlet: CloudletKey, kind?: 'AppInst' | 'ClusterInst'): { label: string[] } {
  return namingOf(cloudlet).filter(kind);
}

/** The containers labelled for `cloudlet` (running or not). */
export function containersOf(docker: Docker, cloudlet: CloudletKey): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: cloudletFilter(cloudlet, 'AppInst') });
}

function ignoreGone(e: unknown): void {
  const status = (e as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw e;
}

/** Removes the containers labelled for `cloudlet` (force, with anonymous volumes), `concurrency` at a time. */
export async function removeContainers(docker: Docker, cloudlet: CloudletKey, concurrency: number): Promise<number> {
  const list = await containersOf(docker, cloudlet);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const c = list[next++]!;
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  return list.length;
}

/** Removes every container, network and volume labelled for `cloudlet`. */
export async function purgeCloudlet(docker: Docker, cloudlet: CloudletKey): Promise<void> {
  const filters = cloudletFilter(cloudlet);
  await removeContainers(docker, cloudlet, 8);
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(ignoreGone);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(ignoreGone);
}

/** GET http://127.0.0.1:`port`/ on a fresh connection: the body of a 200 answer, else undefined. */
export function pageOf(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The host port Docker published 8080/tcp of container `id` on. */
export async function publishedPort(docker: Docker, id: string): Promise<number> {
  const info = await docker.getContainer(id).inspect();
  const binding = info.NetworkSettings.Ports?.[`${APP_PORT}/tcp`]?.[0];
  const port = Number(binding?.HostPort);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`container ${info.Name} publishes no port for ${APP_PORT}/tcp`);
  return port;
}
