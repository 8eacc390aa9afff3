/**
 * What `apply -f` changes on an object that exists: only the fields the file gives are compared, each in the
 * normalized JSON form of both sides (through the codec and `messageToJson`), so `ram: 1024` equals `"1024"`, an
 * enum number equals its name and a default equals an absent value. Key, `fields` and call options are never
 * compared; output-only fields that differ are reported, not updated.
 */
import { fieldTable, type FieldInfo } from '../../gen/field-table.js';
import { messageToJson } from '../../wire/message-json.js';
import { fieldPathsOf } from '../../wire/strict-json.js';
import type { CtlKind } from './kinds.js';
import { valueAt } from './output-table.js';
import { isCallOption, isOutputOnly } from './system-fields.js';

/** How the stored object differs from the file's. */
export interface ObjectDiff {
  /** Field-number paths (`"3"`, `"5.1"`) to send as the Update's `fields`; empty when nothing is to change. */
  readonly changed: readonly string[];
  /** Dotted names of the changed fields (`location.latitude`), for messages, in the order of `changed`. */
  readonly changedNames: readonly string[];
  /** Dotted names of output-only fields whose file value differs from the stored one (ignored). */
  readonly ignored: readonly string[];
}

/** The field names along field-number path `path` of message `message` (`"5.1"` → location, latitude). Pure. */
export function fieldNamesOf(message: string, path: string): string[] {
  const names: string[] = [];
  let current: string | undefined = message;
  for (const segment of path.split('.')) {
    const info: FieldInfo | undefined = current ? fieldTable[current]?.[Number(segment)] : undefined;
    if (!info) break;
    names.push(info.name);
    current = info.message;
  }
  return names;
}

/** An absent value, an empty list and an empty object mean the same thing in proto3 JSON. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value).every(isEmpty);
}

/** Deep equality of two normalized JSON values, where empty equals absent. Pure. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/**
 * Compares the fields `fileJson` gives (as written in the file; its message is `fileMessage`) with `current` (the
 * stored object of the same kind and key). Pure.
 */
export function diffObject(kind: CtlKind, fileJson: unknown, fileMessage: unknown, current: unknown): ObjectDiff {
  const wanted = messageToJson(kind.codec, fileMessage);
  const stored = messageToJson(kind.codec, current);
  const changed: string[] = [];
  const changedNames: string[] = [];
  const ignored: string[] = [];
  for (const path of fieldPathsOf(kind.message, fileJson)) {
    const names = fieldNamesOf(kind.message, path);
    const top = names[0] ?? '';
    if (top === 'fields' || top === 'key' || isCallOption(kind.message, top)) continue;
    if (sameJson(valueAt(wanted, names.join('.')), valueAt(stored, names.join('.')))) continue;
    if (isOutputOnly(kind.message, top)) ignored.push(names.join('.'));
    else {
      changed.push(path);
      changedNames.push(names.join('.'));
    }
  }
  return { changed, changedNames, ignored };
}
