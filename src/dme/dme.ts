import { waitForEvent } from '../core/abort.js';
import type * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { edgeprotoKinds } from '../cache/kinds.js';
import type { Logger } from '../core/logger.js';
import { findCloudletReply_FindStatusToJSON } from '../gen/dme/app-client.js';
import { createNotifyMetrics } from '../metrics/notify-metrics.js';
import { NotifyClient } from '../notify/client.js';
import { ApiCaller } from './api-call.js';
import { AuthTokenVerifier } from './auth-token.js';
import type { DmeConfig } from './config.js';
import type { DmeStatus } from './dme-api.js';
import { DmeCaches } from './dme-caches.js';
import { startGrpcServer, stopGrpcServer } from './grpc-service.js';
import { MatchEngine } from './match-engine.js';
import { MatchIndex } from './match-index.js';
import { createDmeMetrics, type DmeMetrics } from './metrics.js';
import { startRestGateway, type RestGateway } from './rest-gateway.js';
import { SessionCookies } from './session-cookie.js';
import { loadSessionKey } from './session-key.js';

export type { DmeStatus } from './dme-api.js';

/** What a {@link Dme} is built from. */
export interface DmeDeps {
  readonly config: DmeConfig;
  readonly log: Logger;
  /** The process's private Prometheus registry; the DME registers `cloudletd_dme_*` and its notify client metrics. */
  readonly registry: Registry;
}

/** How long close() lets running gRPC calls finish. */
const SHUTDOWN_GRACE_MS = 2_000;

/** The controller connection as the DME sees it, and since when its data may be stale. */
class Link {
  connected = false;
  synced = false;
  /** When the data was last known current (ms): the start, then each loss of a synced connection. */
  staleSince = Date.now();

  /** Seconds since the data was last known current: 0 while connected and synced. */
  dataAgeSeconds(): number {
    return this.connected && this.synced ? 0 : (Date.now() - this.staleSince) / 1000;
  }
}

/**
 * The Distributed Matching Engine. `start` loads (or creates) the session key, starts the notify client (mirrors
 * App, AppInst, Cloudlet and CloudletInfo of every cloudlet, sends its Node NODE_DME), the gRPC server of
 * `distributed_match_engine.MatchEngineApi` on `config.apiAddress` and its REST gateway on `config.httpAddress`,
 * and resolves without waiting for the controller. Without the controller it keeps answering from its last data
 * (`cloudletd_dme_controller_connected` 0, `cloudletd_dme_data_age_seconds` growing); a reconnect converges through
 * the controller's send-all and the prune that follows. See README.md.
 */
export class Dme {
  private readonly listeners = new Set<(status: DmeStatus) => void>();
  private readonly stopping = new AbortController();
  private notifyRun: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly link: Link,
    private readonly caches: DmeCaches,
    private readonly metrics: DmeMetrics,
    private readonly notify: NotifyClient,
    private readonly grpcServer: grpc.Server,
    private readonly rest: RestGateway,
    /** The bound gRPC port (config port 0 resolved). */
    readonly apiPort: number,
    /** The bound REST port (config port 0 resolved). */
    readonly httpPort: number,
  ) {}

  /**
   * Builds and starts a DME (see the class). Rejects with a CodedError naming the field: `session-key-file`
   * (unreadable or not an RSA key), `api-addr` / `http-addr` (cannot listen); nothing stays running then.
   */
  static async start(deps: DmeDeps): Promise<Dme> {
    const { config, log, registry } = deps;
    const kinds = edgeprotoKinds();
    const key = await loadSessionKey(config.sessionKeyFile);
    log.info({ kid: key.kid, source: key.source, sessionKeyFile: config.sessionKeyFile ?? null }, 'session key loaded');
    const caches = new DmeCaches(kinds);
    caches.setNode(config.hostname);
    const index = new MatchIndex(caches);
    index.attach();
    const link = new Link();
    const metrics = createDmeMetrics(registry, {
      indexedAppInsts: () => index.size,
      objects: () => ({ App: caches.apps.size, AppInst: caches.appInsts.size, Cloudlet: caches.cloudlets.size, CloudletInfo: caches.cloudletInfos.size }),
      dataAgeSeconds: () => link.dataAgeSeconds(),
    });
    const engine = new MatchEngine({
      caches, index, carrier: config.carrier,
      cookies: new SessionCookies({ key, ttlMs: config.cookieTtlMs }),
      authTokens: new AuthTokenVerifier(),
      onFind: (status) => metrics.findResults.inc({ status: findCloudletReply_FindStatusToJSON(status) }),
    });
    const caller = new ApiCaller(engine, metrics, log.child({ component: 'api' }));
    const notify = NotifyClient.create({
      addresses: config.notifyAddresses,
      mirrors: caches.mirrors(),
      messageReceivers: [],
      sendCaches: caches.sends(),
      sendMessageKinds: [],
      filterCloudletKey: false,
      log: log.child({ component: 'notify' }),
      metrics: createNotifyMetrics(registry, 'client', Object.values(kinds).map((k: { readonly name: string }) => k.name)),
      ...(config.reconnect ? { reconnect: config.reconnect } : {}),
    });
    const { server, port: apiPort } = await startGrpcServer(config.apiAddress, caller);
    let rest: RestGateway;
    try {
      rest = await startRestGateway({ address: config.httpAddress, caller, log: log.child({ component: 'rest' }) });
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
    const dme = new Dme(link, caches, metrics, notify, server, rest, apiPort, rest.port);
    dme.run();
    return dme;
  }

  private run(): void {
    this.notify.on((event) => {
      const link = this.link;
      if (event.type === 'connected') link.connected = true;
      else if (event.type === 'synced') link.synced = true;
      else {
        if (link.synced) link.staleSince = Date.now();
        link.connected = false;
        link.synced = false;
      }
      this.statusChanged();
    });
    this.notifyRun = this.notify.run(this.stopping.signal);
  }

  /** Current status (see {@link DmeStatus}). */
  status(): DmeStatus {
    return {
      connected: this.link.connected,
      synced: this.link.synced,
      apps: this.caches.apps.size,
      appInsts: this.caches.appInsts.size,
      cloudlets: this.caches.cloudlets.size,
    };
  }

  /** Subscribes to status changes (connect, sync, disconnect); returns the unsubscribe function. */
  onStatus(listener: (status: DmeStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the current connection has delivered the controller's full send-all; rejects when `signal` aborts. */
  whenSynced(signal: AbortSignal): Promise<void> {
    if (this.link.synced) return Promise.resolve();
    return waitForEvent<DmeStatus>((listener) => this.onStatus(listener), (s) => s.synced, signal);
  }

  private statusChanged(): void {
    this.metrics.connected.set(this.link.connected ? 1 : 0);
    this.metrics.synced.set(this.link.synced ? 1 : 0);
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  /** Graceful stop (idempotent): the API servers (running calls may finish), then notify. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.rest.close();
    await stopGrpcServer(this.grpcServer, SHUTDOWN_GRACE_MS);
    this.stopping.abort(new Error('dme stopping'));
    await this.notifyRun;
    if (this.link.synced) this.link.staleSince = Date.now();
    this.link.connected = false;
    this.link.synced = false;
    this.statusChanged();
  }
}
