/**
 * `show -o table`: the kind's columns (kinds.ts), one row per object, values from the object's JSON form (enums
 * by name, lists joined with `,`, a nested object by its `name`, or compact JSON), aligned, with a header row.
 * Pure.
 */
import { messageToJson } from '../../wire/message-json.js';
import type { CtlKind } from './kinds.js';

/** The value at dotted `path` of a JSON value, or undefined. Pure. */
export function valueAt(json: unknown, path: string): unknown {
  let value = json;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** One table cell: text as is, a list joined with `,`, an object by its `name` or as compact JSON, no newlines. Pure. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cellText).join(',');
  if (typeof value === 'object') {
    const name = (value as Record<string, unknown>).name;
    return typeof name === 'string' ? name : JSON.stringify(value);
  }
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : '';
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * The table of `objects` of `kind`: header and rows, columns separated by at least two spaces, each line without
 * trailing blanks and ending in a newline; `No <plural> found.` and a newline when there is none. Pure.
 */
export function renderTable<T>(kind: CtlKind<T>, objects: readonly T[]): string {
  if (objects.length === 0) return `No ${kind.plural} found.\n`;
  const rows = [
    kind.columns.map((c) => c.header),
    ...objects.map((o) => {
      const json = messageToJson(kind.codec, o);
      return kind.columns.map((c) => cellText(valueAt(json, c.path)));
    }),
  ];
  const widths = kind.columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n').join('');
}
