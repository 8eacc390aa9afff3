/**
 * The Docker host as a cloudlet: its size (`docker info` NCPU and MemTotal, the disk under DockerRootDir), the
 * limits (measured, or overridden by the settings), the flavors (configured, or derived from the host's size),
 * and the capacity check of ClusterInsts against the limits.
 */
import { statfs } from 'node:fs/promises';
import type { CloudletResources, PlatformFlavor } from '../../src/platform/platform.js';
import { addUsage, NO_USAGE, type ResourceLimits, type ResourceUsage } from '../common/capacity.js';
import type { DockerLimits, DockerNetworkMode } from './settings.js';

/** Disk (GB) reported when DockerRootDir cannot be measured and `limits.disk` is not set. */
export const FALLBACK_DISK_GB = 100;

/** What `docker info` says about the host. */
export interface HostInfo {
  readonly ncpu: number;
  readonly memMb: number;
  /** DockerRootDir (may be a path inside another mount namespace). */
  readonly rootDir: string;
  /** Whether the daemon has the `bridge` network driver (user-defined bridge networks). */
  readonly bridge: boolean;
  readonly serverVersion: string;
}

/** Resources a ClusterInst uses on the host. */
export type Usage = ResourceUsage;

export { NO_USAGE, addUsage };

/** The cloudlet's capacity after the settings' overrides. */
export type Limits = ResourceLimits;

/** Reads the fields the driver uses from a `docker info` answer (missing numbers count as 0). Pure. */
export function hostInfoOf(info: unknown): HostInfo {
  const i = (info ?? {}) as { NCPU?: unknown; MemTotal?: unknown; DockerRootDir?: unknown; ServerVersion?: unknown; Plugins?: { Network?: unknown } };
  const networks = Array.isArray(i.Plugins?.Network) ? (i.Plugins.Network as unknown[]) : [];
  return {
    ncpu: typeof i.NCPU === 'number' ? i.NCPU : 0,
    memMb: typeof i.MemTotal === 'number' ? Math.floor(i.MemTotal / (1024 * 1024)) : 0,
    rootDir: typeof i.DockerRootDir === 'string' ? i.DockerRootDir : '',
    bridge: networks.includes('bridge'),
    serverVersion: typeof i.ServerVersion === 'string' ? i.ServerVersion : '',
  };
}

/** Size in GB (rounded down) of the file system holding `dir`; undefined when it cannot be read from here. */
export async function diskGbOf(dir: string): Promise<number | undefined> {
  if (dir === '') return undefined;
  try {
    const s = await statfs(dir);
    const gb = Math.floor((Number(s.blocks) * Number(s.bsize)) / 1024 ** 3);
    return gb > 0 ? gb : undefined;
  } catch {
    return undefined;
  }
}

/** The limits: each setting when given, else the host's measure (disk: the measure, else {@link FALLBACK_DISK_GB}). */
export function limitsOf(host: HostInfo, diskGb: number | undefined, overrides: DockerLimits): Limits {
  return {
    ramMb: overrides.ramMb ?? host.memMb,
    vcores: overrides.vcores ?? host.ncpu,
    diskGb: overrides.diskGb ?? diskGb ?? FALLBACK_DISK_GB,
  };
}

/**
 * Flavors derived from the host's size: one per vCPU count n in 1, 2, 4, 8... below the host's CPU count, plus the
 * CPU count itself; each named `docker.<n>cpu` with the host's RAM and disk shared in proportion, n / NCPU (RAM
 * rounded down to MB, disk to GB, each at least 1). Pure.
 */
export function derivedFlavors(ncpu: number, memMb: number, diskGb: number): PlatformFlavor[] {
  const cpus = Math.max(1, Math.floor(ncpu));
  const counts: number[] = [];
  for (let n = 1; n < cpus; n *= 2) counts.push(n);
  counts.push(cpus);
  return counts.map((n) => ({
    name: `docker.${n}cpu`,
    vcpus: n,
    ramMb: Math.max(1, Math.floor((memMb * n) / cpus)),
    diskGb: Math.max(1, Math.floor((diskGb * n) / cpus)),
  }));
}

/** What `gatherResources` reports: the limits, the flavors, and a warning per resource used beyond its limit. Pure. */
export function cloudletResources(limits: Limits, flavors: readonly PlatformFlavor[], used: Usage): CloudletResources {
  const warnings: string[] = [];
  if (used.ramMb > limits.ramMb) warnings.push(`RAM reserved by ClusterInsts (${used.ramMb} MB) exceeds the limit (${limits.ramMb} MB)`);
  if (used.vcpus > limits.vcores) warnings.push(`vCPUs reserved by ClusterInsts (${used.vcpus}) exceed the limit (${limits.vcores})`);
  if (used.diskGb > limits.diskGb) warnings.push(`disk reserved by ClusterInsts (${used.diskGb} GB) exceeds the limit (${limits.diskGb} GB)`);
  return {
    maxRamMb: limits.ramMb,
    maxVcores: limits.vcores,
    maxVolGb: limits.diskGb,
    flavors: flavors.map((f) => ({ ...f })),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}



/** The network mode a new ClusterInst gets: the setting, with `auto` → `bridge` when the daemon has it, else `none`. */
export function resolveNetworkMode(setting: DockerNetworkMode, host: HostInfo): 'bridge' | 'host' | 'none' {
  if (setting === 'auto') return host.bridge ? 'bridge' : 'none';
  return setting;
}
