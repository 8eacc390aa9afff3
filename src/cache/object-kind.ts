import type { MessageCodec } from '../wire/message-codec.js';

/**
 * Everything generic code needs to know about one keyed object type: its protobuf name, codec, how to compute its
 * key string and how to make a key-only copy (what a DELETE carries). Stateless.
 */
export interface ObjectKind<T = unknown> {
  /** Full protobuf name, e.g. `edgeproto.AppInst`; also the notify want_objs name. */
  readonly name: string;
  readonly codec: MessageCodec<T>;
  /** Stable key string of the object (see `keyString` in src/wire). Pure. */
  keyOf(object: T): string;
  /** A copy holding only the key; every other field at its default. Pure. */
  keyOnly(object: T): T;
  /**
   * Key string of a key message (the object's `key` field), so that `keyOf(object) === keyOfKey(object.key)`. Keyed
   * kinds of the kinds table have it; it lets a receiver key an encoded object by decoding its key alone. Pure.
   */
  keyOfKey?(key: unknown): string;
  /**
   * Key string of the cloudlet the object belongs to, for cloudlet filtering; undefined for kinds that are not
   * tied to one cloudlet (Flavor, App...). Pure.
   */
  cloudletKeyOf?(object: T): string;
  /** True for the info kinds whose `notify_id` the receiving server overwrites with the connection's id. */
  readonly hasNotifyId: boolean;
}

/** A message kind: sent once in FIFO order, never cached, coalesced or pruned (ExecRequest, Metric). */
export interface MessageKind<T = unknown> {
  readonly name: string;
  readonly codec: MessageCodec<T>;
  /** Cloudlet the message is about, for routing on filtered connections; undefined when not tied to one. */
  cloudletKeyOf?(message: T): string;
}
