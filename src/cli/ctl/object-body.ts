/**
 * The object a create, update, delete or show request sends: the `-f FILE` body (if any) with the `key=value`
 * arguments merged over it, checked strictly against the kind's message; and for update the `fields` list of what
 * was given.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CodedError, Code, invalidArgument } from '../../core/errors.js';
import { fieldPathsOf } from '../../wire/strict-json.js';
import { fieldArgsToJson, mergeJson, objectFromJson, protoNames, type JsonObject } from './field-args.js';
import { fieldOf } from './field-paths.js';
import type { CtlKind } from './kinds.js';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The one object of `kind` in the text of a `-f` file (YAML or JSON; JSON is YAML too): either the object itself,
 * or a data-file document holding exactly one object of the kind (`{"appinsts": [ {...} ]}`, as `show -o yaml`
 * writes). Keys are returned as proto names. Throws INVALID_ARGUMENT naming `-f <file>` when the text is not one
 * such object. Pure.
 */
export function bodyFromText(kind: CtlKind, text: string, file: string): JsonObject {
  const where = `-f ${file}`;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw invalidArgument(where, `is not YAML or JSON: ${(err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''}`);
  }
  if (isObject(doc) && Object.keys(doc).length === 1 && Array.isArray(doc[kind.plural])) {
    const list = doc[kind.plural] as unknown[];
    if (list.length !== 1) throw invalidArgument(where, `holds ${list.length} ${kind.plural}; give one object (or use apply -f / delete -f for data files)`);
    doc = list[0];
  }
  if (!isObject(doc)) throw invalidArgument(where, `must hold one ${kind.title} object (proto field names)`);
  return protoNames(kind.message, doc) as JsonObject;
}

/** Reads `file` and returns its one object (see {@link bodyFromText}); an unreadable file is INVALID_ARGUMENT. */
export async function readBodyFile(kind: CtlKind, file: string, signal: AbortSignal): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw invalidArgument(`-f ${file}`, code === 'ENOENT' ? 'no such file' : `cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  return bodyFromText(kind, text, file);
}

/** A request object: its JSON form (proto names, what was given) and the message built from it. */
export interface RequestObject<T = unknown> {
  readonly json: JsonObject;
  readonly message: T;
}

/**
 * The request object of `kind` from `args` (`path=value`, see field-args) merged over `body` (the `-f` object,
 * default none), checked strictly. Throws INVALID_ARGUMENT naming the dotted field. Pure.
 */
export function requestObject<T = unknown>(kind: CtlKind, args: readonly string[], body: JsonObject = {}): RequestObject<T> {
  const json = mergeJson(body, fieldArgsToJson(kind, args)) as JsonObject;
  return { json, message: objectFromJson<T>(kind, json) };
}

/**
 * The `fields` of an update of `kind` whose request gives `json`: the field-number paths of every value given
 * except the key and `fields` itself, as the original CLI sends them. Throws INVALID_ARGUMENT when nothing is left
 * to update. Pure.
 */
export function updateFields(kind: CtlKind, json: JsonObject): string[] {
  const excluded = ['key', 'fields'].map((name) => fieldOf(kind.message, name)).filter((f) => f !== undefined);
  const rest: JsonObject = { ...json };
  for (const field of excluded) delete rest[field.name];
  const paths = fieldPathsOf(kind.message, rest);
  if (paths.length === 0) throw new CodedError(Code.INVALID_ARGUMENT, `nothing to update: give at least one field of ${kind.title} besides its key`, { field: 'fields' });
  return paths;
}
