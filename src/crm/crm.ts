import { waitForEvent, withTimeout } from '../core/abort.js';
import { mkdir } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import { edgeprotoKinds } from '../cache/kinds.js';
import type { Logger } from '../core/logger.js';
import { Outcome } from '../core/outcome.js';
import { WorkQueue } from '../core/workqueue.js';
import { CloudletState, type CloudletInfo } from '../gen/edgeproto/cloudlet.js';
import type { ExecRequest } from '../gen/edgeproto/exec.js';
import { createNotifyMetrics } from '../metrics/notify-metrics.js';
import { NotifyClient } from '../notify/client.js';
import type { Platform } from '../platform/platform.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { keyString } from '../wire/object-key.js';
import { ActualState } from './actual-state.js';
import { CrmCaches } from './crm-caches.js';
import type { CrmConfig } from './config.js';
import { DesiredStore } from './desired-store.js';
import { detectDrift, type DriftDeps } from './drift-job.js';
import { handleExecRequest } from './exec-handler.js';
import { phaseOf } from './inst-phase.js';
import { InfoReporter } from './info-reporter.js';
import { PeriodicJobs } from './jobs.js';
import { OperationJournal, type InstKind } from './journal.js';
import { createCrmMetrics, type CrmMetrics } from './metrics.js';
import { PlatformSession } from './platform-session.js';
import { reconcileAppInst } from './reconcile-appinst.js';
import { wakeWaiters } from './reconcile-common.js';
import { reconcileClusterInst } from './reconcile-clusterinst.js';
import { parseQueueKey, queueKey, type ReconcileEnv, type Waiting } from './reconcile-env.js';
import { collectRuntime } from './runtime-job.js';

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

const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The Cloudlet Resource Manager for one cloudlet. `start` opens the local store, restores the desired state kept
 * there, initialises the platform, adopts what it lists, starts notify, the workqueue and the periodic jobs, and
 * resolves without waiting for the controller. `close` stops gracefully: in-flight operations are aborted through
 * their signals and stay in the journal, so the next start resumes or cleans them up. See README.md.
 */
export class Crm {
  private readonly caches: CrmCaches;
  private readonly actual = new ActualState();
  private readonly metrics: CrmMetrics;
  private readonly journal: OperationJournal;
  private readonly desiredStore: DesiredStore;
  private readonly queue: WorkQueue<string>;
  private readonly session: PlatformSession;
  private readonly jobs: PeriodicJobs;
  private readonly notify: NotifyClient;
  private readonly env: ReconcileEnv;
  private readonly stopping = new AbortController();
  private readonly listeners = new Set<(status: CrmStatus) => void>();
  /** Running operations by queue key: the phase they work towards and how to stop them. */
  private readonly running = new Map<string, { phase: string; abort: AbortController }>();
  private readonly deferred = new Set<string>();
  /** Keys whose last run failed terminally, with the phase the desired object was in then. */
  private readonly failedIn = new Map<string, string>();
  private readonly runtimeSeries = new Map<string, Record<'developer' | 'app' | 'version' | 'cluster', string>>();
  private readonly cloudletKey: string;
  private notifyRun: Promise<void> | undefined;
  private connected = false;
  private synced = false;
  private syncedAt: number | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly deps: CrmDeps, private readonly store: Store) {
    const { config, platform, log, registry } = deps;
    const kinds = edgeprotoKinds();
    this.cloudletKey = keyString.cloudlet(config.cloudletKey);
    this.caches = new CrmCaches(kinds);
    this.metrics = createCrmMetrics(registry, {
      queueDepth: () => this.queue.len() + this.deferred.size,
      objects: (gauge) => this.caches.countObjects(gauge),
    });
    this.journal = new OperationJournal(store, log);
    this.desiredStore = new DesiredStore(store, this.caches.mirrors(), log);
    this.session = new PlatformSession({ platform, config, log, caches: this.caches, actual: this.actual });
    this.jobs = new PeriodicJobs(this.metrics, log);
    const waiting = new Map<string, Waiting>();
    const unrepaired = new Map<string, string>();
    this.env = {
      config, platform, log, metrics: this.metrics, actual: this.actual, journal: this.journal,
      desired: this.caches, infos: this.caches, report: new InfoReporter(this.caches),
      platformFlavors: () => this.session.resources?.flavors ?? [],
      synced: () => this.synced,
      syncedAt: () => this.syncedAt,
      waiting, orphanSince: new Map(), unrepaired,
      failures: (kind, key) => this.queue.failures(queueKey(kind, key)),
      enqueue: (kind, key) => this.enqueue(queueKey(kind, key)),
      unrepairedChanged: () => this.session.setUnrepaired([...unrepaired.values()]),
    };
    this.queue = new WorkQueue<string>({
      concurrency: config.concurrency,
      handler: (qk, signal) => this.reconcile(qk, signal),
      logger: log,
    });
    this.notify = NotifyClient.create({
      addresses: config.notifyAddresses,
      mirrors: this.caches.mirrors(),
      messageReceivers: [{
        kind: kinds.execRequest,
        message: (request: ExecRequest) => void handleExecRequest({
          request, cloudletKey: this.cloudletKey, appInsts: this.caches.appInsts, platform, metrics: this.metrics,
          log, signal: this.stopping.signal, reply: (r) => this.notify.sendMessage(kinds.execRequest, r),
        }),
      }],
      sendCaches: this.caches.sends(),
      sendMessageKinds: [kinds.execRequest],
      filterCloudletKey: true,
      log: log.child({ component: 'notify' }),
      metrics: createNotifyMetrics(registry, 'client', Object.values(kinds).map((k: { readonly name: string }) => k.name)),
      ...(config.reconnect ? { reconnect: config.reconnect } : {}),
      ...(config.resync ? { resync: config.resync } : {}),
    });
  }

  /** Builds and starts a CRM (see the class). Rejects when the local store cannot be opened. */
  static async start(deps: CrmDeps): Promise<Crm> {
    const { config } = deps;
    if (config.store === 'lmdb') await mkdir(config.dataDir, { recursive: true });
    const store = await openStore({ kind: config.store, dataDir: config.dataDir, log: deps.log, historyLimit: 0 });
    const crm = new Crm(deps, store);
    try {
      await crm.open();
    } catch (err) {
      await crm.close().catch(() => undefined);
      throw err;
    }
    return crm;
  }

  private async open(): Promise<void> {
    const { log, config } = this.deps;
    const restored = await this.desiredStore.restore();
    const inFlight = await this.journal.load();
    log.info({ restored, inFlight: inFlight.length }, 'local state loaded');
    this.desiredStore.attach();
    this.watchDesired();
    this.caches.setNode(config.hostname, config.cloudletKey);
    // The first platform attempt decides the first CloudletInfo (READY, or ERRORS with the reason); notify starts
    // after it, so the controller's send-all always follows a CloudletInfo and never prunes what we restored.
    const first = await this.session.startOnce(this.stopping.signal);
    if (first) this.onPlatformReady();
    else void this.session.keepTrying(this.stopping.signal).then((ok) => ok && this.onPlatformReady());
    this.notify.on((event) => {
      if (event.type === 'connected') this.connected = true;
      else if (event.type === 'disconnected') {
        this.connected = false;
        this.synced = false;
        this.syncedAt = undefined;
      } else if (event.type === 'synced') {
        this.synced = true;
        this.syncedAt = Date.now();
        this.enqueueAll(); // level-triggered: whatever a lost connection swallowed is reported again
      }
      this.statusChanged();
    });
    this.notifyRun = this.notify.run(this.stopping.signal);
    this.scheduleJobs();
  }

  private onPlatformReady(): void {
    for (const entry of this.journal.all()) this.enqueue(queueKey(entry.kind, entry.key));
    this.enqueueAll();
    for (const qk of this.deferred) this.queue.add(qk);
    this.deferred.clear();
    this.statusChanged();
  }

  private scheduleJobs(): void {
    const { schedules } = this.deps.config;
    this.jobs.add({ name: 'refresh_info', schedule: schedules.refreshInfo, run: (signal) => (this.session.ready ? this.session.refresh(signal) : Promise.resolve()) });
    this.jobs.add({ name: 'drift', schedule: schedules.drift, run: async (signal) => {
      if (this.session.ready) await detectDrift(this.driftDeps(), signal);
    } });
    this.jobs.add({ name: 'runtime', schedule: schedules.runtime, run: (signal) => (this.session.ready ? collectRuntime(this.env, this.runtimeSeries, signal) : Promise.resolve()) });
  }

  /** Runs the drift job now (tests, `kill -HUP`-style triggers). Resolves when it ends. */
  async detectDriftNow(): Promise<void> {
    await detectDrift(this.driftDeps(), this.stopping.signal);
  }

  private driftDeps(): DriftDeps {
    return {
      env: this.env,
      busy: (kind, key) => this.queue.isRunning(queueKey(kind, key)) || this.queue.isPending(queueKey(kind, key)),
      touchedAt: (kind, key) => this.actual.touchedAt(kind, key),
    };
  }

  private watchDesired(): void {
    const onInst = (kind: InstKind) => (change: { key: string; kind: 'update' | 'delete'; value?: { state: number } }) => {
      const qk = queueKey(kind, change.key);
      const running = this.running.get(qk);
      if (running) {
        const phase = change.kind === 'delete' ? 'gone' : phaseOf(change.value?.state ?? 0);
        if (phase !== running.phase && phase !== 'none') running.abort.abort(new Error(`desired ${kind} changed to ${phase}`));
      }
      this.enqueue(qk);
    };
    this.caches.clusterInsts.watch(onInst('ClusterInst'));
    this.caches.appInsts.watch(onInst('AppInst'));
    const wake = (change: { key: string }) => wakeWaiters(this.env, change.key);
    this.caches.apps.watch(wake);
    this.caches.flavors.watch(wake);
    // A Cloudlet deleted and created again while this CRM runs: the controller dropped its CloudletInfo with it,
    // and the unchanged info would never be sent again; the cloudlet would stay "not ready" until a restart.
    this.caches.cloudlets.watch((change) => {
      if (change.kind === 'update' && change.old === undefined && change.key === this.cloudletKey) {
        this.notify.resend(this.caches.cloudletInfos.kind.name, this.cloudletKey);
      }
    });
  }

  private enqueue(qk: string): void {
    if (this.stopping.signal.aborted) return;
    if (!this.session.ready) this.deferred.add(qk);
    else this.queue.add(qk);
  }

  /** Queues every instance the CRM knows of: desired, on the platform, journaled, or reported. */
  private enqueueAll(): void {
    const keys = new Set<string>();
    for (const k of this.caches.clusterInsts.keys()) keys.add(queueKey('ClusterInst', k));
    for (const k of this.caches.clusterInstInfos.keys()) keys.add(queueKey('ClusterInst', k));
    for (const k of this.actual.keys('ClusterInst')) keys.add(queueKey('ClusterInst', k));
    for (const k of this.caches.appInsts.keys()) keys.add(queueKey('AppInst', k));
    for (const k of this.caches.appInstInfos.keys()) keys.add(queueKey('AppInst', k));
    for (const k of this.actual.keys('AppInst')) keys.add(queueKey('AppInst', k));
    for (const e of this.journal.all()) keys.add(queueKey(e.kind, e.key));
    for (const qk of keys) this.enqueue(qk);
  }

  private async reconcile(qk: string, queueSignal: AbortSignal) {
    const { kind, key } = parseQueueKey(qk);
    const desired = kind === 'ClusterInst' ? this.caches.clusterInsts.get(key) : this.caches.appInsts.get(key);
    const phase = desired ? phaseOf(desired.state) : 'gone';
    // A reported failure stands until the controller has seen it (the desired object moves to *_ERROR) or the
    // intent changes; re-sent copies of the same request (e.g. CREATING after our CREATE_ERROR) must not re-run it.
    const failedIn = this.failedIn.get(qk);
    if (failedIn !== undefined) {
      if (failedIn === phase) return Outcome.done();
      this.failedIn.delete(qk);
    }
    const abort = new AbortController();
    this.running.set(qk, { phase, abort });
    const started = performance.now();
    try {
      const signal = AbortSignal.any([queueSignal, abort.signal]);
      const done = kind === 'ClusterInst' ? await reconcileClusterInst(this.env, key, signal) : await reconcileAppInst(this.env, key, signal);
      this.metrics.reconcileSeconds.observe({ kind, ...done.label }, (performance.now() - started) / 1000);
      if (done.outcome.kind === 'terminal' && phase !== 'gone') this.failedIn.set(qk, phase);
      return done.outcome;
    } finally {
      this.running.delete(qk);
    }
  }

  /** Current status (see {@link CrmStatus}). */
  status(): CrmStatus {
    const info: CloudletInfo | undefined = this.caches.cloudletInfos.get(this.cloudletKey);
    return {
      platformReady: this.session.ready,
      connected: this.connected,
      ready: this.connected && info !== undefined,
      synced: this.synced,
      queueDepth: this.queue.len() + this.deferred.size,
      cloudletState: info ? CloudletState[info.state] ?? String(info.state) : 'CLOUDLET_STATE_UNKNOWN',
    };
  }

  /** Resolves when `status().ready`; rejects with the signal's reason when it aborts first. */
  whenReady(signal: AbortSignal): Promise<void> {
    if (this.status().ready) return Promise.resolve();
    return waitForEvent<CrmStatus>((listener) => this.onStatus(listener), (s) => s.ready, signal);
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: CrmStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private statusChanged(): void {
    const status = this.status();
    this.metrics.connected.set(status.connected ? 1 : 0);
    this.metrics.ready.set(status.ready ? 1 : 0);
    for (const listener of this.listeners) listener(status);
  }

  /** Graceful stop (idempotent): jobs, queue (running operations aborted and journaled), notify, store, platform. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const { log, platform } = this.deps;
    this.stopping.abort(new Error('crm stopping'));
    await this.jobs.stop();
    await this.queue.shutdown({ abortRunning: true, signal: withTimeout(undefined, SHUTDOWN_GRACE_MS) });
    await this.notifyRun;
    await this.desiredStore.close();
    await this.store.close();
    await platform.close();
    this.connected = false;
    this.statusChanged();
    log.info('crm stopped');
  }
}
