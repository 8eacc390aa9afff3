/**
 * `key=value` arguments of `cloudletd ctl` to the proto3 JSON form of an object (proto field names), and that form
 * to the message. Rules:
 *
 * - the path is a full dotted proto path (`key.developer_key.name`, `location.latitude`; JSON names such as
 *   `key.developerKey.name` too) or one of the kind's aliases (`developer=`, `cloudlet=`...);
 * - the value is read by the field's type: text for strings, a number for numeric fields, `true`/`false`, an enum
 *   value by name (`IMAGE_TYPE_DOCKER`, case-insensitive, or the unique name ending `_DOCKER`: `docker`) or number;
 * - a list of scalars gets one element per argument: repeat the argument (`errors=a errors=b`); values are never
 *   split at commas (`access_ports=tcp:80,udp:90` is one string field);
 * - a message, list of messages or map field can be given whole as JSON (`configs=[{"kind":"k","config":"c"}]`);
 *   for a list of messages a JSON object adds one element;
 * - giving the same field twice (also through an alias) is an error, except list elements.
 *
 * Errors are INVALID_ARGUMENT naming the dotted path (`invalid key.nme: unknown field of edgeproto.AppKey`). Pure.
 */
import { invalidArgument } from '../../core/errors.js';
import { enumTable, type FieldInfo } from '../../gen/field-table.js';
import { messageFromJson } from '../../wire/strict-json.js';
import { fieldOf, resolvePath } from './field-paths.js';
import type { CtlKind } from './kinds.js';

/** A JSON object in proto field names. */
export type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The enum value `text` of enum `enumName`: an exact name, a name in another case, the one name ending in
 * `_<TEXT>`, or a number; otherwise `text` unchanged (so strict reading names the allowed values). Pure.
 */
export function enumValue(enumName: string | undefined, text: string): string | number {
  const values = enumTable[enumName ?? ''];
  if (!values) return text;
  if (Object.hasOwn(values, text)) return text;
  if (/^-?\d+$/.test(text)) return Number(text);
  const upper = text.toUpperCase();
  const names = Object.keys(values);
  const sameCase = names.find((n) => n.toUpperCase() === upper);
  if (sameCase) return sameCase;
  const bySuffix = names.filter((n) => n.toUpperCase().endsWith(`_${upper}`));
  return bySuffix.length === 1 && bySuffix[0] ? bySuffix[0] : text;
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidArgument(path, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** One scalar argument value in the JSON form strict reading expects (numbers and int64 stay decimal text). */
function scalarValue(field: FieldInfo, text: string): unknown {
  switch (field.type) {
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'enum':
      return enumValue(field.enum, text);
    default:
      return text;
  }
}

/** Where `names` leads below `root`, creating objects on the way. */
function parentOf(root: JsonObject, names: readonly string[], path: string): JsonObject {
  let target = root;
  for (const name of names.slice(0, -1)) {
    const next = target[name] ?? {};
    if (!isObject(next)) throw invalidArgument(path, `conflicts with ${name} given as a whole`);
    target[name] = next;
    target = next;
  }
  return target;
}

/** Splits `path=value` at the first `=`; throws INVALID_ARGUMENT when there is none or the path is empty. Pure. */
export function splitArg(arg: string): { path: string; value: string } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw invalidArgument(arg, 'is not a field argument path=value (e.g. key.name=x1.small or developer=Acme)');
  return { path: arg.slice(0, eq), value: arg.slice(eq + 1) };
}

/**
 * The JSON object (proto field names) that `args` (`path=value` each) describe for `kind`, by the rules above;
 * not yet checked against the schema's value types (see {@link objectFromJson}). Throws INVALID_ARGUMENT naming
 * the argument's path for an unknown field, a path through a scalar or list, bad JSON, or a field given twice. Pure.
 */
export function fieldArgsToJson(kind: CtlKind, args: readonly string[]): JsonObject {
  const root: JsonObject = {};
  const given = new Map<string, string>();
  for (const arg of args) {
    const { path: written, value } = splitArg(arg);
    const path = kind.aliases[written] ?? written;
    const { names, field } = resolvePath(kind.message, path);
    const dotted = names.join('.');
    if (names.length === 1 && names[0] === 'fields') throw invalidArgument('fields', 'is set by update from the fields given; not an argument');
    const parent = parentOf(root, names, dotted);
    const last = names[names.length - 1] ?? '';
    const listAdd = field.repeated === true && !(field.type === 'message' && value.trimStart().startsWith('['));
    const earlier = given.get(dotted);
    if (earlier !== undefined && !listAdd) throw invalidArgument(dotted, `given twice (${earlier} and ${written})`);
    if (earlier === undefined && !listAdd) {
      for (const [other, otherWritten] of given) {
        if (other.startsWith(`${dotted}.`) || dotted.startsWith(`${other}.`)) throw invalidArgument(dotted, `given twice (${otherWritten} and ${written})`);
      }
    }
    given.set(dotted, written);
    if (field.map || (field.type === 'message' && !field.repeated)) {
      parent[last] = field.message === 'google.protobuf.Timestamp' && !value.trimStart().startsWith('{') ? value : parseJson(dotted, value);
    } else if (field.repeated) {
      const list = Array.isArray(parent[last]) ? (parent[last] as unknown[]) : [];
      if (field.type === 'message') {
        const json = parseJson(dotted, value);
        if (Array.isArray(json)) list.push(...(json as unknown[]));
        else list.push(json);
      } else list.push(scalarValue(field, value));
      parent[last] = list;
    } else parent[last] = scalarValue(field, value);
  }
  return root;
}

/**
 * `json` with every key that names a field of message `fullName` (at any depth, JSON names included) renamed to
 * its proto name, so objects from files and arguments merge field by field. Unknown keys stay as they are, for
 * strict reading to report. Pure.
 */
export function protoNames(fullName: string, json: unknown): unknown {
  if (!isObject(json)) return json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldOf(fullName, key);
    if (!field) {
      out[key] = value;
      continue;
    }
    const message = field.map ? undefined : field.message;
    if (message && Array.isArray(value)) out[field.name] = value.map((v) => protoNames(message, v));
    else out[field.name] = message ? protoNames(message, value) : value;
  }
  return out;
}

/** `over` merged onto `base`: objects field by field (recursively), anything else (lists too) replaced. Pure. */
export function mergeJson(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeJson(base[key], value);
  return out;
}

/**
 * The message of `kind` that `json` describes, checked strictly (every key a field, every value of its field's
 * type). Throws INVALID_ARGUMENT naming the dotted field (`invalid location.latitude: must be a number, ...`). Pure.
 */
export function objectFromJson<T = unknown>(kind: CtlKind, json: JsonObject): T {
  return messageFromJson<T>(kind.message, json);
}

