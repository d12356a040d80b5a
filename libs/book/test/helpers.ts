import { Decimal } from '@meridian/domain';
import type { Level } from '../src';
import { seededRandom } from '@meridian/testkit';

/** Deterministic PRNG, so a failing random run can be replayed. */
export const prng = seededRandom;

export const d = (v: string): Decimal => Decimal.parse(v);

/** Levels from [price, size] string pairs. */
export function lv(...pairs: [string, string][]): Level[] {
  return pairs.map(([price, size]) => ({ price: d(price), size: d(size) }));
}

/** Levels as [price, size] strings, for readable equality checks. */
export function show(levels: Iterable<Level>): [string, string][] {
  return [...levels].map((l) => [l.price.toString(), l.size.toString()]);
}

