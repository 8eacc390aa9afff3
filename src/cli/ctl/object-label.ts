/**
 * How ctl names one object in progress and outcome lines: `Flavor x1.small`, `App Acme/game/1.0`,
 * `Cloudlet TDG/berlin`, `ClusterInst c1 on TDG/berlin`, `AppInst Acme/game/1.0 on TDG/berlin`. Pure.
 */
import type { JsonObject } from './field-args.js';
import type { CtlKind } from './kinds.js';
import { valueAt } from './output-table.js';

function text(json: unknown, path: string): string {
  const value = valueAt(json, path);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function joined(json: unknown, ...paths: string[]): string {
  return paths.map((p) => text(json, p)).join('/');
}

/** The label of the object whose JSON form (proto names) is `json`, e.g. `AppInst Acme/game/1.0 on TDG/berlin`. Pure. */
export function objectLabel(kind: CtlKind, json: JsonObject): string {
  switch (kind.name) {
    case 'app':
      return `${kind.title} ${joined(json, 'key.developer_key.name', 'key.name', 'key.version')}`;
    case 'cloudlet':
      return `${kind.title} ${joined(json, 'key.operator_key.name', 'key.name')}`;
    case 'clusterinst':
      return `${kind.title} ${text(json, 'key.cluster_key.name')} on ${joined(json, 'key.cloudlet_key.operator_key.name', 'key.cloudlet_key.name')}`;
    case 'appinst':
      return `${kind.title} ${joined(json, 'key.app_key.developer_key.name', 'key.app_key.name', 'key.app_key.version')} on ${joined(
        json, 'key.cluster_inst_key.cloudlet_key.operator_key.name', 'key.cluster_inst_key.cloudlet_key.name',
      )}`;
    default:
      return `${kind.title} ${kind.keyPaths.map((p) => text(json, p)).join('/')}`;
  }
}
