import { CodedError, Code } from '../core/errors.js';
import type { Any } from '../gen/google/protobuf/any.js';
import type { MessageCodec } from './message-codec.js';
import { decodeMessage } from './decode.js';
import { findMessageType } from './message-registry.js';

/** The type_url prefix the original uses for every packed message. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The type_url of a message type, e.g. `type.googleapis.com/edgeproto.AppInst`. Pure. */
export function typeUrlOf(fullName: string): string {
  return TYPE_URL_PREFIX + fullName;
}

/** The full type name inside a type_url: the text after the last `/`, as the original reads it. Pure. */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/**
 * Packs `message` of type `fullName` (e.g. `edgeproto.Flavor`) into a `google.protobuf.Any` with type_url
 * `type.googleapis.com/<fullName>`. Throws a CodedError NOT_FOUND (field `any.type_url`) when the type is not part
 * of the schema. Pure.
 */
export function packAny(fullName: string, message: unknown): Any {
  const type = findMessageType(fullName);
  if (!type) throw unknownType(fullName);
  return { type_url: typeUrlOf(fullName), value: asBuffer(type.codec.encode(message).finish()) };
}

/** Packs with a codec the caller already holds; no registry lookup. Pure. */
export function packAnyWith<T>(fullName: string, codec: MessageCodec<T>, message: T): Any {
  return { type_url: typeUrlOf(fullName), value: asBuffer(codec.encode(message).finish()) };
}

/** An unpacked Any: the full type name and the decoded message. */
export interface UnpackedAny {
  readonly typeName: string;
  readonly message: unknown;
}

/**
 * Unpacks a `google.protobuf.Any`. Never crashes on peer input:
 * - a type the schema does not know is a CodedError NOT_FOUND with field `any.type_url` (receivers skip it);
 * - bytes that do not decode are a CodedError INVALID_ARGUMENT with field `any.value`.
 * Pure.
 */
export function unpackAny(any: Any): UnpackedAny {
  const typeName = typeNameOf(any.type_url);
  const type = findMessageType(typeName);
  if (!type) throw unknownType(typeName === '' ? '(empty)' : typeName);
  return { typeName, message: decodeMessage(type.codec, any.value, 'any.value') };
}

/** A Buffer view of the encoder's bytes, without copying (the generated Any holds `bytes` as Buffer). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function unknownType(typeName: string): CodedError {
  return new CodedError(Code.NOT_FOUND, `unknown message type ${typeName}`, { field: 'any.type_url' });
}

