import { Decimal } from '@meridian/domain';

// Quantities are counted in whole lots (bigint) inside the algorithms: schedules split integers,
// so nothing is rounded twice and a remainder can only move to a later slice, never vanish.

/** `quantity / lot` when the quantity is a whole number of lots, otherwise undefined. */
export function exactLots(quantity: Decimal, lot: Decimal): bigint | undefined {
  if (!quantity.isMultipleOf(lot)) return undefined;
  return quantity.div(lot, 0, 'down').coef;
}

/** Whole lots in `quantity`, rounded down. */
export function floorLots(quantity: Decimal, lot: Decimal): bigint {
  return quantity.div(lot, 0, 'floor').coef;
}

export function minLots(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
