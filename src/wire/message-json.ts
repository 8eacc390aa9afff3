import type { MessageCodec } from './message-codec.js';

function replaceBigInts(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(replaceBigInts);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = replaceBigInts(v);
    return out;
  }
  return value;
}

/**
 * The proto3 JSON form of a message as the original's gateway and the reference vectors spell it: proto field
 * names, enums by name, 64-bit integers as decimal strings (also inside `google.protobuf.Timestamp`, which is
 * written as `{seconds, nanos}` so no precision is lost), default values omitted. The result is plain data that
 * `JSON.stringify` accepts. Pure.
 */
export function messageToJson<T>(codec: MessageCodec<T>, message: T): unknown {
  return replaceBigInts(codec.toJSON(message));
}
