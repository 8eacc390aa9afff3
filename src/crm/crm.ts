import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import type { Platform } from '../platform/platform.js';
import type { CrmConfig } from './config.js';

/** What a {@link Crm} is built from. */
export interface CrmDeps {
  readonly config: CrmConfig;
  /** The driver, created but not initialised (the CRM calls `init`). The CRM closes it on `close()`. */
  readonly platform: Platform;
  readonly log: Logger;
  /** The process's private Prometheus registry; the CRM registers its `cloudletd_crm_*` metrics in it. */
  readonly registry: Registry;
}

/** Where the CRM is, for /healthz, /readyz and `cloudletd up`. */
export interface CrmStatus {
  /** The platform initialised and the CloudletInfo was gathered. */
  readonly platformReady: boolean;
  /** A notify connection is up. */
  readonly connected: boolean;
  /** Connected and our CloudletInfo was sent on this connection. */
  readonly ready: boolean;
  /** The controller's send-all arrived on this connection (the mirror is authoritative). */
  readonly synced: boolean;
  /** Keys waiting or running in the workqueue. */
  readonly queueDepth: number;
  /** CloudletInfo state name (CLOUDLET_STATE_READY, CLOUDLET_STATE_ERRORS...). */
  readonly cloudletState: string;
}

/**
 * The Cloudlet Resource Manager for one cloudlet. `start` opens the local store, restores the desired state kept
 * there, initialises the platform, adopts what it lists, starts notify, the workqueue and the periodic jobs, and
 * resolves without waiting for the controller. `close` stops gracefully: in-flight operations are aborted through
 * their signals and stay in the journal, so the next start resumes or cleans them up.
 */
export declare class Crm {
  static start(deps: CrmDeps): Promise<Crm>;
  status(): CrmStatus;
  /** Resolves when `status().ready` (connected and CloudletInfo sent); rejects with the signal's reason on abort. */
  whenReady(signal: AbortSignal): Promise<void>;
  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: CrmStatus) => void): () => void;
  /** Graceful stop (idempotent): jobs, queue (running operations aborted and journaled), notify, store, platform. */
  close(): Promise<void>;
}
