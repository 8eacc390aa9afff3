import type { App } from '../gen/edgeproto/app.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../gen/edgeproto/clusterinst.js';
import type { Flavor } from '../gen/edgeproto/flavor.js';
import type { PlatformFeatures } from './features.js';
import type { AppInstRuntime, OperationContext } from './operation.js';

export type { AppInstRuntime, OperationContext } from './operation.js';


/** A size of machine the platform offers. RAM in MB, disk in GB (the units of edgeproto FlavorInfo). */
export interface PlatformFlavor {
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

/** Capacity and sizes of the cloudlet, reported in CloudletInfo (`os_max_*`, `flavors`). */
export interface CloudletResources {
  readonly maxRamMb: number;
  readonly maxVcores: number;
  readonly maxVolGb: number;
  readonly flavors: readonly PlatformFlavor[];
  /**
   * Problems that leave the cloudlet usable but degraded; non-empty makes CloudletInfo state ERRORS with these as
   * `errors`. A cloudlet that cannot be used at all rejects `gatherResources` instead.
   */
  readonly warnings?: readonly string[];
}

/** The two kinds of instance a platform builds. */
export type InstanceKind = 'ClusterInst' | 'AppInst';

/**
 * How far an instance on the platform got: `ready` (complete), `partial` (a create or update was interrupted;
 * calling create again completes it, delete removes it), `failed` (exists but broken, e.g. its container
 * exited; `detail` says why).
 */
export type InstanceStatus = 'ready' | 'partial' | 'failed';


/**
 * One instance that exists on the platform, found by the label the driver put on it: the object's key string
 * (`keyString.clusterInst` / `keyString.appInst` of src/wire/object-key). This is what restart adoption reads.
 */
export interface PlatformInstance {
  readonly kind: InstanceKind;
  /** The key string the instance is labelled with. */
  readonly key: string;
  readonly status: InstanceStatus;
  readonly detail?: string;
  /** ClusterInst: the node count it has now. */
  readonly numNodes?: number;
  /** AppInst: its runtime facts. */
  readonly runtime?: AppInstRuntime;
}

/** Everything a driver needs to build or resize a ClusterInst. */
export interface ClusterInstSpec {
  /** `keyString.clusterInst(clusterInst.key)`: the label that identifies it. */
  readonly key: string;
  readonly clusterInst: ClusterInst;
  /** The platform flavor chosen for its nodes (the smallest that fits the ClusterInst's Flavor). */
  readonly nodeFlavor: PlatformFlavor;
}

/** Everything a driver needs to deploy an AppInst. */
export interface AppInstSpec {
  /** `keyString.appInst(appInst.key)`: the label that identifies it. */
  readonly key: string;
  readonly appInst: AppInst;
  readonly app: App;
  /** The ClusterInst it runs on (undefined only for deployment "vm"). */
  readonly clusterInst: ClusterInst | undefined;
  /** The AppInst's Flavor, when the controller sent it. */
  readonly flavor: Flavor | undefined;
}

/** What a delete is about: always the key; the desired object when the CRM still has it. */
export interface DeleteTarget<T> {
  readonly key: string;
  readonly object?: T;
}

/**
 * A platform driver: the small async interface every cloud (fake, docker, openstack...) implements. Every method
 * is idempotent and keyed by the instance's key string:
 * - create of something that exists `ready` does nothing (and returns the same runtime); of something `partial`
 *   completes it; never makes a second copy;
 * - delete of something absent succeeds;
 * - errors are CodedErrors: UNAVAILABLE / ABORTED / DEADLINE_EXCEEDED mean "try again", anything else (e.g.
 *   INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND for a missing image, RESOURCE_EXHAUSTED) is final for
 *   this desired object. Messages say what failed in the user's terms.
 * Optional powers (exec, logs, runtime stats) are announced by `features()`.
 */
export interface Platform {
  /** Driver name ("fake", "docker"...). */
  readonly type: string;
  /** The optional capabilities this driver has. Constant for the driver's life. */
  features(): PlatformFeatures;
  /** One-time start-up: check credentials, reach the endpoint. Rejects when the platform cannot be used. */
  init(ctx: OperationContext): Promise<void>;
  /** Current capacity and flavors. */
  gatherResources(ctx: OperationContext): Promise<CloudletResources>;
  /** Every ClusterInst and AppInst the driver has built for this cloudlet (found by label). */
  listInstances(ctx: OperationContext): Promise<readonly PlatformInstance[]>;
  createClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void>;
  /** Resizes an existing ClusterInst to `spec.clusterInst.num_nodes`. NOT_FOUND when it does not exist. */
  updateClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void>;
  deleteClusterInst(target: DeleteTarget<ClusterInst>, ctx: OperationContext): Promise<void>;
  /** Deploys the AppInst and returns its runtime facts. */
  createAppInst(spec: AppInstSpec, ctx: OperationContext): Promise<AppInstRuntime>;
  deleteAppInst(target: DeleteTarget<AppInst>, ctx: OperationContext): Promise<void>;
  /** Releases connections and timers. Idempotent. Does not touch what the driver built. */
  close(): Promise<void>;
}
