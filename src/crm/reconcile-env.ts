import type { ObjectCache } from '../cache/object-cache.js';
import type { Logger } from '../core/logger.js';
import type { App } from '../gen/edgeproto/app.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../gen/edgeproto/clusterinst.js';
import type { Flavor } from '../gen/edgeproto/flavor.js';
import type { Platform, PlatformFlavor } from '../platform/platform.js';
import type { ActualState } from './actual-state.js';
import type { CrmConfig } from './config.js';
import type { InfoCaches, InfoReporter } from './info-reporter.js';
import type { InstKind, OperationJournal } from './journal.js';
import type { CrmMetrics } from './metrics.js';

/** The desired-state mirrors the controller fills over notify. */
export interface DesiredCaches {
  readonly flavors: ObjectCache<Flavor>;
  readonly clusterInsts: ObjectCache<ClusterInst>;
  readonly apps: ObjectCache<App>;
  readonly appInsts: ObjectCache<AppInst>;
}


/** What a dependency-waiting instance waits for: the key string of the App, ClusterInst or Flavor. */
export interface Waiting {
  readonly since: number;
  readonly on: string;
}

/**
 * Everything the reconcilers share. Built once by the CRM; the reconcilers are plain functions over it, so a
 * reconcile reads only current state (level-triggered) and holds nothing between runs except these maps.
 */
export interface ReconcileEnv {
  readonly config: CrmConfig;
  readonly platform: Platform;
  readonly desired: DesiredCaches;
  readonly infos: InfoCaches;
  readonly report: InfoReporter;
  readonly actual: ActualState;
  readonly journal: OperationJournal;
  readonly metrics: CrmMetrics;
  readonly log: Logger;
  /** Platform flavors from the last resources refresh. */
  platformFlavors(): readonly PlatformFlavor[];
  /** True while the current notify connection has received the controller's full send-all. */
  synced(): boolean;
  /** When the current connection synced (epoch ms), or undefined. */
  syncedAt(): number | undefined;
  /** Instances waiting for a dependency, by queue key. */
  readonly waiting: Map<string, Waiting>;
  /** Since when (epoch ms) an undesired instance has been seen on the platform while synced. */
  readonly orphanSince: Map<string, number>;
  /** Drift the CRM could not repair, by queue key: the reason (shown in CloudletInfo.errors). */
  readonly unrepaired: Map<string, string>;
  /** Consecutive failures of a queue key (from the workqueue). */
  failures(kind: InstKind, key: string): number;
  /** Queue an instance for a reconcile. */
  enqueue(kind: InstKind, key: string): void;
  /** Called when unrepaired drift changes (the CloudletInfo errors follow it). */
  unrepairedChanged(): void;
}

/**
 * The workqueue key of an instance: its key string itself. ClusterInst and AppInst key strings never collide (an
 * AppInst key string starts with `{"app_key"`, a ClusterInst one with `{"cluster_key"`), so the queue, and every
 * map keyed like it, shares the very string the desired cache holds instead of keeping copies with a kind prefix.
 */
export function queueKey(_kind: InstKind, key: string): string {
  return key;
}

const APPINST_KEY_START = '{"app_key"';

/** The kind and key string of a workqueue key. */
export function parseQueueKey(qk: string): { kind: InstKind; key: string } {
  return { kind: qk.startsWith(APPINST_KEY_START) ? 'AppInst' : 'ClusterInst', key: qk };
}
