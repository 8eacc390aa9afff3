import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { invalidArgument } from '../core/errors.js';
import { Notice, NoticeAction } from '../gen/edgeproto/notice.js';
import { decodeMessage } from '../wire/decode.js';
import { typeUrlOf } from '../wire/any.js';

/** The notify protocol version; the original never changed it from 1. */
export const NOTIFY_VERSION = 1;

/** gRPC method path of the notify stream. */
export const STREAM_NOTICE_PATH = '/edgeproto.NotifyApi/StreamNotice';

const identity = (b: Buffer): Buffer => b;

/**
 * The notify service with raw-bytes (de)serializers: senders write notices they encoded themselves (reusing each
 * object's cached bytes), and receivers decode in their own loop, so a malformed notice is skipped and counted
 * instead of failing the whole stream.
 */
export const rawNotifyService: ServiceDefinition = {
  StreamNotice: {
    path: STREAM_NOTICE_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/**
 * Encodes data notices of one type around already-encoded object bytes. The Any's type_url field is built once;
 * each notice is then one allocation and one copy of the object's bytes. Output is byte-identical to encoding
 * `Notice{action, any{type_url, value}}` with the generated code. Stateless after construction.
 */
export class DataNoticeEncoder {
  private readonly typeUrlField: Buffer;

  constructor(typeName: string) {
    const url = Buffer.from(typeUrlOf(typeName), 'utf8');
    this.typeUrlField = Buffer.alloc(1 + varintLength(url.length) + url.length);
    const offset = writeVarint(this.typeUrlField, 1, url.length);
    this.typeUrlField[0] = 0x0a; // Any.type_url: field 1, length-delimited
    url.copy(this.typeUrlField, offset);
  }

  /** A data notice (UPDATE or DELETE) carrying `value`, the encoded object. Pure. */
  encode(action: NoticeAction.UPDATE | NoticeAction.DELETE, value: Uint8Array): Buffer {
    const valueLen = value.byteLength;
    const anyLen = this.typeUrlField.length + 1 + varintLength(valueLen) + valueLen;
    const out = Buffer.allocUnsafe(2 + 1 + varintLength(anyLen) + anyLen);
    out[0] = 0x08; // Notice.action: field 1, varint
    out[1] = action;
    out[2] = 0x1a; // Notice.any: field 3, length-delimited
    let offset = writeVarint(out, 3, anyLen);
    offset += this.typeUrlField.copy(out, offset);
    out[offset++] = 0x12; // Any.value: field 2, length-delimited
    offset = writeVarint(out, offset, valueLen);
    out.set(value, offset);
    return out;
  }
}

function encodeNotice(notice: Notice): Buffer {
  const bytes = Notice.encode(notice).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A VERSION notice: version, the names this side wants, and (client only) cloudlet filtering. Pure. */
export function encodeVersionNotice(wantObjs: readonly string[], filterCloudletKey: boolean): Buffer {
  return encodeNotice(Notice.fromPartial({
    action: NoticeAction.VERSION,
    version: NOTIFY_VERSION,
    want_objs: [...wantObjs],
    filter_cloudlet_key: filterCloudletKey,
  }));
}

/** The SENDALL_END notice. Pure. */
export function encodeSendAllEnd(): Buffer {
  return encodeNotice(Notice.fromPartial({ action: NoticeAction.SENDALL_END }));
}

/** Decodes a received notice; a CodedError INVALID_ARGUMENT (field `notice`) when the bytes are not a Notice. */
export function decodeNotice(bytes: Uint8Array): Notice {
  return decodeMessage(Notice, bytes, 'notice');
}

/** What a data notice carries, read without copying: the action, and the Any's type_url and value if it has one. */
export interface DataNotice {
  readonly action: NoticeAction;
  /** The Any's type_url; undefined when the notice has no Any. */
  readonly typeUrl: string | undefined;
  /** The Any's value: a view into the notice's bytes (empty when absent). */
  readonly value: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** The last type_url read, by its bytes: a stream carries a handful of types, so this nearly always hits. */
let lastTypeUrlBytes: Uint8Array = EMPTY;
let lastTypeUrl = '';

function typeUrlAt(buf: Uint8Array, start: number, length: number): string {
  const last = lastTypeUrlBytes;
  if (last.length === length) {
    let i = 0;
    while (i < length && last[i] === buf[start + i]) i++;
    if (i === length) return lastTypeUrl;
  }
  const bytes = buf.slice(start, start + length);
  lastTypeUrl = utf8Decoder.decode(bytes);
  lastTypeUrlBytes = bytes;
  return lastTypeUrl;
}

/** BinaryReader's own (private) bounds check after a length-delimited field. */
function assertBounds(reader: BinaryReader): void {
  if (reader.pos > reader.len) throw new RangeError('premature EOF');
}

/** Mutable state of one {@link readDataNotice} call. */
interface AnyState {
  urlStart: number;
  urlLength: number;
  value: Uint8Array;
}

// Reads Notice.any, exactly as the generated Any.decode does (same reads, same checks, same quirks).
function readAny(reader: BinaryReader, length: number, into: AnyState): void {
  const end = reader.pos + length;
  into.urlStart = 0;
  into.urlLength = 0;
  into.value = EMPTY;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: {
        if (tag !== 10) break;
        const len = reader.uint32();
        into.urlStart = reader.pos;
        into.urlLength = len;
        reader.pos += len;
        assertBounds(reader);
        continue;
      }
      case 2: {
        if (tag !== 18) break;
        into.value = reader.bytes();
        continue;
      }
    }
    if ((tag & 7) === 4 || tag === 0) break;
    reader.skip(tag & 7);
  }
}

/**
 * Reads a data notice (or SENDALL_END, or any notice after the handshake) by hand: the same reads and checks as the
 * generated `Notice.decode`, so it accepts and rejects exactly the same bytes, but it keeps only the action and the
 * Any, does not decode want_objs, and does not copy the Any's value. Throws a CodedError INVALID_ARGUMENT (field
 * `notice`) when the bytes are not a Notice, as {@link decodeNotice} does.
 */
export function readDataNotice(bytes: Uint8Array): DataNotice {
  try {
    const reader = new BinaryReader(bytes);
    const any: AnyState = { urlStart: 0, urlLength: 0, value: EMPTY };
    let action = 0;
    let hasAny = false;
    const end = reader.len;
    while (reader.pos < end) {
      const tag = reader.uint32();
      switch (tag >>> 3) {
        case 1: {
          if (tag !== 8) break;
          action = reader.int32();
          continue;
        }
        case 2: {
          if (tag !== 16) break;
          reader.uint32(); // version
          continue;
        }
        case 3: {
          if (tag !== 26) break;
          readAny(reader, reader.uint32(), any);
          hasAny = true;
          continue;
        }
        case 4: {
          if (tag !== 34) break;
          const len = reader.uint32(); // a want_objs string: its text is not needed here
          reader.pos += len;
          assertBounds(reader);
          continue;
        }
        case 5: {
          if (tag !== 40) break;
          reader.bool(); // filter_cloudlet_key
          continue;
        }
      }
      if ((tag & 7) === 4 || tag === 0) break;
      reader.skip(tag & 7);
    }
    return {
      action,
      typeUrl: hasAny ? (any.urlLength === 0 ? '' : typeUrlAt(bytes, any.urlStart, any.urlLength)) : undefined,
      value: any.value,
    };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw invalidArgument('notice', `malformed protobuf: ${reason}`, cause);
  }
}
