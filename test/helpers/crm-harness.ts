import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createFakePlatform, type FakePlatform } from '../../platforms/fake/index.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { CRM_DEFAULTS, type CrmConfig } from '../../src/crm/config.js';
import { Crm } from '../../src/crm/crm.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { cloudletKeyOf } from './inst-env.js';

/** Options of {@link startRealCrm}. */
export interface RealCrmOptions {
  /** An existing data dir (restart tests); a new temporary one otherwise (removed by `remove()`). */
  dataDir?: string;
  /** Fake platform settings. */
  settings?: Record<string, unknown>;
  config?: Partial<CrmConfig>;
  log?: Logger;
}

/** An in-process CRM on the fake platform. */
export interface RealCrm {
  readonly crm: Crm;
  readonly platform: FakePlatform;
  readonly registry: Registry;
  readonly dataDir: string;
  /** Stops the CRM (graceful). */
  stop(): Promise<void>;
  /** Stops it and deletes its data dir. */
  remove(): Promise<void>;
}

/** Test defaults: fast schedules off (a far-away yearly schedule), short grace and waits, quick reconnects. */
export const TEST_CRM_CONFIG: Partial<CrmConfig> = {
  orphanGraceMs: 300,
  dependencyWaitMs: 2_000,
  operationTimeoutMs: 5_000,
  schedules: { refreshInfo: '0 0 1 1 *', drift: '0 0 1 1 *', runtime: '0 0 1 1 *' },
  reconnect: { initialMs: 50, maxMs: 200 },
};

/** Starts a CRM for cloudlet `cloudlet` of operator TDG against `notifyAddress`, on the fake platform. */
export async function startRealCrm(notifyAddress: string, cloudlet = 'edge1', options: RealCrmOptions = {}): Promise<RealCrm> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cloudletd-crm-'));
  const log = options.log ?? silentLogger();
  const cloudletKey = cloudletKeyOf(cloudlet);
  mkdirSync(join(dataDir, 'platform'), { recursive: true });
  const platform = await createFakePlatform({ cloudletKey, settings: options.settings ?? {}, dataDir: join(dataDir, 'platform'), log });
  const registry = createMetricsRegistry();
  const config: CrmConfig = {
    ...CRM_DEFAULTS,
    cloudletKey,
    notifyAddresses: [notifyAddress],
    hostname: `${cloudlet}-crm`,
    dataDir,
    ...TEST_CRM_CONFIG,
    ...options.config,
  };
  const crm = await Crm.start({ config, platform, log, registry });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await crm.close();
  };
  return {
    crm, platform, registry, dataDir, stop,
    remove: async () => {
      await stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
