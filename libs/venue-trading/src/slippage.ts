import { sweep } from '@meridian/book';
import type { BookLevels } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';

const BPS = Decimal.parse('10000');

export type SlippageVerdict =
  | { readonly ok: true; readonly expectedPrice: Decimal | undefined; readonly slippageBps: Decimal }
  | { readonly ok: false; readonly reason: 'SLIPPAGE_LIMIT' | 'NO_MARKET_DATA' | 'NO_LIQUIDITY'; readonly detail: string; readonly values: Record<string, string> };

/**
 * Refuses an order whose expected slippage exceeds a limit in basis points, estimated by sweeping
 * the current book for the order's quantity (up to its limit price): the price the order would
 * get on average, against the reference the strategy priced it at (or the touch when it gave
 * none). Applied before an order leaves for any venue, so a thin or moved book cannot turn a
 * small market order into a large loss.
 */
export class SlippageGuard {
  constructor(readonly limitBps: Decimal) {}

  check(book: BookLevels | undefined, order: { side: Side; quantity: Decimal; limitPrice?: Decimal; referencePrice?: Decimal }): SlippageVerdict {
    if (book === undefined || !book.synced) {
      return { ok: false, reason: 'NO_MARKET_DATA', detail: 'the book is not in sync: slippage cannot be estimated', values: {} };
    }
    const touch = order.side === 'BUY' ? book.bestAsk() : book.bestBid();
    if (touch === undefined) {
      return { ok: false, reason: 'NO_LIQUIDITY', detail: `the ${order.side === 'BUY' ? 'ask' : 'bid'} side of the book is empty`, values: {} };
    }
    const reference = order.referencePrice !== undefined && order.referencePrice.isPositive() ? order.referencePrice : touch.price;
    const estimate = sweep(book, order.side, order.quantity, order.limitPrice);
    // A limit order that would not trade at once has no slippage: it rests at its price.
    if (estimate.averagePrice === undefined) return { ok: true, expectedPrice: undefined, slippageBps: Decimal.ZERO };
    const adverse = order.side === 'BUY' ? estimate.averagePrice.sub(reference) : reference.sub(estimate.averagePrice);
    const slippageBps = adverse.mul(BPS).div(reference, 4, 'ceil');
    if (slippageBps.gt(this.limitBps)) {
      return {
        ok: false,
        reason: 'SLIPPAGE_LIMIT',
        detail: `expected slippage ${slippageBps} bps (average ${estimate.averagePrice} against ${reference} for ${estimate.filledQuantity}) exceeds the limit of ${this.limitBps} bps`,
        values: {
          slippage_bps: slippageBps.toString(),
          limit_bps: this.limitBps.toString(),
          expected_price: estimate.averagePrice.toString(),
          reference_price: reference.toString(),
          quantity: order.quantity.toString(),
        },
      };
    }
    return { ok: true, expectedPrice: estimate.averagePrice, slippageBps };
  }
}
