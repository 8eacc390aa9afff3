import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/**
 * What every generated message type offers: binary encode/decode, proto3 JSON (proto field names, 64-bit integers
 * as decimal strings, enums by name) and construction from a partial object. Stateless.
 */
export interface MessageCodec<T = unknown> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
  fromPartial(object: never): T;
}

/** A message type known to the registry: its full protobuf name (`edgeproto.Flavor`) and its codec. */
export interface MessageType<T = unknown> {
  readonly fullName: string;
  readonly codec: MessageCodec<T>;
}
