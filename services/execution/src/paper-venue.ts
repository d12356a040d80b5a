import type { BookSide, L2Book, Level } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';

export interface PaperOrder {
  clientOrderId: string;
  symbol: string;
  side: Side;
  quantity: Decimal;
  /** Undefined for market orders. */
  limitPrice: Decimal | undefined;
  /** IOC (and market orders): what does not fill at once is cancelled. */
  immediateOrCancel: boolean;
}

export interface PaperFill {
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
  maker: boolean;
}

export interface FeeSchedule {
  /** Fractions of notional, e.g. 0.0005 for 5 bps. */
  maker: Decimal;
  taker: Decimal;
  /** Fees are rounded up to this many fraction digits, as venues do. */
  scale: number;
}

export type PaperOutcome =
  | { kind: 'rejected'; reason: string }
  | { kind: 'executed'; fills: PaperFill[]; remaining: Decimal; rests: boolean };

/**
 * The paper venue's matching: an order takes liquidity from the current book (the market
 * simulator's or a live feed's), paying the taker fee; a limit order's remainder rests and
 * fills as maker when the opposite side reaches its price.
 *
 * Our fills do not reach the real (or simulated) market, so the venue remembers how much of
 * each level it has already taken and does not sell it twice; that memory of a level ends when
 * the feed reports a new size for it.
 */
export class PaperVenue {
  private readonly consumed = new Map<string, Decimal>();

  constructor(private readonly fees: FeeSchedule) {}

  private key(symbol: string, side: BookSide, price: Decimal): string {
    return `${symbol}|${side}|${price.toString()}`;
  }

  /** The feed changed these levels: their sizes are the truth again. */
  levelsChanged(symbol: string, side: BookSide, levels: readonly Level[]): void {
    for (const l of levels) this.consumed.delete(this.key(symbol, side, l.price));
  }

  /** A snapshot replaced the book: forget everything taken from it. */
  bookReplaced(symbol: string): void {
    for (const k of this.consumed.keys()) if (k.startsWith(`${symbol}|`)) this.consumed.delete(k);
  }

  fee(price: Decimal, quantity: Decimal, maker: boolean): Decimal {
    return price.mul(quantity).mul(maker ? this.fees.maker : this.fees.taker).round(this.fees.scale, 'ceil');
  }

  /** Levels of one side, best first, less what this venue already took from them. */
  private *available(book: L2Book, side: BookSide): Iterable<Level> {
    for (const l of book.levels(side)) {
      const taken = this.consumed.get(this.key(book.symbol, side, l.price));
      const size = taken ? l.size.sub(taken) : l.size;
      if (size.isPositive()) yield { price: l.price, size };
    }
  }

  private take(book: L2Book, side: BookSide, price: Decimal, quantity: Decimal): void {
    const k = this.key(book.symbol, side, price);
    this.consumed.set(k, (this.consumed.get(k) ?? Decimal.ZERO).add(quantity));
  }

  execute(book: L2Book, order: PaperOrder): PaperOutcome {
    if (!book.synced) return { kind: 'rejected', reason: 'NO_MARKET_DATA: the book is not in sync' };
    const side: BookSide = order.side === 'BUY' ? 'ask' : 'bid';
    const fills: PaperFill[] = [];
    let remaining = order.quantity;
    for (const level of [...this.available(book, side)]) {
      if (!remaining.isPositive()) break;
      if (order.limitPrice !== undefined && (order.side === 'BUY' ? level.price.gt(order.limitPrice) : level.price.lt(order.limitPrice))) break;
      const quantity = Decimal.min(remaining, level.size);
      fills.push({ price: level.price, quantity, fee: this.fee(level.price, quantity, false), maker: false });
      this.take(book, side, level.price, quantity);
      remaining = remaining.sub(quantity);
    }
    if (fills.length === 0 && order.limitPrice === undefined) {
      return { kind: 'rejected', reason: 'NO_LIQUIDITY: the opposite side of the book is empty' };
    }
    const rests = remaining.isPositive() && order.limitPrice !== undefined && !order.immediateOrCancel;
    return { kind: 'executed', fills, remaining, rests };
  }

  /** A fill of a resting limit order that the book now crosses, at the order's price, as maker. */
  matchResting(book: L2Book, order: PaperOrder, remaining: Decimal): PaperFill | undefined {
    if (!book.synced || order.limitPrice === undefined) return undefined;
    const side: BookSide = order.side === 'BUY' ? 'ask' : 'bid';
    const best = this.available(book, side)[Symbol.iterator]().next();
    if (best.done) return undefined;
    const opposite = best.value;
    const crosses = order.side === 'BUY' ? opposite.price.lte(order.limitPrice) : opposite.price.gte(order.limitPrice);
    if (!crosses) return undefined;
    const quantity = Decimal.min(remaining, opposite.size);
    this.take(book, side, opposite.price, quantity);
    return { price: order.limitPrice, quantity, fee: this.fee(order.limitPrice, quantity, true), maker: true };
  }
}
