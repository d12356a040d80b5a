import { Decimal } from '@meridian/domain';
import type { Level } from '../src';

export const d = (v: string): Decimal => Decimal.parse(v);

/** Levels from [price, size] string pairs. */
export function lv(...pairs: [string, string][]): Level[] {
  return pairs.map(([price, size]) => ({ price: d(price), size: d(size) }));
}

/** Levels as [price, size] strings, for readable equality checks. */
export function show(levels: Iterable<Level>): [string, string][] {
  return [...levels].map((l) => [l.price.toString(), l.size.toString()]);
}

/** Deterministic PRNG (mulberry32), so a failing random run can be replayed. */
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
