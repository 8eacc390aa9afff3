/**
 * A real CRM (`src/crm`) on the fake platform, as `cloudletd crm --platform fake` builds it, for the `crm` section and
 * its memory child (so this file imports only what a CRM process needs: no notify server, no controller). Written over
 * src/ and platforms/ only (the bench never imports test/ helpers).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createFakePlatform, type FakePlatform } from '../../platforms/fake/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { CrmConfig } from '../../src/crm/config.js';
import type { Crm } from '../../src/crm/crm.js';
import type { CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { bootCrm } from './crm-boot.js';

/** Fake platform settings of the bench: every operation takes no time (the figures are the CRM's own cost). */
export const ZERO_LATENCY: Readonly<Record<string, unknown>> = Object.freeze({ latency: { '*': 0 } });

/** Options of {@link startRealCrm}. */
export interface RealCrmOptions {
  readonly notifyAddress: string;
  readonly cloudletKey: CloudletKey;
  /** Reuse (restart on) this directory; a fresh temp one otherwise (removed by `remove()`). */
  readonly dataDir?: string;
  /** Fake platform settings; default {@link ZERO_LATENCY}. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Overrides of the product defaults (CRM_DEFAULTS: lmdb store, concurrency 16, the default job schedules). */
  readonly config?: Partial<CrmConfig>;
}

/** A running CRM with its fake platform. */
export interface RealCrm {
  readonly crm: Crm;
  readonly platform: FakePlatform;
  /** The CRM's data dir (lmdb store); the fake platform keeps its journal in `<dataDir>/platform`. */
  readonly dataDir: string;
  /** Graceful stop (idempotent); the data dir stays. */
  stop(): Promise<void>;
  /** Stops it and removes the data dir if it was a fresh temp one. */
  remove(): Promise<void>;
}

/**
 * Creates the fake platform on `<dataDir>/platform` and starts a CRM with the product defaults (lmdb store in
 * `dataDir`), silent log, a private metrics registry, and quick notify reconnects (50-200 ms, so a restarted server is
 * found at once). Resolves when `Crm.start` does (store open, desired state restored, platform listed, notify started).
 */
export async function startRealCrm(options: RealCrmOptions): Promise<RealCrm> {
  const fresh = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cloudletd-bench-crm-'));
  const log = silentLogger();
  const platformDir = join(dataDir, 'platform');
  mkdirSync(platformDir, { recursive: true });
  const platform = await createFakePlatform({
    cloudletKey: options.cloudletKey,
    settings: options.settings ?? ZERO_LATENCY,
    dataDir: platformDir,
    log,
  });
  let crm: Crm;
  try {
    crm = await bootCrm(platform, { ...options, dataDir, log });
  } catch (err) {
    if (fresh) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= crm.close());
  return {
    crm,
    platform,
    dataDir,
    stop,
    remove: async () => {
      await stop();
      if (fresh) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
