/**
 * How `apply -f` and `delete -f` name one object: its identity (the values of its key fields, to find it among the
 * objects a Show returns and to spot duplicates in a file), its title for people, and the Show request that asks
 * for it by key.
 */
import { messageToJson } from '../../wire/message-json.js';
import type { JsonObject } from './field-args.js';
import type { CtlKind } from './kinds.js';
import { objectLabel } from './object-label.js';
import { valueAt } from './output-table.js';

/** The values of the key fields of `object` (a message of `kind`), in `kind.keyPaths` order; absent → ''. Pure. */
export function keyValues(kind: CtlKind, object: unknown): string[] {
  const json = messageToJson(kind.codec, object);
  return kind.keyPaths.map((path) => {
    const value = valueAt(json, path);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : value === undefined ? '' : JSON.stringify(value);
  });
}

/**
 * A string that is equal for two objects of `kind` exactly when their keys are equal field by field (defaults
 * included: an absent field equals an empty one). Pure.
 */
export function keyIdentity(kind: CtlKind, object: unknown): string {
  return JSON.stringify(keyValues(kind, object));
}

/** True when every key field of `object` is empty (a file object that names nothing). Pure. */
export function keyIsEmpty(kind: CtlKind, object: unknown): boolean {
  return keyValues(kind, object).every((v) => v === '' || v === '0');
}

/** The object as ctl names it everywhere: `ClusterInst acme-games on TDG/hamburg-edge-1` (see `objectLabel`). Pure. */
export function objectTitle(kind: CtlKind, object: unknown): string {
  return objectLabel(kind, messageToJson(kind.codec, object) as JsonObject);
}

/** The Show request for `object`: a message of `kind` with only its key set. Pure. */
export function keyFilter(kind: CtlKind, object: unknown): unknown {
  return kind.codec.fromPartial({ key: (object as { key?: unknown }).key } as never);
}
