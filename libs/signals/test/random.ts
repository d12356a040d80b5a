import { seededRandom } from '@meridian/testkit';

/** Deterministic PRNG, so a failing case can be replayed. */
export const rng = seededRandom;

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
