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
import { fieldTable } from '../gen/field-table.js';

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

/** A key shape ready to encode: each field with its `"name":` prefix (with and without a leading comma). */
interface CompiledField {
  readonly field: string;
  readonly first: string;
  readonly next: string;
  readonly kind: 'string' | 'number' | CompiledShape;
}
type CompiledShape = readonly CompiledField[];

function compile(shape: KeyShape): CompiledShape {
  return shape.map(([field, kind]) => ({
    field,
    first: `"${field}":`,
    next: `,"${field}":`,
    kind: typeof kind === 'string' ? kind : compile(kind),
  }));
}

function encodeKey(shape: CompiledShape, key: object | undefined): string {
  const record = key as Record<string, unknown> | undefined;
  let out = '{';
  let empty = true;
  for (const { field, first, next, kind } of shape) {
    const value = record?.[field];
    if (kind === 'string') {
      if (typeof value !== 'string' || value === '') continue;
      out += (empty ? first : next) + goJsonString(value);
    } else if (kind === 'number') {
      if (typeof value !== 'number' || value === 0) continue;
      out += (empty ? first : next) + String(value);
    } else {
      out += (empty ? first : next) + encodeKey(kind, value as object | undefined);
    }
    empty = false;
  }
  return out + '}';
}

const compiled = {
  operator: compile(operatorKeyShape),
  developer: compile(developerKeyShape),
  flavor: compile(flavorKeyShape),
  cluster: compile(clusterKeyShape),
  app: compile(appKeyShape),
  cloudlet: compile(cloudletKeyShape),
  clusterInst: compile(clusterInstKeyShape),
  appInst: compile(appInstKeyShape),
  node: compile(nodeKeyShape),
  controller: compile(controllerKeyShape),
} as const;

/**
 * Stable string form of an object key, identical to the original's `GetKeyString()` (Go `json.Marshal` of the key):
 * proto field names in field-number order, empty strings and zero numbers omitted, nested keys always present,
 * `<`, `>` and `&` escaped as Go does. Pure and total: an undefined or partial key gives the string of the empty key.
 * Two keys give the same string exactly when they are equal field by field.
 */
export const keyString = {
  operator: (key: OperatorKey | undefined): string => encodeKey(compiled.operator, key),
  developer: (key: DeveloperKey | undefined): string => encodeKey(compiled.developer, key),
  flavor: (key: FlavorKey | undefined): string => encodeKey(compiled.flavor, key),
  cluster: (key: ClusterKey | undefined): string => encodeKey(compiled.cluster, key),
  app: (key: AppKey | undefined): string => encodeKey(compiled.app, key),
  cloudlet: (key: CloudletKey | undefined): string => encodeKey(compiled.cloudlet, key),
  clusterInst: (key: ClusterInstKey | undefined): string => encodeKey(compiled.clusterInst, key),
  appInst: (key: AppInstKey | undefined): string => encodeKey(compiled.appInst, key),
  node: (key: NodeKey | undefined): string => encodeKey(compiled.node, key),
  controller: (key: ControllerKey | undefined): string => encodeKey(compiled.controller, key),
} as const;

/** The kinds of keyed object that have a key string. */
export type KeyKind = keyof typeof keyString;

// ---- key strings straight from encoded keys ----------------------------------------------------------------

/** Shapes by the full name of their key message, for {@link encodedKeyString}. */
const shapesByType: Readonly<Record<string, KeyShape>> = {
  'edgeproto.OperatorKey': operatorKeyShape,
  'edgeproto.DeveloperKey': developerKeyShape,
  'edgeproto.FlavorKey': flavorKeyShape,
  'edgeproto.ClusterKey': clusterKeyShape,
  'edgeproto.ControllerKey': controllerKeyShape,
  'edgeproto.AppKey': appKeyShape,
  'edgeproto.CloudletKey': cloudletKeyShape,
  'edgeproto.ClusterInstKey': clusterInstKeyShape,
  'edgeproto.AppInstKey': appInstKeyShape,
  'edgeproto.NodeKey': nodeKeyShape,
};

/** A key shape with field numbers and wire tags (from the field table), and its JSON prefixes as bytes. */
interface WireKeyField {
  readonly tag: number;
  readonly first: Uint8Array;
  readonly next: Uint8Array;
  readonly kind: 'string' | 'number' | WireKeyShape;
}
type WireKeyShape = readonly WireKeyField[];

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function wireShape(typeName: string, shape: KeyShape): WireKeyShape {
  const table = fieldTable[typeName];
  if (!table) throw new Error(`field table has no key message ${typeName}`);
  return shape.map(([field, kind]) => {
    const entry = Object.entries(table).find(([, info]) => info.name === field);
    if (!entry) throw new Error(`key message ${typeName} has no field ${field}`);
    const [number, info] = entry;
    const expected = kind === 'string' ? ['string'] : kind === 'number' ? ['int32', 'enum'] : ['message'];
    if (!expected.includes(info.type) || info.repeated) throw new Error(`key field ${typeName}.${field} is ${info.type}, not ${String(kind)}`);
    const wireType = kind === 'number' ? 0 : 2;
    return {
      tag: (Number(number) << 3) | wireType,
      first: latin1(`"${field}":`),
      next: latin1(`,"${field}":`),
      kind: typeof kind === 'string' ? kind : wireShape(info.message ?? '', kind),
    };
  });
}

/** Most bytes a key string of `shape` writes besides its string values: prefixes, quotes, braces, numbers. */
function overhead(shape: WireKeyShape): number {
  let n = 2;
  for (const field of shape) {
    n += field.next.length + (field.kind === 'string' ? 2 : field.kind === 'number' ? 11 : overhead(field.kind));
  }
  return n;
}

let scratch = Buffer.alloc(1024);

/** Bytes a key string may hold as they are: printable ASCII that neither JSON nor Go escapes. */
function plain(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x5c) return false;
  }
  return true;
}

/**
 * Value bounds of the last occurrence of each field of the key message being written, by shape index, one frame per
 * nesting level.
 */
const frames: Int32Array[] = [];

/**
 * Writes the key string of the key message in [start, end) of `buf` (start = end: absent) into `out` from `n`;
 * returns the new length, or -1 when a string needs escaping or is not ASCII (the caller decodes instead). One pass
 * over the message finds the last occurrence of each key field (the one the decoder keeps); then the fields are
 * written in shape order. The bytes passed the wire check, so every varint and length is well-formed and in bounds;
 * `out` has room for the key (see {@link overhead}).
 */
function writeKey(shape: WireKeyShape, buf: Uint8Array, start: number, end: number, depth: number, out: Uint8Array, n: number): number {
  const frame = (frames[depth] ??= new Int32Array(2 * 8));
  const count = shape.length;
  for (let i = 0; i < count; i++) frame[2 * i] = -1;
  let pos = start;
  while (pos < end) {
    // Tag: a uint32 varint (at most 5 bytes after the wire check).
    let tag = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[pos++]!;
      tag |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    tag >>>= 0;
    let i = 0;
    while (i < count && shape[i]!.tag !== tag) i++;
    const wireType = tag & 7;
    if (wireType === 0) {
      if (i < count) frame[2 * i] = pos;
      while (buf[pos++]! & 0x80);
      if (i < count) frame[2 * i + 1] = pos;
    } else if (wireType === 2) {
      let length = 0;
      shift = 0;
      do {
        b = buf[pos++]!;
        if (shift < 32) length |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      if (i < count) frame[2 * i] = pos;
      pos += length >>> 0;
      if (i < count) frame[2 * i + 1] = pos;
    } else {
      pos += wireType === 1 ? 8 : 4; // the wire check allows no other wire types
    }
  }
  out[n++] = 0x7b; // {
  let empty = true;
  for (let i = 0; i < count; i++) {
    const field = shape[i]!;
    let valueStart = frame[2 * i]!;
    let valueEnd = frame[2 * i + 1]!;
    const kind = field.kind;
    if (kind === 'string') {
      if (valueStart < 0 || valueEnd === valueStart) continue;
      if (!plain(buf, valueStart, valueEnd)) return -1;
    } else if (kind === 'number') {
      if (valueStart < 0) continue;
      let value = 0;
      let shift = 0;
      let b: number;
      do {
        b = buf[valueStart++]!;
        if (shift < 32) value |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      if (value === 0) continue; // int32, as the decoder reads it: the low 32 bits
      valueStart = value;
    }
    const prefix = empty ? field.first : field.next;
    for (let p = 0; p < prefix.length; p++) out[n++] = prefix[p]!;
    empty = false;
    if (kind === 'string') {
      out[n++] = 0x22;
      for (let p = valueStart; p < valueEnd; p++) out[n++] = buf[p]!;
      out[n++] = 0x22;
    } else if (kind === 'number') {
      const digits = String(valueStart | 0);
      for (let d = 0; d < digits.length; d++) out[n++] = digits.charCodeAt(d);
    } else {
      if (valueStart < 0) valueStart = valueEnd = end;
      n = writeKey(kind, buf, valueStart, valueEnd, depth + 1, out, n);
      if (n < 0) return -1;
    }
  }
  out[n++] = 0x7d; // }
  return n;
}

/**
 * For a key message type (`edgeproto.AppInstKey`...), a function giving the key string of such a key straight from
 * its encoding, equal to the `keyString` of its decoded form: `bytes` [start, end) hold the encoded key (start =
 * end: an absent key), and must have passed the wire check (src/wire/wire-check.ts). The function returns
 * undefined when a string of the key would need escaping or is not ASCII; decode the key then. Undefined for a
 * type that is not a key message. The result is one flat string; nothing else is allocated.
 */
export function encodedKeyString(keyTypeName: string): ((bytes: Uint8Array, start: number, end: number) => string | undefined) | undefined {
  const shape = shapesByType[keyTypeName];
  if (!shape) return undefined;
  const wire = wireShape(keyTypeName, shape);
  const fixed = overhead(wire);
  return (bytes, start, end) => {
    // String values are copied byte for byte, so the key is at most `fixed` plus the encoded key's length.
    if (scratch.length < fixed + end - start) scratch = Buffer.alloc(2 * (fixed + end - start));
    const length = writeKey(wire, bytes, start, end, 0, scratch, 0);
    return length < 0 ? undefined : scratch.toString('latin1', 0, length);
  };
}
