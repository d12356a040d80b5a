import type { Decimal } from '@meridian/domain';
import type { ChildPlan, PolicyContext } from './policy';

/** Takes liquidity now: a market order, or a limit order at the parent's limit price; either IOC. */
export function aggressiveChild(ctx: PolicyContext, lots: bigint): ChildPlan {
  const limit = ctx.parent.limitPrice;
  return limit === undefined
    ? { lots, type: 'market', limitPrice: undefined, timeInForce: 'IOC' }
    : { lots, type: 'limit', limitPrice: limit, timeInForce: 'IOC' };
}

/**
 * Joins the near touch (the bid for a buy, the ask for a sell) on the tick grid, never beyond the
 * limit price; GTC. Without a known touch there is nothing to join, so it takes liquidity instead.
 */
export function passiveChild(ctx: PolicyContext, lots: bigint): ChildPlan {
  const { side, tickSize, limitPrice } = ctx.parent;
  const near = side === 'BUY' ? ctx.bid : ctx.ask;
  if (near === undefined) return aggressiveChild(ctx, lots);
  let price: Decimal = near.quantize(tickSize, side === 'BUY' ? 'floor' : 'ceil');
  if (limitPrice !== undefined && (side === 'BUY' ? price.gt(limitPrice) : price.lt(limitPrice))) price = limitPrice;
  return { lots, type: 'limit', limitPrice: price, timeInForce: 'GTC' };
}

/**
 * After a child that ended without filling all of it (an IOC remainder, a rejection, a venue's
 * cancel), the algorithm waits `retryIntervalNs` from that child's submission before it sends
 * again. Returns when that wait ends, or undefined when there is none.
 */
export function retryAfter(ctx: PolicyContext): bigint | undefined {
  const last = ctx.ledger.last();
  if (last === undefined || last.state !== 'done' || last.endedAs === 'filled') return undefined;
  const until = last.order.submittedNs + ctx.parent.retryIntervalNs;
  return ctx.nowNs < until ? until : undefined;
}
