/**
 * The venue's seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed,
 * so a run (latency, slippage, pro-rata rounding) replays exactly. It is the same generator as
 * `@meridian/testkit`'s `seededRandom`, which is a test-only package and cannot be a runtime dependency.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
