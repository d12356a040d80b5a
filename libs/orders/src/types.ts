import type { Decimal, Side } from '@meridian/domain';

export const ORDER_STATES = ['new', 'acked', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const;
/**
 * `new`: accepted by the platform, not yet confirmed by the venue. `acked`: working at the venue.
 * The last four are terminal: nothing changes a terminal order.
 */
export type OrderState = (typeof ORDER_STATES)[number];

export type OrderKind = 'limit' | 'market' | 'stop' | 'stop_limit';
export type OrderTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';

export interface OrderTerms {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly strategy: string;
  readonly side: Side;
  readonly kind: OrderKind;
  readonly quantity: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce: OrderTimeInForce;
  readonly postOnly?: boolean;
  /** The algo parent this order is a child of, if any. */
  readonly parentId?: string;
}

/**
 * What can happen to an order. Fills carry the venue's trade id: a fill seen twice (the private
 * stream and a reconciliation query) is applied once.
 */
export type OrderEvent =
  | { readonly type: 'ack'; readonly venueOrderId: string; readonly tsNs: bigint }
  | { readonly type: 'reject'; readonly reason: string; readonly tsNs: bigint }
  | {
      readonly type: 'fill';
      readonly tradeId: string;
      readonly quantity: Decimal;
      readonly price: Decimal;
      readonly fee: Decimal;
      readonly feeCurrency: string;
      readonly liquidity: 'maker' | 'taker';
      readonly venueOrderId?: string;
      readonly tsNs: bigint;
    }
  | { readonly type: 'cancel'; readonly reason: string; readonly tsNs: bigint }
  | { readonly type: 'expire'; readonly reason: string; readonly tsNs: bigint }
  | { readonly type: 'amend'; readonly quantity?: Decimal; readonly limitPrice?: Decimal; readonly tsNs: bigint };

export type OrderEventType = OrderEvent['type'];

/** One applied event: the state before and after, and the event. */
export interface OrderTransition {
  readonly clientOrderId: string;
  readonly from: OrderState;
  readonly to: OrderState;
  readonly event: OrderEvent;
  /** 1 for the first transition of the order, increasing by one. */
  readonly sequence: number;
}

/** Everything known about an order, exact. */
export interface OrderSnapshot {
  readonly terms: OrderTerms;
  readonly state: OrderState;
  readonly venueOrderId: string | undefined;
  readonly quantity: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly filledQuantity: Decimal;
  readonly leavesQuantity: Decimal;
  /** Σ price × quantity of the fills. */
  readonly filledNotional: Decimal;
  readonly averagePrice: Decimal | undefined;
  readonly fees: Decimal;
  readonly fillCount: number;
  readonly reason: string | undefined;
  readonly createdNs: bigint;
  readonly updatedNs: bigint;
  readonly transitions: number;
}
