import type { ManagedOrder, OrderEvent } from '@meridian/orders';
import type { VenueFill, VenueOrderState } from '@meridian/venue-trading';

/** Applies one event to an order and publishes the transition; refusals are counted, not thrown. */
export type ApplyEvent = (order: ManagedOrder, event: OrderEvent) => void;

/**
 * Every venue answer starts with an ack: a venue may push a fill or a cancel (an IOC that found
 * nothing) before the placement's own answer arrives, and downstream every order the venue
 * accepted has exactly one ack before whatever followed.
 */
export function ensureAcked(order: ManagedOrder, venueOrderId: string, tsNs: bigint, apply: ApplyEvent): void {
  if (order.state === 'new') apply(order, { type: 'ack', venueOrderId, tsNs });
}

export function applyVenueFill(order: ManagedOrder, f: VenueFill, apply: ApplyEvent): void {
  ensureAcked(order, f.venueOrderId, f.tsNs, apply);
  apply(order, {
    type: 'fill',
    tradeId: f.tradeId,
    quantity: f.quantity,
    price: f.price,
    fee: f.fee,
    feeCurrency: f.feeCurrency,
    liquidity: f.liquidity,
    venueOrderId: f.venueOrderId,
    tsNs: f.tsNs,
  });
}

/**
 * Brings an order to what the venue says of it. Returns false when the venue reports more filled
 * than the fills applied so far: the caller fetches the missing fills and calls again, so an
 * order is never closed before its fills are in (a cancel after a partial fill must carry it).
 */
export function applyVenueState(order: ManagedOrder, s: VenueOrderState, apply: ApplyEvent): boolean {
  switch (s.status) {
    case 'pending_new':
      return true;
    case 'rejected':
      if (order.state === 'new') apply(order, { type: 'reject', reason: s.reason ?? 'REJECTED_BY_VENUE', tsNs: s.updatedNs });
      return true;
    default:
      break;
  }
  ensureAcked(order, s.venueOrderId, s.updatedNs, apply);
  if (s.filledQuantity.gt(order.filledQuantity)) return false;
  if (s.status === 'cancelled') apply(order, { type: 'cancel', reason: s.reason ?? 'CANCELLED_BY_VENUE', tsNs: s.updatedNs });
  if (s.status === 'expired') apply(order, { type: 'expire', reason: s.reason ?? 'EXPIRED', tsNs: s.updatedNs });
  return true;
}
