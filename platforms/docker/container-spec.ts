/**
 * The containers an AppInst consists of, as Docker create options: the main container (the App's image, command,
 * environment and published ports) and the extra containers of its deployment manifest, all labelled with the
 * AppInst's key, sized by its Flavor, restarted on failure, and networked like its ClusterInst. Pure.
 */
import type Docker from 'dockerode';
import { failedPrecondition, invalidArgument } from '../../src/core/errors.js';
import { ImageType } from '../../src/gen/edgeproto/app.js';
import type { AppInstSpec } from '../../src/platform/platform.js';
import { keyString } from '../../src/wire/object-key.js';
import { appEnvironment, extraContainers, publishedPorts, splitCommand, type ExtraContainer } from './app-config.js';
import type { ClusterNetworkMode } from './clusters.js';
import type { DockerNaming } from './naming.js';

/** The role of the App's own container. */
export const MAIN = 'main';

/** Deployments the driver runs (an App without deployment counts as docker). */
const DEPLOYMENTS = new Set(['docker', '']);

/** One container to run: its role (`main` or the extra's name), Docker name, image and create options. */
export interface DesiredContainer {
  readonly role: string;
  readonly name: string;
  readonly image: string;
  readonly options: Docker.ContainerCreateOptions;
}

/** Where the AppInst's containers go and how they are limited. */
export interface ContainerPlacement {
  readonly naming: DockerNaming;
  /** The network mode of its ClusterInst; `network` is the bridge network's name in mode `bridge`. */
  readonly mode: ClusterNetworkMode;
  readonly network: string | undefined;
  readonly hostIp: string;
  readonly restartMaxRetries: number;
  /** CPUs of the host: the flavor's vCPUs are capped to it (Docker refuses more). */
  readonly hostCpus: number;
}

/**
 * Checks what the driver can run and reads the App's settings: FAILED_PRECONDITION for a deployment other than
 * docker or a non-Docker image type; INVALID_ARGUMENT naming the App field for a bad command, environment,
 * manifest or port list. Returns the roles (main first, then the extras in manifest order) and the parsed parts.
 */
export function readApp(spec: AppInstSpec): { roles: string[]; command: string[]; env: string[]; extras: ExtraContainer[] } {
  const { app } = spec;
  if (!DEPLOYMENTS.has(app.deployment)) {
    throw failedPrecondition(`deployment ${app.deployment} is not supported by the docker platform (only docker)`, 'app.deployment');
  }
  if (app.image_type !== ImageType.IMAGE_TYPE_DOCKER && app.image_type !== ImageType.IMAGE_TYPE_UNKNOWN) {
    throw failedPrecondition(`image type ${ImageType[app.image_type] ?? app.image_type} is not supported by the docker platform`, 'app.image_type');
  }
  if (app.image_path.trim() === '' || /\s/.test(app.image_path)) throw invalidArgument('app.image_path', 'must be an image name without whitespace');
  const extras = extraContainers(app.deployment_manifest);
  return { roles: [MAIN, ...extras.map((e) => e.name)], command: splitCommand(app.command), env: appEnvironment(app.configs), extras };
}

/** A DNS name for the container on its network: the App name (main) or the extra's name, lower case. Pure. */
function alias(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'app'
  );
}

/**
 * The create options of every container of the AppInst (main first). Labels: the cloudlet's, `kind=AppInst`, the
 * AppInst's and ClusterInst's key strings and ids, the role, the container count and the restart cap. Ports are
 * published on `hostIp` by the main container in mode `bridge` only. The Flavor sets NanoCpus (capped to the
 * host's CPUs) and Memory on every container.
 */
export function desiredContainers(spec: AppInstSpec, place: ContainerPlacement): DesiredContainer[] {
  const { naming } = place;
  const l = naming.labels;
  const app = readApp(spec);
  const clusterKey = keyString.clusterInst(spec.appInst.key?.cluster_inst_key);
  const labelsOf = (role: string): Record<string, string> => ({
    ...naming.base('AppInst'),
    [l.appInst]: spec.key,
    [l.appInstId]: naming.id(spec.key),
    [l.clusterInst]: clusterKey,
    [l.clusterInstId]: naming.id(clusterKey),
    [l.container]: role,
    [l.containers]: String(app.roles.length),
    [l.restartMax]: String(place.restartMaxRetries),
  });
  const flavor = spec.flavor;
  const vcpus = flavor ? Math.min(Number(flavor.vcpus), Math.max(1, place.hostCpus)) : 0;
  const ramMb = flavor ? Number(flavor.ram) : 0;
  const hostConfig = (): Docker.HostConfig => ({
    RestartPolicy: place.restartMaxRetries > 0 ? { Name: 'on-failure', MaximumRetryCount: place.restartMaxRetries } : { Name: 'no' },
    NetworkMode: place.mode === 'bridge' ? (place.network ?? 'bridge') : place.mode,
    ...(vcpus > 0 ? { NanoCpus: Math.round(vcpus * 1e9) } : {}),
    ...(ramMb > 0 ? { Memory: ramMb * 1024 * 1024 } : {}),
  });
  const networking = (name: string): Pick<Docker.ContainerCreateOptions, 'NetworkingConfig'> =>
    place.mode === 'bridge' && place.network ? { NetworkingConfig: { EndpointsConfig: { [place.network]: { Aliases: [alias(name)] } } } } : {};

  const mainHost = hostConfig();
  const exposed: Record<string, object> = {};
  if (place.mode === 'bridge') {
    const bindings: Docker.PortMap = {};
    for (const p of publishedPorts(spec.app.access_ports, spec.appInst.mapped_ports)) {
      const id = `${p.internal}/${p.proto}`;
      exposed[id] = {};
      bindings[id] = [{ HostIp: place.hostIp, HostPort: p.public > 0 ? String(p.public) : '' }];
    }
    mainHost.PortBindings = bindings;
  } else {
    publishedPorts(spec.app.access_ports, spec.appInst.mapped_ports); // still validated
  }
  const main: DesiredContainer = {
    role: MAIN,
    name: naming.containerName(spec.key, MAIN),
    image: spec.app.image_path,
    options: {
      name: naming.containerName(spec.key, MAIN),
      Image: spec.app.image_path,
      ...(app.command.length > 0 ? { Cmd: app.command } : {}),
      Env: app.env,
      Labels: labelsOf(MAIN),
      ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
      HostConfig: mainHost,
      ...networking(spec.app.key?.name ?? MAIN),
    },
  };
  const extras = app.extras.map((extra): DesiredContainer => {
    const name = naming.containerName(spec.key, extra.name);
    const image = extra.image ?? spec.app.image_path;
    return {
      role: extra.name,
      name,
      image,
      options: {
        name,
        Image: image,
        ...(extra.command ? { Cmd: [...extra.command] } : {}),
        Env: [...app.env, ...extra.env],
        Labels: labelsOf(extra.name),
        HostConfig: hostConfig(),
        ...networking(extra.name),
      },
    };
  });
  return [main, ...extras];
}
