import type { EncodedObject } from '../cache/encoded-object.js';
import type { MessageKind, ObjectKind } from '../cache/object-kind.js';

/** What a receiver knows about the connection a notice came on. */
export interface PeerInfo {
  /** Server: the connection's notify_id (0, 1, 2... per server process). Client: always 0, as the original. */
  readonly notifyId: number;
  /** The remote address, for logs. */
  readonly peer: string;
}

/**
 * Takes received UPDATE and DELETE notices of one cache kind. `update` gets the decoded object and its encoded
 * bytes; `delete` gets an object whose only meaningful field is its key (the original leaves other fields of a
 * DELETE undefined). Must not throw for valid objects; a throw is counted as invalid input and the stream goes on.
 */
export interface ObjectReceiver<T = unknown> {
  readonly kind: ObjectKind<T>;
  update(value: T, bytes: Uint8Array, peer: PeerInfo): void;
  /**
   * Optional: takes an UPDATE's object still encoded, checked and keyed ({@link readEncoded}); when present it is
   * called instead of `update`, and nothing is decoded (a notify mirror stores it with `updateEncoded`). The kind
   * must have a `key` message field and `keyOfKey`.
   */
  updateEncoded?(object: EncodedObject<T>, peer: PeerInfo): void;
  delete(keyOnly: T, peer: PeerInfo): void;
  /** Server side: the connection `peer` ended; drop or mark what it reported (the original's Flush). */
  flush?(peer: PeerInfo): void;
}

/** Takes received messages (ExecRequest, Metric) of one kind. */
export interface MessageReceiver<T = unknown> {
  readonly kind: MessageKind<T>;
  message(value: T, peer: PeerInfo): void;
}

/** A receiver of either shape. */
export type AnyReceiver = ObjectReceiver | MessageReceiver;

/** True when `receiver` takes messages rather than cached objects. */
export function isMessageReceiver(receiver: AnyReceiver): receiver is MessageReceiver {
  return 'message' in receiver;
}
