/**
 * ClusterInsts on the Docker host. A ClusterInst is a user-defined bridge network (mode `bridge`) plus a record: a
 * Docker volume labelled with the ClusterInst's key, node count, network mode and reserved capacity. Labels cannot
 * change, so a resize writes a new record (a higher generation) and removes the old ones; the highest generation
 * is current. A create makes the network first and the record last, so the record marks a complete ClusterInst;
 * a delete removes the record first and the network last.
 */
import { failedPrecondition, notFound } from '../../src/core/errors.js';
import type { ClusterInstSpec, OperationContext, PlatformInstance } from '../../src/platform/platform.js';
import type { DockerApi } from './docker-api.js';
import { checkCapacity } from '../common/capacity.js';
import { addUsage, NO_USAGE, type Limits, type Usage } from './host.js';
import { describeKey, type DockerNaming } from './naming.js';

/** A resolved network mode (what a ClusterInst was created with). */
export type ClusterNetworkMode = 'bridge' | 'host' | 'none';

/** One record volume of a ClusterInst. */
export interface ClusterRecord {
  readonly name: string;
  readonly generation: number;
  readonly numNodes: number;
  readonly mode: ClusterNetworkMode;
  readonly usage: Usage;
}

/** What the host holds of one ClusterInst of this cloudlet. */
export interface ClusterView {
  readonly key: string;
  /** Its bridge network, when it has one. */
  readonly network: { readonly name: string; readonly numNodes: number; readonly usage: Usage } | undefined;
  /** The current record (highest generation). */
  readonly record: ClusterRecord | undefined;
  /** Every record volume's name (old generations are removed by the next resize or delete). */
  readonly recordNames: readonly string[];
}

/** What the cluster operations need from the platform. */
export interface ClusterDeps {
  readonly api: DockerApi;
  readonly naming: DockerNaming;
  /** Test hook: called once per create/update between its first and last step (see DockerPlatformOptions). */
  readonly checkpoint: (op: string, signal: AbortSignal) => Promise<void>;
}

/** Status of a ClusterInst on the host: record + network (when needed) → ready; no record → partial. Pure. */
export function clusterInstance(view: ClusterView, naming: DockerNaming): PlatformInstance {
  const { record, network } = view;
  if (!record) return { kind: 'ClusterInst', key: view.key, status: 'partial', detail: 'creating or deleting', numNodes: network?.numNodes ?? 0 };
  if (record.mode === 'bridge' && !network) {
    return { kind: 'ClusterInst', key: view.key, status: 'failed', detail: `its Docker network ${naming.networkName(view.key)} is missing`, numNodes: record.numNodes };
  }
  return { kind: 'ClusterInst', key: view.key, status: 'ready', numNodes: record.numNodes };
}

/** Capacity a ClusterInst takes: its node flavor times max(1, num_masters + num_nodes). Pure. */
export function clusterUsage(spec: ClusterInstSpec): Usage {
  const machines = Math.max(1, spec.clusterInst.num_masters + spec.clusterInst.num_nodes);
  return { vcpus: spec.nodeFlavor.vcpus * machines, ramMb: spec.nodeFlavor.ramMb * machines, diskGb: spec.nodeFlavor.diskGb * machines };
}

function int(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function modeOf(value: string | undefined): ClusterNetworkMode {
  return value === 'host' || value === 'none' ? value : 'bridge';
}

/** How long `ready` trusts a ClusterInst it found ready, in ms. */
const READY_CACHE_MS = 5_000;

/** The ClusterInsts of one cloudlet: list, create, resize, delete. Keeps only a short cache of ready ones. */
export class DockerClusters {
  /**
   * ClusterInsts `ready` found ready recently: placing a burst of AppInsts on one ClusterInst then costs one listing,
   * not one per AppInst (the listings queue behind container starts on a busy daemon). Dropped on any change made
   * here; a ClusterInst removed behind the driver's back is noticed within READY_CACHE_MS (the container create then
   * fails on the missing network and the CRM retries).
   */
  private readonly readyCache = new Map<string, { view: ClusterView & { record: ClusterRecord }; at: number }>();

  constructor(private readonly deps: ClusterDeps) {}

  private usageOf(labels: Readonly<Record<string, string>>): Usage {
    const l = this.deps.naming.labels;
    return { vcpus: int(labels[l.vcpus]), ramMb: int(labels[l.ramMb]), diskGb: int(labels[l.diskGb]) };
  }

  /** Every ClusterInst of this cloudlet found on the host (networks and record volumes with its labels). */
  async scan(signal: AbortSignal): Promise<Map<string, ClusterView>> {
    const { api, naming } = this.deps;
    const l = naming.labels;
    const filters = naming.filter('ClusterInst');
    const [networks, volumes] = await Promise.all([
      api.call('list networks', signal, (s) => api.docker.listNetworks({ filters, abortSignal: s })),
      api.call('list volumes', signal, (s) => api.docker.listVolumes({ filters, abortSignal: s })),
    ]);
    const views = new Map<string, { network: ClusterView['network']; records: ClusterRecord[] }>();
    const entry = (key: string) => {
      let v = views.get(key);
      if (!v) views.set(key, (v = { network: undefined, records: [] }));
      return v;
    };
    for (const n of networks) {
      const labels = n.Labels ?? {};
      const key = labels[l.clusterInst];
      if (!naming.owns(labels) || key === undefined || n.Name !== naming.networkName(key)) continue;
      entry(key).network = { name: n.Name, numNodes: int(labels[l.numNodes]), usage: this.usageOf(labels) };
    }
    for (const v of volumes.Volumes ?? []) {
      const labels = v.Labels ?? {};
      const key = labels[l.clusterInst];
      if (!naming.owns(labels) || key === undefined) continue;
      const generation = int(labels[l.generation]);
      if (v.Name !== naming.recordName(key, generation)) continue;
      entry(key).records.push({ name: v.Name, generation, numNodes: int(labels[l.numNodes]), mode: modeOf(labels[l.network]), usage: this.usageOf(labels) });
    }
    const out = new Map<string, ClusterView>();
    for (const [key, v] of [...views.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const records = v.records.sort((a, b) => b.generation - a.generation);
      out.set(key, { key, network: v.network, record: records[0], recordNames: records.map((r) => r.name) });
    }
    return out;
  }

  /** Capacity reserved by every ClusterInst of `views` but `except`. Pure. */
  static used(views: ReadonlyMap<string, ClusterView>, except?: string): Usage {
    let used = NO_USAGE;
    for (const v of views.values()) {
      if (v.key === except) continue;
      used = addUsage(used, v.record?.usage ?? v.network?.usage ?? NO_USAGE);
    }
    return used;
  }

  /**
   * Creates (or completes) the ClusterInst: RESOURCE_EXHAUSTED when it does not fit `limits` next to the others,
   * then its network (mode `bridge`), then its record. A ready one is left as it is.
   */
  async create(spec: ClusterInstSpec, mode: ClusterNetworkMode, limits: Limits, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    const views = await this.scan(signal);
    const existing = views.get(spec.key);
    if (existing && clusterInstance(existing, this.deps.naming).status === 'ready') {
      ctx.progress('cluster exists');
      return;
    }
    const usage = clusterUsage(spec);
    checkCapacity(limits, DockerClusters.used(views, spec.key), usage, describeKey('ClusterInst', spec.key), ' on the Docker host');
    const useMode = existing?.record?.mode ?? (existing?.network ? 'bridge' : mode);
    // Progress comes after a step, so an abort inside it finds that step done (what the contract's checks rely on).
    if (useMode === 'bridge' && !existing?.network) ctx.progress(`created network ${await this.createNetwork(spec, usage, signal)}`);
    else ctx.progress(existing ? 'completing cluster' : 'creating cluster');
    await this.deps.checkpoint('createClusterInst', signal);
    if (!existing?.record) await this.writeRecord(spec, useMode, usage, 1, signal);
    ctx.progress('cluster ready');
  }

  /** Resizes to `spec.clusterInst.num_nodes` (a new record); NOT_FOUND when absent; completes a partial one first. */
  async update(spec: ClusterInstSpec, mode: ClusterNetworkMode, limits: Limits, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    let views = await this.scan(signal);
    let existing = views.get(spec.key);
    if (!existing) throw notFound(`${describeKey('ClusterInst', spec.key)} on the Docker host`, 'key');
    if (clusterInstance(existing, this.deps.naming).status !== 'ready') {
      // Partial (a create or delete was interrupted) or broken: complete it first, then resize what it is.
      await this.create(spec, mode, limits, ctx, signal);
      views = await this.scan(signal);
      existing = views.get(spec.key);
    }
    const record = existing?.record;
    if (!existing || !record) throw notFound(`${describeKey('ClusterInst', spec.key)} on the Docker host`, 'key');
    const usage = clusterUsage(spec);
    checkCapacity(limits, DockerClusters.used(views), addUsage(usage, record.usage, -1), describeKey('ClusterInst', spec.key), ' on the Docker host');
    const numNodes = spec.clusterInst.num_nodes;
    let current = record.name;
    if (numNodes !== record.numNodes || usage.vcpus !== record.usage.vcpus || usage.ramMb !== record.usage.ramMb || usage.diskGb !== record.usage.diskGb) {
      ctx.progress(`resizing cluster to ${numNodes} nodes`);
      await this.deps.checkpoint('updateClusterInst', signal);
      current = await this.writeRecord(spec, record.mode, usage, record.generation + 1, signal);
    }
    await this.removeVolumes(existing.recordNames.filter((n) => n !== current), signal);
    ctx.progress('cluster updated');
  }

  /**
   * Removes the ClusterInst (record first, network last); absent is success. FAILED_PRECONDITION, changing nothing,
   * while AppInst containers of this cloudlet still run on it.
   */
  async delete(key: string, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    const { api, naming } = this.deps;
    const existing = (await this.scan(signal)).get(key);
    if (!existing) return;
    const apps = await api.call('list containers', signal, (s) =>
      api.docker.listContainers({ all: true, filters: naming.filter('AppInst', `${naming.labels.clusterInstId}=${naming.id(key)}`), abortSignal: s }),
    );
    const onIt = apps.filter((c) => naming.owns(c.Labels));
    if (onIt.length > 0) {
      const names = onIt.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')).join(', ');
      throw failedPrecondition(`${describeKey('ClusterInst', key)} still has AppInst containers: ${names}; delete its AppInsts first`);
    }
    ctx.progress('deleting cluster');
    await this.removeVolumes(existing.recordNames, signal);
    if (existing.network) {
      const name = existing.network.name;
      await api.call(`remove network ${name}`, signal, (s) => api.docker.getNetwork(name).remove({ abortSignal: s }), { on: { 404: () => undefined } });
    }
  }

  /** The ClusterInst `key` as the AppInsts see it: FAILED_PRECONDITION naming the cluster unless it is ready. */
  async ready(key: string, clusterName: string, signal: AbortSignal): Promise<ClusterView & { record: ClusterRecord }> {
    const cached = this.readyCache.get(key);
    if (cached && performance.now() - cached.at < READY_CACHE_MS) return cached.view;
    const view = (await this.scan(signal)).get(key);
    const what = `ClusterInst ${clusterName}`;
    if (!view) throw failedPrecondition(`${what} does not exist on the Docker host`, 'key.cluster_inst_key');
    const status = clusterInstance(view, this.deps.naming);
    if (status.status !== 'ready' || !view.record) {
      throw failedPrecondition(`${what} is ${status.status} on the Docker host, not ready${status.detail ? ` (${status.detail})` : ''}`, 'key.cluster_inst_key');
    }
    const ready = { ...view, record: view.record };
    this.readyCache.set(key, { view: ready, at: performance.now() });
    return ready;
  }

  /** Forgets what `ready` remembered of a ClusterInst (it is being changed or deleted). */
  forget(key: string): void {
    this.readyCache.delete(key);
  }

  private labels(spec: ClusterInstSpec, mode: ClusterNetworkMode, usage: Usage): Record<string, string> {
    const { naming } = this.deps;
    const l = naming.labels;
    return {
      ...naming.base('ClusterInst'),
      [l.clusterInst]: spec.key,
      [l.clusterInstId]: naming.id(spec.key),
      [l.numNodes]: String(spec.clusterInst.num_nodes),
      [l.network]: mode,
      [l.vcpus]: String(usage.vcpus),
      [l.ramMb]: String(usage.ramMb),
      [l.diskGb]: String(usage.diskGb),
    };
  }

  /** Creates the bridge network (adopting one of the same name that carries this ClusterInst's labels); resolves to its name. */
  private async createNetwork(spec: ClusterInstSpec, usage: Usage, signal: AbortSignal): Promise<string> {
    const { api, naming } = this.deps;
    const name = naming.networkName(spec.key);
    const labels = this.labels(spec, 'bridge', usage);
    const created = await api.call(`create network ${name}`, signal, async (s) => {
      await api.docker.createNetwork({ Name: name, CheckDuplicate: true, Driver: 'bridge', Labels: labels, abortSignal: s });
      return true;
    }, { on: { 409: () => false } });
    if (created) return name;
    const found = (await api.call(`inspect network ${name}`, signal, (s) => (api.docker.getNetwork(name) as unknown as { inspect(options: object): Promise<unknown> }).inspect({ abortSignal: s }))) as { Labels?: Record<string, string> };
    if (!naming.owns(found.Labels) || found.Labels?.[naming.labels.clusterInst] !== spec.key) {
      throw failedPrecondition(`a Docker network named ${name} exists but does not belong to ${describeKey('ClusterInst', spec.key)}`);
    }
    return name;
  }

  /** Writes the record volume of `generation`; resolves to its name. */
  private async writeRecord(spec: ClusterInstSpec, mode: ClusterNetworkMode, usage: Usage, generation: number, signal: AbortSignal): Promise<string> {
    const { api, naming } = this.deps;
    const name = naming.recordName(spec.key, generation);
    const labels = { ...this.labels(spec, mode, usage), [naming.labels.generation]: String(generation) };
    await api.call(`create volume ${name}`, signal, (s) => api.docker.createVolume({ Name: name, Driver: 'local', Labels: labels, abortSignal: s }));
    return name;
  }

  private async removeVolumes(names: readonly string[], signal: AbortSignal): Promise<void> {
    const { api } = this.deps;
    for (const name of names) {
      await api.call(`remove volume ${name}`, signal, (s) => api.docker.getVolume(name).remove({ abortSignal: s }), { on: { 404: () => undefined } });
    }
  }
}
