/**
 * The fake platform driver: a real {@link Platform} that builds nothing but remembers everything, used by
 * `cloudletd crm --platform fake`, `--dry-run`, `cloudletd up` and the tests. See README.md in this folder.
 */
import { guardOperation } from '../common/guard-operation.js';
import { cancelled, failedPrecondition, notFound, type CodedError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { ExecCommand, ExecResult, PlatformFeatures } from '../../src/platform/features.js';
import type { AppInstRuntime, AppInstSpec, ClusterInstSpec, CloudletResources, DeleteTarget, InstanceKind, OperationContext, Platform, PlatformInstance } from '../../src/platform/platform.js';
import type { PlatformDeps } from '../../src/platform/registry.js';
import type { AppInst } from '../../src/gen/edgeproto/app_inst.js';
import type { ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { FakeBehaviours, type FakeBehaviour, type FakeCall } from './behaviour.js';
import { execLogLine, runFakeCommand, startupLogLines } from './exec.js';
import { FakeState, type FakeResourcesChange } from './fake-state.js';
import { NO_USAGE, addUsage, appInfo, appUsage, checkCapacity, clusterShape, clusterUsage, containerIdsOf, describeKey, isFakeInstance, runtimeUsage, toPlatformInstance, type FakeInstance, type FakeUsage } from './instances.js';
import { parseFakeSettings, seededRandom, type FakeOperation, type FakeSettings } from './settings.js';
import { StateJournal } from './state-journal.js';

/** The journal file inside `PlatformDeps.dataDir`. */
export const FAKE_JOURNAL_FILE = 'fake-platform.jsonl';

/** Test hooks of {@link FakePlatform.create}; production passes none. */
export interface FakePlatformOptions {
  /** Random numbers in [0, 1) that decide injected faults. Default: seeded from `settings.seed`, else Math.random. */
  readonly random?: () => number;
  /** Clock in epoch ms for createdAt and usage. Default Date.now. */
  readonly now?: () => number;
  /** Journal compaction threshold (see StateJournalOptions). Default 1000. */
  readonly compactMinLines?: number;
}

/**
 * The fake driver. Every Platform method records its call, honors `ctx.signal` (rejecting CANCELLED or
 * DEADLINE_EXCEEDED), takes its configured latency, and may fail, hang or draw an injected fault (settings,
 * {@link script}, {@link setFaultRate}). Creates journal a `partial` record, wait, then mark it `ready`, so an
 * abort or a kill in between leaves a `partial` instance that `listInstances` reports and the next create
 * completes. Features: exec, logs, runtime.
 */
export class FakePlatform implements Platform {
  readonly type = 'fake';
  private readonly behaviours: FakeBehaviours;
  private readonly closing = new AbortController();
  private readonly featureSet: PlatformFeatures;

  private constructor(
    /** The validated settings it was created with. */
    readonly settings: FakeSettings,
    private readonly state: FakeState,
    private readonly log: Logger,
    private readonly now: () => number,
    random: () => number,
  ) {
    this.behaviours = new FakeBehaviours(settings, random);
    this.featureSet = Object.freeze({
      exec: { run: (command: ExecCommand, ctx: OperationContext) => this.exec(command, ctx) },
      logs: { tail: (key: string, lines: number, ctx: OperationContext) => this.tail(key, lines, ctx) },
      runtime: { appInstRuntime: (key: string, ctx: OperationContext) => this.appInstRuntime(key, ctx) },
    });
  }

  /**
   * Validates `deps.settings` (INVALID_ARGUMENT naming the field) and opens the journal under `deps.dataDir`
   * (read even when `persist` is false; written only when it is true). Does not call `init`.
   */
  static async create(deps: PlatformDeps, options: FakePlatformOptions = {}): Promise<FakePlatform> {
    const settings = parseFakeSettings(deps.settings);
    const log = deps.log.child({ platform: 'fake' });
    const journal = StateJournal.open<FakeInstance>({
      dir: deps.dataDir,
      file: FAKE_JOURNAL_FILE,
      persist: settings.persist,
      validate: isFakeInstance,
      log,
      ...(options.compactMinLines !== undefined ? { compactMinLines: options.compactMinLines } : {}),
    });
    const now = options.now ?? Date.now;
    const state = new FakeState(journal, settings.flavors, settings.limits, now);
    const random = options.random ?? (settings.seed !== undefined ? seededRandom(settings.seed) : Math.random);
    log.info({ instances: state.size, persist: settings.persist }, 'fake platform opened');
    return Promise.resolve(new FakePlatform(settings, state, log, now, random));
  }

  /** exec, logs and runtime (the same object for the platform's life). */
  features(): PlatformFeatures {
    return this.featureSet;
  }

  /** Takes the `init` latency; fails only when scripted to. */
  async init(ctx: OperationContext): Promise<void> {
    await this.run('init', undefined, ctx, (signal) => this.plain('init', signal, () => undefined));
  }

  /** The limits and flavors (settings, or {@link setResources}); warnings when the use exceeds a lowered limit. */
  async gatherResources(ctx: OperationContext): Promise<CloudletResources> {
    return this.run('gatherResources', undefined, ctx, (signal) => this.plain('gatherResources', signal, () => this.state.resources()));
  }

  /** Every instance journaled here (ready, partial or failed), in creation order. */
  async listInstances(ctx: OperationContext): Promise<readonly PlatformInstance[]> {
    return this.run('listInstances', undefined, ctx, (signal) => this.plain('listInstances', signal, () => [...this.state.values()].map(toPlatformInstance)));
  }

  /**
   * Idempotent create (a failed instance is repaired like a partial one). RESOURCE_EXHAUSTED naming RAM, vCPUs or
   * disk when node flavor × max(1, num_masters + num_nodes) does not fit the remaining limits.
   */
  async createClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    const op = 'createClusterInst';
    await this.run(op, spec.key, ctx, async (signal) => {
      const existing = this.state.get(spec.key, 'ClusterInst');
      const usage = clusterUsage(spec);
      if (existing?.status !== 'ready') this.checkCapacity(usage, existing, spec.key, 'ClusterInst');
      const failure = this.behaviours.failureOf(op);
      if (failure) return this.failAfterDelay(op, failure, signal);
      if (existing?.status === 'ready') return this.behaviours.delay(op, signal);
      ctx.progress(existing ? 'completing cluster' : 'creating cluster');
      const base = existing ?? this.state.fresh('ClusterInst', spec.key);
      const partial = this.state.write({ ...base, ...clusterShape(spec), usage, status: 'partial', detail: 'creating' });
      await this.behaviours.delay(op, signal);
      this.state.finish(partial, 'ready');
      ctx.progress('cluster ready');
    });
  }

  /** Sets num_nodes (partial while it runs); NOT_FOUND when absent; RESOURCE_EXHAUSTED when the growth does not fit. */
  async updateClusterInst(spec: ClusterInstSpec, ctx: OperationContext): Promise<void> {
    const op = 'updateClusterInst';
    await this.run(op, spec.key, ctx, async (signal) => {
      const existing = this.state.get(spec.key, 'ClusterInst');
      if (!existing) throw notFound(`${describeKey('ClusterInst', spec.key)} on the platform`, 'key');
      const usage = clusterUsage(spec);
      this.checkCapacity(usage, existing, spec.key, 'ClusterInst');
      const failure = this.behaviours.failureOf(op);
      if (failure) return this.failAfterDelay(op, failure, signal);
      ctx.progress(`resizing cluster to ${spec.clusterInst.num_nodes} nodes`);
      const partial = this.state.write({ ...existing, ...clusterShape(spec), usage, status: 'partial', detail: 'updating' });
      await this.behaviours.delay(op, signal);
      this.state.finish(partial, 'ready');
      ctx.progress('cluster updated');
    });
  }

  /** Marks the instance partial ('deleting'), waits, removes it; absent is success. Its AppInsts are left alone. */
  async deleteClusterInst(target: DeleteTarget<ClusterInst>, ctx: OperationContext): Promise<void> {
    await this.run('deleteClusterInst', target.key, ctx, (signal) => this.remove('deleteClusterInst', target.key, ctx, signal));
  }

  /**
   * Idempotent create returning `{containerIds: ['fake-<hash of key>-0']}`, the same ids every time.
   * FAILED_PRECONDITION naming the cluster unless `spec.clusterInst` is ready here (not checked for vm/kvm apps).
   */
  async createAppInst(spec: AppInstSpec, ctx: OperationContext): Promise<AppInstRuntime> {
    const op = 'createAppInst';
    return this.run(op, spec.key, ctx, async (signal) => {
      const existing = this.state.get(spec.key, 'AppInst');
      const usage = appUsage(spec);
      if (existing?.status !== 'ready') {
        this.state.checkCluster(spec);
        this.checkCapacity(usage, existing, spec.key, 'AppInst');
      }
      const failure = this.behaviours.failureOf(op);
      if (failure) return this.failAfterDelay(op, failure, signal);
      const containerIds = [...(existing?.runtime?.containerIds ?? containerIdsOf(spec.key))];
      if (existing?.status === 'ready') {
        await this.behaviours.delay(op, signal);
        return { containerIds };
      }
      ctx.progress(existing ? 'completing app instance' : 'creating app instance');
      ctx.progress(`pulling image ${spec.app.image_path}`);
      const base = existing ?? this.state.fresh('AppInst', spec.key);
      const memory = spec.flavor ? { memoryMb: Number(spec.flavor.ram) } : {};
      const runtime = { containerIds: [...containerIds] };
      const partial = this.state.write({ ...base, app: appInfo(spec), ...memory, usage, runtime, status: 'partial', detail: 'creating' });
      await this.behaviours.delay(op, signal);
      this.state.finish(partial, 'ready');
      ctx.progress('app instance ready');
      return { containerIds };
    });
  }

  /** Marks the instance partial ('deleting'), waits, removes it and its exec log; absent is success. */
  async deleteAppInst(target: DeleteTarget<AppInst>, ctx: OperationContext): Promise<void> {
    await this.run('deleteAppInst', target.key, ctx, (signal) => this.remove('deleteAppInst', target.key, ctx, signal));
  }

  /** Closes the journal; calls still running reject CANCELLED, later calls FAILED_PRECONDITION. Idempotent. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(cancelled('the fake platform was closed'));
    this.state.close();
    this.log.debug('fake platform closed');
    return Promise.resolve();
  }

  // ---- scripting API for tests ----------------------------------------------------------------------------

  /** Sets (or, with undefined, clears) the latency, failure or hanging of `op` for the calls that start later. */
  script(op: FakeOperation, behaviour: FakeBehaviour | undefined): void {
    this.behaviours.script(op, behaviour);
  }

  /** Sets the probability (0..1) that a create, update or delete fails UNAVAILABLE "injected fault". */
  setFaultRate(rate: number): void {
    this.behaviours.setFaultRate(rate);
  }

  /** Drift: the instance vanishes as if removed out of band (journaled). Returns whether it existed. */
  lose(key: string): boolean {
    return this.state.drop(key);
  }

  /** Drift: the instance turns `failed` with `detail` (e.g. "container exited"). NOT_FOUND when absent. */
  breakInstance(key: string, detail: string): void {
    const r = this.state.get(key);
    if (!r) throw notFound(`instance ${key} on the fake platform`);
    this.state.write({ ...r, status: 'failed', detail });
  }

  /** Calls of `op` made so far (including failed and cancelled ones). */
  callCount(op: FakeOperation): number {
    return this.behaviours.callCount(op);
  }

  /** The last calls (up to 10,000), oldest first, each `{op, key?}` (a copy). */
  get calls(): readonly FakeCall[] {
    return this.behaviours.calls();
  }

  /** Forgets call counts and the call log. */
  resetCalls(): void {
    this.behaviours.resetCalls();
  }

  /** A snapshot of every instance record, in creation order. */
  instances(): FakeInstance[] {
    return [...this.state.values()];
  }

  /**
   * Changes the flavors and/or limits that gatherResources reports and creates are checked against (not
   * persisted). INVALID_ARGUMENT for values the settings would reject.
   */
  setResources(change: FakeResourcesChange): void {
    this.state.setResources(change);
  }

  /** RESOURCE_EXHAUSTED when growing `existing` (or nothing) to `usage` would exceed the limits. */
  private checkCapacity(usage: FakeUsage, existing: FakeInstance | undefined, key: string, kind: InstanceKind): void {
    checkCapacity(this.state.limits, this.state.used, addUsage(usage, existing?.usage ?? NO_USAGE, -1), describeKey(kind, key));
  }

  // ---- internals --------------------------------------------------------------------------------------------

  /** Records the call, then runs it under {@link guard}. */
  private async run<T>(op: FakeOperation, key: string | undefined, ctx: OperationContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.behaviours.record(op, key);
    return this.guard(ctx, fn);
  }

  /** Links ctx.signal with close(), and turns whatever `fn` throws into a CodedError (an abort: its reason). */
  private guard<T>(ctx: OperationContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return guardOperation('fake', this.closing.signal, ctx, fn);
  }

  /** An operation without state changes: a possible failure, then its latency, then `result()`. */
  private async plain<T>(op: FakeOperation, signal: AbortSignal, result: () => T): Promise<T> {
    const failure = this.behaviours.failureOf(op);
    if (failure) return this.failAfterDelay(op, failure, signal);
    await this.behaviours.delay(op, signal);
    return result();
  }

  /**
   * Rejects with `failure` after the op's latency. Callers decide on the failure synchronously (`failureOf`), so a
   * create reads its record and writes the partial one in the same turn, with no other call in between.
   */
  private async failAfterDelay(op: FakeOperation, failure: CodedError, signal: AbortSignal): Promise<never> {
    await this.behaviours.delay(op, signal);
    this.log.debug({ op, code: failure.code }, 'fake platform failure');
    throw failure;
  }

  /** Delete: a possible failure, the instance marked partial ("deleting"), the latency, then removal. */
  private async remove(op: FakeOperation, key: string, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    const failure = this.behaviours.failureOf(op);
    if (failure) return this.failAfterDelay(op, failure, signal);
    const existing = this.state.get(key);
    if (existing) {
      ctx.progress(existing.kind === 'ClusterInst' ? 'deleting cluster' : 'deleting app instance');
      this.state.write({ ...existing, status: 'partial', detail: 'deleting' });
    }
    await this.behaviours.delay(op, signal);
    if (existing && this.state.get(key)?.createSeq === existing.createSeq) this.state.drop(key);
  }

  private async exec(command: ExecCommand, ctx: OperationContext): Promise<ExecResult> {
    return this.run('exec', command.key, ctx, async (signal) => {
      const { record, container } = this.state.container(command.key, command.containerId);
      if (record.status === 'failed') throw failedPrecondition(`${describeKey('AppInst', command.key)} has failed: ${record.detail ?? ''}`);
      const failure = this.behaviours.failureOf('exec');
      if (failure) return this.failAfterDelay('exec', failure, signal);
      await this.behaviours.delay('exec', signal);
      const result = runFakeCommand(container, command.command);
      this.state.logExec(command.key, execLogLine(container, command.command, result.exitCode));
      return result;
    });
  }

  private async tail(key: string, lines: number, ctx: OperationContext): Promise<string> {
    return this.guard(ctx, () => {
      const { container } = this.state.container(key);
      const all = [...startupLogLines(container), ...this.state.execLog(key)];
      const shown = lines > 0 ? all.slice(-lines) : all;
      return Promise.resolve(shown.map((l) => `${l}\n`).join(''));
    });
  }

  private async appInstRuntime(key: string, ctx: OperationContext): Promise<AppInstRuntime> {
    return this.guard(ctx, () => Promise.resolve(runtimeUsage(this.state.container(key).record, this.now())));
  }
}
