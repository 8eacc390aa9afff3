/**
 * The one way the bench starts a real CRM (`src/crm`) on a platform driver, as `cloudletd crm` builds it: the product
 * defaults, a private metrics registry, and quick notify reconnects (50-200 ms, so a restarted server is found at
 * once). Written over src/ only.
 */
import type { Logger } from '../../src/core/logger.js';
import { CRM_DEFAULTS, type CrmConfig } from '../../src/crm/config.js';
import { Crm } from '../../src/crm/crm.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import type { Platform } from '../../src/platform/platform.js';

/** What {@link bootCrm} needs besides the driver. */
export interface BootCrmOptions {
  readonly notifyAddress: string;
  readonly cloudletKey: CloudletKey;
  /** The CRM's data dir (lmdb store). */
  readonly dataDir: string;
  /** Overrides of the product defaults (CRM_DEFAULTS: lmdb store, concurrency 16, the default job schedules). */
  readonly config?: Partial<CrmConfig>;
  readonly log: Logger;
}

/**
 * Starts a CRM on `platform`; resolves when `Crm.start` does (store open, desired state restored, platform listed,
 * notify started). On failure the platform is closed and the error rethrown; the data dir is the caller's.
 */
export async function bootCrm(platform: Platform, options: BootCrmOptions): Promise<Crm> {
  const config: CrmConfig = {
    ...CRM_DEFAULTS,
    cloudletKey: options.cloudletKey,
    notifyAddresses: [options.notifyAddress],
    hostname: `${options.cloudletKey.name}-crm`,
    dataDir: options.dataDir,
    reconnect: { initialMs: 50, maxMs: 200 },
    ...options.config,
  };
  try {
    return await Crm.start({ config, platform, log: options.log, registry: createMetricsRegistry() });
  } catch (err) {
    await platform.close();
    throw err;
  }
}
