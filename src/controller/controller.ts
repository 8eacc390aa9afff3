import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { edgeprotoKinds, type EdgeprotoKinds } from '../cache/kinds.js';
import { ObjectCache } from '../cache/object-cache.js';
import type { ObjectKind } from '../cache/object-kind.js';
import { Code, CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Node } from '../gen/edgeproto/node.js';
import { createNotifyMetrics } from '../metrics/notify-metrics.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { NotifyServer } from '../notify/server.js';
import { openStore } from '../store/open-store.js';
import { keyString } from '../wire/object-key.js';
import type { Store } from '../store/store.js';
import { markCloudletInfosOffline } from './cloudlet-info-receiver.js';
import { streamDeadlineMs, type ControllerConfig } from './config.js';
import { ExecRelay } from './exec-relay.js';
import { ObjectStore, type WriteTx } from './object-store.js';
import { controllerReceivers } from './receivers.js';
import { startRestGateway, type RestGateway } from './rest/rest-gateway.js';
import { controllerServices } from './services.js';
import { startDeadlineSweeper } from './state/deadline-sweeper.js';
import { operationKind } from './state/operations.js';

/** Dependencies of a {@link Controller}. */
export interface ControllerDeps {
  readonly config: ControllerConfig;
  readonly log: Logger;
  /** Metrics registry; a private one is made if absent. */
  readonly registry?: Registry;
}

/** The kinds the controller stores. */
function storedKinds(kinds: EdgeprotoKinds): ObjectKind[] {
  return [
    kinds.operator, kinds.developer, kinds.flavor, kinds.cluster, kinds.app, kinds.cloudlet, kinds.clusterInst,
    kinds.appInst, kinds.cloudletInfo, kinds.cloudletRefs, kinds.clusterRefs, kinds.controller, operationKind,
  ] as ObjectKind[];
}

/** `address` (host:port) with its port replaced by the bound one: `127.0.0.1:0` → `127.0.0.1:55001`. */
function boundAddress(address: string, port: number): string {
  const colon = address.lastIndexOf(':');
  return `${colon < 0 ? address : address.slice(0, colon)}:${port}`;
}

/** How a client in this process dials the API bound on `address`: a wildcard host becomes 127.0.0.1. Pure. */
function loopbackAddress(address: string, port: number): string {
  const host = address.slice(0, Math.max(0, address.lastIndexOf(':')));
  return ['', '0.0.0.0', '[::]', '::'].includes(host) ? `127.0.0.1:${port}` : `${host}:${port}`;
}

function bind(server: grpc.Server, address: string, field: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(new CodedError(Code.UNAVAILABLE, `cannot listen on ${address}: ${err.message}`, { field, cause: err }));
      else resolve(port);
    });
  });
}

/**
 * The embedded controller: the gRPC API over a persistent store, and the notify server that mirrors desired state
 * to CRMs and DMEs and takes their infos. Lifecycle: `create` (opens the store, marks the stored CloudletInfos
 * OFFLINE since no CRM is connected yet, binds both ports, stores its own Controller object with
 * key.addr = the bound API address), and with `config.httpAddr` the REST gateway (./rest/README.md) that forwards
 * to the API; `close` (stops the gateway, removes that object again).
 */
export class Controller {
  private closed = false;

  private constructor(
    readonly kinds: EdgeprotoKinds,
    readonly objects: ObjectStore,
    readonly notify: NotifyServer,
    readonly nodes: ObjectCache<Node>,
    readonly registry: Registry,
    readonly apiPort: number,
    readonly notifyPort: number,
    private readonly api: grpc.Server,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly closing: AbortController,
    /** This controller's Controller object key (`addr` = bound API address). */
    readonly apiAddress: string,
    private readonly gateway: RestGateway | undefined,
  ) {}

  /** The REST gateway's bound port; undefined when `config.httpAddr` is not set. */
  get httpPort(): number | undefined {
    return this.gateway?.port;
  }

  /** Opens the store and starts both servers. Rejects with a coded error (e.g. UNAVAILABLE for a taken port). */
  static async create(deps: ControllerDeps): Promise<Controller> {
    const { config, log } = deps;
    const kinds = edgeprotoKinds();
    const registry = deps.registry ?? createMetricsRegistry();
    // The embedded controller applies its own commits to its caches and never watches the store, so the store keeps
    // no replay history (with 100-object transactions the default history is a second copy of the data).
    const store = await openStore({ kind: config.store, dataDir: config.dataDir, historyLimit: 0 });
    try {
      const objects = await ObjectStore.open(store, storedKinds(kinds), log);
      // No CRM is connected yet, so every CloudletInfo this controller owns is stale. An embedded store (lmdb,
      // memory) serves this controller alone, so it owns all of them, whatever id wrote them (the id changes with
      // the hostname or --api-addr); a shared etcd store will restrict this to `controller === controllerId`.
      const offline = await markCloudletInfosOffline(objects, kinds, () => true);
      if (offline > 0) log.info({ offline }, 'cloudlet infos of the previous run marked offline');
      const nodes = new ObjectCache(kinds.node);
      const closing = new AbortController();
      const execRelay = new ExecRelay(kinds.execRequest, log.child({ component: 'exec' }));
      const receivers = controllerReceivers({ config, kinds, objects, nodes, log, execRelay, closing: closing.signal });
      const notify = NotifyServer.create({
        kinds,
        // CloudletInfo goes to peers that want it (DMEs, to skip offline cloudlets; the original since 8e261fa95).
        sendCaches: [kinds.flavor, kinds.cloudlet, kinds.cluster, kinds.clusterInst, kinds.app, kinds.appInst, kinds.cloudletInfo]
          .map((k) => objects.cache<unknown>(k as ObjectKind)),
        sendMessageKinds: [kinds.execRequest],
        receivers,
        log: log.child({ component: 'notify' }),
        metrics: createNotifyMetrics(registry, 'server', (Object.values(kinds) as { name: string }[]).map((k) => k.name)),
      });
      const notifyPort = await notify.listen(config.notifyAddr);
      const api = new grpc.Server();
      const apiDeps = { config, kinds, objects, nodes, notify, log, execRelay, closing: closing.signal };
      for (const { service, implementation } of controllerServices(apiDeps)) api.addService(service, implementation);
      const apiPort = await bind(api, config.apiAddr, 'api-addr').catch(async (err: unknown) => {
        await notify.close();
        throw err;
      });
      const apiAddress = boundAddress(config.apiAddr, apiPort);
      const gateway = config.httpAddr === undefined ? undefined : await startRestGateway({
        address: config.httpAddr,
        apiAddress: loopbackAddress(config.apiAddr, apiPort),
        registry,
        log: log.child({ component: 'rest' }),
        streamTimeoutMs: streamDeadlineMs(config.timeouts),
        ...(config.httpMaxBodyBytes === undefined ? {} : { maxBodyBytes: config.httpMaxBodyBytes }),
        accepting: () => !closing.signal.aborted,
      }).catch(async (err: unknown) => {
        api.forceShutdown();
        await notify.close();
        throw err;
      });
      // An embedded store (lmdb, memory) serves exactly one controller: Controller objects left by a killed run
      // are stale and go. (A shared etcd store will keep them under each controller's lease instead.)
      await objects.write((tx) => {
        for (const stale of tx.list(kinds.controller)) tx.delete(kinds.controller, kinds.controller.keyOf(stale));
        tx.put(kinds.controller, { fields: [], key: { addr: apiAddress } });
      }).catch(async (err: unknown) => {
        await gateway?.close();
        api.forceShutdown();
        await notify.close();
        throw err;
      });
      log.info({ apiPort, notifyPort, httpPort: gateway?.port, store: config.store, dataDir: config.dataDir, controllerId: config.controllerId }, 'controller started');
      startDeadlineSweeper(apiDeps, closing.signal);
      return new Controller(kinds, objects, notify, nodes, registry, apiPort, notifyPort, api, store, log, closing, apiAddress, gateway);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /**
   * Ends waiting calls (exec), stops accepting calls, ends notify streams (receivers stop storing), removes this
   * controller's Controller object after every pending write, closes the store. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new Error('controller closing'));
    await this.gateway?.close();
    await new Promise<void>((resolve) => this.api.tryShutdown(() => resolve()));
    this.api.forceShutdown();
    await this.notify.close();
    const ownKey = keyString.controller({ addr: this.apiAddress });
    await this.objects.write((tx: WriteTx) => tx.delete(this.kinds.controller, ownKey)).catch((err: unknown) => {
      this.log.warn({ err }, 'controller object not removed');
    });
    await this.store.close();
    this.log.info('controller stopped');
  }
}
