import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { FillInput } from '../src';
import { seededRandom } from '@meridian/testkit';

/** Deterministic PRNG, so a failing random run can be replayed. */
export const prng = seededRandom;

export const d = (v: string): Decimal => Decimal.parse(v);

export function fill(side: Side, quantity: string, price: string, fee = '0'): FillInput {
  return { side, quantity: d(quantity), price: d(price), fee: d(fee) };
}

