import type { PlatformInstance } from '../platform/platform.js';
import type { InstKind } from './journal.js';
import type { ReconcileEnv } from './reconcile-env.js';

/** What the drift job needs besides the reconcile environment. */
export interface DriftDeps {
  readonly env: ReconcileEnv;
  /** True while the key is queued or running (its own reconcile will see the truth). */
  readonly busy: (kind: InstKind, key: string) => boolean;
  /** When (performance.now) the key's actual state was last written by a reconcile. */
  readonly touchedAt: (kind: InstKind, key: string) => number | undefined;
}

function same(a: PlatformInstance | undefined, b: PlatformInstance | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && a.numNodes === b.numNodes && a.detail === b.detail
    && (a.runtime?.containerIds ?? []).join(',') === (b.runtime?.containerIds ?? []).join(',');
}

/**
 * Drift detection: lists the platform and compares it with the CRM's view. Every instance that differs (vanished,
 * failed or recovered, half-made, or unknown to the CRM) gets its actual state corrected and its key queued; the
 * reconcile then acts on it (rebuilds what vanished, reports a failed AppInst's health, deletes what is no longer
 * wanted, after the orphan rules). Keys that
 * are busy, or that a reconcile wrote after the listing started, are left to their reconcile. Returns the number of
 * instances that drifted.
 */
export async function detectDrift(deps: DriftDeps, signal: AbortSignal): Promise<number> {
  const { env } = deps;
  const listedAt = performance.now();
  const listed = await env.platform.listInstances({ signal, log: env.log, progress: () => undefined });
  const seen = new Map<string, PlatformInstance>();
  for (const instance of listed) seen.set(`${instance.kind}|${instance.key}`, instance);
  let drifted = 0;
  for (const kind of ['ClusterInst', 'AppInst'] as const) {
    const keys = new Set([...env.actual.keys(kind), ...listed.filter((i) => i.kind === kind).map((i) => i.key)]);
    for (const key of keys) {
      if (deps.busy(kind, key)) continue;
      const touched = deps.touchedAt(kind, key);
      if (touched !== undefined && touched >= listedAt) continue;
      const now = seen.get(`${kind}|${key}`);
      const before = env.actual.get(kind, key);
      if (same(before, now)) continue;
      drifted++;
      env.log.warn({ kind, key, before: before?.status ?? 'absent', now: now?.status ?? 'absent', detail: now?.detail }, 'platform drift detected');
      if (now) env.actual.set(now);
      else env.actual.delete(kind, key);
      env.enqueue(kind, key);
    }
  }
  env.actual.pruneTouched(listedAt);
  return drifted;
}
