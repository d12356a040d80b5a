import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { PlaceOrderRequest, SimOrderType, SimRejection, SimResult, SimTimeInForce } from './types';

/**
 * Codes the venue itself uses, beside the matching engine's reject and cancel reasons
 * (`REJECT_REASONS`, `CANCEL_REASONS` of @meridian/book), which pass through unchanged.
 */
export const VENUE_REJECT_REASONS = [
  'UNKNOWN_ACCOUNT',
  'UNKNOWN_SYMBOL',
  'INVALID_ORDER',
  'INSUFFICIENT_BALANCE',
  'INSUFFICIENT_BUYING_POWER',
  'ORDER_NOT_OPEN',
] as const;
export type VenueRejectReason = (typeof VENUE_REJECT_REASONS)[number];

/** Why the venue (not the engine) ended an order: `END_OF_DAY` expires DAY orders; a triggered stop it cannot pay for is cancelled `INSUFFICIENT_BALANCE`. */
export const VENUE_END_REASONS = ['END_OF_DAY', 'INSUFFICIENT_BALANCE'] as const;

const ORDER_TYPES: readonly SimOrderType[] = ['limit', 'market', 'stop', 'stop_limit'];
const TIMES_IN_FORCE: readonly SimTimeInForce[] = ['GTC', 'IOC', 'FOK', 'DAY'];
const MAX_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

export function rejected<T>(code: string, message: string): SimResult<T> {
  return { ok: false, rejection: { code, message } };
}

export function accepted<T>(value: T): SimResult<T> {
  return { ok: true, value };
}

/** A place request with its defaults filled in and its shape checked. */
export interface OrderShape {
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly postOnly: boolean;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
}

/**
 * The request's shape: fields the order type needs are there and are Decimals, fields it must not
 * have are absent, the time in force and post-only flag fit the type. Refusals are `INVALID_ORDER`.
 * Defaults: limit and stop orders GTC, market orders IOC.
 */
export function checkShape(request: PlaceOrderRequest): OrderShape | SimRejection {
  const invalid = (message: string): SimRejection => ({ code: 'INVALID_ORDER', message });
  if (request.side !== 'BUY' && request.side !== 'SELL') return invalid(`side ${JSON.stringify(request.side)} is not BUY or SELL`);
  if (!ORDER_TYPES.includes(request.type)) return invalid(`order type ${JSON.stringify(request.type)} is not one of ${ORDER_TYPES.join(', ')}`);
  const type = request.type;
  if (!(request.quantity instanceof Decimal)) return invalid(`quantity ${String(request.quantity)} is not a Decimal`);
  const hasPrice = type === 'limit' || type === 'stop_limit';
  const hasStop = type === 'stop' || type === 'stop_limit';
  if (hasPrice && !(request.price instanceof Decimal)) return invalid(`a ${type} order needs a price (a Decimal), got ${String(request.price)}`);
  if (!hasPrice && request.price !== undefined) return invalid(`a ${type} order has no price, got ${String(request.price)}`);
  if (hasStop && !(request.stopPrice instanceof Decimal)) return invalid(`a ${type} order needs a stop price (a Decimal), got ${String(request.stopPrice)}`);
  if (!hasStop && request.stopPrice !== undefined) return invalid(`a ${type} order has no stop price, got ${String(request.stopPrice)}`);
  const timeInForce = request.timeInForce ?? (type === 'market' ? 'IOC' : 'GTC');
  if (!TIMES_IN_FORCE.includes(timeInForce)) return invalid(`time in force ${JSON.stringify(request.timeInForce)} is not one of ${TIMES_IN_FORCE.join(', ')}`);
  const postOnly = request.postOnly ?? false;
  if (typeof postOnly !== 'boolean') return invalid(`postOnly ${JSON.stringify(request.postOnly)} is not a boolean`);
  if (postOnly && (type !== 'limit' || (timeInForce !== 'GTC' && timeInForce !== 'DAY'))) {
    return invalid(`only a GTC or DAY limit order can be post-only, not a ${timeInForce} ${type} order`);
  }
  return { side: request.side, type, timeInForce, postOnly, quantity: request.quantity, price: request.price, stopPrice: request.stopPrice };
}

/** The trading rules a price or quantity is checked against. */
export interface TermRules {
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal | undefined;
}

/**
 * The matching engine's value rules, in its order and with its codes and messages (see the
 * @meridian/book README), checked by the venue before it reserves funds: the engine's own minimums
 * are off, because mirrored liquidity of any size must rest there. `notionalPrice` is the limit
 * price, or a stop market order's stop price; market orders have no notional check.
 */
export function checkTerms(
  rules: TermRules,
  quantity: Decimal | undefined,
  price: Decimal | undefined,
  stopPrice: Decimal | undefined,
  notionalPrice: Decimal | undefined,
): SimRejection | undefined {
  if (quantity !== undefined) {
    if (!quantity.isPositive()) return { code: 'QUANTITY_NOT_POSITIVE', message: `quantity ${quantity} must be positive` };
    if (!quantity.isMultipleOf(rules.lotSize)) {
      return { code: 'QUANTITY_NOT_LOT_MULTIPLE', message: `quantity ${quantity} is not a multiple of lot size ${rules.lotSize}` };
    }
    if (units(quantity, rules.lotSize) > MAX_UNITS) {
      return { code: 'QUANTITY_OUT_OF_RANGE', message: `quantity ${quantity} is more than 2^53 - 1 lots of ${rules.lotSize}` };
    }
  }
  for (const [value, name] of [
    [price, 'price'],
    [stopPrice, 'stop price'],
  ] as const) {
    if (value === undefined) continue;
    if (!value.isPositive()) return { code: 'PRICE_NOT_POSITIVE', message: `${name} ${value} must be positive` };
    if (!value.isMultipleOf(rules.tickSize)) return { code: 'PRICE_NOT_TICK_MULTIPLE', message: `${name} ${value} is not a multiple of tick size ${rules.tickSize}` };
    if (units(value, rules.tickSize) > MAX_UNITS) {
      return { code: 'PRICE_OUT_OF_RANGE', message: `${name} ${value} is more than 2^53 - 1 ticks of ${rules.tickSize}` };
    }
  }
  if (quantity !== undefined && quantity.lt(rules.minQuantity)) {
    return { code: 'QUANTITY_BELOW_MIN', message: `quantity ${quantity} is below the minimum ${rules.minQuantity}` };
  }
  if (quantity !== undefined && notionalPrice !== undefined && rules.minNotional !== undefined) {
    const notional = notionalPrice.mul(quantity);
    if (notional.lt(rules.minNotional)) return { code: 'NOTIONAL_BELOW_MIN', message: `notional ${notional} is below the minimum ${rules.minNotional}` };
  }
  return undefined;
}

function units(value: Decimal, step: Decimal): bigint {
  const scale = Math.max(value.scale, step.scale);
  const a = value.coef * 10n ** BigInt(scale - value.scale);
  const b = step.coef * 10n ** BigInt(scale - step.scale);
  return a / b;
}
