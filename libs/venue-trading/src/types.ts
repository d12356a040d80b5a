import type { Decimal, Side } from '@meridian/domain';

// One interface for every venue the execution service trades on. Adapters translate it to a
// venue's protocol (OKX v5, Alpaca v2) or call the in-process paper venue. The execution service
// owns the order state machine; adapters only report what the venue says.

export type VenueOrderType = 'limit' | 'market' | 'stop' | 'stop_limit';
export type VenueTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';

export interface VenueOrderRequest {
  /** The platform's id; the venue's idempotency key. A retried submit with it never makes a second order. */
  readonly clientOrderId: string;
  /** The platform's symbol (e.g. BTC-USDT, AAPL); adapters map it to the venue's instrument id. */
  readonly symbol: string;
  readonly side: Side;
  readonly type: VenueOrderType;
  readonly quantity: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce: VenueTimeInForce;
  readonly postOnly?: boolean;
}

/** The venue's view of an order, normalised. */
export type VenueOrderStatus = 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface VenueOrderState {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: VenueOrderType;
  readonly quantity: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly status: VenueOrderStatus;
  readonly filledQuantity: Decimal;
  readonly averagePrice: Decimal | undefined;
  readonly reason: string | undefined;
  readonly updatedNs: bigint;
}

export interface VenueFill {
  /** The venue's trade id: unique per venue (per symbol on OKX), the dedupe key of fills. */
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  readonly tsNs: bigint;
}

export interface VenuePosition {
  readonly symbol: string;
  /** Signed: negative is short. */
  readonly quantity: Decimal;
  readonly averageEntryPrice: Decimal | undefined;
}

export interface VenueBalance {
  readonly currency: string;
  readonly total: Decimal;
  readonly available: Decimal;
}

/** A pushed change from the venue's private stream. */
export type VenueEvent =
  | { readonly kind: 'order'; readonly order: VenueOrderState }
  | { readonly kind: 'fill'; readonly fill: VenueFill; readonly order: VenueOrderState }
  | { readonly kind: 'connection'; readonly connected: boolean; readonly detail: string };

/**
 * What a submit, cancel or amend came to. `in_doubt` means the request may or may not have reached
 * the venue (a timeout, a dropped connection): the caller must not guess; it reconciles by client
 * order id (`order()`), which is why adapters retry only what is idempotent.
 */
export type VenueOutcome =
  | { readonly kind: 'accepted'; readonly order: VenueOrderState }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string }
  | { readonly kind: 'in_doubt'; readonly message: string };

export interface VenueInstrument {
  readonly symbol: string;
  readonly venueSymbol: string;
  readonly baseCurrency: string;
  readonly quoteCurrency: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal | undefined;
}

export interface TradingVenue {
  readonly venue: string;
  /** Connects the private stream (login, subscribe); resolves once updates flow. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Pushed order changes and fills, in venue order per order. */
  onEvent(listener: (event: VenueEvent) => void): () => void;

  instruments(): Promise<VenueInstrument[]>;
  submit(order: VenueOrderRequest): Promise<VenueOutcome>;
  cancel(ref: { clientOrderId: string; symbol: string }): Promise<VenueOutcome>;
  /** Cancel-replace keeping the order id where the venue supports it. */
  amend(ref: { clientOrderId: string; symbol: string }, change: { quantity?: Decimal; limitPrice?: Decimal }): Promise<VenueOutcome>;

  /** For reconciliation: undefined when the venue has no order with that client id. */
  order(ref: { clientOrderId: string; symbol: string }): Promise<VenueOrderState | undefined>;
  openOrders(symbol?: string): Promise<VenueOrderState[]>;
  /** Fills since a time (inclusive), oldest first, for the fills missed while down. */
  fillsSince(sinceNs: bigint, symbol?: string): Promise<VenueFill[]>;
  positions(): Promise<VenuePosition[]>;
  balances(): Promise<VenueBalance[]>;
}
