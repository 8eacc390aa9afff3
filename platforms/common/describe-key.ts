import type { InstanceKind } from '../../src/platform/platform.js';
/** A name for messages: `ClusterInst c1 (developer acme)`, `AppInst app 1.0 (developer acme) on cluster c1`. Pure. */
export function describeKey(kind: InstanceKind, key: string): string {
  interface Keys {
    cluster_key?: { name?: string };
    developer?: string;
    app_key?: { name?: string; version?: string; developer_key?: { name?: string } };
    cluster_inst_key?: { cluster_key?: { name?: string } };
  }
  try {
    const k = JSON.parse(key) as Keys;
    if (kind === 'ClusterInst') return `ClusterInst ${k.cluster_key?.name ?? ''} (developer ${k.developer ?? ''})`;
    const app = k.app_key;
    return `AppInst ${app?.name ?? ''} ${app?.version ?? ''} (developer ${app?.developer_key?.name ?? ''}) on cluster ${k.cluster_inst_key?.cluster_key?.name ?? ''}`;
  } catch {
    return `${kind} ${key}`;
  }
}
