/**
 * Capacity accounting shared by the drivers that place instances on a fixed budget of RAM, vCPUs and disk (the
 * fake cloud, a Docker host): usage arithmetic and the RESOURCE_EXHAUSTED check naming the resource.
 */
import { resourceExhausted } from '../../src/core/errors.js';

/** Resources an instance uses (or a set of instances together). */
export interface ResourceUsage {
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

/** Zero usage. */
export const NO_USAGE: ResourceUsage = Object.freeze({ vcpus: 0, ramMb: 0, diskGb: 0 });

/** What a cloudlet can hold. */
export interface ResourceLimits {
  readonly ramMb: number;
  readonly vcores: number;
  readonly diskGb: number;
}

/** `a + sign × b`, per resource. Pure. */
export function addUsage(a: ResourceUsage, b: ResourceUsage, sign = 1): ResourceUsage {
  return { vcpus: a.vcpus + sign * b.vcpus, ramMb: a.ramMb + sign * b.ramMb, diskGb: a.diskGb + sign * b.diskGb };
}

/**
 * Throws RESOURCE_EXHAUSTED naming the resource (RAM, vCPUs, disk; field `limits.ram`...) when `used + more`
 * exceeds `limits` in a component where `more` is positive (shrinking always fits). `what` names the instance in
 * the message, `where` (e.g. ` on the Docker host`) ends it. Pure.
 */
export function checkCapacity(limits: ResourceLimits, used: ResourceUsage, more: ResourceUsage, what: string, where = ''): void {
  const checks = [
    ['RAM', 'MB', used.ramMb, more.ramMb, limits.ramMb, 'limits.ram'],
    ['vCPUs', 'vCPUs', used.vcpus, more.vcpus, limits.vcores, 'limits.vcores'],
    ['disk', 'GB', used.diskGb, more.diskGb, limits.diskGb, 'limits.disk'],
  ] as const;
  for (const [name, unit, inUse, extra, limit, field] of checks) {
    if (extra > 0 && inUse + extra > limit) {
      const free = Math.max(0, limit - inUse);
      throw resourceExhausted(name, `${what} needs ${extra} ${unit} more, only ${free} ${unit} of ${limit} ${unit} free${where}`, field);
    }
  }
}
