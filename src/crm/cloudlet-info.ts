import { CloudletInfo, CloudletState, type CloudletKey } from '../gen/edgeproto/cloudlet.js';
import type { CloudletResources } from '../platform/platform.js';

/** What the CloudletInfo is built from. */
export interface CloudletInfoInput {
  readonly key: CloudletKey;
  /** The last resources gathered, if any succeeded. */
  readonly resources: CloudletResources | undefined;
  /** Why the platform is not usable now (init or gather failed), if it is not. */
  readonly platformError: string | undefined;
  /** Drift the CRM could not repair. */
  readonly unrepaired: readonly string[];
}

/**
 * The CloudletInfo the CRM reports (the original's GatherCloudletInfo, kept current): limits and flavors from the
 * platform; state READY, or ERRORS with `errors` when the platform failed ("get limits failed: <reason>", as the
 * original), reported warnings, or unrepaired drift. `notify_id` and `controller` stay empty (the controller fills
 * them). Pure.
 */
export function buildCloudletInfo(input: CloudletInfoInput): CloudletInfo {
  const errors: string[] = [];
  if (input.platformError !== undefined) errors.push(`get limits failed: ${input.platformError}`);
  errors.push(...(input.resources?.warnings ?? []), ...input.unrepaired);
  const r = input.resources;
  return CloudletInfo.fromPartial({
    key: input.key,
    state: errors.length > 0 ? CloudletState.CLOUDLET_STATE_ERRORS : CloudletState.CLOUDLET_STATE_READY,
    os_max_ram: BigInt(Math.max(0, Math.floor(r?.maxRamMb ?? 0))),
    os_max_vcores: BigInt(Math.max(0, Math.floor(r?.maxVcores ?? 0))),
    os_max_vol_gb: BigInt(Math.max(0, Math.floor(r?.maxVolGb ?? 0))),
    errors,
    flavors: (r?.flavors ?? []).map((f) => ({ name: f.name, vcpus: BigInt(f.vcpus), ram: BigInt(f.ramMb), disk: BigInt(f.diskGb) })),
  });
}
