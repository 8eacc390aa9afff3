import { BinaryReader } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { Notice } from '../../src/gen/edgeproto/notice.js';
import { Any } from '../../src/gen/google/protobuf/any.js';
import { findMessageType } from '../../src/wire/message-registry.js';
import type { MessageCodec } from '../../src/wire/message-codec.js';
import { messageToJson } from '../../src/wire/message-json.js';
import { readReferenceTable, readVectors, type WireVector } from './reference-data.js';

const vectors = readVectors();
const mapFieldNames = new Set(
  readReferenceTable('edgeproto-fields.tsv')
    .filter((row) => row.label?.startsWith('map<'))
    .map((row) => row.field_name),
);

function codecOf(typeName: string): MessageCodec {
  const type = findMessageType(typeName);
  if (!type) throw new Error(`no generated type for ${typeName}`);
  return type.codec;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function json<T>(codec: MessageCodec<T>, message: T): unknown {
  return messageToJson(codec, message);
}

function usesMapField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesMapField);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => mapFieldNames.has(k) || usesMapField(v));
}

/** The encoded top-level fields (tag and payload, as hex), sorted: equal for encodings that differ only in order. */
function topLevelFields(bytes: Uint8Array): string[] {
  const reader = new BinaryReader(bytes);
  const fields: string[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [, wireType] = reader.tag();
    reader.skip(wireType);
    fields.push(toHex(bytes.subarray(start, reader.pos)));
  }
  return fields.sort();
}

/** The vectors spell a Notice's Any as type_url + the embedded message's JSON and bytes. */
interface VectorAny {
  type_url: string;
  value_type: string;
  value_json: unknown;
  value_hex: string;
}

function decodeToVectorJson(vector: WireVector, bytes: Uint8Array): unknown {
  if (vector.type !== 'edgeproto.Notice') {
    const codec = codecOf(vector.type);
    return json(codec, codec.decode(bytes));
  }
  const notice = Notice.decode(bytes);
  const noticeJson = json(Notice, { ...notice, any: undefined }) as Record<string, unknown>;
  if (notice.any) {
    const valueType = notice.any.type_url.slice(notice.any.type_url.lastIndexOf('/') + 1);
    const inner = codecOf(valueType);
    noticeJson.any = {
      type_url: notice.any.type_url,
      value_type: valueType,
      value_json: json(inner, inner.decode(notice.any.value)),
      value_hex: toHex(notice.any.value),
    };
  }
  return noticeJson;
}

function encodeFromVectorJson(vector: WireVector): Uint8Array {
  if (vector.type !== 'edgeproto.Notice') {
    const codec = codecOf(vector.type);
    return codec.encode(codec.fromJSON(vector.json)).finish();
  }
  const { any, ...rest } = vector.json as { any?: VectorAny };
  const notice = Notice.fromJSON(rest);
  if (any) {
    const inner = codecOf(any.value_type);
    notice.any = Any.fromPartial({
      type_url: any.type_url,
      value: Buffer.from(inner.encode(inner.fromJSON(any.value_json)).finish()),
    });
  }
  return Notice.encode(notice).finish();
}

describe('wire vectors of the original encoder', () => {
  it('covers all 38 reference vectors', () => {
    expect(vectors).toHaveLength(38);
  });

  describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    it('decodes hex to the reference json', () => {
      expect(decodeToVectorJson(vector, fromHex(vector.hex))).toEqual(vector.json);
    });

    it('encodes json to bytes that decode back to the same json', () => {
      expect(decodeToVectorJson(vector, encodeFromVectorJson(vector))).toEqual(vector.json);
    });

    if (usesMapField(vector.json)) {
      it('encodes json to the reference fields (map entries may come in any order)', () => {
        expect(topLevelFields(encodeFromVectorJson(vector))).toEqual(topLevelFields(fromHex(vector.hex)));
      });
    } else {
      it('encodes json to exactly the reference bytes', () => {
        expect(toHex(encodeFromVectorJson(vector))).toBe(vector.hex);
      });
    }
  });
});
