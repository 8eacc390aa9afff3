/**
 * AppInsts on the Docker host: their containers (found by label), their status and health, and idempotent
 * create, repair and delete. Container names derive from the AppInst's key, so a create finds what an earlier,
 * interrupted one left; ids reported to the CRM are these names (stable across repairs and restarts).
 */
import type Docker from 'dockerode';
import { Code, failedPrecondition, hasCode } from '../../src/core/errors.js';
import type { AppInstRuntime, AppInstSpec, OperationContext, PlatformInstance } from '../../src/platform/platform.js';
import { desiredContainers, MAIN, readApp, type ContainerPlacement, type DesiredContainer } from './container-spec.js';
import type { DockerApi } from './docker-api.js';
import { ensureImage } from './images.js';
import { describeKey, type DockerNaming } from './naming.js';
import type { DockerSettings } from './settings.js';

/** One container of an AppInst as listed. */
export interface AppContainer {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  /** Docker's state: created, running, restarting, exited, paused, dead, removing. */
  readonly state: string;
  /** How many containers the AppInst has in all (label). */
  readonly expected: number;
}

/** What the AppInst operations need from the platform. */
export interface AppDeps {
  readonly api: DockerApi;
  readonly naming: DockerNaming;
  readonly settings: DockerSettings;
  /** Test hook: called once per create between creating and starting the containers. */
  readonly checkpoint: (op: string, signal: AbortSignal) => Promise<void>;
}

/** Main first, then the extras by role. */
function byRole(a: { role: string }, b: { role: string }): number {
  return a.role === b.role ? 0 : a.role === MAIN ? -1 : b.role === MAIN ? 1 : a.role.localeCompare(b.role);
}

/** How long an image seen present is trusted without inspecting it again, in ms. */
const IMAGE_SEEN_MS = 30_000;

/** The container ids the CRM sees: the containers' names, main first, then the extras by name. Pure. */
export function containerIdsOf(containers: readonly { role: string; name: string }[]): string[] {
  return [...containers].sort(byRole).map((c) => c.name);
}

/** Why a container that is not running is broken, from its inspect data. Pure. */
export function healthDetail(role: string, info: Pick<Docker.ContainerInspectInfo, 'State' | 'RestartCount'>, restartMax: number): string {
  const s = info.State;
  const what = `container ${role}`;
  const extra = `${s.OOMKilled ? ' (killed: out of memory)' : ''}${s.Error ? `: ${s.Error}` : ''}`;
  if (s.Status === 'paused') return `${what} is paused`;
  if (s.Status === 'dead') return `${what} is dead${extra}`;
  const exited = `${what} exited with code ${s.ExitCode}${extra}`;
  if (s.Restarting || s.Status === 'restarting') return `${exited}; restarting (restart ${info.RestartCount + 1} of ${restartMax})`;
  if (restartMax === 0) return `${exited}; not restarted (restartMaxRetries is 0)`;
  if (s.ExitCode === 0) return `${exited}; a clean exit is not restarted by Docker, the next create starts it again`;
  if (info.RestartCount < restartMax) return `${exited}; stopped (by the daemon or by hand), not restarted by Docker`;
  return `${exited} after ${info.RestartCount} restart${info.RestartCount === 1 ? '' : 's'}; gave up (restart limit ${restartMax})`;
}

/** The AppInsts of one cloudlet: list, status, create/repair, delete. Holds no state of its own. */
export class DockerApps {
  /** Images seen present recently (pull policy `missing`/`never`): a burst of creates inspects each image once. */
  private readonly imagesSeen = new Map<string, number>();

  constructor(private readonly deps: AppDeps) {}

  private async ensureImages(images: Iterable<string>, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    const { settings, api } = this.deps;
    for (const image of new Set(images)) {
      const seen = this.imagesSeen.get(image);
      if (settings.pull !== 'always' && seen !== undefined && performance.now() - seen < IMAGE_SEEN_MS) continue;
      await ensureImage(api, image, settings.pull, settings.registryAuth, ctx, signal);
      this.imagesSeen.set(image, performance.now());
    }
  }

  /** The containers of this cloudlet's AppInsts (of `key` only, when given), grouped by AppInst key. */
  async scan(signal: AbortSignal, key?: string): Promise<Map<string, AppContainer[]>> {
    const { api, naming } = this.deps;
    const l = naming.labels;
    const filters = key === undefined ? naming.filter('AppInst') : naming.filter('AppInst', `${l.appInstId}=${naming.id(key)}`);
    const list = await api.call('list containers', signal, (s) => api.docker.listContainers({ all: true, filters, abortSignal: s }));
    const out = new Map<string, AppContainer[]>();
    for (const c of list) {
      const appKey = c.Labels[l.appInst];
      const role = c.Labels[l.container];
      const name = (c.Names[0] ?? '').replace(/^\//, '');
      if (!naming.owns(c.Labels) || appKey === undefined || role === undefined || name !== naming.containerName(appKey, role)) continue;
      if (key !== undefined && appKey !== key) continue;
      const expected = Number(c.Labels[l.containers]);
      const entry = { id: c.Id, name, role, state: c.State, expected: Number.isInteger(expected) && expected > 0 ? expected : 1 };
      out.set(appKey, [...(out.get(appKey) ?? []), entry].sort(byRole));
    }
    return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * The AppInst's status: `partial` while a container is missing, only created, or being removed; `failed` when
   * one exited, restarts, is paused or dead (detail: exit code, restarts, whether Docker gave up); else `ready`.
   */
  async instance(key: string, containers: readonly AppContainer[], signal: AbortSignal): Promise<PlatformInstance> {
    const runtime = { containerIds: containerIdsOf(containers) };
    const base = { kind: 'AppInst' as const, key, runtime };
    const expected = Math.max(...containers.map((c) => c.expected));
    const unfinished = containers.filter((c) => c.state === 'created' || c.state === 'removing');
    if (containers.length < expected || unfinished.length > 0) {
      const detail = containers.some((c) => c.state === 'removing') ? 'being removed' : `${containers.filter((c) => c.state !== 'created').length} of ${expected} containers started`;
      return { ...base, status: 'partial', detail };
    }
    const broken = containers.filter((c) => c.state !== 'running');
    if (broken.length === 0) return { ...base, status: 'ready' };
    const details: { detail: string; stopped: boolean }[] = [];
    for (const c of broken) details.push(await this.detailOf(c, signal));
    // Stopped, not crashed (a clean exit, or a daemon restart that Docker's on-failure policy does not undo): a
    // create starts it again, so it is `partial` and the CRM completes it. A crash is `failed`: Docker restarts it.
    const status = details.every((d) => d.stopped) ? 'partial' : 'failed';
    return { ...base, status, detail: details.map((d) => d.detail).join('; ') };
  }

  private async detailOf(c: AppContainer, signal: AbortSignal): Promise<{ detail: string; stopped: boolean }> {
    const { api, naming } = this.deps;
    const info = await api.call(`inspect container ${c.name}`, signal, (s) => api.docker.getContainer(c.id).inspect({ abortSignal: s }), { on: { 404: () => undefined } });
    if (!info) return { detail: `container ${c.role} vanished`, stopped: false };
    const policy = info.HostConfig.RestartPolicy;
    const restartMax = policy?.Name === 'no' ? 0 : Number(info.Config.Labels[naming.labels.restartMax] ?? policy?.MaximumRetryCount ?? 0);
    const s = info.State;
    const exited = s.Status === 'exited' && !s.Restarting && !s.OOMKilled;
    const stopped = exited && (s.ExitCode === 0 || (restartMax > 0 && info.RestartCount < restartMax));
    return { detail: healthDetail(c.role, info, restartMax), stopped };
  }

  /**
   * Creates, completes or repairs the AppInst and returns its container ids. Running containers are kept (a ready
   * AppInst is left as it is); created or exited ones are started; dead, paused or restarting ones are recreated;
   * containers of roles the App no longer has are removed. `placement` is asked only when something must be
   * created (it checks the ClusterInst). A name conflict with a container that is not this AppInst's rejects
   * FAILED_PRECONDITION.
   */
  async create(spec: AppInstSpec, placement: () => Promise<ContainerPlacement>, ctx: OperationContext, signal: AbortSignal): Promise<AppInstRuntime> {
    const { roles } = readApp(spec);
    const existing = (await this.mainAbsent(spec.key, roles, signal)) ? [] : ((await this.scan(signal, spec.key)).get(spec.key) ?? []);
    const wanted = new Set(roles);
    const complete = roles.every((r) => existing.some((c) => c.role === r && c.state === 'running'));
    if (complete && existing.every((c) => wanted.has(c.role))) return { containerIds: containerIdsOf(existing) };

    const place = await placement();
    const desired = desiredContainers(spec, place);
    // Progress comes after a step, so an abort inside it finds that step done (what the contract's checks rely on).
    for (const stale of existing.filter((c) => !wanted.has(c.role))) {
      await this.remove(stale, signal);
      ctx.progress(`removed container ${stale.name}`);
    }
    const reusable = new Set(['running', 'created', 'exited']);
    const toCreate = desired.filter((d) => !existing.some((c) => c.role === d.role && reusable.has(c.state)));
    await this.ensureImages(toCreate.map((d) => d.image), ctx, signal);
    const toStart: { name: string; id: string }[] = [];
    for (const d of desired) {
      const found = existing.find((c) => c.role === d.role);
      if (found?.state === 'running') continue;
      if (found && (found.state === 'created' || found.state === 'exited')) {
        toStart.push(found);
        continue;
      }
      if (found) {
        await this.remove(found, signal);
        ctx.progress(`removed ${found.state} container ${d.name}`);
      }
      let id: string;
      try {
        id = await this.createContainer(spec.key, d, signal);
      } catch (err) {
        // The image went away since it was seen: check it (pull per policy) and try once more.
        if (!hasCode(err, Code.NOT_FOUND) || !this.imagesSeen.delete(d.image)) throw err;
        await this.ensureImages([d.image], ctx, signal);
        id = await this.createContainer(spec.key, d, signal);
      }
      toStart.push({ name: d.name, id });
      ctx.progress(`created container ${d.name}`);
    }
    if (toStart.length > 0 && toStart.every((c) => existing.some((e) => e.id === c.id))) ctx.progress('completing app instance');
    await this.deps.checkpoint('createAppInst', signal);
    for (const c of toStart) {
      const { api } = this.deps;
      await api.call(`start container ${c.name}`, signal, (s) => api.docker.getContainer(c.id).start({ abortSignal: s }), { on: { 304: () => undefined } });
      ctx.progress(`started container ${c.name}`);
    }
    ctx.progress('app instance ready');
    return { containerIds: containerIdsOf(desired) };
  }

  /**
   * The fast path of a first create: a single-container AppInst whose main container does not exist (one inspect by
   * its deterministic name, cheaper than listing by label on a busy daemon) has no container to keep. Containers
   * of extra roles an older manifest had would be left to `delete`, which finds everything by label.
   */
  private async mainAbsent(key: string, roles: readonly string[], signal: AbortSignal): Promise<boolean> {
    if (roles.length !== 1) return false;
    const { api, naming } = this.deps;
    const name = naming.containerName(key, MAIN);
    const found = await api.call(`inspect container ${name}`, signal, async (s) => {
      await api.docker.getContainer(name).inspect({ abortSignal: s });
      return true;
    }, { on: { 404: () => false } });
    return !found;
  }

  /** Removes every container of the AppInst (with their anonymous volumes); absent is success. */
  async delete(key: string, ctx: OperationContext, signal: AbortSignal): Promise<void> {
    const containers = (await this.scan(signal, key)).get(key) ?? [];
    if (containers.length === 0) return;
    ctx.progress('deleting app instance');
    for (const c of containers) await this.remove(c, signal);
  }

  private async remove(c: { id: string; name: string }, signal: AbortSignal): Promise<void> {
    const { api } = this.deps;
    // 409: a removal is already in progress, which is what we want.
    await api.call(`remove container ${c.name}`, signal, (s) => api.docker.getContainer(c.id).remove({ force: true, v: true, abortSignal: s }), {
      on: { 404: () => undefined, 409: () => undefined },
    });
  }

  /** Creates one container; on a name conflict adopts the existing container when it is this AppInst's. */
  private async createContainer(key: string, d: DesiredContainer, signal: AbortSignal): Promise<string> {
    const { api, naming } = this.deps;
    const id = await api.call(`create container ${d.name}`, signal, async (s) => (await api.docker.createContainer({ ...d.options, abortSignal: s })).id, {
      on: { 409: () => undefined },
    });
    if (id !== undefined) return id;
    const info = await api.call(`inspect container ${d.name}`, signal, (s) => api.docker.getContainer(d.name).inspect({ abortSignal: s }));
    if (!naming.owns(info.Config.Labels) || info.Config.Labels[naming.labels.appInst] !== key) {
      throw failedPrecondition(`a container named ${d.name} exists but does not belong to ${describeKey('AppInst', key)}`);
    }
    return info.Id;
  }
}
