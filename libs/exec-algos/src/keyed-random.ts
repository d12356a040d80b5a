// Random draws keyed by (seed, stream, index) instead of a generator's running state: the n-th
// draw is a pure function of n, so a parent restored from its children's events draws exactly
// what the original would have, without having to store or replay a generator.

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Streams keep the draws of different purposes apart under one seed. */
export const RANDOM_STREAM = { sliceTime: 1, displaySize: 2 } as const;

/** A uniform number in [0, 1) determined by its key. `index` is a non-negative safe integer. */
export function keyedUniform(seed: number, stream: number, index: number): number {
  let h = mix((seed >>> 0) ^ 0x9e3779b9);
  h = mix(h ^ Math.imul(stream, 0x27d4eb2f));
  h = mix(h ^ (index >>> 0));
  h = mix(h ^ Math.floor(index / 0x1_0000_0000));
  return h / 0x1_0000_0000;
}

/** An integer in [0, n), n a positive bigint. */
export function keyedBelow(seed: number, stream: number, index: number, n: bigint): bigint {
  const u = keyedUniform(seed, stream, index);
  // Below 2^53 the float product is exact enough to be uniform; larger ranges are not needed here
  // (nanoseconds of a slice, lots of a display size).
  const pick = BigInt(Math.floor(u * Number(n)));
  return pick >= n ? n - 1n : pick;
}
