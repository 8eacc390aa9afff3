/**
 * Creating objects through the controller's API so that a second run finds them and goes on: catalog objects
 * (ALREADY_EXISTS counts as done), ClusterInsts and AppInsts followed until READY (an existing one is waited for
 * or, after a failed create, deleted and created once more), and the wait for a cloudlet's CloudletInfo. Every
 * step takes a signal and a deadline and ends READY or with a CodedError saying why.
 */
import { sleep, withTimeout } from '../core/abort.js';
import { asCodedError, Code, CodedError, hasCode } from '../core/errors.js';
import { AppApiService, type App } from '../gen/edgeproto/app.js';
import { AppInst, AppInstApiService } from '../gen/edgeproto/app_inst.js';
import { CloudletApiService, CloudletInfo, CloudletInfoApiService, CloudletState, type Cloudlet, type CloudletKey } from '../gen/edgeproto/cloudlet.js';
import { ClusterInst, ClusterInstApiService } from '../gen/edgeproto/clusterinst.js';
import { TrackedState } from '../gen/edgeproto/common.js';
import { DeveloperApiService, type Developer } from '../gen/edgeproto/developer.js';
import { FlavorApiService, type Flavor } from '../gen/edgeproto/flavor.js';
import { OperatorApiService, type Operator } from '../gen/edgeproto/operator.js';
import type { Result } from '../gen/edgeproto/result.js';
import { keyString } from '../wire/object-key.js';
import type { ApiClient, ServerStreamMethod, UnaryMethod } from './api-client.js';
import { cloudletLabel, type DemoData } from './demo-data.js';

/** What every seed step gets. */
export interface SeedContext {
  readonly api: ApiClient;
  /** Aborts the step (shutdown). */
  readonly signal: AbortSignal;
  /** Deadline of the whole step, from its start. */
  readonly timeoutMs: number;
  /** Short human text of where the step is ("Creating", "state CREATING"...). */
  progress(message: string): void;
}

/** How a step ended well: the object was made now, or was there already. */
export type SeedOutcome = 'created' | 'existing';

/** One object to create. */
export interface SeedItem {
  /** E.g. `flavor x1.small`, `ClusterInst acme-games on TDG/berlin-edge-1`. */
  readonly title: string;
  run(ctx: SeedContext): Promise<SeedOutcome>;
}

/** Objects of one kind, created together (they do not depend on each other). */
export interface SeedGroup {
  /** E.g. `operators`. */
  readonly title: string;
  readonly items: readonly SeedItem[];
}

/** A step's signal: the context's, with its deadline (a timeout aborts with a TimeoutError). */
function stepSignal(ctx: SeedContext): AbortSignal {
  return withTimeout(ctx.signal, ctx.timeoutMs);
}

/** Rewrites a deadline or abort of `what` as a message a person can act on; other errors pass through. */
function stepError(err: unknown, what: string, ctx: SeedContext, last: string): CodedError {
  const coded = asCodedError(err);
  if (coded.code === Code.DEADLINE_EXCEEDED && !ctx.signal.aborted) {
    const seconds = Math.round(ctx.timeoutMs / 1000);
    return new CodedError(Code.DEADLINE_EXCEEDED, `${what}: not done within ${seconds} s${last ? ` (last: ${last})` : ''}`, { cause: coded });
  }
  return coded;
}

/** Create through a unary call; ALREADY_EXISTS is success. */
function unaryItem<T>(title: string, method: UnaryMethod<T, Result>, object: T): SeedItem {
  return {
    title,
    run: async (ctx) => {
      try {
        await ctx.api.unary(method, object, { signal: stepSignal(ctx), timeoutMs: ctx.timeoutMs });
        return 'created';
      } catch (err) {
        if (hasCode(err, Code.ALREADY_EXISTS)) return 'existing';
        throw stepError(err, title, ctx, '');
      }
    },
  };
}

/** Create through a Result-streaming call (Cloudlet); ALREADY_EXISTS is success. */
function streamItem<T>(title: string, method: ServerStreamMethod<T, Result>, object: T): SeedItem {
  return {
    title,
    run: async (ctx) => {
      try {
        await ctx.api.stream(method, object, { signal: stepSignal(ctx), timeoutMs: ctx.timeoutMs, onMessage: (r) => ctx.progress(r.message) });
        return 'created';
      } catch (err) {
        if (hasCode(err, Code.ALREADY_EXISTS)) return 'existing';
        throw stepError(err, title, ctx, '');
      }
    },
  };
}

/**
 * The catalog of the demo as groups in dependency order: operators, cloudlets (need their operator), flavors,
 * developers, apps (need their developer and default flavor). Pure.
 */
export function catalogGroups(data: DemoData): SeedGroup[] {
  return [
    { title: 'operators', items: data.operators.map((o: Operator) => unaryItem(`operator ${o.key?.name ?? ''}`, OperatorApiService.createOperator, o)) },
    { title: 'cloudlets', items: data.cloudlets.map((c: Cloudlet) => streamItem(`cloudlet ${cloudletLabel(c.key)}`, CloudletApiService.createCloudlet, c)) },
    { title: 'flavors', items: data.flavors.map((f: Flavor) => unaryItem(`flavor ${f.key?.name ?? ''}`, FlavorApiService.createFlavor, f)) },
    { title: 'developers', items: data.developers.map((d: Developer) => unaryItem(`developer ${d.key?.name ?? ''}`, DeveloperApiService.createDeveloper, d)) },
    { title: 'apps', items: data.apps.map((a: App) => unaryItem(`app ${a.key?.name ?? ''} ${a.key?.version ?? ''}`.trimEnd(), AppApiService.createApp, a)) },
  ];
}

/** How the ClusterInst and AppInst APIs differ, for {@link instanceItem}. */
interface InstanceApi<T extends { key?: unknown; state: TrackedState; errors: string[] }> {
  readonly create: ServerStreamMethod<T, Result>;
  readonly remove: ServerStreamMethod<T, Result>;
  readonly show: ServerStreamMethod<T, T>;
  /** A Show filter for the object's key only. */
  filter(object: T): T;
  keyOf(object: T): string;
}

const CLUSTER_INST_API: InstanceApi<ClusterInst> = {
  create: ClusterInstApiService.createClusterInst,
  remove: ClusterInstApiService.deleteClusterInst,
  show: ClusterInstApiService.showClusterInst,
  filter: (ci) => ClusterInst.fromPartial({ key: ci.key }),
  keyOf: (ci) => keyString.clusterInst(ci.key),
};

const APP_INST_API: InstanceApi<AppInst> = {
  create: AppInstApiService.createAppInst,
  remove: AppInstApiService.deleteAppInst,
  show: AppInstApiService.showAppInst,
  filter: (ai) => AppInst.fromPartial({ key: ai.key }),
  keyOf: (ai) => keyString.appInst(ai.key),
};

const IN_PROGRESS: ReadonlySet<TrackedState> = new Set([
  TrackedState.CREATE_REQUESTED, TrackedState.CREATING, TrackedState.UPDATE_REQUESTED, TrackedState.UPDATING,
  TrackedState.DELETE_REQUESTED, TrackedState.DELETING, TrackedState.DELETE_PREPARE,
]);

/** How often an existing instance's state is read while waiting for it. */
const POLL_MS = 250;

function stateText(state: TrackedState): string {
  return TrackedState[state] ?? String(state);
}

/** The stored object with exactly this key, if any. */
async function showOne<T extends { key?: unknown; state: TrackedState; errors: string[] }>(
  api: InstanceApi<T>, object: T, ctx: SeedContext, signal: AbortSignal,
): Promise<T | undefined> {
  const key = api.keyOf(object);
  const found = await ctx.api.stream(api.show, api.filter(object), { signal, timeoutMs: ctx.timeoutMs });
  return found.find((o) => api.keyOf(o) === key);
}

/**
 * Creates a ClusterInst or AppInst and follows it until READY, resuming whatever a previous run left:
 * - the create's Result stream ends OK: READY (`created`);
 * - ALREADY_EXISTS or busy (FAILED_PRECONDITION while the object exists): its state is read and, while in
 *   progress, polled until it settles; READY is `existing`; CREATE_ERROR (a failed create) is deleted and created
 *   once more; any other error state fails with its errors;
 * - anything else fails with the controller's error (e.g. the cloudlet not ready, a failed create's errors).
 * The whole step has `ctx.timeoutMs` (DEADLINE_EXCEEDED naming the last state seen).
 */
async function ensureInstance<T extends { key?: unknown; state: TrackedState; errors: string[] }>(
  api: InstanceApi<T>, title: string, object: T, ctx: SeedContext,
): Promise<SeedOutcome> {
  const signal = stepSignal(ctx);
  let last = '';
  const progress = (message: string): void => {
    last = message;
    ctx.progress(message);
  };
  let recreated = false;
  try {
    for (;;) {
      try {
        await ctx.api.stream(api.create, object, { signal, timeoutMs: ctx.timeoutMs, onMessage: (r) => progress(r.message) });
        return 'created';
      } catch (err) {
        if (!hasCode(err, Code.ALREADY_EXISTS) && !hasCode(err, Code.FAILED_PRECONDITION)) throw err;
        let current = await showOne(api, object, ctx, signal);
        if (!current) {
          if (hasCode(err, Code.ALREADY_EXISTS)) continue; // deleted meanwhile: create again
          throw err; // e.g. the cloudlet is not ready
        }
        while (IN_PROGRESS.has(current.state)) {
          progress(`exists, state ${stateText(current.state)}`);
          await sleep(POLL_MS, signal);
          current = await showOne(api, object, ctx, signal);
          if (!current) break;
        }
        if (!current) continue;
        if (current.state === TrackedState.READY) return 'existing';
        const errors = current.errors.join('; ') || 'no errors given';
        if (current.state === TrackedState.CREATE_ERROR && !recreated) {
          recreated = true;
          progress(`previous create failed (${errors}); deleting it and creating again`);
          await ctx.api.stream(api.remove, api.filter(object), { signal, timeoutMs: ctx.timeoutMs, onMessage: (r) => progress(r.message) });
          continue;
        }
        throw new CodedError(Code.FAILED_PRECONDITION, `${title} is in state ${stateText(current.state)}: ${errors}`);
      }
    }
  } catch (err) {
    throw stepError(err, title, ctx, last);
  }
}

/** `ClusterInst <cluster> on <operator>/<cloudlet>`. Pure. */
export function clusterInstTitle(ci: ClusterInst): string {
  return `ClusterInst ${ci.key?.cluster_key?.name ?? ''} on ${cloudletLabel(ci.key?.cloudlet_key)}`;
}

/** `AppInst <app> <version> on <operator>/<cloudlet>`. Pure. */
export function appInstTitle(ai: AppInst): string {
  const app = ai.key?.app_key;
  return `AppInst ${`${app?.name ?? ''} ${app?.version ?? ''}`.trimEnd()} on ${cloudletLabel(ai.key?.cluster_inst_key?.cloudlet_key)}`;
}

/** The step that makes `ci` exist and be READY (see {@link ensureInstance}). */
export function clusterInstItem(ci: ClusterInst): SeedItem {
  const title = clusterInstTitle(ci);
  return { title, run: (ctx) => ensureInstance(CLUSTER_INST_API, title, ci, ctx) };
}

/** The step that makes `ai` exist and be READY (see {@link ensureInstance}). */
export function appInstItem(ai: AppInst): SeedItem {
  const title = appInstTitle(ai);
  return { title, run: (ctx) => ensureInstance(APP_INST_API, title, ai, ctx) };
}

/** The demo instances of one cloudlet: its ClusterInsts, then the AppInsts on them. */
export interface CloudletInstances {
  readonly clusterInsts: readonly SeedItem[];
  readonly appInsts: readonly SeedItem[];
}

/** The demo ClusterInsts and AppInsts on `cloudlet`. Pure. */
export function instancesOn(data: DemoData, cloudlet: CloudletKey): CloudletInstances {
  const key = keyString.cloudlet(cloudlet);
  return {
    clusterInsts: data.clusterInsts.filter((ci) => keyString.cloudlet(ci.key?.cloudlet_key) === key).map(clusterInstItem),
    appInsts: data.appInsts.filter((ai) => keyString.cloudlet(ai.key?.cluster_inst_key?.cloudlet_key) === key).map(appInstItem),
  };
}

/**
 * Waits until the controller holds the CloudletInfo of `cloudlet` in state READY (or ERRORS, which the controller
 * accepts too): what ClusterInst and AppInst creates on it need. Polls ShowCloudletInfo; DEADLINE_EXCEEDED after
 * `ctx.timeoutMs` naming the last state seen.
 */
export async function waitCloudletOnline(cloudlet: CloudletKey, ctx: SeedContext): Promise<void> {
  const signal = stepSignal(ctx);
  const key = keyString.cloudlet(cloudlet);
  let last = '';
  try {
    for (;;) {
      const infos = await ctx.api.stream(CloudletInfoApiService.showCloudletInfo, CloudletInfo.fromPartial({ key: cloudlet }), { signal, timeoutMs: ctx.timeoutMs });
      const info = infos.find((i) => keyString.cloudlet(i.key) === key);
      const state = info ? CloudletState[info.state] ?? String(info.state) : 'not reported yet';
      if (info?.state === CloudletState.CLOUDLET_STATE_READY || info?.state === CloudletState.CLOUDLET_STATE_ERRORS) return;
      if (state !== last) ctx.progress(`CloudletInfo at the controller: ${state}`);
      last = state;
      await sleep(POLL_MS, signal);
    }
  } catch (err) {
    throw stepError(err, `CloudletInfo of ${cloudletLabel(cloudlet)}`, ctx, last);
  }
}
