import { asCodedError } from '../core/errors.js';
import { sleep, withTimeout } from '../core/abort.js';
import { Backoff } from '../core/backoff.js';
import type { Logger } from '../core/logger.js';
import type { CloudletResources, OperationContext, Platform } from '../platform/platform.js';
import type { ActualState } from './actual-state.js';
import { buildCloudletInfo } from './cloudlet-info.js';
import type { CrmConfig } from './config.js';
import type { CrmCaches } from './crm-caches.js';

const START_TIMEOUT_MS = 60_000;

/**
 * The CRM's relation to its platform: start-up (init, resources, the listing adoption starts from), retried with
 * backoff while it fails, the resources refresh, and the CloudletInfo that reports all of it. A platform that
 * fails makes CloudletInfo ERRORS with the reason; it never makes the CRM delete anything.
 */
export class PlatformSession {
  ready = false;
  resources: CloudletResources | undefined;
  private platformError: string | undefined;
  private unrepaired: readonly string[] = [];

  constructor(private readonly deps: { platform: Platform; config: CrmConfig; log: Logger; caches: CrmCaches; actual: ActualState }) {}

  private ctx(signal: AbortSignal): OperationContext {
    const log = this.deps.log;
    return { signal: withTimeout(signal, START_TIMEOUT_MS), log, progress: (m) => log.debug({ progress: m }, 'platform progress') };
  }

  /** One start-up attempt. True when the platform is ready (and the listing adopted); false after reporting why not. */
  async startOnce(signal: AbortSignal): Promise<boolean> {
    const { platform, log, actual } = this.deps;
    try {
      const ctx = this.ctx(signal);
      await platform.init(ctx);
      const resources = await platform.gatherResources(ctx);
      const listed = await platform.listInstances(ctx);
      actual.replaceAll(listed);
      this.resources = resources;
      this.platformError = undefined;
      this.ready = true;
      log.info({
        platform: platform.type,
        clusterInsts: actual.size('ClusterInst'), appInsts: actual.size('AppInst'), flavors: resources.flavors.length,
      }, 'platform ready');
      this.publish();
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      const coded = asCodedError(err);
      this.platformError = coded.message;
      log.warn({ err: coded }, 'platform not ready');
      this.publish();
      return false;
    }
  }

  /** Retries `startOnce` with backoff until it succeeds (true) or `signal` aborts (false). */
  async keepTrying(signal: AbortSignal): Promise<boolean> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
    while (!signal.aborted) {
      try {
        await sleep(backoff.next(), signal);
      } catch {
        return false;
      }
      if (await this.startOnce(signal)) return true;
    }
    return false;
  }

  /** Re-gathers resources and flavors; a failure turns CloudletInfo to ERRORS until the next success. */
  async refresh(signal: AbortSignal): Promise<void> {
    try {
      this.resources = await this.deps.platform.gatherResources(this.ctx(signal));
      this.platformError = undefined;
    } catch (err) {
      if (signal.aborted) return;
      this.platformError = asCodedError(err).message;
      this.deps.log.warn({ err }, 'platform resources refresh failed');
    }
    this.publish();
  }

  /** Replaces the list of unrepaired drift shown in CloudletInfo.errors. */
  setUnrepaired(reasons: readonly string[]): void {
    this.unrepaired = reasons;
    this.publish();
  }

  private publish(): void {
    const { caches, config } = this.deps;
    caches.cloudletInfos.update(buildCloudletInfo({
      key: config.cloudletKey, resources: this.resources, platformError: this.platformError, unrepaired: this.unrepaired,
    }));
  }
}
