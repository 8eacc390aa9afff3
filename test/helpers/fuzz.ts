/** A small deterministic PRNG (mulberry32) in [0, 1), so that a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` with 1 to 3 random edits: bit flips, truncation, inserted, deleted, duplicated or random bytes. */
export function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = [...bytes];
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    switch (Math.floor(random() * 6)) {
      case 0:
        if (at < out.length) out[at] = out[at]! ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        out.length = at;
        break;
      case 2:
        out.splice(at, 0, Math.floor(random() * 256));
        break;
      case 3:
        out.splice(at, 1);
        break;
      case 4: // a copy of a slice: repeated fields, a key field twice (the decoder keeps the last)
        out.splice(at, 0, ...out.slice(Math.floor(random() * out.length), Math.floor(random() * out.length)));
        break;
      default:
        if (at < out.length) out[at] = Math.floor(random() * 256);
    }
  }
  return Uint8Array.from(out);
}
