/**
 * `show -o json` and `show -o yaml`: the data-file document `{"<plural>": [objects]}` that `ctl apply -f` reads
 * back, each object in its proto3 JSON form (proto field names, enums by name, 64-bit integers as decimal text,
 * default values left out, no `fields`). Pure.
 */
import { stringify } from 'yaml';
import { messageToJson } from '../../wire/message-json.js';
import type { CtlKind } from './kinds.js';

/** The document of `objects` of `kind`: `{ [kind.plural]: [...] }`. Pure. */
export function documentOf<T>(kind: CtlKind<T>, objects: readonly T[]): Record<string, unknown[]> {
  return {
    [kind.plural]: objects.map((o) => {
      const json = messageToJson(kind.codec, o) as Record<string, unknown>;
      delete json.fields;
      return json;
    }),
  };
}

/** The document as text: pretty-printed JSON (2 spaces) or YAML (block style, long strings not folded), newline-terminated. Pure. */
export function formatDocument(document: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(document, null, 2) + '\n' : stringify(document, { lineWidth: 0 });
}
