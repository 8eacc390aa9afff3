import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createFakePlatform, type FakeCall, type FakePlatform } from '../../platforms/fake/index.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { CRM_DEFAULTS, type CrmConfig } from '../../src/crm/config.js';
import { Crm } from '../../src/crm/crm.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { CloudletState } from '../../src/gen/edgeproto/cloudlet.js';
import { keyString } from '../../src/wire/object-key.js';
import { cloudletKeyOf, type InstEnv } from './inst-env.js';
import { waitFor } from './wait-for.js';

/** Options of {@link startRealCrm}. */
export interface RealCrmOptions {
  /** An existing data dir (restart tests); a new temporary one otherwise (removed by `remove()`). */
  dataDir?: string;
  /** Fake platform settings. */
  settings?: Record<string, unknown>;
  config?: Partial<CrmConfig>;
  log?: Logger;
  /** Runs on the platform before the CRM starts (e.g. to script its init). */
  beforeStart?: (platform: FakePlatform) => void;
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
  options.beforeStart?.(platform);
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

/**
 * Sum of the series of counter or gauge `name` in `registry` whose labels include `labels` (all given pairs
 * equal); for a histogram, of its `_count` series (observations). Undefined when the metric or no such series
 * exists.
 */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const data = await metric.get();
  const values = (data.values as Array<{ value: number; labels: Partial<Record<string, string | number>>; metricName?: string }>)
    .filter((v) => String(data.type) !== 'histogram' || v.metricName === `${name}_count`);
  const matching = values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return matching.length === 0 ? undefined : matching.reduce((sum, v) => sum + v.value, 0);
}

const MUTATING = new Set(['createClusterInst', 'updateClusterInst', 'deleteClusterInst', 'createAppInst', 'deleteAppInst']);

/** The create/update/delete calls the fake platform logged (since its last `resetCalls`). */
export function mutatingCalls(platform: FakePlatform): FakeCall[] {
  return platform.calls.filter((c) => MUTATING.has(c.op));
}

/** Waits until the controller of `env` holds the CloudletInfo of `cloudlet` in `state` (READY by default). */
export async function waitCloudletInfo(env: InstEnv, cloudlet = 'edge1', state = CloudletState.CLOUDLET_STATE_READY, timeoutMs = 5000): Promise<void> {
  const { kinds, objects } = env.ctl.controller;
  const key = keyString.cloudlet(cloudletKeyOf(cloudlet));
  await waitFor(() => objects.cache(kinds.cloudletInfo).get(key)?.state === state, { timeoutMs, message: `CloudletInfo of ${cloudlet} in state ${CloudletState[state]}` });
}
