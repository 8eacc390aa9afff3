/**
 * What the Docker integration tests read and clean on the daemon itself (through dockerode, beside the driver):
 * the containers, networks and volumes the driver labelled for one cloudlet, a purge of them, free loopback ports,
 * and plain HTTP/TCP probes of published ports. Never pulls anything; talks only to the unix socket it is given.
 */
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import Docker from 'dockerode';
import { DockerNaming } from '../../platforms/docker/index.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { keyString } from '../../src/wire/object-key.js';

/** The driver's default label prefix (settings `labelPrefix`). */
export const LABEL_PREFIX = 'cloudletd';

/** A dockerode client on `socketPath` only (DOCKER_HOST and friends in the environment change nothing). */
export function dockerClient(socketPath: string): Docker {
  return new Docker({ socketPath, host: undefined, port: undefined, protocol: 'http' } as Docker.DockerOptions);
}

/** The driver's names and labels for `cloudletKey` (default prefix). */
export function namingOf(cloudletKey: CloudletKey): DockerNaming {
  return new DockerNaming(LABEL_PREFIX, keyString.cloudlet(cloudletKey));
}

/** A label filter for the objects of `cloudletKey`, with extra `label=value` terms. */
export function cloudletFilter(cloudletKey: CloudletKey, ...more: string[]): { label: string[] } {
  const naming = namingOf(cloudletKey);
  return { label: [`${naming.labels.cloudletId}=${naming.cloudletId}`, ...more] };
}

/** Every container (running or not) labelled for `cloudletKey`; of the AppInst `appInstKey` only, when given. */
export async function cloudletContainers(docker: Docker, cloudletKey: CloudletKey, appInstKey?: string): Promise<Docker.ContainerInfo[]> {
  const naming = namingOf(cloudletKey);
  const more = appInstKey === undefined ? [] : [`${naming.labels.appInstId}=${naming.id(appInstKey)}`];
  return docker.listContainers({ all: true, filters: cloudletFilter(cloudletKey, ...more) });
}

/** Names of the networks and volumes labelled for `cloudletKey`. */
export async function cloudletNetworksAndVolumes(docker: Docker, cloudletKey: CloudletKey): Promise<{ networks: string[]; volumes: string[] }> {
  const filters = cloudletFilter(cloudletKey);
  const [networks, volumes] = await Promise.all([docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  return { networks: networks.map((n) => n.Name).sort(), volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort() };
}

/** Identity of a container across a restart of whoever manages it: its id and when it last started. */
export interface ContainerIdentity {
  readonly name: string;
  readonly id: string;
  readonly startedAt: string;
  readonly status: string;
}

/** `docker inspect` of every container of `cloudletKey`: name, id, State.StartedAt, State.Status, sorted by name. */
export async function containerIdentities(docker: Docker, cloudletKey: CloudletKey): Promise<ContainerIdentity[]> {
  const out: ContainerIdentity[] = [];
  for (const c of await cloudletContainers(docker, cloudletKey)) {
    const info = await docker.getContainer(c.Id).inspect();
    out.push({ name: info.Name.replace(/^\//, ''), id: info.Id, startedAt: info.State.StartedAt, status: info.State.Status });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function ignoreGone(e: unknown): void {
  const status = (e as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw e;
}

/** Removes every container, network and volume labelled for `cloudletKey`; resolves to how many there were. */
export async function purgeCloudlet(docker: Docker, cloudletKey: CloudletKey): Promise<number> {
  const filters = cloudletFilter(cloudletKey);
  let removed = 0;
  for (const c of await docker.listContainers({ all: true, filters })) {
    removed++;
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone);
  }
  for (const n of await docker.listNetworks({ filters })) {
    removed++;
    await docker.getNetwork(n.Id).remove().catch(ignoreGone);
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    removed++;
    await docker.getVolume(v.Name).remove().catch(ignoreGone);
  }
  return removed;
}

/**
 * Purges `cloudletKey` until a pass finds nothing (a request the daemon was still finishing can add an object
 * just after a pass). Best effort: gives up quietly after 5 passes or when the daemon cannot be reached.
 */
export async function purgeUntilClean(docker: Docker, cloudletKey: CloudletKey): Promise<void> {
  for (let i = 0; i < 5; i++) {
    let removed: number;
    try {
      removed = await purgeCloudlet(docker, cloudletKey);
    } catch {
      return;
    }
    if (removed === 0) return;
  }
}

/** A free TCP port on 127.0.0.1 (bound to port 0, read, closed: a later bind may race, good enough for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `count` distinct free ports (see {@link freePort}). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** GET http://127.0.0.1:`port``path` on a fresh connection; resolves to `{ status, body }`, rejects on any error. */
export function httpGet(port: number, path = '/', timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves to the body when GET 127.0.0.1:`port`/ answers 200, else to undefined (for waitFor). */
export async function pageOf(port: number): Promise<string | undefined> {
  try {
    const { status, body } = await httpGet(port);
    return status === 200 ? body : undefined;
  } catch {
    return undefined;
  }
}

/** How a TCP connect to 127.0.0.1:`port` ends: `open`, or the error code (`ECONNREFUSED`...). */
export function tcpProbe(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: string): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done('open'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
