import type { ServiceDefinition } from '@grpc/grpc-js';
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

/** Name of a notice action for logs and metric labels. */
export function actionName(action: NoticeAction): string {
  return NoticeAction[action] ?? String(action);
}
