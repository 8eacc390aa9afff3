import type { InstanceKind, PlatformInstance } from '../platform/platform.js';

/**
 * What the platform holds, as last seen: filled from `listInstances` at start and by the drift job, and kept
 * current by the reconcilers after each operation. Reconciles read it instead of asking the platform, so a
 * settled key costs no platform call.
 */
export class ActualState {
  private readonly byKind: Record<InstanceKind, Map<string, PlatformInstance>> = { ClusterInst: new Map(), AppInst: new Map() };
  private readonly touched = new Map<string, number>();

  /** When (performance.now) the instance was last set or deleted here. */
  touchedAt(kind: InstanceKind, key: string): number | undefined {
    return this.touched.get(`${kind}|${key}`);
  }

  get(kind: InstanceKind, key: string): PlatformInstance | undefined {
    return this.byKind[kind].get(key);
  }

  set(instance: PlatformInstance): void {
    this.byKind[instance.kind].set(instance.key, instance);
    this.touched.set(`${instance.kind}|${instance.key}`, performance.now());
  }

  delete(kind: InstanceKind, key: string): void {
    this.byKind[kind].delete(key);
    this.touched.set(`${kind}|${key}`, performance.now());
  }

  /** Forgets touch times older than `before` (the drift job calls it after each listing). */
  pruneTouched(before: number): void {
    for (const [k, t] of this.touched) if (t < before) this.touched.delete(k);
  }

  keys(kind: InstanceKind): string[] {
    return [...this.byKind[kind].keys()];
  }

  size(kind: InstanceKind): number {
    return this.byKind[kind].size;
  }

  /** Replaces everything with a fresh listing. */
  replaceAll(instances: readonly PlatformInstance[]): void {
    this.byKind.ClusterInst.clear();
    this.byKind.AppInst.clear();
    for (const instance of instances) this.set(instance);
  }
}
