// Random draws keyed by (seed, stream, index) rather than a generator's running state: trial n's
// draw is a pure function of n, so a resumed study samples exactly what the interrupted run would
// have, whatever order the workers finished in. Same construction as libs/exec-algos'
// keyed-random (murmur3 finaliser), which is internal to that package.

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Streams keep the draws of different purposes apart under one seed. */
export const STREAM = { random: 1, tpe: 2, shuffle: 3 } as const;

/** A seeded generator of uniforms in [0, 1) (mulberry32), started from a key. */
export type Rng = () => number;

export function keyedRng(seed: number, stream: number, index: number): Rng {
  let h = mix((seed >>> 0) ^ 0x9e3779b9);
  h = mix(h ^ Math.imul(stream, 0x27d4eb2f));
  h = mix(h ^ (index >>> 0));
  let a = mix(h ^ Math.floor(index / 0x1_0000_0000));
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function normal(rng: Rng): number {
  let u = rng();
  while (u <= Number.MIN_VALUE) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
