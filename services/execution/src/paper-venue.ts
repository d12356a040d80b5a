import { L2Book, sweep } from '@meridian/book';
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
 * fills as maker when the opposite side reaches its price. Our own fills do not move the market.
 */
export class PaperVenue {
  constructor(private readonly fees: FeeSchedule) {}

  fee(price: Decimal, quantity: Decimal, maker: boolean): Decimal {
    return price.mul(quantity).mul(maker ? this.fees.maker : this.fees.taker).round(this.fees.scale, 'ceil');
  }

  execute(book: L2Book, order: PaperOrder): PaperOutcome {
    if (!book.synced) return { kind: 'rejected', reason: 'NO_MARKET_DATA: the book is not in sync' };
    const opposite = order.side === 'BUY' ? book.bestAsk() : book.bestBid();
    if (!opposite && order.limitPrice === undefined) return { kind: 'rejected', reason: 'NO_LIQUIDITY: the opposite side of the book is empty' };
    const r = sweep(book, order.side, order.quantity, order.limitPrice);
    const fills = r.fills.map((f) => ({ price: f.price, quantity: f.quantity, fee: this.fee(f.price, f.quantity, false), maker: false }));
    const rests = r.remainingQuantity.isPositive() && order.limitPrice !== undefined && !order.immediateOrCancel;
    return { kind: 'executed', fills, remaining: r.remainingQuantity, rests };
  }

  /** Fills of a resting limit order that the book now crosses, at the order's price, as maker. */
  matchResting(book: L2Book, order: PaperOrder, remaining: Decimal): PaperFill | undefined {
    if (!book.synced || order.limitPrice === undefined) return undefined;
    const opposite = order.side === 'BUY' ? book.bestAsk() : book.bestBid();
    if (!opposite) return undefined;
    const crosses = order.side === 'BUY' ? opposite.price.lte(order.limitPrice) : opposite.price.gte(order.limitPrice);
    if (!crosses) return undefined;
    const quantity = Decimal.min(remaining, opposite.size);
    return { price: order.limitPrice, quantity, fee: this.fee(order.limitPrice, quantity, true), maker: true };
  }
}
