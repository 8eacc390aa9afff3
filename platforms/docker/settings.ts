/**
 * Settings of the Docker platform (the config file's `platform` section), their defaults and their validation.
 * See README.md in this folder for the format.
 */
import { isIP } from 'node:net';
import { invalidArgument } from '../../src/core/errors.js';
import type { PlatformFlavor } from '../../src/platform/platform.js';
import { number, onlyKeys, parseFlavors, record } from '../common/settings-values.js';

/** How the containers of a ClusterInst are networked (see README.md, "Networking"). */
export type DockerNetworkMode = 'auto' | 'bridge' | 'host' | 'none';

/** When images are pulled: only when absent from the host, before every create, or never. */
export type DockerPullPolicy = 'missing' | 'always' | 'never';

/** Overrides of the host's capacity: RAM in MB, vCPUs, disk in GB; undefined: measured from the host. */
export interface DockerLimits {
  readonly ramMb: number | undefined;
  readonly vcores: number | undefined;
  readonly diskGb: number | undefined;
}

/** Registry credentials, sent only with pulls of images on `registry`. */
export interface DockerRegistryAuth {
  /** `host[:port]` of the registry, as it appears at the start of image names. */
  readonly registry: string;
  readonly username: string;
  /** Empty: no credentials are sent. */
  readonly password: string;
}

/** Validated settings, every field filled. Immutable. */
export interface DockerSettings {
  /** Path of the daemon's unix socket. */
  readonly socketPath: string;
  /** Host address published ports are bound to. */
  readonly hostIp: string;
  readonly network: DockerNetworkMode;
  readonly pull: DockerPullPolicy;
  /** Restart policy `on-failure` with this many retries; 0: containers are never restarted (policy `no`). */
  readonly restartMaxRetries: number;
  /** The flavors to report; undefined: derived from the host's size (README.md, "Flavors"). */
  readonly flavors: readonly PlatformFlavor[] | undefined;
  readonly limits: DockerLimits;
  /** Undefined when no `docker_registry` is configured. */
  readonly registryAuth: DockerRegistryAuth | undefined;
  /** Prefix of every label key (`<prefix>.appinst`) and of every name the driver gives (`<prefix>-...`). */
  readonly labelPrefix: string;
}

/** The socket used when the settings name none. */
export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';
/** The registry user name when `docker_reg_user` is not set. */
export const DEFAULT_REGISTRY_USER = 'cloudletd';
/** Default retries of the `on-failure` restart policy. */
export const DEFAULT_RESTART_MAX_RETRIES = 5;
/** Default label and name prefix. */
export const DEFAULT_LABEL_PREFIX = 'cloudletd';

const P = 'platform';
const NETWORK_MODES: readonly DockerNetworkMode[] = ['auto', 'bridge', 'host', 'none'];
const PULL_POLICIES: readonly DockerPullPolicy[] = ['missing', 'always', 'never'];
/** Top-level keys accepted; `type` (the driver name some config files keep in the section) is ignored. */
const TOP_LEVEL = [
  'socketPath',
  'hostIp',
  'network',
  'pull',
  'restartMaxRetries',
  'flavors',
  'limits',
  'docker_registry',
  'docker_reg_user',
  'docker_reg_pass',
  'labelPrefix',
  'type',
];
const LABEL_PREFIX = /^[a-z0-9](?:[a-z0-9.-]{0,30}[a-z0-9])?$/;
const REGISTRY = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidArgument(field, 'must be a non-empty string');
  return value.trim();
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

/** `unix:///path` or `/path`; anything else (tcp://, ssh://, a relative path) is rejected. */
function socketPath(value: unknown): string {
  const field = `${P}.socketPath`;
  const raw = text(value, field);
  const path = raw.startsWith('unix://') ? raw.slice('unix://'.length) : raw;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw invalidArgument(field, `only unix sockets are supported (got ${raw})`);
  if (!path.startsWith('/')) throw invalidArgument(field, `must be an absolute socket path or unix:///path (got ${raw})`);
  return path;
}

function hostIp(value: unknown): string {
  const field = `${P}.hostIp`;
  const ip = text(value, field);
  if (isIP(ip) === 0) throw invalidArgument(field, `must be an IPv4 or IPv6 address (got ${JSON.stringify(ip)})`);
  return ip;
}

function parseLimits(value: unknown): DockerLimits {
  const field = `${P}.limits`;
  const l = record(value, field);
  onlyKeys(l, field, ['ram', 'vcores', 'disk']);
  const one = (name: string): number | undefined =>
    l[name] === undefined || l[name] === null ? undefined : number(l[name], `${field}.${name}`, { min: 1, integer: true });
  return { ramMb: one('ram'), vcores: one('vcores'), diskGb: one('disk') };
}

function parseRegistry(s: Record<string, unknown>): DockerRegistryAuth | undefined {
  const present = (k: string): boolean => s[k] !== undefined && s[k] !== null;
  if (!present('docker_registry')) {
    if (present('docker_reg_pass')) throw invalidArgument(`${P}.docker_reg_pass`, 'needs docker_registry (credentials are only sent to that registry)');
    if (present('docker_reg_user')) throw invalidArgument(`${P}.docker_reg_user`, 'needs docker_registry (credentials are only sent to that registry)');
    return undefined;
  }
  const field = `${P}.docker_registry`;
  const registry = text(s.docker_registry, field).toLowerCase();
  if (!REGISTRY.test(registry)) throw invalidArgument(field, `must be host or host:port as in image names, without scheme or path (got ${JSON.stringify(registry)})`);
  const username = present('docker_reg_user') ? text(s.docker_reg_user, `${P}.docker_reg_user`) : DEFAULT_REGISTRY_USER;
  let password = '';
  if (present('docker_reg_pass')) {
    if (typeof s.docker_reg_pass !== 'string') throw invalidArgument(`${P}.docker_reg_pass`, 'must be a string');
    password = s.docker_reg_pass;
  }
  return { registry, username, password };
}

/**
 * Validates the raw `platform` settings and fills the defaults (every key optional; `null` counts as absent;
 * numbers may be decimal strings). Throws INVALID_ARGUMENT naming the field path (e.g. `platform.hostIp`,
 * `platform.flavors[1].vcpus`) for a bad value or an unknown key (`type` is ignored). Pure.
 */
export function parseDockerSettings(raw: Readonly<Record<string, unknown>>): DockerSettings {
  const s = record(raw, P);
  onlyKeys(s, P, TOP_LEVEL);
  const given = (k: string): boolean => s[k] !== undefined && s[k] !== null;
  const labelPrefix = given('labelPrefix') ? text(s.labelPrefix, `${P}.labelPrefix`) : DEFAULT_LABEL_PREFIX;
  if (!LABEL_PREFIX.test(labelPrefix)) {
    throw invalidArgument(`${P}.labelPrefix`, 'must be 1 to 32 of a-z, 0-9, "." and "-", starting and ending with a letter or digit');
  }
  return {
    socketPath: given('socketPath') ? socketPath(s.socketPath) : DEFAULT_SOCKET_PATH,
    hostIp: given('hostIp') ? hostIp(s.hostIp) : '0.0.0.0',
    network: given('network') ? oneOf(s.network, `${P}.network`, NETWORK_MODES) : 'auto',
    pull: given('pull') ? oneOf(s.pull, `${P}.pull`, PULL_POLICIES) : 'missing',
    restartMaxRetries: given('restartMaxRetries')
      ? number(s.restartMaxRetries, `${P}.restartMaxRetries`, { min: 0, max: 1000, integer: true })
      : DEFAULT_RESTART_MAX_RETRIES,
    flavors: given('flavors') ? parseFlavors(s.flavors, `${P}.flavors`) : undefined,
    limits: given('limits') ? parseLimits(s.limits) : { ramMb: undefined, vcores: undefined, diskGb: undefined },
    registryAuth: parseRegistry(s),
    labelPrefix,
  };
}
