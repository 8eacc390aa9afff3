/**
 * What the fake platform holds: the journaled instance records, the capacity they use, the flavors and limits,
 * and the in-memory exec logs. Synchronous; {@link FakePlatform} adds latency, faults and signals on top.
 */
import { aborted, failedPrecondition, invalidArgument, notFound } from '../../src/core/errors.js';
import type { AppInstSpec, CloudletResources, InstanceKind, InstanceStatus, PlatformFlavor } from '../../src/platform/platform.js';
import { keyString } from '../../src/wire/object-key.js';
import type { FakeContainer } from './exec.js';
import { NO_USAGE, VM_DEPLOYMENTS, addUsage, describeKey, type FakeInstance, type FakeUsage } from './instances.js';
import { parseFakeSettings, type FakeLimits } from './settings.js';
import type { StateJournal } from './state-journal.js';

/** How many exec lines the log of one AppInst keeps (in memory only). */
const EXEC_LOG_LIMIT = 1000;

/** A runtime change of the cloudlet's capacity or flavors (for refresh tests). */
export interface FakeResourcesChange {
  readonly flavors?: readonly PlatformFlavor[];
  readonly limits?: Partial<FakeLimits>;
}

/** The fake platform's records and capacity. One per FakePlatform. */
export class FakeState {
  /** The flavors gatherResources reports. */
  flavors: readonly PlatformFlavor[];
  /** The capacity creates are checked against. */
  limits: FakeLimits;
  private usedTotal: FakeUsage = NO_USAGE;
  private nextSeq = 1;
  private readonly execLogs = new Map<string, string[]>();

  constructor(
    private readonly journal: StateJournal<FakeInstance>,
    flavors: readonly PlatformFlavor[],
    limits: FakeLimits,
    private readonly now: () => number,
  ) {
    this.flavors = flavors;
    this.limits = limits;
    for (const r of journal.values()) {
      this.usedTotal = addUsage(this.usedTotal, r.usage);
      this.nextSeq = Math.max(this.nextSeq, r.createSeq + 1);
    }
  }

  /** Capacity taken by all instances (whatever their status). */
  get used(): FakeUsage {
    return this.usedTotal;
  }

  /** Every record, in creation order. */
  values(): IterableIterator<FakeInstance> {
    return this.journal.values();
  }

  /** Number of instances. */
  get size(): number {
    return this.journal.size;
  }

  /** The record of `key`; INVALID_ARGUMENT when the key labels the other kind. */
  get(key: string, kind?: InstanceKind): FakeInstance | undefined {
    const r = this.journal.get(key);
    if (r && kind && r.kind !== kind) throw invalidArgument('key', `${key} labels a ${r.kind}, not a ${kind}`);
    return r;
  }

  /** A new `partial` record with the next createSeq and createdAt now (not written yet). */
  fresh(kind: InstanceKind, key: string): FakeInstance {
    return { kind, key, status: 'partial', usage: NO_USAGE, createdAt: new Date(this.now()).toISOString(), createSeq: this.nextSeq++ };
  }

  /** Journals `r` (replacing the record of its key) and updates the capacity in use. Returns `r`. */
  write(r: FakeInstance): FakeInstance {
    const before = this.journal.get(r.key);
    this.journal.put(r);
    this.usedTotal = addUsage(addUsage(this.usedTotal, before?.usage ?? NO_USAGE, -1), r.usage);
    return r;
  }

  /** Removes the record of `key` (journaled) and its exec log. Returns whether there was one. */
  drop(key: string): boolean {
    const before = this.journal.get(key);
    if (!before || !this.journal.delete(key)) return false;
    this.usedTotal = addUsage(this.usedTotal, before.usage, -1);
    this.execLogs.delete(key);
    return true;
  }

  /**
   * Moves the record an operation wrote (`partial`) to `status`, clearing its detail. ABORTED ("deleted while the
   * operation ran") when the instance was deleted, lost or re-created meanwhile: nothing is resurrected.
   */
  finish(partial: FakeInstance, status: InstanceStatus): void {
    const current = this.journal.get(partial.key);
    if (!current || current.createSeq !== partial.createSeq) throw aborted(`${describeKey(partial.kind, partial.key)} was deleted while the operation ran`);
    const { detail: _detail, ...rest } = current;
    this.write({ ...rest, status });
  }

  /** FAILED_PRECONDITION on `key.cluster_inst_key` unless the AppInst's ClusterInst is ready here (VMs need none). */
  checkCluster(spec: AppInstSpec): void {
    if (!spec.clusterInst || VM_DEPLOYMENTS.has(spec.app.deployment)) return;
    const clusterKey = keyString.clusterInst(spec.clusterInst.key);
    const cluster = this.journal.get(clusterKey);
    const name = describeKey('ClusterInst', clusterKey);
    if (!cluster || cluster.kind !== 'ClusterInst') throw failedPrecondition(`${name} does not exist on the platform`, 'key.cluster_inst_key');
    if (cluster.status !== 'ready') throw failedPrecondition(`${name} is ${cluster.status} on the platform, not ready`, 'key.cluster_inst_key');
  }

  /**
   * The AppInst of `key` and one of its containers (`containerId`, or the first when empty). NOT_FOUND when the
   * AppInst or the container does not exist.
   */
  container(key: string, containerId = ''): { record: FakeInstance; container: FakeContainer } {
    const what = describeKey('AppInst', key);
    const r = this.journal.get(key);
    if (!r || r.kind !== 'AppInst') throw notFound(`${what} on the platform`, 'key');
    const ids = r.runtime?.containerIds ?? [];
    const id = containerId === '' ? ids[0] : ids.find((c) => c === containerId);
    if (id === undefined) throw notFound(`container ${containerId} of ${what}`, 'container_id');
    const app = r.app ?? { name: '', version: '', developer: '', image: '', deployment: '' };
    const container = { appName: app.name, appVersion: app.version, developer: app.developer, image: app.image, containerId: id, createdAt: r.createdAt };
    return { record: r, container };
  }

  /** Appends a line to the exec log of `key` (the last 1000 are kept). */
  logExec(key: string, line: string): void {
    const lines = this.execLogs.get(key) ?? [];
    lines.push(line);
    if (lines.length > EXEC_LOG_LIMIT) lines.splice(0, lines.length - EXEC_LOG_LIMIT);
    this.execLogs.set(key, lines);
  }

  /** The exec lines of `key`, oldest first. */
  execLog(key: string): readonly string[] {
    return this.execLogs.get(key) ?? [];
  }

  /** Limits and flavors, with a warning per resource whose use exceeds its (lowered) limit. */
  resources(): CloudletResources {
    const { used, limits } = this;
    const warnings: string[] = [];
    if (used.ramMb > limits.ramMb) warnings.push(`RAM in use (${used.ramMb} MB) exceeds the limit (${limits.ramMb} MB)`);
    if (used.vcpus > limits.vcores) warnings.push(`vCPUs in use (${used.vcpus}) exceed the limit (${limits.vcores})`);
    if (used.diskGb > limits.diskGb) warnings.push(`disk in use (${used.diskGb} GB) exceeds the limit (${limits.diskGb} GB)`);
    return {
      maxRamMb: limits.ramMb,
      maxVcores: limits.vcores,
      maxVolGb: limits.diskGb,
      flavors: this.flavors.map((f) => ({ ...f })),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** Applies a {@link FakeResourcesChange}; INVALID_ARGUMENT (as for the settings) for a bad value. */
  setResources(change: FakeResourcesChange): void {
    if (change.flavors) {
      const flavors = change.flavors.map((f) => ({ name: f.name, vcpus: f.vcpus, ram: f.ramMb, disk: f.diskGb }));
      this.flavors = parseFakeSettings({ flavors }).flavors;
    }
    if (change.limits) {
      const l = { ...this.limits, ...change.limits };
      this.limits = parseFakeSettings({ limits: { ram: l.ramMb, vcores: l.vcores, disk: l.diskGb } }).limits;
    }
  }

  /** Closes the journal. */
  close(): void {
    this.journal.close();
  }
}
