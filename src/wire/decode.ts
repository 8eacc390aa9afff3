import { invalidArgument } from '../core/errors.js';
import type { MessageCodec } from './message-codec.js';

/**
 * Decodes `bytes` with `codec`, turning any decoder failure (truncated input, bad wire type, invalid UTF-8...)
 * into a CodedError INVALID_ARGUMENT naming `field`. Never throws anything else. Pure.
 */
export function decodeMessage<T>(codec: MessageCodec<T>, bytes: Uint8Array, field: string): T {
  try {
    return codec.decode(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw invalidArgument(field, `malformed protobuf: ${reason}`, cause);
  }
}
