import type { MessageCodec } from '../wire/message-codec.js';
import { messageToJson } from '../wire/message-json.js';

function isSubset(filter: unknown, value: unknown): boolean {
  if (filter === null || typeof filter !== 'object') return filter === value;
  if (Array.isArray(filter)) {
    return Array.isArray(value) && filter.length === value.length && filter.every((f, i) => isSubset(f, value[i]));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Object.entries(filter as Record<string, unknown>).every(([k, f]) => isSubset(f, v[k]));
}

/**
 * Show's filter, as the original: every field set in the request (non-default, at any depth) must equal the
 * object's; `fields` is ignored. An empty request matches everything. Build once per call, then test each object.
 */
export function showFilter<T>(codec: MessageCodec<T>, request: T): (object: T) => boolean {
  const filter = messageToJson(codec, request) as Record<string, unknown>;
  delete filter.fields;
  if (Object.keys(filter).length === 0) return () => true;
  return (object) => isSubset(filter, messageToJson(codec, object));
}
