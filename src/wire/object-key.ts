import type { AppKey } from '../gen/edgeproto/app.js';
import type { AppInstKey } from '../gen/edgeproto/app_inst.js';
import type { CloudletKey } from '../gen/edgeproto/cloudlet.js';
import type { ClusterKey } from '../gen/edgeproto/cluster.js';
import type { ClusterInstKey } from '../gen/edgeproto/clusterinst.js';
import type { ControllerKey } from '../gen/edgeproto/controller.js';
import type { DeveloperKey } from '../gen/edgeproto/developer.js';
import type { FlavorKey } from '../gen/edgeproto/flavor.js';
import type { NodeKey } from '../gen/edgeproto/node.js';
import type { OperatorKey } from '../gen/edgeproto/operator.js';

/**
 * Shape of a key message: its fields in field-number order. A string field is written only when non-empty and a
 * number field only when non-zero (Go's `omitempty`); a nested key is always written, even when empty, because the
 * original's key structs are non-nullable.
 */
type KeyShape = readonly (readonly [field: string, kind: 'string' | 'number' | KeyShape])[];

const nameOnly: KeyShape = [['name', 'string']];
const operatorKeyShape = nameOnly;
const developerKeyShape: KeyShape = [['name', 'string']];
const flavorKeyShape = nameOnly;
const clusterKeyShape = nameOnly;
const controllerKeyShape: KeyShape = [['addr', 'string']];
const appKeyShape: KeyShape = [
  ['developer_key', developerKeyShape],
  ['name', 'string'],
  ['version', 'string'],
];
const cloudletKeyShape: KeyShape = [
  ['operator_key', operatorKeyShape],
  ['name', 'string'],
];
const clusterInstKeyShape: KeyShape = [
  ['cluster_key', clusterKeyShape],
  ['cloudlet_key', cloudletKeyShape],
  ['developer', 'string'],
];
const appInstKeyShape: KeyShape = [
  ['app_key', appKeyShape],
  ['cluster_inst_key', clusterInstKeyShape],
];
const nodeKeyShape: KeyShape = [
  ['name', 'string'],
  ['node_type', 'number'],
  ['cloudlet_key', cloudletKeyShape],
];

/** Go's encoding/json escapes these in strings; we do the same so key strings match the original's byte for byte. */
const GO_JSON_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Strings that neither JSON nor Go escape: printable ASCII other than `"`, `\\`, `<`, `>` and `&`. */
const NEEDS_NO_ESCAPE = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

function goJsonString(value: string): string {
  if (NEEDS_NO_ESCAPE.test(value)) return `"${value}"`;
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => GO_JSON_ESCAPES[ch] ?? ch);
}

function encodeKey(shape: KeyShape, key: object | undefined): string {
  const record = (key ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [field, kind] of shape) {
    const value = record[field];
    if (kind === 'string') {
      if (typeof value === 'string' && value !== '') parts.push(`"${field}":${goJsonString(value)}`);
    } else if (kind === 'number') {
      if (typeof value === 'number' && value !== 0) parts.push(`"${field}":${value}`);
    } else {
      parts.push(`"${field}":${encodeKey(kind, value as object | undefined)}`);
    }
  }
  return `{${parts.join(',')}}`;
}

/**
 * Stable string form of an object key, identical to the original's `GetKeyString()` (Go `json.Marshal` of the key):
 * proto field names in field-number order, empty strings and zero numbers omitted, nested keys always present,
 * `<`, `>` and `&` escaped as Go does. Pure and total: an undefined or partial key gives the string of the empty key.
 * Two keys give the same string exactly when they are equal field by field.
 */
export const keyString = {
  operator: (key: OperatorKey | undefined): string => encodeKey(operatorKeyShape, key),
  developer: (key: DeveloperKey | undefined): string => encodeKey(developerKeyShape, key),
  flavor: (key: FlavorKey | undefined): string => encodeKey(flavorKeyShape, key),
  cluster: (key: ClusterKey | undefined): string => encodeKey(clusterKeyShape, key),
  app: (key: AppKey | undefined): string => encodeKey(appKeyShape, key),
  cloudlet: (key: CloudletKey | undefined): string => encodeKey(cloudletKeyShape, key),
  clusterInst: (key: ClusterInstKey | undefined): string => encodeKey(clusterInstKeyShape, key),
  appInst: (key: AppInstKey | undefined): string => encodeKey(appInstKeyShape, key),
  node: (key: NodeKey | undefined): string => encodeKey(nodeKeyShape, key),
  controller: (key: ControllerKey | undefined): string => encodeKey(controllerKeyShape, key),
} as const;

/** The kinds of keyed object that have a key string. */
export type KeyKind = keyof typeof keyString;
