import { InvalidSignalInputError, requirePeriod } from './errors';

/** One price level of a book side; only the size is read (a proto `PriceLevel` converted to numbers fits). */
export interface BookLevel {
  readonly size: number;
}

/** The top of a book: each side best first. */
export interface BookDepth {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

function requireSize(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new InvalidSignalInputError(what, v, 'must be a non-negative finite number');
  }
  return v;
}

function sideSize(side: 'bid' | 'ask', levels: readonly BookLevel[], depth: number): number {
  let total = 0;
  const n = Math.min(depth, levels.length);
  for (let i = 0; i < n; i++) total += requireSize(`${side} level ${i + 1} size`, levels[i]!.size);
  return total;
}

/** Order-book pressure from resting sizes. */
export const BookImbalance = {
  /** (bid - ask) / (bid + ask) in [-1, 1]; 0 for an empty book. */
  of(bidSize: number, askSize: number): number {
    requireSize('bid size', bidSize);
    requireSize('ask size', askSize);
    const total = bidSize + askSize;
    return total === 0 ? 0 : (bidSize - askSize) / total;
  },

  /**
   * The same over the sizes of the best `levels` levels of each side (fewer where the book is
   * shallower): levels 1 is the touch; deeper levels see pressure that the touch hides.
   */
  ofDepth(book: BookDepth, levels: number): number {
    requirePeriod('BookImbalance levels', levels);
    return BookImbalance.of(sideSize('bid', book.bids, levels), sideSize('ask', book.asks, levels));
  },
} as const;
