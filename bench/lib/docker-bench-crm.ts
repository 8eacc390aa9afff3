/**
 * A real CRM (`src/crm`) on the Docker platform (`platforms/docker`), as `cloudletd crm --platform docker
 * --docker-host-ip 127.0.0.1` builds it, for the `docker` section. Written over src/ and platforms/ only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createDockerPlatform, type DockerPlatform } from '../../platforms/docker/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { CrmConfig } from '../../src/crm/config.js';
import type { Crm } from '../../src/crm/crm.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { bootCrm } from './crm-boot.js';

/** Options of {@link startDockerBenchCrm}. */
export interface DockerBenchCrmOptions {
  readonly notifyAddress: string;
  readonly cloudletKey: CloudletKey;
  /** Driver settings (`socketPath`, `hostIp`, `pull`, `flavors`, `limits`...). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Overrides of the product defaults (CRM_DEFAULTS: lmdb store, concurrency 16, the default job schedules). */
  readonly config?: Partial<CrmConfig>;
}

/** A running CRM with its Docker driver. */
export interface DockerBenchCrm {
  readonly crm: Crm;
  readonly platform: DockerPlatform;
  readonly dataDir: string;
  /** Graceful stop, then removes the data dir (idempotent). What it built stays on the daemon. */
  remove(): Promise<void>;
}

/**
 * Starts a CRM with the product defaults (lmdb store in a fresh temp dir), silent log, a private metrics registry,
 * quick notify reconnects, on a Docker driver with `settings`. Resolves when `Crm.start` does.
 */
export async function startDockerBenchCrm(options: DockerBenchCrmOptions): Promise<DockerBenchCrm> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudletd-bench-docker-crm-'));
  const log = silentLogger();
  const platform = await createDockerPlatform({ cloudletKey: options.cloudletKey, settings: options.settings, dataDir: join(dataDir, 'platform'), log });
  let crm: Crm;
  try {
    crm = await bootCrm(platform, { ...options, dataDir, log });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let removing: Promise<void> | undefined;
  return {
    crm,
    platform,
    dataDir,
    remove: () =>
      (removing ??= crm.close().then(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}
