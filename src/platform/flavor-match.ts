import { failedPrecondition } from '../core/errors.js';
import type { PlatformFlavor } from './platform.js';

/** The size a ClusterInst or AppInst asks for (edgeproto Flavor: RAM in MB, disk in GB). */
export interface FlavorRequest {
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

/**
 * The smallest platform flavor that has at least the requested vCPUs, RAM and disk, ordered by vCPUs, then RAM,
 * then disk, then name (the original's flavor matcher, with name as the final tie-break so the choice is stable).
 * Throws FAILED_PRECONDITION on `flavor` ("no suitable platform flavor found for <name>, please try a smaller
 * flavor") when none fits. Pure.
 */
export function matchPlatformFlavor(request: FlavorRequest, flavors: readonly PlatformFlavor[]): PlatformFlavor {
  const fitting = flavors
    .filter((f) => f.vcpus >= request.vcpus && f.ramMb >= request.ramMb && f.diskGb >= request.diskGb)
    .sort((a, b) => a.vcpus - b.vcpus || a.ramMb - b.ramMb || a.diskGb - b.diskGb || a.name.localeCompare(b.name));
  const best = fitting[0];
  if (!best) throw failedPrecondition(`no suitable platform flavor found for ${request.name}, please try a smaller flavor`, 'flavor');
  return best;
}
