/**
 * Strict reading of proto3 JSON, as an API gateway or a data file must: every key must be a field of the message
 * (its proto name, or its lowerCamelCase JSON name), every value must have the field's type, and every enum value
 * must be one of the enum's names or numbers. Anything else is an INVALID_ARGUMENT naming the field's dotted path
 * (`key.developer_key.nme`) and the reason. The generated `fromJSON` alone would silently drop or coerce such input.
 */
import { invalidArgument } from '../core/errors.js';
import { enumTable, fieldTable, type FieldInfo, type ScalarType } from '../gen/field-table.js';
import { findMessageType } from './message-registry.js';

type Json = Record<string, unknown>;

/** `dev_name` → `devName` (protojson's JSON name of a field). Pure. */
export function jsonNameOf(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The fields of message `fullName` by proto name and by JSON name; undefined for an unknown message. */
function fieldsByName(fullName: string): ReadonlyMap<string, { readonly number: number; readonly info: FieldInfo }> | undefined {
  const cached = fieldIndex.get(fullName);
  if (cached) return cached;
  const table = fieldTable[fullName];
  if (!table) return undefined;
  const byName = new Map<string, { number: number; info: FieldInfo }>();
  for (const [number, info] of Object.entries(table)) {
    const entry = { number: Number(number), info };
    byName.set(info.name, entry);
    if (!byName.has(jsonNameOf(info.name))) byName.set(jsonNameOf(info.name), entry);
  }
  fieldIndex.set(fullName, byName);
  return byName;
}
const fieldIndex = new Map<string, ReadonlyMap<string, { readonly number: number; readonly info: FieldInfo }>>();

const INT32_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const INT64_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function integerText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return value.trim();
  return undefined;
}

/** Checks one scalar value; returns it in the form the generated fromJSON reads. */
function scalar(type: ScalarType, enumName: string | undefined, value: unknown, path: string): unknown {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw invalidArgument(path, `must be a string, not ${describe(value)}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw invalidArgument(path, `must be true or false, not ${describe(value)}`);
      return value;
    case 'bytes':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw invalidArgument(path, `must be base64 text, not ${describe(value)}`);
      return value;
    case 'float':
    case 'double': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && (['NaN', 'Infinity', '-Infinity'].includes(value) || (value.trim() !== '' && Number.isFinite(Number(value))))) return Number(value);
      throw invalidArgument(path, `must be a number, not ${describe(value)}`);
    }
    case 'enum': {
      const values = enumName ? enumTable[enumName] : undefined;
      if (!values) return value;
      if (typeof value === 'string' && Object.hasOwn(values, value)) return value;
      if (typeof value === 'number' && Object.values(values).includes(value)) return value;
      throw invalidArgument(path, `must be one of ${Object.keys(values).join(', ')} (or its number), not ${describe(value)}`);
    }
    default: {
      const text = integerText(value);
      const range32 = INT32_RANGE[type];
      const range64 = INT64_RANGE[type];
      if (text === undefined) throw invalidArgument(path, `must be an integer (a number or a decimal string), not ${describe(value)}`);
      if (range32 && (Number(text) < range32[0] || Number(text) > range32[1])) throw invalidArgument(path, `must be within ${range32[0]}..${range32[1]}, not ${text}`);
      if (range64 && (BigInt(text) < range64[0] || BigInt(text) > range64[1])) throw invalidArgument(path, `must be within ${range64[0]}..${range64[1]}, not ${text}`);
      return range32 ? Number(text) : text;
    }
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** One value of `info` (an element when repeated), checked and normalized. */
function element(info: FieldInfo, value: unknown, path: string): unknown {
  if (info.type === 'message') return normalizeMessage(info.message ?? '', value, path);
  return scalar(info.type as ScalarType, info.enum, value, path);
}

function mapValue(info: FieldInfo, value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(path, `must be an object of key/value pairs, not ${describe(value)}`);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const keyPath = `${path}[${JSON.stringify(key)}]`;
    if (info.mapKey && info.mapKey !== 'string') scalar(info.mapKey, undefined, key, keyPath);
    out[key] = info.mapValue === 'message' ? normalizeMessage(info.mapValueMessage ?? '', v, keyPath) : scalar(info.mapValue ?? 'string', undefined, v, keyPath);
  }
  return out;
}

function normalizeMessage(fullName: string, json: unknown, path: string): Json {
  if (fullName === 'google.protobuf.Timestamp' && typeof json === 'string') {
    if (Number.isNaN(Date.parse(json))) throw invalidArgument(path || 'body', `must be an RFC 3339 time, not ${describe(json)}`);
    return json as unknown as Json;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidArgument(path || 'body', `must be a JSON object (${fullName}), not ${describe(json)}`);
  }
  const fields = fieldsByName(fullName);
  if (!fields) throw invalidArgument(path || 'body', `${fullName} is not a message of the schema`);
  const out: Json = {};
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = fields.get(key);
    const fieldPath = join(path, key);
    if (!field) throw invalidArgument(fieldPath, `unknown field of ${fullName}`);
    const name = field.info.name;
    const earlier = seen.get(name);
    if (earlier !== undefined) throw invalidArgument(fieldPath, `given twice (also as ${earlier})`);
    seen.set(name, key);
    if (value === null) continue;
    const namedPath = join(path, name);
    if (field.info.map) out[name] = mapValue(field.info, value, namedPath);
    else if (field.info.repeated) {
      if (!Array.isArray(value)) throw invalidArgument(namedPath, `must be a list, not ${describe(value)}`);
      out[name] = value.map((v, i) => element(field.info, v, `${namedPath}[${i}]`));
    } else out[name] = element(field.info, value, namedPath);
  }
  return out;
}

/**
 * Validates `json` as proto3 JSON of message `fullName` (e.g. `edgeproto.AppInst`) and returns the message. Keys
 * may be proto names or JSON names; `null` means the default; 64-bit integers may be numbers or decimal strings;
 * enums names or numbers; Timestamps `{seconds, nanos}` or RFC 3339 text. Throws INVALID_ARGUMENT whose field is the
 * dotted path below `path` (default: none, so a top-level field is named alone; `body` names the whole value).
 * Pure.
 */
export function messageFromJson<T>(fullName: string, json: unknown, path = ''): T {
  const type = findMessageType(fullName);
  if (!type) throw invalidArgument(path || 'body', `${fullName} is not a message of the schema`);
  return type.codec.fromJSON(normalizeMessage(fullName, json, path)) as T;
}

/**
 * The field-number paths (`"2"`, `"5.1"`) of every value `json` gives for message `fullName`, as an Update's
 * `fields` lists them: a nested message contributes the paths of its own values (or its own path when it is given
 * empty), a list or a map its own path. Keys that are not fields are ignored (validate with
 * {@link messageFromJson} first). Sorted and without duplicates. Pure.
 */
export function fieldPathsOf(fullName: string, json: unknown): string[] {
  const paths = new Set<string>();
  const visit = (messageName: string, value: unknown, prefix: string): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const fields = fieldsByName(messageName);
    for (const [key, v] of Object.entries(value as Json)) {
      const field = fields?.get(key);
      if (!field) continue;
      const path = prefix === '' ? String(field.number) : `${prefix}.${field.number}`;
      const nested = field.info.type === 'message' && !field.info.repeated && !field.info.map && field.info.message !== 'google.protobuf.Timestamp';
      if (nested && typeof v === 'object' && v !== null && Object.keys(v).length > 0) visit(field.info.message ?? '', v, path);
      else paths.add(path);
    }
  };
  visit(fullName, json, '');
  return [...paths].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
