import type { ObjectCache } from '../../src/cache/object-cache.js';
import type { Logger } from '../../src/core/logger.js';
import { AppInstInfo, type AppInst } from '../../src/gen/edgeproto/app_inst.js';
import { CloudletInfo, CloudletState, type CloudletKey } from '../../src/gen/edgeproto/cloudlet.js';
import { ClusterInstInfo, type ClusterInst } from '../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../src/gen/edgeproto/common.js';
import { keyString } from '../../src/wire/object-key.js';
import { startTestClient, type TestClient } from './notify-harness.js';

/**
 * How the test CRM answers a request: `ready` (CREATING → READY, DELETING → info deleted...), `error` (the
 * action's *_ERROR with errors), `slow` (the in-progress state, then after `delayMs` as `ready`), `silent`
 * (never answers).
 */
export type CrmMode = 'ready' | 'error' | 'slow' | 'silent';

/** Modes per action; `mode` is the default for all three. */
export interface CrmModes {
  mode?: CrmMode;
  create?: CrmMode;
  update?: CrmMode;
  delete?: CrmMode;
}

/** Options of {@link startTestCrm}. */
export interface TestCrmOptions extends CrmModes {
  /** Delay of `slow` answers. Default 200 ms. */
  delayMs?: number;
  /** Fields of the CloudletInfo it reports (state READY and generous limits by default). */
  info?: Partial<CloudletInfo>;
  log?: Logger;
}

/** A CRM built from the project's NotifyClient that answers ClusterInst/AppInst requests by mode. */
export interface TestCrm {
  readonly client: TestClient;
  readonly cloudletKey: CloudletKey;
  /** Current modes; change them at any time (`crm.modes.create = 'error'`). */
  readonly modes: CrmModes;
  /** Every request it answered, as "<ClusterInst|AppInst> <action> <cluster or app name>". */
  readonly handled: string[];
  /** Replaces the reported CloudletInfo fields (e.g. a new state) and sends it. */
  setInfo(info: Partial<CloudletInfo>): void;
  stop(): Promise<void>;
}

type Action = 'create' | 'update' | 'delete';

const REQUESTS: ReadonlyMap<TrackedState, { action: Action; progress: TrackedState; error: TrackedState }> = new Map([
  [TrackedState.CREATE_REQUESTED, { action: 'create' as Action, progress: TrackedState.CREATING, error: TrackedState.CREATE_ERROR }],
  [TrackedState.UPDATE_REQUESTED, { action: 'update' as Action, progress: TrackedState.UPDATING, error: TrackedState.UPDATE_ERROR }],
  [TrackedState.DELETE_REQUESTED, { action: 'delete' as Action, progress: TrackedState.DELETING, error: TrackedState.DELETE_ERROR }],
]);
const IN_PROGRESS = new Set([TrackedState.CREATING, TrackedState.UPDATING, TrackedState.DELETING]);

/**
 * Starts a filtered notify client for `cloudletKey` at `notifyAddress` that reports a CloudletInfo (READY, 64 GB,
 * 32 vCPUs, 1000 GB unless `info` says otherwise) and answers every ClusterInst/AppInst it receives in a
 * *_REQUESTED state according to its mode for that action. Like the original CRM it ignores an object while its
 * own info is in progress, and signals a finished delete by deleting its info.
 */
export function startTestCrm(notifyAddress: string, cloudletKey: CloudletKey, options: TestCrmOptions = {}): TestCrm {
  const client = startTestClient([notifyAddress], { filter: true, ...(options.log ? { log: options.log } : {}) });
  const modes: CrmModes = { mode: options.mode ?? 'ready', create: options.create, update: options.update, delete: options.delete };
  const delayMs = options.delayMs ?? 200;
  const handled: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let info = CloudletInfo.fromPartial({
    key: cloudletKey, state: CloudletState.CLOUDLET_STATE_READY, os_max_ram: 65536n, os_max_vcores: 32n, os_max_vol_gb: 1000n, ...options.info,
  });
  client.cloudletInfos.update(info);

  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function answer<O extends { key?: unknown; state: TrackedState }, I extends { state: TrackedState; errors: string[] }>(
    objects: ObjectCache<O>,
    infos: ObjectCache<I>,
    label: string,
    nameOf: (o: O) => string,
    makeInfo: (o: O, state: TrackedState, errors: string[]) => I,
  ): void {
    objects.watch((change) => {
      if (change.kind !== 'update') return;
      const request = REQUESTS.get(change.value.state);
      if (!request) return;
      const current = infos.get(change.key);
      if (current && IN_PROGRESS.has(current.state)) return;
      const mode = modes[request.action] ?? modes.mode ?? 'ready';
      handled.push(`${label} ${request.action} ${nameOf(change.value)}`);
      if (mode === 'silent') return;
      const object = change.value;
      const finish = (): void => {
        if (request.action === 'delete') infos.delete(change.key);
        else infos.update(makeInfo(object, TrackedState.READY, []));
      };
      if (mode === 'error') {
        infos.update(makeInfo(object, request.error, [`fake ${request.action} failed`]));
        return;
      }
      infos.update(makeInfo(object, request.progress, []));
      later(finish, mode === 'slow' ? delayMs : 0);
    });
  }

  answer(client.clusterInsts, client.clusterInstInfos, 'ClusterInst', (ci: ClusterInst) => ci.key?.cluster_key?.name ?? '',
    (ci, state, errors) => ClusterInstInfo.fromPartial({ key: ci.key, state, errors }));
  answer(client.appInsts, client.appInstInfos, 'AppInst', (ai: AppInst) => ai.key?.app_key?.name ?? '',
    (ai, state, errors) => AppInstInfo.fromPartial({
      key: ai.key, state, errors,
      runtime_info: state === TrackedState.READY ? { container_ids: [`${ai.key?.app_key?.name ?? 'app'}-0`] } : undefined,
    }));

  return {
    client,
    cloudletKey,
    modes,
    handled,
    setInfo: (partial) => {
      info = { ...info, ...partial };
      client.cloudletInfos.update(info);
    },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await client.stop();
    },
  };
}

/** Key string of a test CRM's cloudlet (for store lookups). */
export function crmCloudlet(crm: TestCrm): string {
  return keyString.cloudlet(crm.cloudletKey);
}
