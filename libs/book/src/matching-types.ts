import type { Decimal, Side } from '@meridian/domain';

// The vocabulary of the matching engine: requests in, events out. Every type is generic over the
// number type `N`: `Decimal` at the edge (`MatchingEngine`), integer ticks/lots as JS numbers in
// the core (`TickMatchingEngine`). The string unions are also listed as arrays, in a fixed order,
// because the core stores them as their index in typed arrays.

export const ORDER_TYPES = ['limit', 'market', 'stop', 'stop_limit'] as const;
/** `stop` is a stop (market) order, `stop_limit` a stop-limit order; both wait off the book until triggered. */
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIMES_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

export const STP_MODES = ['none', 'cancel_newest', 'cancel_oldest', 'cancel_both'] as const;
/**
 * Self-trade prevention, decided by the incoming (taker) order's mode when it meets a resting order
 * of the same owner: `cancel_newest` cancels the incoming order, `cancel_oldest` the resting one
 * (and matching goes on), `cancel_both` both. `none` lets them trade.
 */
export type StpMode = (typeof STP_MODES)[number];

/** An engine order id: a positive safe integer, assigned by the engine in submission order (1, 2, 3, ...). */
export type EngineOrderId = number;
/** The submitter's own id for an order: unique among the engine's live (resting or held) orders. */
export type ClientOrderId = string | number;
/** The account or owner an order belongs to, for self-trade prevention. */
export type OwnerId = string | number;

interface OrderRequestBase<N> {
  readonly side: Side;
  /** Total quantity (lots in the core). */
  readonly quantity: N;
  readonly clientOrderId?: ClientOrderId;
  /** Orders of the same owner never trade with each other unless the mode is `none`. */
  readonly owner?: OwnerId;
  /** Self-trade prevention mode of this order; the engine's default when omitted. */
  readonly stp?: StpMode;
}

/** Rests what it does not fill when GTC (the default); IOC cancels the rest; FOK fills all or is rejected. */
export interface LimitOrderRequest<N = Decimal> extends OrderRequestBase<N> {
  readonly type: 'limit';
  readonly price: N;
  readonly timeInForce?: TimeInForce;
  /** Rejected with `POST_ONLY_WOULD_TAKE` if any of it would trade on entry (GTC only). */
  readonly postOnly?: boolean;
}

/** Trades at any price; whatever the book cannot fill is cancelled (IOC, the default) or nothing trades (FOK). */
export interface MarketOrderRequest<N = Decimal> extends OrderRequestBase<N> {
  readonly type: 'market';
  readonly timeInForce?: 'IOC' | 'FOK';
}

/** Held off the book until the last trade price reaches `stopPrice`, then a market order. */
export interface StopOrderRequest<N = Decimal> extends OrderRequestBase<N> {
  readonly type: 'stop';
  readonly stopPrice: N;
  readonly timeInForce?: 'IOC' | 'FOK';
}

/** Held off the book until the last trade price reaches `stopPrice`, then a limit order at `price`. */
export interface StopLimitOrderRequest<N = Decimal> extends OrderRequestBase<N> {
  readonly type: 'stop_limit';
  readonly stopPrice: N;
  readonly price: N;
  readonly timeInForce?: TimeInForce;
}

export type OrderRequest<N = Decimal> = LimitOrderRequest<N> | MarketOrderRequest<N> | StopOrderRequest<N> | StopLimitOrderRequest<N>;
export type TickOrderRequest = OrderRequest<number>;

/**
 * Cancel-replace of a resting order, keeping its order id. `quantity` is the new total quantity
 * (what has filled included, as FIX's OrderQty); `price` the new limit price. Omitted fields stay.
 */
export interface AmendRequest<N = Decimal> {
  readonly price?: N;
  readonly quantity?: N;
}

export const REJECT_REASONS = [
  'QUANTITY_NOT_POSITIVE',
  'QUANTITY_NOT_LOT_MULTIPLE',
  'QUANTITY_OUT_OF_RANGE',
  'QUANTITY_BELOW_MIN',
  'PRICE_NOT_POSITIVE',
  'PRICE_NOT_TICK_MULTIPLE',
  'PRICE_OUT_OF_RANGE',
  'NOTIONAL_BELOW_MIN',
  'DUPLICATE_CLIENT_ORDER_ID',
  'UNKNOWN_ORDER',
  'ORDER_NOT_AMENDABLE',
  'AMEND_QUANTITY_TOO_LOW',
  'POST_ONLY_WOULD_TAKE',
  'FOK_CANNOT_FILL',
  'NO_LIQUIDITY',
  'STOP_WOULD_TRIGGER',
] as const;
/** Why a request was refused; the request changed nothing. See the README for each code. */
export type RejectReason = (typeof REJECT_REASONS)[number];

export const CANCEL_REASONS = [
  'USER_REQUEST',
  'IOC_REMAINDER',
  'STP_CANCEL_NEWEST',
  'STP_CANCEL_OLDEST',
  'STP_CANCEL_BOTH',
  'FOK_CANNOT_FILL',
  'NO_LIQUIDITY',
] as const;
/**
 * Why an accepted order (or what was left of it) was cancelled: a cancel request, the unfilled rest
 * of an IOC or market order, self-trade prevention, or a triggered stop that could not execute
 * (`FOK_CANNOT_FILL`, `NO_LIQUIDITY`).
 */
export type CancelReason = (typeof CANCEL_REASONS)[number];

export const REQUEST_KINDS = ['new', 'cancel', 'amend'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export type AmendPriority = 'kept' | 'lost';

/** The order passed validation and has an order id; a stop order is now held off the book. */
export interface AcceptedEvent<N = Decimal> {
  readonly type: 'accepted';
  readonly orderId: EngineOrderId;
  readonly clientOrderId: ClientOrderId | undefined;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly quantity: N;
  /** Limit price (limit and stop-limit orders). */
  readonly price: N | undefined;
  readonly stopPrice: N | undefined;
}

/** The order (what is left of it) joined the back of the queue at `price`. */
export interface RestedEvent<N = Decimal> {
  readonly type: 'rested';
  readonly orderId: EngineOrderId;
  readonly side: Side;
  readonly price: N;
  readonly remaining: N;
  readonly filled: N;
}

/**
 * One trade: the taker (the incoming order, which removed liquidity) against the maker (the
 * resting order, which provided it), at the maker's price. Remaining and cumulative filled
 * quantities of both orders are after this fill.
 */
export interface FillEvent<N = Decimal> {
  readonly type: 'fill';
  readonly takerOrderId: EngineOrderId;
  readonly makerOrderId: EngineOrderId;
  /** The taker's side (the aggressor); the maker is on the other side. */
  readonly takerSide: Side;
  readonly price: N;
  readonly quantity: N;
  readonly takerRemaining: N;
  readonly makerRemaining: N;
  readonly takerFilled: N;
  readonly makerFilled: N;
}

/** An accepted order left the book (or the stop book, or the engine) unfilled for `quantity`. */
export interface CancelledEvent<N = Decimal> {
  readonly type: 'cancelled';
  readonly orderId: EngineOrderId;
  readonly side: Side;
  /** The quantity cancelled: what was left of the order. */
  readonly quantity: N;
  /** What the order had filled before (it is done now). */
  readonly filled: N;
  readonly reason: CancelReason;
}

/** A request was refused and changed nothing. For `new`, `orderId` is the id the order would have had. */
export interface RejectedEvent {
  readonly type: 'rejected';
  readonly orderId: EngineOrderId;
  readonly clientOrderId: ClientOrderId | undefined;
  readonly request: RequestKind;
  readonly reason: RejectReason;
  /** Names the offending value, e.g. `price 100.005 is not a multiple of tick size 0.01`. */
  readonly message: string;
}

/** A held stop order was triggered by the last trade price; it executes next, in trigger order. */
export interface TriggeredEvent<N = Decimal> {
  readonly type: 'triggered';
  readonly orderId: EngineOrderId;
  readonly side: Side;
  readonly stopPrice: N;
  readonly lastTradePrice: N;
}

/**
 * A resting order was changed in place (`kept`: a quantity reduction at the same price) or taken
 * out and re-entered at the back of its new price's queue (`lost`: a price change or a quantity
 * increase), where it may trade at once; fills, `rested` or `cancelled` events follow then.
 */
export interface AmendedEvent<N = Decimal> {
  readonly type: 'amended';
  readonly orderId: EngineOrderId;
  readonly side: Side;
  readonly price: N;
  /** New total quantity. */
  readonly quantity: N;
  readonly remaining: N;
  readonly filled: N;
  readonly priority: AmendPriority;
}

export type MatchEvent<N = Decimal> =
  | AcceptedEvent<N>
  | RestedEvent<N>
  | FillEvent<N>
  | CancelledEvent<N>
  | RejectedEvent
  | TriggeredEvent<N>
  | AmendedEvent<N>;
export type MatchEventType = MatchEvent['type'];
export type TickMatchEvent = MatchEvent<number>;

export const MATCH_EVENT_TYPES = ['accepted', 'rested', 'fill', 'cancelled', 'rejected', 'triggered', 'amended'] as const satisfies readonly MatchEventType[];

/** A live order as `order(id)` shows it: resting on the book, or a stop order held off it. */
export interface EngineOrder<N = Decimal> {
  readonly orderId: EngineOrderId;
  readonly status: 'resting' | 'held';
  readonly side: Side;
  /** `limit` for every resting order (a triggered stop-limit rests as a limit order). */
  readonly orderType: OrderType;
  readonly price: N | undefined;
  readonly stopPrice: N | undefined;
  readonly quantity: N;
  readonly remaining: N;
  readonly filled: N;
  readonly clientOrderId: ClientOrderId | undefined;
  readonly owner: OwnerId | undefined;
}
