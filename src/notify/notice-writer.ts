import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes notices to a gRPC stream with backpressure: when the stream's buffer is full it waits for 'drain', so a
 * peer that stops reading holds back the sender (whose coalescing queue then absorbs further changes) instead of
 * growing memory. Rejects when `signal` aborts (the connection ended).
 */
export async function writeNotice(stream: Writable, bytes: Buffer, signal: AbortSignal): Promise<void> {
  if (stream.write(bytes)) return;
  await once(stream, 'drain', { signal });
}
