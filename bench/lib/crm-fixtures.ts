/**
 * Fixtures of the `crm` section: a notify server playing the controller for one cloudlet (it sends Flavors, the
 * Cloudlet, ClusterInsts, Apps and AppInsts from caches the bench writes, and keeps the infos the CRM reports in caches
 * the bench reads), the desired objects it holds, and ways to wait for reported states.
 */
import { edgeprotoKinds } from '../../src/cache/kinds.js';
import { ObjectCache } from '../../src/cache/object-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { AppInst, type AppInstInfo } from '../../src/gen/edgeproto/app_inst.js';
import { CloudletState, type CloudletInfo, type CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInst, type ClusterInstInfo } from '../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../src/gen/edgeproto/common.js';
import type { Node } from '../../src/gen/edgeproto/node.js';
import { createNotifyMetrics } from '../../src/metrics/notify-metrics.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { InfoCacheReceiver } from '../../src/notify/info-receiver.js';
import { NotifyServer, type NotifyServerDeps } from '../../src/notify/server.js';
import { keyString } from '../../src/wire/object-key.js';
import {
  app,
  appInst,
  cloudlet,
  cloudletKey,
  clusterInst,
  flavor,
  serverCaches,
  type AppInstPlacement,
  type ServerCaches,
} from './notify-fixtures.js';

const ALL_TYPES: string[] = Object.values(edgeprotoKinds()).map((k: { readonly name: string }) => k.name);

/** The developer of every bench App. */
const DEVELOPER = 'AcmeRobotics';

/** A cloudlet of the bench and how its AppInsts are laid out: AppInst `n` runs App `n % apps` on ClusterInst `floor(n / apps)`. */
export interface CrmSite {
  readonly cloudlet: string;
  readonly operator: string;
  /** Apps per ClusterInst (AppInst keys are (App, ClusterInst) pairs). */
  readonly apps: number;
}

export function siteKey(site: CrmSite): CloudletKey {
  return cloudletKey(site.cloudlet, site.operator);
}

/** Placement of AppInst `n` of `site`. */
export function crmPlacement(site: CrmSite, n: number): AppInstPlacement {
  return {
    developer: DEVELOPER,
    app: `bench-app-${n % site.apps}`,
    version: '1.0',
    cluster: `bench-cluster-${Math.floor(n / site.apps)}`,
    cloudlet: site.cloudlet,
    operator: site.operator,
  };
}

/**
 * AppInst `n` of `site` as the controller sends it to a CRM on create: the realistic fixture of notify-fixtures
 * (~300 B: location, uri, mapped ports, flavor x1.small/medium/large) in CREATE_REQUESTED, without runtime info.
 */
export function requestedAppInst(site: CrmSite, n: number): AppInst {
  return AppInst.fromPartial({ ...appInst(n, crmPlacement(site, n)), state: TrackedState.CREATE_REQUESTED, runtime_info: undefined });
}

/** The same AppInst after the controller took the CRM's READY (what its send-all holds afterwards). */
export function readyAppInst(site: CrmSite, n: number): AppInst {
  return AppInst.fromPartial({ ...appInst(n, crmPlacement(site, n)), state: TrackedState.READY, runtime_info: undefined });
}

export function appInstKey(site: CrmSite, n: number): string {
  return keyString.appInst(appInst(n, crmPlacement(site, n)).key);
}

/** A notify server over `caches`, keeping what CRMs report in caches of its own (flushed when a CRM disconnects). */
export interface InfoServer {
  readonly caches: ServerCaches;
  readonly server: NotifyServer;
  readonly address: string;
  readonly cloudletInfos: ObjectCache<CloudletInfo>;
  readonly clusterInstInfos: ObjectCache<ClusterInstInfo>;
  readonly appInstInfos: ObjectCache<AppInstInfo>;
  close(): Promise<void>;
}

/** Starts a controller-like notify server over fresh caches on 127.0.0.1 (ephemeral port). */
export async function startInfoServer(): Promise<InfoServer> {
  const caches = serverCaches();
  const { kinds } = caches;
  const cloudletInfos = new ObjectCache<CloudletInfo>(kinds.cloudletInfo);
  const clusterInstInfos = new ObjectCache<ClusterInstInfo>(kinds.clusterInstInfo);
  const appInstInfos = new ObjectCache<AppInstInfo>(kinds.appInstInfo);
  const server = NotifyServer.create({
    kinds,
    sendCaches: [caches.flavors, caches.cloudlets, caches.clusters, caches.clusterInsts, caches.apps, caches.appInsts] as ObjectCache<unknown>[],
    sendMessageKinds: [kinds.execRequest],
    receivers: [
      new InfoCacheReceiver(cloudletInfos),
      new InfoCacheReceiver(appInstInfos),
      new InfoCacheReceiver(clusterInstInfos),
      new InfoCacheReceiver(new ObjectCache<Node>(kinds.node)),
      { kind: kinds.execRequest, message: () => undefined },
      { kind: kinds.metric, message: () => undefined },
    ] as NotifyServerDeps['receivers'],
    log: silentLogger(),
    metrics: createNotifyMetrics(createMetricsRegistry(), 'server', ALL_TYPES),
  });
  const port = await server.listen('127.0.0.1:0');
  return { caches, server, address: `127.0.0.1:${port}`, cloudletInfos, clusterInstInfos, appInstInfos, close: () => server.close() };
}

/** Flavors x1.small, x1.medium, x1.large (all 4 GB / 2 vCPUs / 40 GB: the fake platform's m4.small) and the Cloudlet. */
export function putCloudlet(server: InfoServer, site: CrmSite): void {
  for (const name of ['x1.small', 'x1.medium', 'x1.large']) server.caches.flavors.update(flavor(name));
  server.caches.cloudlets.update(cloudlet(site.cloudlet, site.operator));
}

/**
 * The ClusterInsts and Apps AppInsts `0..count-1` of `site` need: the ClusterInsts are sent CREATE_REQUESTED, built by
 * the CRM and set READY once it reported them READY (as the controller does); then the Apps. Resolves when done.
 *
 * Call it once the CRM has synced. On a filtered connection the server sends the cloudlet's ClusterInsts as soon as
 * the CRM's CloudletInfo arrives, but the Flavors only with its send-all, after the CRM's SENDALL_END; a fresh CRM
 * that gets a ClusterInst before its Flavor reports CREATE_ERROR "Flavor ... not found" at once.
 */
export async function putDependencies(server: InfoServer, site: CrmSite, count: number, timeoutMs: number): Promise<void> {
  const clusters = Math.ceil(count / site.apps);
  const ready: Promise<void>[] = [];
  for (let c = 0; c < clusters; c++) {
    const ci = clusterInst(crmPlacement(site, c * site.apps));
    const key = keyString.clusterInst(ci.key);
    ready.push(untilInfo(server.clusterInstInfos, key, (i) => i.state === TrackedState.READY, timeoutMs, `ClusterInstInfo READY of ${key}`));
    server.caches.clusterInsts.update(ClusterInst.fromPartial({ ...ci, state: TrackedState.CREATE_REQUESTED }));
  }
  await Promise.all(ready);
  for (let c = 0; c < clusters; c++) server.caches.clusterInsts.update(clusterInst(crmPlacement(site, c * site.apps)));
  for (let a = 0; a < Math.min(count, site.apps); a++) server.caches.apps.update(app(crmPlacement(site, a)));
}

/** Resolves when the server holds a READY CloudletInfo of `key`; rejects after `timeoutMs`. */
export function untilCloudletReady(server: InfoServer, key: CloudletKey, timeoutMs: number): Promise<void> {
  return untilInfo(server.cloudletInfos, keyString.cloudlet(key), (i) => i.state === CloudletState.CLOUDLET_STATE_READY, timeoutMs, 'CloudletInfo READY');
}

/**
 * Resolves when the entry `key` of `cache` satisfies `ok` (checked now and on each change of that key); rejects after
 * `timeoutMs` with `what`.
 */
export function untilInfo<T>(cache: ObjectCache<T>, key: string, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<void> {
  const now = cache.get(key);
  if (now !== undefined && ok(now)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not reached within ${timeoutMs} ms (now ${describe(cache.get(key))})`));
    }, timeoutMs);
    const off = cache.watch((change) => {
      if (change.key !== key || change.kind !== 'update' || !ok(change.value)) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'absent';
  const state = (value as { state?: number }).state;
  const errors = (value as { errors?: string[] }).errors ?? [];
  return `state ${state === undefined ? '?' : (TrackedState[state] ?? String(state))}${errors.length > 0 ? ` errors ${JSON.stringify(errors)}` : ''}`;
}

/**
 * Counts the keys in `keys` whose AppInstInfo on the server is READY, and resolves when all are (checked now and on
 * every change); rejects after `timeoutMs` saying how many were READY. `onReady` sees each key as it turns READY.
 */
export function untilAllReady(
  infos: ObjectCache<AppInstInfo>,
  keys: ReadonlySet<string>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const pending = new Set<string>();
  for (const k of keys) if (infos.get(k)?.state !== TrackedState.READY) pending.add(k);
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      const errors = [...pending].map((k) => infos.get(k)).filter((i) => i !== undefined && i.state !== TrackedState.CREATING).slice(0, 3);
      reject(new Error(`${what}: ${keys.size - pending.size}/${keys.size} READY after ${timeoutMs} ms; e.g. ${errors.map((i) => describe(i)).join('; ') || 'none reported'}`));
    }, timeoutMs);
    const off = infos.watch((change) => {
      if (change.kind !== 'update' || !pending.has(change.key) || change.value.state !== TrackedState.READY) return;
      pending.delete(change.key);
      if (pending.size > 0) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Nearest-rank percentile (`p` in 0..100) of a non-empty list. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
