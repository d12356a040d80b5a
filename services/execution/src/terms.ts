import type { OrderKind, OrderTerms, OrderTimeInForce } from '@meridian/orders';
import { OrderType, TimeInForce, decimalField, optionalDecimalField, sideFromWire } from '@meridian/proto';
import type { OrderIntent } from '@meridian/proto';
import type { VenueOrderRequest } from '@meridian/venue-trading';
import { PoisonMessageError } from '@meridian/bus';

const KIND: Partial<Record<OrderType, OrderKind>> = {
  [OrderType.ORDER_TYPE_LIMIT]: 'limit',
  [OrderType.ORDER_TYPE_MARKET]: 'market',
  [OrderType.ORDER_TYPE_STOP]: 'stop',
  [OrderType.ORDER_TYPE_STOP_LIMIT]: 'stop_limit',
};

const TIF: Partial<Record<TimeInForce, OrderTimeInForce>> = {
  [TimeInForce.TIME_IN_FORCE_GTC]: 'GTC',
  [TimeInForce.TIME_IN_FORCE_IOC]: 'IOC',
  [TimeInForce.TIME_IN_FORCE_FOK]: 'FOK',
  [TimeInForce.TIME_IN_FORCE_DAY]: 'DAY',
};

/** The terms of an order from its intent; a malformed intent is refused with the field named. */
export function termsOfIntent(i: OrderIntent): OrderTerms {
  const kind = KIND[i.type];
  if (kind === undefined) throw new PoisonMessageError('invalid_order', `order ${i.clientOrderId}: unsupported order type ${i.type}`);
  try {
    const limitPrice = kind === 'limit' || kind === 'stop_limit' ? decimalField('limit_price', i.limitPrice) : undefined;
    const stopPrice = kind === 'stop' || kind === 'stop_limit' ? decimalField('stop_price', i.stopPrice) : undefined;
    // Market and stop orders take what is there now; the rest stays working unless told otherwise.
    const timeInForce = TIF[i.timeInForce] ?? (kind === 'market' || kind === 'stop' ? 'IOC' : 'GTC');
    return {
      clientOrderId: i.clientOrderId,
      venue: i.venue,
      symbol: i.symbol,
      strategy: i.strategy,
      side: sideFromWire(i.side),
      kind,
      quantity: decimalField('quantity', i.quantity),
      limitPrice,
      stopPrice,
      timeInForce,
      postOnly: i.postOnly,
      ...(i.parentOrderId !== '' ? { parentId: i.parentOrderId } : {}),
    };
  } catch (err) {
    throw new PoisonMessageError('invalid_order', `order ${i.clientOrderId}: ${(err as Error).message}`);
  }
}

export function referencePriceOf(i: OrderIntent) {
  return optionalDecimalField('reference_price', i.referencePrice);
}

export function venueRequestOf(t: OrderTerms): VenueOrderRequest {
  return {
    clientOrderId: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    type: t.kind,
    quantity: t.quantity,
    ...(t.limitPrice !== undefined ? { limitPrice: t.limitPrice } : {}),
    ...(t.stopPrice !== undefined ? { stopPrice: t.stopPrice } : {}),
    timeInForce: t.timeInForce,
    ...(t.postOnly ? { postOnly: true } : {}),
  };
}
