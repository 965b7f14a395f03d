/**
 * mulberry32: a tiny, fast 32-bit generator with a full 2^32 period. Not for secrets; it makes
 * `probability` faults (SMTP and provider) and the fuzzer repeat exactly for the same seed.
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
