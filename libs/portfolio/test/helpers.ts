import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { FillInput } from '../src';

export const d = (v: string): Decimal => Decimal.parse(v);

export function fill(side: Side, quantity: string, price: string, fee = '0'): FillInput {
  return { side, quantity: d(quantity), price: d(price), fee: d(fee) };
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
