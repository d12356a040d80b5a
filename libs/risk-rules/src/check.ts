import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { limitsFor } from './limits';
import type { LimitsBook } from './limits';

/** Every reason an order can be refused, in the order the checks run. */
export const RISK_REASONS = [
  'INVALID_ORDER',
  'KILL_SWITCH',
  'MAX_ORDER_QUANTITY',
  'NO_REFERENCE_PRICE',
  'MAX_ORDER_NOTIONAL',
  'MAX_POSITION',
] as const;

export type RiskReason = (typeof RISK_REASONS)[number];

export interface OrderToCheck {
  symbol: string;
  side: Side;
  quantity: Decimal;
  /** Values the order when present; market orders rely on `referencePrice`. */
  limitPrice?: Decimal;
  /** E.g. the last trade or mid price. */
  referencePrice?: Decimal;
}

export interface ExposureState {
  /** Signed filled position. */
  position: Decimal;
  /** Open buy quantity not yet filled. */
  workingBuy: Decimal;
  /** Open sell quantity not yet filled, as a positive number. */
  workingSell: Decimal;
}

export interface KillSwitchState {
  global: boolean;
  symbols: ReadonlySet<string>;
}

export type RiskDecision =
  | { approved: true; notional: Decimal }
  | { approved: false; reason: RiskReason; detail: string; values: Record<string, string> };

function reject(reason: RiskReason, detail: string, values: Record<string, string> = {}): RiskDecision {
  return { approved: false, reason, detail, values };
}

/**
 * Pre-trade check of one order against the limits, the kill switches and the worst-case exposure.
 * Pure and exact (no floats), so the risk service's stream path, its gRPC CheckOrder and the
 * backtester all reach the same decision for the same inputs. The first failing check wins.
 */
export function checkOrder(
  order: OrderToCheck,
  exposure: ExposureState,
  limits: LimitsBook,
  kill: KillSwitchState,
): RiskDecision {
  const { symbol, side, quantity } = order;

  // Orders arrive from the wire; the type does not guarantee their contents.
  if (typeof symbol !== 'string' || symbol === '') {
    return reject('INVALID_ORDER', `symbol ${JSON.stringify(String(symbol))} is empty or not a string`);
  }
  if (side !== 'BUY' && side !== 'SELL') {
    return reject('INVALID_ORDER', `side ${JSON.stringify(String(side))} is neither BUY nor SELL`, { side: String(side) });
  }
  if (!(quantity instanceof Decimal) || !quantity.isPositive()) {
    return reject('INVALID_ORDER', `order quantity ${String(quantity)} must be positive`, { quantity: String(quantity) });
  }
  if (order.limitPrice !== undefined && !order.limitPrice.isPositive()) {
    // A non-positive price would make any notional limit pass.
    const limitPrice = order.limitPrice.toString();
    return reject('INVALID_ORDER', `limit price ${limitPrice} must be positive`, { limitPrice });
  }

  if (kill.global) return reject('KILL_SWITCH', 'the global kill switch is engaged', { symbol });
  if (kill.symbols.has(symbol)) return reject('KILL_SWITCH', `the kill switch for ${symbol} is engaged`, { symbol });

  const l = limitsFor(symbol, limits);
  if (quantity.gt(l.maxOrderQuantity)) {
    return reject('MAX_ORDER_QUANTITY', `order quantity ${quantity} exceeds max order quantity ${l.maxOrderQuantity}`, {
      quantity: quantity.toString(),
      maxOrderQuantity: l.maxOrderQuantity.toString(),
    });
  }

  const price = order.limitPrice ?? order.referencePrice;
  if (price === undefined) {
    return reject('NO_REFERENCE_PRICE', `no limit price and no reference price for ${symbol}: the order cannot be valued`, {
      symbol,
    });
  }
  if (!price.isPositive()) {
    return reject('NO_REFERENCE_PRICE', `reference price ${price} for ${symbol} is not positive: the order cannot be valued`, {
      symbol,
      referencePrice: price.toString(),
    });
  }

  const notional = quantity.mul(price);
  if (notional.gt(l.maxOrderNotional)) {
    return reject(
      'MAX_ORDER_NOTIONAL',
      `order notional ${quantity} × ${price} = ${notional} exceeds max order notional ${l.maxOrderNotional}`,
      {
        quantity: quantity.toString(),
        price: price.toString(),
        notional: notional.toString(),
        maxOrderNotional: l.maxOrderNotional.toString(),
      },
    );
  }

  // Worst case: every working order on this side fills, plus this one. A negative working
  // quantity is bookkeeping noise, and counting it would loosen the check, so it counts as zero.
  const position = exposure.position;
  if (side === 'BUY') {
    const working = Decimal.max(exposure.workingBuy, Decimal.ZERO);
    const projected = position.add(working).add(quantity);
    if (projected.gt(l.maxPosition)) {
      return reject(
        'MAX_POSITION',
        `position ${position} + working buys ${working} + order ${quantity} = ${projected} exceeds max position ${l.maxPosition}`,
        positionValues(position, 'workingBuy', working, quantity, projected, l.maxPosition),
      );
    }
  } else {
    const working = Decimal.max(exposure.workingSell, Decimal.ZERO);
    const projected = position.sub(working).sub(quantity);
    if (projected.lt(l.maxPosition.neg())) {
      return reject(
        'MAX_POSITION',
        `position ${position} - working sells ${working} - order ${quantity} = ${projected} exceeds max short position ${l.maxPosition.neg()}`,
        positionValues(position, 'workingSell', working, quantity, projected, l.maxPosition),
      );
    }
  }

  return { approved: true, notional };
}

function positionValues(
  position: Decimal,
  workingKey: 'workingBuy' | 'workingSell',
  working: Decimal,
  quantity: Decimal,
  projected: Decimal,
  maxPosition: Decimal,
): Record<string, string> {
  return {
    position: position.toString(),
    [workingKey]: working.toString(),
    quantity: quantity.toString(),
    projectedPosition: projected.toString(),
    maxPosition: maxPosition.toString(),
  };
}
