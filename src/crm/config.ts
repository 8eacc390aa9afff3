import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import type { ReconnectOptions } from '../notify/client.js';

/** Cron schedules (croner syntax, seconds field allowed) of the CRM's periodic jobs. */
export interface CrmSchedules {
  /** Refresh CloudletInfo resources and flavors. */
  readonly refreshInfo: string;
  /** Compare the platform with the desired state; repair what it lost. */
  readonly drift: string;
  /** Collect AppInst runtime info and usage. */
  readonly runtime: string;
}

/** Everything a {@link Crm} needs to know, validated by the cli before it is built. */
export interface CrmConfig {
  readonly cloudletKey: CloudletKey;
  /** Controller notify addresses (`host:port`), tried round robin. */
  readonly notifyAddresses: readonly string[];
  /** Node name reported to the controller (Node.key.name). */
  readonly hostname: string;
  /** Directory of the local store (desired state, journal); created if missing. */
  readonly dataDir: string;
  /** `lmdb` (crash-safe, default) or `memory` (tests, dry runs that keep nothing). */
  readonly store: 'lmdb' | 'memory';
  /** Platform operations run at once. */
  readonly concurrency: number;
  /** Deadline of one platform create/update/delete, in ms. */
  readonly operationTimeoutMs: number;
  /** Attempts of a retryable platform error before it is reported as *_ERROR. */
  readonly maxAttempts: number;
  /** How long something on the platform must stay undesired, after the controller's send-all, before it is deleted. */
  readonly orphanGraceMs: number;
  /** How long an AppInst waits for its App / ClusterInst / Flavor before it is reported CREATE_ERROR. */
  readonly dependencyWaitMs: number;
  readonly schedules: CrmSchedules;
  readonly reconnect?: Partial<ReconnectOptions>;
  /** Resync timing against an original controller (see NotifyClient). */
  readonly resync?: { readonly quietMs?: number; readonly graceMs?: number };
}

/** Defaults of the tunables (the cli fills the identity and addresses). */
export const CRM_DEFAULTS = Object.freeze({
  store: 'lmdb' as const,
  concurrency: 16,
  operationTimeoutMs: 15 * 60_000,
  maxAttempts: 3,
  orphanGraceMs: 60_000,
  dependencyWaitMs: 60_000,
  schedules: Object.freeze({ refreshInfo: '*/30 * * * * *', drift: '*/20 * * * * *', runtime: '*/15 * * * * *' }),
});
