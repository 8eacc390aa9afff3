/**
 * Key order and prefix ranges shared by the backends. Keys are ordered by their UTF-8 bytes, which is Unicode code
 * point order; the memory backend compares JS strings with {@link compareKeys} to get the same order as LMDB's
 * byte comparison (plain `<` on JS strings compares UTF-16 code units and differs above U+FFFF).
 */

const LONE_SURROGATE = /\p{Cs}/u;

/** True when `s` contains no lone surrogate (so it round-trips through UTF-8 exactly). Pure. */
export function isWellFormedKey(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Length of `s` in UTF-8 bytes. Pure. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Sort key of a UTF-16 code unit such that comparing them gives code point order for well-formed strings. */
function unitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates encode code points >= U+10000
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Compares two keys in UTF-8 byte order (= code point order): negative, 0 or positive. Pure; well-formed strings
 * only (the stores reject lone surrogates).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca < 0xd800 && cb < 0xd800 ? ca - cb : unitRank(ca) - unitRank(cb);
  }
  return a.length - b.length;
}

/**
 * The smallest byte string greater than every byte string starting with `prefix`, or undefined when there is
 * none (empty prefix, or all 0xff). Never needed for UTF-8 (which has no 0xff byte) but kept general. Pure.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i];
    if (byte !== undefined && byte < 0xff) {
      const end = new Uint8Array(prefix.subarray(0, i + 1)); // a copy: Buffer#slice would be a view
      end[i] = byte + 1;
      return end;
    }
  }
  return undefined;
}
