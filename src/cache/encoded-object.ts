import { invalidArgument } from '../core/errors.js';
import type { MessageCodec } from '../wire/message-codec.js';
import { findMessageType } from '../wire/message-registry.js';
import { encodedKeyString } from '../wire/object-key.js';
import { findMessageField, WireCheck, type FieldBounds } from '../wire/wire-check.js';
import type { ObjectKind } from './object-kind.js';

declare const checked: unique symbol;

/**
 * An encoded object of `kind` that passed the wire check of its type (src/wire/wire-check.ts), so that decoding
 * `bytes` with `kind.codec` cannot fail, keyed by `key` (`kind.keyOf` of the decoded object). Only
 * {@link readEncoded} makes one; {@link ObjectCache.updateEncoded} stores it without decoding it.
 */
export interface EncodedObject<T = unknown> {
  readonly kind: ObjectKind<T>;
  readonly key: string;
  readonly bytes: Uint8Array;
  /** Brand: not constructible outside this module without a cast. */
  readonly [checked]: true;
}

interface EncodedReader {
  readonly check: WireCheck;
  readonly keyCodec: MessageCodec;
  readonly keyOfKey: (key: unknown) => string;
  /** The key string straight from the key's bytes, when the kind's key type has a key shape (all of ours do). */
  readonly fastKey: ((bytes: Uint8Array, start: number, end: number) => string | undefined) | undefined;
}

const readers = new WeakMap<object, EncodedReader | null>();
const bounds: FieldBounds = { start: -1, end: -1 };

function readerOf(kind: ObjectKind<unknown>): EncodedReader | null {
  let reader = readers.get(kind);
  if (reader !== undefined) return reader;
  reader = null;
  const keyField = findMessageField(kind.name, 'key');
  const keyType = keyField ? findMessageType(keyField.message) : undefined;
  if (keyField && keyType && kind.keyOfKey) {
    const keyOfKey = (key: unknown): string => kind.keyOfKey?.(key) ?? '';
    const fastKey = encodedKeyString(keyField.message);
    reader = { check: new WireCheck(kind.name, keyField.number), keyCodec: keyType.codec, keyOfKey, fastKey };
    // The fast key must be the kind's own key string; an absent key tells a wrong shape apart from most others.
    if (fastKey && fastKey(new Uint8Array(0), 0, 0) !== keyOfKey(undefined)) throw new Error(`${kind.name}: key shape does not match keyOfKey`);
  }
  readers.set(kind, reader);
  return reader;
}

/** True when objects of `kind` can be read with {@link readEncoded}: it has a `key` message field and `keyOfKey`. */
export function canReadEncoded<T>(kind: ObjectKind<T>): boolean {
  return readerOf(kind) !== null;
}

/**
 * Checks the encoded object `bytes` of `kind` without decoding it, and decodes only its key (the last `key` field,
 * as the decoder reads it) to compute the key string once. Throws a CodedError INVALID_ARGUMENT (field
 * `any.value`) when the bytes fail the wire check, and an Error when `kind` cannot be read so
 * ({@link canReadEncoded}). `bytes` are kept, not copied. Pure.
 */
export function readEncoded<T>(kind: ObjectKind<T>, bytes: Uint8Array): EncodedObject<T> {
  const reader = readerOf(kind);
  if (!reader) throw new Error(`${kind.name} cannot be read encoded (no key field or keyOfKey)`);
  const why = reader.check.check(bytes, bounds);
  if (why !== undefined) throw invalidArgument('any.value', `malformed protobuf: ${why}`);
  const start = bounds.start < 0 ? 0 : bounds.start;
  const end = bounds.start < 0 ? 0 : bounds.end;
  let key = reader.fastKey?.(bytes, start, end);
  if (key === undefined) {
    // A string that needs escaping or is not ASCII: decode the key message (only it) and format it.
    key = reader.keyOfKey(bounds.start < 0 ? undefined : reader.keyCodec.decode(bytes.subarray(start, end)));
  }
  return { kind, key, bytes } as EncodedObject<T>;
}
