import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidBookArgumentError } from './errors';
import type { BookLevels } from './types';

/** Fraction digits of `SweepResult.averagePrice`; notional and quantities stay exact. */
export const SWEEP_AVERAGE_PRICE_SCALE = 12;

export interface SweepFill {
  price: Decimal;
  quantity: Decimal;
}

export interface SweepResult {
  /** One fill per level touched, best price first. */
  fills: SweepFill[];
  filledQuantity: Decimal;
  remainingQuantity: Decimal;
  /** notional / filledQuantity rounded half-even to 12 fraction digits; undefined when nothing filled. */
  averagePrice: Decimal | undefined;
  /** Exact sum of price × quantity over the fills. */
  notional: Decimal;
}

/**
 * Walks the opposite side of the book for an order (a BUY consumes asks, a SELL bids), best price
 * first, without mutating the book. `limitPrice` undefined is a market order; otherwise the walk
 * stops at the first level worse than the limit. Does not look at `book.synced`: the caller decides
 * whether an unsynced book is good enough.
 */
export function sweep(book: BookLevels, side: Side, quantity: Decimal, limitPrice?: Decimal): SweepResult {
  if (side !== 'BUY' && side !== 'SELL') throw new InvalidBookArgumentError('side', side, 'expected BUY or SELL');
  if (!(quantity instanceof Decimal) || !quantity.isPositive()) {
    throw new InvalidBookArgumentError('sweep quantity', quantity, 'must be a positive Decimal');
  }
  if (limitPrice !== undefined && (!(limitPrice instanceof Decimal) || !limitPrice.isPositive())) {
    throw new InvalidBookArgumentError('limit price', limitPrice, 'must be a positive Decimal');
  }
  const buying = side === 'BUY';
  const fills: SweepFill[] = [];
  let remaining = quantity;
  let notional = Decimal.ZERO;
  const opposite = buying ? 'ask' : 'bid';
  for (let depth = 0; ; depth++) {
    const level = book.levelAt(opposite, depth);
    if (level === undefined) break;
    if (limitPrice !== undefined && (buying ? level.price.gt(limitPrice) : level.price.lt(limitPrice))) break;
    const take = Decimal.min(remaining, level.size);
    fills.push({ price: level.price, quantity: take });
    notional = notional.add(level.price.mul(take));
    remaining = remaining.sub(take);
    if (remaining.isZero()) break;
  }
  const filled = quantity.sub(remaining);
  return {
    fills,
    filledQuantity: filled,
    remainingQuantity: remaining,
    averagePrice: filled.isZero() ? undefined : notional.div(filled, SWEEP_AVERAGE_PRICE_SCALE, 'half-even'),
    notional,
  };
}
