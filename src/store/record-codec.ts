/**
 * The on-disk record of the LMDB backend: a 32-byte header followed by the value bytes.
 *
 * ```
 * offset 0   u8   format (1)
 * offset 1   7 bytes reserved (0)
 * offset 8   u64 LE createRevision
 * offset 16  u64 LE modRevision
 * offset 24  u64 LE version
 * offset 32  value
 * ```
 *
 * The store revision itself is a u64 LE under the meta key `revision`. Numbers stay below 2^53.
 */
import { CodedError, Code } from '../core/errors.js';
import type { KV } from './store.js';

/** Format byte of every record written by this code. */
export const RECORD_FORMAT = 1;

/** Bytes before the value. */
export const HEADER_BYTES = 32;

const TWO_32 = 2 ** 32;

function writeU64(view: DataView, offset: number, n: number): void {
  view.setUint32(offset, n % TWO_32, true);
  view.setUint32(offset + 4, Math.floor(n / TWO_32), true);
}

function readU64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * TWO_32;
}

/** Encodes a KV (its key is stored as the LMDB key, not here). Pure. */
export function encodeRecord(kv: KV): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + kv.value.byteLength);
  const view = new DataView(out.buffer);
  out[0] = RECORD_FORMAT;
  writeU64(view, 8, kv.createRevision);
  writeU64(view, 16, kv.modRevision);
  writeU64(view, 24, kv.version);
  out.set(kv.value, HEADER_BYTES);
  return out;
}

/**
 * Decodes the record stored at `key` into a frozen KV that owns a copy of the value. Throws DATA_LOSS (field
 * `key`) for a record that is too short or has an unknown format.
 */
export function decodeRecord(key: string, record: Uint8Array): KV {
  if (record.byteLength < HEADER_BYTES || record[0] !== RECORD_FORMAT) {
    throw new CodedError(Code.DATA_LOSS, `store record ${key} is corrupt or of an unknown format`, { field: key });
  }
  const view = new DataView(record.buffer, record.byteOffset, HEADER_BYTES);
  return Object.freeze({
    key,
    value: new Uint8Array(record.subarray(HEADER_BYTES)),
    createRevision: readU64(view, 8),
    modRevision: readU64(view, 16),
    version: readU64(view, 24),
  });
}

/** Encodes a revision as 8 bytes (u64 LE). Pure. */
export function encodeRevision(revision: number): Uint8Array {
  const out = new Uint8Array(8);
  writeU64(new DataView(out.buffer), 0, revision);
  return out;
}

/** Decodes {@link encodeRevision}'s bytes; undefined (never written) is revision 0. DATA_LOSS if malformed. */
export function decodeRevision(bytes: Uint8Array | undefined): number {
  if (bytes === undefined) return 0;
  if (bytes.byteLength !== 8) throw new CodedError(Code.DATA_LOSS, 'store revision record is corrupt');
  return readU64(new DataView(bytes.buffer, bytes.byteOffset, 8), 0);
}
