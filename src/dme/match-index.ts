import type { CacheChange } from '../cache/object-cache.js';
import type { AppPort } from '../gen/dme/appcommon.js';
import type { Loc } from '../gen/dme/loc.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { Cloudlet, CloudletInfo } from '../gen/edgeproto/cloudlet.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import { keyString } from '../wire/object-key.js';
import { identityOf, type AppIdentity } from './app-identity.js';
import type { DmeCaches } from './dme-caches.js';
import type { GeoPoint } from './geo.js';
import { isCloudletUsable, locationPoint } from './match-rules.js';
import { SpatialIndex, type Neighbour } from './spatial-index.js';

/**
 * Whether a cloudlet's instances may be handed out now (its CloudletInfo, match-rules.ts `isCloudletUsable`). One
 * object per cloudlet, shared by every indexed instance on it and updated in place as its CloudletInfo changes, so
 * a lookup reads a field instead of finding the CloudletInfo.
 */
export interface CloudletStatus {
  readonly usable: boolean;
}

/** What the client API needs of one READY AppInst. */
export interface IndexedInst {
  /** AppInst key string. */
  readonly key: string;
  readonly app: AppIdentity;
  /** App key string. */
  readonly appKey: string;
  /** Cloudlet key string. */
  readonly cloudletKey: string;
  /** The cloudlet's current status (shared, live). */
  readonly cloudlet: CloudletStatus;
  /** The cloudlet's operator: the carrier it serves. */
  readonly operator: string;
  readonly cloudletName: string;
  /** The AppInst's `uri`: what clients connect to. */
  readonly fqdn: string;
  /** The AppInst's `mapped_ports` (public ports). */
  readonly ports: readonly AppPort[];
  /** The cloudlet's location (Cloudlet.location, else the AppInst's cached cloudlet_loc); undefined: none. */
  readonly location: Loc | undefined;
}

/** A cloudlet with a location, for VerifyLocation. */
export interface IndexedCloudlet {
  readonly key: string;
  readonly operator: string;
  readonly name: string;
  readonly location: Loc;
}

interface AppEntries {
  /** READY AppInsts with a location, by AppInst key. */
  readonly spatial: SpatialIndex<IndexedInst>;
  /** Every READY AppInst of the app, located or not, by AppInst key. */
  readonly all: Map<string, IndexedInst>;
}

/**
 * The DME's query structure over its mirrors, kept in sync by cache watchers: per App, a spatial index of its READY
 * AppInsts whose cloudlet has a location (value: what FindCloudlet needs), plus all its READY AppInsts; and a
 * spatial index of the cloudlets that have a location. An AppInst update adds or replaces its entry (or removes it
 * when it is no longer READY), a delete (also a prune after a resync) removes it, and a Cloudlet change re-indexes
 * the AppInsts on that cloudlet. Whether a cloudlet is online is one live {@link CloudletStatus} per cloudlet that
 * its instances share, updated from CloudletInfo changes, so an offline cloudlet's instances are skipped at query
 * time and come back the moment it is READY again, without re-indexing. Synchronous.
 */
export class MatchIndex {
  private readonly byApp = new Map<string, AppEntries>();
  /** App key of every indexed AppInst, to find its entry on delete. */
  private readonly appOfInst = new Map<string, string>();
  /** AppInst keys in the cache, by cloudlet key (indexed or not), to re-index them when their Cloudlet changes. */
  private readonly instsOnCloudlet = new Map<string, Set<string>>();
  private readonly cloudletIndex = new SpatialIndex<IndexedCloudlet>();
  /** The status object of every cloudlet seen (by key); never replaced, so instances keep a live reference. */
  private readonly statuses = new Map<string, { usable: boolean }>();
  private located = 0;

  constructor(private readonly caches: DmeCaches) {}

  /** Indexes what the caches hold and watches them from now on. Returns the function that stops watching. */
  attach(): () => void {
    for (const key of this.caches.cloudletInfos.keys()) this.onCloudletInfo(key, this.caches.cloudletInfos.get(key));
    for (const key of this.caches.cloudlets.keys()) this.onCloudlet(key, this.caches.cloudlets.get(key));
    for (const key of this.caches.appInsts.keys()) this.onAppInst(key, this.caches.appInsts.get(key));
    const offs = [
      this.caches.cloudletInfos.watch((c: CacheChange<CloudletInfo>) => this.onCloudletInfo(c.key, c.kind === 'update' ? c.value : undefined)),
      this.caches.cloudlets.watch((c: CacheChange<Cloudlet>) => this.onCloudlet(c.key, c.kind === 'update' ? c.value : undefined)),
      this.caches.appInsts.watch((c: CacheChange<AppInst>) => this.onAppInst(c.key, c.kind === 'update' ? c.value : undefined, c.kind === 'delete' ? c.old : undefined)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** READY AppInsts with a location (what FindCloudlet searches). */
  get size(): number {
    return this.located;
  }

  /** Cloudlets with a location. */
  get cloudletCount(): number {
    return this.cloudletIndex.size;
  }

  /** The `k` nearest located READY AppInsts of app `appKey` that pass `filter`, nearest first. */
  nearestInsts(appKey: string, point: GeoPoint, k: number, filter: (inst: IndexedInst) => boolean): Neighbour<IndexedInst>[] {
    const entries = this.byApp.get(appKey);
    if (!entries || k <= 0) return [];
    return entries.spatial.nearest(point, k, { filter: (value) => filter(value) });
  }

  /** Every READY AppInst of app `appKey` (located or not), in no particular order. */
  instsOf(appKey: string): IndexedInst[] {
    return [...(this.byApp.get(appKey)?.all.values() ?? [])];
  }

  /** The nearest cloudlet with a location that passes `filter`, or undefined. */
  nearestCloudlet(point: GeoPoint, filter: (cloudlet: IndexedCloudlet) => boolean): Neighbour<IndexedCloudlet> | undefined {
    return this.cloudletIndex.nearest(point, 1, { filter: (value) => filter(value) })[0];
  }

  /** The live status of cloudlet `key`, made on first use (not usable until its CloudletInfo says so). */
  private statusOf(key: string): { usable: boolean } {
    let status = this.statuses.get(key);
    if (!status) this.statuses.set(key, (status = { usable: false }));
    return status;
  }

  private onCloudletInfo(key: string, info: CloudletInfo | undefined): void {
    if (!info && !this.instsOnCloudlet.has(key)) {
      this.statuses.delete(key); // nothing refers to it: forget the cloudlet
      return;
    }
    this.statusOf(key).usable = isCloudletUsable(info?.state);
  }

  private onCloudlet(key: string, cloudlet: Cloudlet | undefined): void {
    this.cloudletIndex.remove(key);
    const point = locationPoint(cloudlet?.location);
    if (cloudlet?.location && point) {
      this.cloudletIndex.add(key, point, {
        key, operator: cloudlet.key?.operator_key?.name ?? '', name: cloudlet.key?.name ?? '', location: cloudlet.location,
      });
    }
    for (const instKey of this.instsOnCloudlet.get(key) ?? []) this.onAppInst(instKey, this.caches.appInsts.get(instKey));
  }

  /** `inst` undefined: deleted (`old` is its last value, for its cloudlet). */
  private onAppInst(key: string, inst: AppInst | undefined, old?: AppInst): void {
    this.removeInst(key);
    const cloudletKeyObject = (inst ?? old)?.key?.cluster_inst_key?.cloudlet_key;
    const cloudletKey = keyString.cloudlet(cloudletKeyObject);
    if (!inst) {
      const keys = this.instsOnCloudlet.get(cloudletKey);
      keys?.delete(key);
      if (keys?.size === 0) this.instsOnCloudlet.delete(cloudletKey);
      return;
    }
    let keys = this.instsOnCloudlet.get(cloudletKey);
    if (!keys) this.instsOnCloudlet.set(cloudletKey, (keys = new Set()));
    keys.add(key);
    if (inst.state !== TrackedState.READY) return;
    const cloudlet = this.caches.cloudlets.get(cloudletKey);
    const location = locationPoint(cloudlet?.location) ? cloudlet?.location : locationPoint(inst.cloudlet_loc) ? inst.cloudlet_loc : undefined;
    const app = identityOf(inst.key?.app_key);
    const appKey = keyString.app(inst.key?.app_key);
    const entry: IndexedInst = {
      key, app, appKey, cloudletKey, location, cloudlet: this.statusOf(cloudletKey),
      operator: cloudletKeyObject?.operator_key?.name ?? '',
      cloudletName: cloudletKeyObject?.name ?? '',
      fqdn: inst.uri,
      ports: inst.mapped_ports,
    };
    let entries = this.byApp.get(appKey);
    if (!entries) this.byApp.set(appKey, (entries = { spatial: new SpatialIndex<IndexedInst>(), all: new Map() }));
    entries.all.set(key, entry);
    this.appOfInst.set(key, appKey);
    const point = locationPoint(location);
    if (point) {
      entries.spatial.add(key, point, entry);
      this.located++;
    }
  }

  private removeInst(key: string): void {
    const appKey = this.appOfInst.get(key);
    if (appKey === undefined) return;
    this.appOfInst.delete(key);
    const entries = this.byApp.get(appKey);
    if (!entries) return;
    entries.all.delete(key);
    if (entries.spatial.remove(key)) this.located--;
    if (entries.all.size === 0) this.byApp.delete(appKey);
  }
}
