/**
 * The Docker platform driver: a cloudlet's ClusterInsts and AppInsts as networks, record volumes and containers
 * on the CRM's own Docker host, found again by their labels. See README.md in this folder.
 */
import { guardOperation } from '../common/guard-operation.js';
import { abortable } from '../../src/core/abort.js';
import { cancelled, failedPrecondition } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import type { ExecCommand } from '../../src/platform/features.js';
import type {
  AppInstRuntime,
  AppInstSpec,
  CloudletResources,
  ClusterInstSpec,
  DeleteTarget,
  OperationContext,
  Platform,
  PlatformInstance,
} from '../../src/platform/platform.js';
import type { PlatformFeatures } from '../../src/platform/features.js';
import type { PlatformDeps } from '../../src/platform/registry.js';
import { keyString } from '../../src/wire/object-key.js';
import { DockerApps } from './apps.js';
import { clusterInstance, DockerClusters } from './clusters.js';
import type { ContainerPlacement } from './container-spec.js';
import { DockerApi } from './docker-api.js';
import { DockerFeatures } from './features.js';
import { cloudletResources, derivedFlavors, diskGbOf, FALLBACK_DISK_GB, hostInfoOf, limitsOf, resolveNetworkMode, type HostInfo, type Limits } from './host.js';
import { DockerNaming } from './naming.js';
import { parseDockerSettings, type DockerSettings } from './settings.js';

/** Test hooks of {@link DockerPlatform.create}. */
export interface DockerPlatformOptions {
  /**
   * Awaited once by each create of a ClusterInst (after its network, before its record), each resize and each
   * create of an AppInst (after its containers are created, before they start), with the operation's signal. A
   * hook that waits until that signal aborts makes the operation hang half-done: the contract suite's hang hook.
   */
  readonly checkpoint?: (op: 'createClusterInst' | 'updateClusterInst' | 'createAppInst', signal: AbortSignal) => Promise<void>;
}

/** ClusterInst deployments the driver builds (none given counts as docker). */
const CLUSTER_DEPLOYMENTS = new Set(['docker', '']);

/** Runs one function at a time; a waiter that aborts leaves the queue without skipping anyone. */
class SerialLock {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.tail = previous.then(() => mine);
    try {
      await abortable(previous, signal);
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * The Docker driver. Every method honours `ctx.signal` (rejecting with its reason as a CodedError), rejects
 * UNAVAILABLE while the daemon cannot be reached (and then changes and deletes nothing), and touches only objects
 * labelled with this cloudlet's key. Features: exec, logs, runtime.
 */
export class DockerPlatform implements Platform {
  readonly type = 'docker';
  private readonly closing = new AbortController();
  private readonly api: DockerApi;
  private readonly naming: DockerNaming;
  private readonly clusters: DockerClusters;
  private readonly apps: DockerApps;
  private readonly featureSet: PlatformFeatures;
  /** Serialises the capacity check and the write of ClusterInst creates and resizes. */
  private readonly capacityLock = new SerialLock();
  private host: { info: HostInfo; diskGb: number | undefined } | undefined;
  private warnedDisk = false;

  private constructor(
    /** The validated settings it was created with. */
    readonly settings: DockerSettings,
    cloudletKey: string,
    private readonly log: Logger,
    options: DockerPlatformOptions,
  ) {
    this.api = new DockerApi(settings.socketPath);
    this.naming = new DockerNaming(settings.labelPrefix, cloudletKey);
    const checkpoint = options.checkpoint ?? (() => Promise.resolve());
    const hook = (op: string, signal: AbortSignal): Promise<void> => checkpoint(op as 'createClusterInst', signal);
    this.clusters = new DockerClusters({ api: this.api, naming: this.naming, checkpoint: hook });
    this.apps = new DockerApps({ api: this.api, naming: this.naming, settings, checkpoint: hook });
    const features = new DockerFeatures(this.api, this.apps);
    this.featureSet = Object.freeze({
      exec: { run: (command: ExecCommand, ctx: OperationContext) => this.guard(ctx, (signal) => features.exec(command, signal)) },
      logs: { tail: (key: string, lines: number, ctx: OperationContext) => this.guard(ctx, (signal) => features.tail(key, lines, signal)) },
      runtime: { appInstRuntime: (key: string, ctx: OperationContext) => this.guard(ctx, (signal) => features.runtime(key, signal)) },
    });
  }

  /** Validates `deps.settings` (INVALID_ARGUMENT naming the field); connects lazily; does not call `init`. */
  static async create(deps: PlatformDeps, options: DockerPlatformOptions = {}): Promise<DockerPlatform> {
    const settings = parseDockerSettings(deps.settings);
    const log = deps.log.child({ platform: 'docker' });
    return Promise.resolve(new DockerPlatform(settings, keyString.cloudlet(deps.cloudletKey), log, options));
  }

  /** exec, logs and runtime (the same object for the platform's life). */
  features(): PlatformFeatures {
    return this.featureSet;
  }

  /** Reaches the daemon (`_ping`, `info`); UNAVAILABLE naming the socket when it cannot. */
  async init(ctx: OperationContext): Promise<void> {
    await this.guard(ctx, async (signal) => {
      await this.api.ping(signal);
      const { info, diskGb } = await this.refreshHost(signal);
      this.log.info(
        { socket: this.settings.socketPath, version: info.serverVersion, cpus: info.ncpu, memMb: info.memMb, diskGb, network: resolveNetworkMode(this.settings.network, info) },
        'docker platform ready',
      );
    });
  }

  /** Host size (`docker info`, the disk of DockerRootDir), the limits and flavors; warnings when reservations exceed limits. */
  async gatherResources(ctx: OperationContext): Promise<CloudletResources> {
    return this.guard(ctx, async (signal) => {
      const { info, diskGb } = await this.refreshHost(signal);
      const limits = limitsOf(info, diskGb, this.settings.limits);
      const flavors = this.settings.flavors ?? derivedFlavors(info.ncpu, info.memMb, diskGb ?? this.settings.limits.diskGb ?? FALLBACK_DISK_GB);
      return cloudletResources(limits, flavors, DockerClusters.used(await this.clusters.scan(signal)));
    });
  }

  /** This cloudlet's ClusterInsts, then its AppInsts, each by key. */
  async listInstances(ctx: OperationContext): Promise<readonly PlatformInstance[]> {
    return this.guard(ctx, async (signal) => {
      const [clusters, apps] = await Promise.all([this.clusters.scan(signal), this.apps.scan(signal)]);
      const out: PlatformInstance[] = [...clusters.values()].map((v) => clusterInstance(v, this.naming));
      for (const [key, containers] of apps) out.push(await this.apps.instance(key, containers, signal));
      return out;
    });
  }

  /** Idempotent; RESOURCE_EXHAUSTED when node flavor × max(1, masters + nodes) does not fit next to the others. */
  async createClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    await this.guard(ctx, (signal) => {
      if (!CLUSTER_DEPLOYMENTS.has(spec.clusterInst.deployment)) {
        throw failedPrecondition(`deployment ${spec.clusterInst.deployment} is not supported by the docker platform (only docker)`, 'deployment');
      }
      return this.capacityLock.run(signal, async () => {
        const { info, limits } = await this.limits(signal);
        this.clusters.forget(spec.key);
        await this.clusters.create(spec, resolveNetworkMode(this.settings.network, info), limits, ctx, signal);
      });
    });
  }

  /** Records the new node count; NOT_FOUND when absent; RESOURCE_EXHAUSTED when the growth does not fit. */
  async updateClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    await this.guard(ctx, (signal) =>
      this.capacityLock.run(signal, async () => {
        const { info, limits } = await this.limits(signal);
        this.clusters.forget(spec.key);
        await this.clusters.update(spec, resolveNetworkMode(this.settings.network, info), limits, ctx, signal);
      }),
    );
  }

  /** Removes the record and the network; absent is success; FAILED_PRECONDITION while AppInsts still run on it. */
  async deleteClusterInst(target: DeleteTarget<ClusterInst>, ctx: OperationContext): Promise<void> {
    this.clusters.forget(target.key);
    await this.guard(ctx, (signal) => this.clusters.delete(target.key, ctx, signal));
  }

  /**
   * Idempotent create or repair; returns the container names (main first). FAILED_PRECONDITION naming the cluster
   * unless its ClusterInst is ready here; NOT_FOUND for an image that is missing and cannot be pulled.
   */
  async createAppInst(spec: AppInstSpec, ctx: OperationContext): Promise<AppInstRuntime> {
    return this.guard(ctx, (signal) => this.apps.create(spec, () => this.placement(spec, signal), ctx, signal));
  }

  /** Removes the AppInst's containers; absent is success. */
  async deleteAppInst(target: DeleteTarget<AppInst>, ctx: OperationContext): Promise<void> {
    await this.guard(ctx, (signal) => this.apps.delete(target.key, ctx, signal));
  }

  /** Cancels the calls in flight (CANCELLED) and closes the daemon connections; later calls FAILED_PRECONDITION. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(cancelled('the docker platform was closed'));
    this.api.close();
    return Promise.resolve();
  }

  // ---- internals --------------------------------------------------------------------------------------------

  /** Links ctx.signal with close(), and turns whatever `fn` throws into a CodedError (an abort: its reason). */
  private guard<T>(ctx: OperationContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return guardOperation('docker', this.closing.signal, ctx, fn);
  }

  private async refreshHost(signal: AbortSignal): Promise<{ info: HostInfo; diskGb: number | undefined }> {
    const info = hostInfoOf(await this.api.info(signal));
    const diskGb = await diskGbOf(info.rootDir);
    if (diskGb === undefined && this.settings.limits.diskGb === undefined && !this.warnedDisk) {
      this.warnedDisk = true;
      this.log.warn({ rootDir: info.rootDir, fallbackGb: FALLBACK_DISK_GB }, 'cannot measure the disk of DockerRootDir; set platform.limits.disk');
    }
    this.host = { info, diskGb };
    return this.host;
  }

  private async limits(signal: AbortSignal): Promise<{ info: HostInfo; limits: Limits }> {
    const host = this.host ?? (await this.refreshHost(signal));
    return { info: host.info, limits: limitsOf(host.info, host.diskGb, this.settings.limits) };
  }

  /** Where the AppInst's containers go: its ClusterInst, which must be ready here. */
  private async placement(spec: AppInstSpec, signal: AbortSignal): Promise<ContainerPlacement> {
    const cluster = spec.clusterInst;
    const name = cluster?.key?.cluster_key?.name ?? spec.appInst.key?.cluster_inst_key?.cluster_key?.name ?? '';
    if (!cluster) throw failedPrecondition(`AppInst needs ClusterInst ${name} on the docker platform`, 'key.cluster_inst_key');
    const clusterKey = keyString.clusterInst(cluster.key);
    const view = await this.clusters.ready(clusterKey, name, signal);
    const { info } = await this.limits(signal);
    return {
      naming: this.naming,
      mode: view.record.mode,
      network: view.record.mode === 'bridge' ? view.network?.name : undefined,
      hostIp: this.settings.hostIp,
      restartMaxRetries: this.settings.restartMaxRetries,
      hostCpus: info.ncpu,
    };
  }
}
