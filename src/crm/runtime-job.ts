import { TrackedState } from '../gen/edgeproto/common.js';
import type { AppInstRuntime } from '../platform/platform.js';
import type { APPINST_LABELS, CrmMetrics } from './metrics.js';
import type { ReconcileEnv } from './reconcile-env.js';

type Labels = Record<(typeof APPINST_LABELS)[number], string>;

/** Runtime calls made at once. */
const RUNTIME_CONCURRENCY = 8;

/**
 * Collects AppInst runtime info: for every AppInst ready on the platform (8 at a time), asks the platform's runtime capability
 * (when it has one) for its containers and usage. Changed container ids update AppInstInfo.runtime_info (READY
 * infos only); usage goes to the per-AppInst gauges. Series of AppInsts that are gone are removed. One AppInst
 * failing is logged and skipped. Stops early when `signal` aborts.
 */
export async function collectRuntime(env: ReconcileEnv, previous: Map<string, Labels>, signal: AbortSignal): Promise<void> {
  const capability = env.platform.features().runtime;
  if (!capability) return;
  const current = new Map<string, Labels>();
  const collectOne = async (key: string): Promise<void> => {
    const desired = env.desired.appInsts.get(key);
    const actual = env.actual.get('AppInst', key);
    if (!desired || actual?.status !== 'ready') return;
    let runtime: AppInstRuntime;
    try {
      runtime = await capability.appInstRuntime(key, { signal, log: env.log, progress: () => undefined });
    } catch (err) {
      env.log.debug({ key, err }, 'runtime info unavailable');
      return;
    }
    const labels: Labels = {
      developer: desired.key?.app_key?.developer_key?.name ?? '',
      app: desired.key?.app_key?.name ?? '',
      version: desired.key?.app_key?.version ?? '',
      cluster: desired.key?.cluster_inst_key?.cluster_key?.name ?? '',
    };
    current.set(key, labels);
    setUsage(env.metrics, labels, runtime);
    const info = env.infos.appInstInfos.get(key);
    if (info?.state === TrackedState.READY && (info.runtime_info?.container_ids ?? []).join(',') !== runtime.containerIds.join(',')) {
      env.actual.set({ ...actual, runtime });
      env.report.appInst(desired.key, key, TrackedState.READY, info.errors, runtime);
    }
  };
  // A few at a time: a platform's stats call may take a second (Docker samples CPU twice).
  const keys = env.actual.keys('AppInst');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length && !signal.aborted) await collectOne(keys[next++] ?? '');
  };
  await Promise.all(Array.from({ length: Math.min(RUNTIME_CONCURRENCY, keys.length) }, worker));
  if (signal.aborted) return;
  for (const [key, labels] of previous) {
    if (current.has(key)) continue;
    for (const gauge of usageGauges(env.metrics)) gauge.remove(labels);
  }
  previous.clear();
  for (const [k, v] of current) previous.set(k, v);
}

function usageGauges(m: CrmMetrics) {
  return [m.appInstCpuSeconds, m.appInstMemoryBytes, m.appInstNetworkRxBytes, m.appInstNetworkTxBytes];
}

function setUsage(m: CrmMetrics, labels: Labels, r: AppInstRuntime): void {
  if (r.cpuSeconds !== undefined) m.appInstCpuSeconds.set(labels, r.cpuSeconds);
  if (r.memoryBytes !== undefined) m.appInstMemoryBytes.set(labels, r.memoryBytes);
  if (r.networkRxBytes !== undefined) m.appInstNetworkRxBytes.set(labels, r.networkRxBytes);
  if (r.networkTxBytes !== undefined) m.appInstNetworkTxBytes.set(labels, r.networkTxBytes);
}
