/** Deterministic PRNG (mulberry32) so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box-Muller. */
export function gaussian(next: () => number): () => number {
  return () => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function randomWalk(n: number, seed: number, start = 100, step = 1): number[] {
  const normal = gaussian(rng(seed));
  const out: number[] = [];
  let x = start;
  for (let i = 0; i < n; i++) {
    x += step * normal();
    out.push(x);
  }
  return out;
}
