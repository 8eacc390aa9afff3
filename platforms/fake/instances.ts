/**
 * The fake platform's instance records (what the journal keeps) and the pure helpers around them: container ids,
 * resource usage, names for messages, and the views handed to the CRM.
 */
import { createHash } from 'node:crypto';
import type { AppInstRuntime, AppInstSpec, ClusterInstSpec, InstanceKind, InstanceStatus, PlatformInstance } from '../../src/platform/platform.js';
import { addUsage, checkCapacity, NO_USAGE, type ResourceUsage } from '../common/capacity.js';

/** Capacity an instance takes from the cloudlet's limits. */
export type FakeUsage = ResourceUsage;

/** What an AppInst record remembers of its App (for exec, logs and runtime). */
export interface FakeAppInfo {
  readonly name: string;
  readonly version: string;
  readonly developer: string;
  readonly image: string;
  readonly deployment: string;
}

/** One instance on the fake platform, as journaled. Immutable: changes write a new record. */
export interface FakeInstance {
  readonly kind: InstanceKind;
  /** Its label: the object's key string. */
  readonly key: string;
  readonly status: InstanceStatus;
  readonly detail?: string;
  /** ClusterInst: node count (num_nodes). */
  readonly numNodes?: number;
  /** ClusterInst: master count (num_masters). */
  readonly numMasters?: number;
  /** ClusterInst: the platform flavor of its nodes. */
  readonly nodeFlavor?: string;
  /** Capacity taken from the limits (ClusterInsts, and AppInsts of VM deployments). */
  readonly usage: FakeUsage;
  /** AppInst: its App. */
  readonly app?: FakeAppInfo;
  /** AppInst: RAM of its flavor in MB (what the reported memory usage derives from). */
  readonly memoryMb?: number;
  /** AppInst: runtime facts. */
  readonly runtime?: { readonly containerIds: readonly string[] };
  /** ISO time of the first create. */
  readonly createdAt: string;
  /** Order of creation on this platform (1, 2, ...), kept across restarts. */
  readonly createSeq: number;
}

export { NO_USAGE, addUsage, checkCapacity };

/** Deployments that run as a VM on the cloudlet itself, without a ClusterInst. */
export const VM_DEPLOYMENTS: ReadonlySet<string> = new Set(['vm', 'kvm']);

/** True when `value` looks like a {@link FakeInstance} (checks what the code relies on). Pure. */
export function isFakeInstance(value: unknown): value is FakeInstance {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<keyof FakeInstance, unknown>>;
  const usage = r.usage as Partial<Record<keyof FakeUsage, unknown>> | undefined;
  return (
    (r.kind === 'ClusterInst' || r.kind === 'AppInst') &&
    typeof r.key === 'string' &&
    (r.status === 'ready' || r.status === 'partial' || r.status === 'failed') &&
    typeof r.createdAt === 'string' &&
    typeof r.createSeq === 'number' &&
    typeof usage === 'object' &&
    typeof usage.vcpus === 'number' &&
    typeof usage.ramMb === 'number' &&
    typeof usage.diskGb === 'number'
  );
}

/** The container ids of an AppInst: `fake-<12 hex of sha256(key)>-0`. Deterministic. */
export function containerIdsOf(key: string): string[] {
  return [`fake-${createHash('sha256').update(key).digest('hex').slice(0, 12)}-0`];
}

/** What a ClusterInst takes: its node flavor times max(1, num_masters + num_nodes). */
export function clusterUsage(spec: ClusterInstSpec): FakeUsage {
  const machines = Math.max(1, spec.clusterInst.num_masters + spec.clusterInst.num_nodes);
  return { vcpus: spec.nodeFlavor.vcpus * machines, ramMb: spec.nodeFlavor.ramMb * machines, diskGb: spec.nodeFlavor.diskGb * machines };
}

/** What an AppInst takes itself: its flavor for a VM deployment, nothing inside a cluster. */
export function appUsage(spec: AppInstSpec): FakeUsage {
  if (!VM_DEPLOYMENTS.has(spec.app.deployment) || !spec.flavor) return NO_USAGE;
  return { vcpus: Number(spec.flavor.vcpus), ramMb: Number(spec.flavor.ram), diskGb: Number(spec.flavor.disk) };
}



/** The CRM's view of a record (what `listInstances` returns). */
export function toPlatformInstance(r: FakeInstance): PlatformInstance {
  return {
    kind: r.kind,
    key: r.key,
    status: r.status,
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
    ...(r.kind === 'ClusterInst' ? { numNodes: r.numNodes ?? 0 } : {}),
    ...(r.runtime ? { runtime: { containerIds: [...r.runtime.containerIds] } } : {}),
  };
}

/**
 * Made-up, deterministic usage of an AppInst at time `nowMs`: CPU 0.05 s per second of age, memory half of its
 * flavor's RAM (128 MiB without a flavor), network 2 kB/s in and 1 kB/s out since creation.
 */
export function runtimeUsage(r: FakeInstance, nowMs: number): AppInstRuntime {
  const ageSeconds = Math.max(0, (nowMs - Date.parse(r.createdAt)) / 1000);
  return {
    containerIds: [...(r.runtime?.containerIds ?? [])],
    cpuSeconds: Math.round(ageSeconds * 0.05 * 1000) / 1000,
    memoryBytes: r.memoryMb ? (r.memoryMb * 1024 * 1024) / 2 : 128 * 1024 * 1024,
    networkRxBytes: Math.floor(ageSeconds * 2048),
    networkTxBytes: Math.floor(ageSeconds * 1024),
  };
}

/** What a ClusterInst record keeps of its spec. */
export function clusterShape(spec: ClusterInstSpec): Pick<FakeInstance, 'numNodes' | 'numMasters' | 'nodeFlavor'> {
  return { numNodes: spec.clusterInst.num_nodes, numMasters: spec.clusterInst.num_masters, nodeFlavor: spec.nodeFlavor.name };
}

/** What an AppInst record keeps of its App. */
export function appInfo(spec: AppInstSpec): FakeAppInfo {
  const key = spec.app.key;
  return { name: key?.name ?? '', version: key?.version ?? '', developer: key?.developer_key?.name ?? '', image: spec.app.image_path, deployment: spec.app.deployment };
}

export { describeKey } from '../common/describe-key.js';
