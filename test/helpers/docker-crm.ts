/**
 * An in-process CRM on the Docker platform (the docker variant of crm-harness.ts `startRealCrm`): the real driver
 * (`createDockerPlatform`) on a test daemon, wrapped so the test sees every platform call it makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createDockerPlatform, type DockerPlatform } from '../../platforms/docker/index.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { CRM_DEFAULTS, type CrmConfig } from '../../src/crm/config.js';
import { Crm } from '../../src/crm/crm.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import type { PlatformFeatures } from '../../src/platform/features.js';
import type {
  AppInstRuntime,
  AppInstSpec,
  CloudletResources,
  ClusterInstSpec,
  DeleteTarget,
  OperationContext,
  Platform,
  PlatformInstance,
} from '../../src/platform/platform.js';
import { TEST_CRM_CONFIG } from './crm-harness.js';
import { dockerTestEnv } from './docker-daemon.js';

/**
 * Driver settings of the tests: ports published on 127.0.0.1 only, nothing pulled, and flavors and limits that do
 * not depend on the size of the host (x1.small of inst-env.ts fits `docker.small`).
 */
export const DOCKER_TEST_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
  hostIp: '127.0.0.1',
  pull: 'never',
  flavors: [
    { name: 'docker.small', vcpus: 1, ram: 1024, disk: 10 },
    { name: 'docker.medium', vcpus: 2, ram: 4096, disk: 40 },
  ],
  limits: { vcores: 64, ram: 65536, disk: 1000 },
});

/** CRM settings of the Docker tests: those of crm-harness.ts, with deadlines for a real daemon on a busy machine. */
export const DOCKER_CRM_CONFIG: Partial<CrmConfig> = {
  ...TEST_CRM_CONFIG,
  operationTimeoutMs: 60_000,
  dependencyWaitMs: 10_000,
};

/** One platform call the CRM made (recorded when it starts). */
export interface PlatformCall {
  readonly op: string;
  readonly key?: string;
}

/** Options of {@link startDockerCrm}. */
export interface DockerCrmOptions {
  /** An existing data dir (restart tests); a new temporary one otherwise (removed by `remove()`). */
  dataDir?: string;
  /** The daemon's socket; default the test daemon's (`dockerTestEnv()`). */
  socketPath?: string;
  /** Driver settings over {@link DOCKER_TEST_SETTINGS}. */
  settings?: Record<string, unknown>;
  /** CRM settings over {@link DOCKER_CRM_CONFIG}. */
  config?: Partial<CrmConfig>;
  log?: Logger;
}

/** An in-process CRM on the Docker platform. */
export interface DockerCrm {
  readonly crm: Crm;
  /** The driver itself (calls made through it directly are not recorded). */
  readonly driver: DockerPlatform;
  /** Every platform call the CRM made, in order. */
  readonly calls: readonly PlatformCall[];
  /** How many calls of `op` the CRM made. */
  callCount(op: string): number;
  readonly registry: Registry;
  readonly dataDir: string;
  /** Stops the CRM (graceful; closes the driver). What it built stays on the daemon. */
  stop(): Promise<void>;
  /** Stops it and deletes its data dir (if it made it). */
  remove(): Promise<void>;
}

/** Forwards every Platform method to the driver, noting each call first. */
class RecordingPlatform implements Platform {
  readonly calls: PlatformCall[] = [];

  constructor(private readonly inner: Platform) {}

  get type(): string {
    return this.inner.type;
  }

  features(): PlatformFeatures {
    return this.inner.features();
  }

  private note(op: string, key?: string): void {
    this.calls.push(key === undefined ? { op } : { op, key });
  }

  init(ctx: OperationContext): Promise<void> {
    this.note('init');
    return this.inner.init(ctx);
  }

  gatherResources(ctx: OperationContext): Promise<CloudletResources> {
    this.note('gatherResources');
    return this.inner.gatherResources(ctx);
  }

  listInstances(ctx: OperationContext): Promise<readonly PlatformInstance[]> {
    this.note('listInstances');
    return this.inner.listInstances(ctx);
  }

  createClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    this.note('createClusterInst', spec.key);
    return this.inner.createClusterInst(spec, ctx);
  }

  updateClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    this.note('updateClusterInst', spec.key);
    return this.inner.updateClusterInst(spec, ctx);
  }

  deleteClusterInst(target: DeleteTarget<ClusterInst>, ctx: OperationContext): Promise<void> {
    this.note('deleteClusterInst', target.key);
    return this.inner.deleteClusterInst(target, ctx);
  }

  createAppInst(spec: AppInstSpec, ctx: OperationContext): Promise<AppInstRuntime> {
    this.note('createAppInst', spec.key);
    return this.inner.createAppInst(spec, ctx);
  }

  deleteAppInst(target: DeleteTarget<AppInst>, ctx: OperationContext): Promise<void> {
    this.note('deleteAppInst', target.key);
    return this.inner.deleteAppInst(target, ctx);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Starts a CRM for `cloudletKey` against `notifyAddress` on the Docker platform (the test daemon unless
 * `options.socketPath`), with {@link DOCKER_TEST_SETTINGS} and {@link DOCKER_CRM_CONFIG}. Resolves when `Crm.start`
 * does (the platform's first start attempt made, notify started).
 */
export async function startDockerCrm(notifyAddress: string, cloudletKey: CloudletKey, options: DockerCrmOptions = {}): Promise<DockerCrm> {
  const socketPath = options.socketPath ?? dockerTestEnv().socketPath;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cloudletd-docker-crm-'));
  const log = options.log ?? silentLogger();
  const driver = await createDockerPlatform({
    cloudletKey,
    settings: { ...DOCKER_TEST_SETTINGS, socketPath, ...options.settings },
    dataDir: join(dataDir, 'platform'),
    log,
  });
  const platform = new RecordingPlatform(driver);
  const registry = createMetricsRegistry();
  const config: CrmConfig = {
    ...CRM_DEFAULTS,
    cloudletKey,
    notifyAddresses: [notifyAddress],
    hostname: `${cloudletKey.name}-crm`,
    dataDir,
    ...DOCKER_CRM_CONFIG,
    ...options.config,
  };
  let crm: Crm;
  try {
    crm = await Crm.start({ config, platform, log, registry });
  } catch (err) {
    await driver.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= crm.close());
  return {
    crm,
    driver,
    calls: platform.calls,
    callCount: (op) => platform.calls.filter((c) => c.op === op).length,
    registry,
    dataDir,
    stop,
    remove: async () => {
      await stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
