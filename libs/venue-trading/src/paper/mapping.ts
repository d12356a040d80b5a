import type { SimFill, SimInstrument, SimOrder, SimUpdate } from '@meridian/venue-sim';
import type { VenueEvent, VenueFill, VenueInstrument, VenueOrderState } from '../types';

export function orderState(o: SimOrder): VenueOrderState {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    limitPrice: o.price,
    status: o.status,
    filledQuantity: o.filledQuantity,
    averagePrice: o.averagePrice,
    reason: o.reason,
    updatedNs: o.updatedNs,
  };
}

export function venueFill(f: SimFill): VenueFill {
  return {
    tradeId: f.tradeId,
    clientOrderId: f.clientOrderId,
    venueOrderId: f.orderId,
    symbol: f.symbol,
    side: f.side,
    price: f.price,
    quantity: f.quantity,
    fee: f.fee,
    feeCurrency: f.feeCurrency,
    liquidity: f.liquidity,
    tsNs: f.tsNs,
  };
}

export function venueEvent(u: SimUpdate): VenueEvent {
  return u.kind === 'order' ? { kind: 'order', order: orderState(u.order) } : { kind: 'fill', fill: venueFill(u.fill), order: orderState(u.order) };
}

/** The simulated exchange names instruments by the platform's symbols. */
export function venueInstrument(i: SimInstrument): VenueInstrument {
  return {
    symbol: i.symbol,
    venueSymbol: i.symbol,
    baseCurrency: i.baseCurrency,
    quoteCurrency: i.quoteCurrency,
    tickSize: i.tickSize,
    lotSize: i.lotSize,
    minQuantity: i.minQuantity ?? i.lotSize,
    minNotional: i.minNotional,
  };
}
