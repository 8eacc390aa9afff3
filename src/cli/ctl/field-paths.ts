/**
 * The schema as `ctl` arguments see it: resolving a dotted argument path (`key.developer_key.name`, also with JSON
 * names such as `key.developerKey.name`) to its fields, and listing every settable path of a message with its type
 * (for `ctl <verb> <kind> --help`). Reads the generated field table only. Pure.
 */
import { invalidArgument } from '../../core/errors.js';
import { enumTable, fieldTable, type FieldInfo } from '../../gen/field-table.js';
import { jsonNameOf } from '../../wire/strict-json.js';

/** The field `name` (proto name or JSON name) of message `fullName`, or undefined. Pure. */
export function fieldOf(fullName: string, name: string): FieldInfo | undefined {
  const fields = Object.values(fieldTable[fullName] ?? {});
  return fields.find((f) => f.name === name) ?? fields.find((f) => jsonNameOf(f.name) === name);
}

/** One resolved argument path: the proto names along it and the field at its end. */
export interface ResolvedPath {
  /** Proto names from the top message down: `['key', 'developer_key', 'name']`. */
  readonly names: readonly string[];
  /** The last field. */
  readonly field: FieldInfo;
}

/**
 * Resolves the dotted path `path` below message `fullName`. Every segment but the last must be a single (not
 * repeated, not map) message field. Throws INVALID_ARGUMENT naming the dotted path up to the bad segment:
 * `invalid key.nme: unknown field of edgeproto.AppKey`. Pure.
 */
export function resolvePath(fullName: string, path: string): ResolvedPath {
  const segments = path.split('.');
  const names: string[] = [];
  let message = fullName;
  for (const [i, segment] of segments.entries()) {
    const where = [...names, segment].join('.');
    if (segment === '') throw invalidArgument(path || '(empty)', 'is not a field path such as key.name or location.latitude');
    const field = fieldOf(message, segment);
    if (!field) throw invalidArgument(where, `unknown field of ${message}`);
    names.push(field.name);
    if (i === segments.length - 1) return { names, field };
    if (field.type !== 'message' || field.repeated || field.map || !field.message) {
      throw invalidArgument(where, `${field.repeated || field.map ? 'is a list or map: give it whole as JSON' : 'has no sub-fields'}`);
    }
    message = field.message;
  }
  throw invalidArgument(path, 'is not a field path');
}

/** One settable path of a message and a description of its type, for help texts. */
export interface FieldPathDoc {
  readonly path: string;
  readonly type: string;
}

function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

/** A field's type in words: `string`, `uint32`, `list of string`, `one of A, B`, `JSON list of ConfigFile`. Pure. */
export function describeType(field: FieldInfo): string {
  if (field.map) return `JSON object (map of ${field.mapKey ?? 'string'} to ${field.mapValueMessage ? shortName(field.mapValueMessage) : field.mapValue ?? 'string'})`;
  let base: string;
  if (field.type === 'message') base = field.message === 'google.protobuf.Timestamp' ? 'RFC 3339 time' : `${shortName(field.message ?? '')} (JSON object)`;
  else if (field.type === 'enum') base = `one of ${Object.keys(enumTable[field.enum ?? ''] ?? {}).join(', ')}`;
  else base = field.type;
  if (!field.repeated) return base;
  return field.type === 'message' ? `list of ${base}: repeat to add, or a JSON list` : `list of ${base}: repeat to add`;
}

/**
 * Every path of message `fullName` that a `key=value` argument can set, depth first in field-number order: the
 * leaves of nested single messages (`location.latitude`), and lists, maps and timestamps as a whole. `skip` lists
 * top-level fields left out (`fields`, which `update` sets itself). Pure.
 */
export function settablePaths(fullName: string, skip: readonly string[] = ['fields']): FieldPathDoc[] {
  const out: FieldPathDoc[] = [];
  const visit = (message: string, prefix: string, depth: number): void => {
    const entries = Object.entries(fieldTable[message] ?? {}).sort(([a], [b]) => Number(a) - Number(b));
    for (const [, field] of entries) {
      if (prefix === '' && skip.includes(field.name)) continue;
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      const nested = field.type === 'message' && !field.repeated && !field.map && field.message !== 'google.protobuf.Timestamp';
      if (nested && field.message && depth < 8) visit(field.message, path, depth + 1);
      else out.push({ path, type: describeType(field) });
    }
  };
  visit(fullName, '', 0);
  return out;
}
