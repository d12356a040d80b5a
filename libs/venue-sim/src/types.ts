import type { Decimal, Side } from '@meridian/domain';
import type { Level } from '@meridian/book';

// The contract of the simulated exchange. Everything is exact (`Decimal`) and synchronous: the
// venue is a deterministic state machine driven by requests, market data and a clock; latency is
// applied by whoever delivers requests to it (the protocol servers, the paper adapter, the
// backtester), using `LatencyModel`.

/** Trading rules and currencies of one symbol (the domain's `Instrument` without the venue). */
export interface SimInstrument {
  readonly symbol: string;
  readonly baseCurrency: string;
  readonly quoteCurrency: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  /** Default: one lot. */
  readonly minQuantity?: Decimal;
  /** Smallest price × quantity of an order with a price. Default: none. */
  readonly minNotional?: Decimal;
}

/** Fractions of notional, e.g. 0.0005 for 5 bps; negative maker fee = rebate. */
export interface FeeSchedule {
  readonly maker: Decimal;
  readonly taker: Decimal;
  /** Fees are rounded (up, against the account) to this many fraction digits. */
  readonly scale: number;
}

/**
 * `cash`: spot; a buy needs the quote currency, a sell the base currency, both held while the
 * order is open. `margin`: balances may go negative (shorts, borrowing), as an Alpaca margin
 * account or the platform's paper venue allow; buying power is `equity × leverage`.
 */
export type AccountMode = 'cash' | 'margin';

export interface AccountSpec {
  readonly id: string;
  readonly mode: AccountMode;
  /** Opening balances per currency. */
  readonly balances: Readonly<Record<string, Decimal>>;
  /** Per-account fee schedule; the venue's default otherwise. */
  readonly fees?: FeeSchedule;
  /** Margin accounts only (default 1). */
  readonly leverage?: Decimal;
}

export interface Balance {
  readonly currency: string;
  /** total = available + hold (exactly). */
  readonly total: Decimal;
  readonly available: Decimal;
  /** Reserved by open orders (cash accounts). */
  readonly hold: Decimal;
}

export type SimOrderType = 'limit' | 'market' | 'stop' | 'stop_limit';
export type SimTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';

export interface PlaceOrderRequest {
  readonly account: string;
  /**
   * Idempotency key: unique per account; placing an id again returns the first order unchanged
   * (while the venue remembers it: `SimulatedVenue.forgetDone` frees the id of a done order).
   */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce?: SimTimeInForce;
  readonly postOnly?: boolean;
}

export interface AmendOrderRequest {
  readonly account: string;
  readonly orderId?: string;
  readonly clientOrderId?: string;
  readonly price?: Decimal;
  /** New total quantity, what has filled included. */
  readonly quantity?: Decimal;
}

export interface CancelOrderRequest {
  readonly account: string;
  readonly orderId?: string;
  readonly clientOrderId?: string;
}

/** The venue's order states, mapped by each protocol server to its venue's vocabulary. */
export type SimOrderStatus = 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface SimOrder {
  /** The venue's id: a decimal string, increasing in placement order. */
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly postOnly: boolean;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly status: SimOrderStatus;
  readonly filledQuantity: Decimal;
  /** Σ price × quantity of the fills, exact. */
  readonly filledNotional: Decimal;
  /** Exact average fill price rounded to 12 digits, or undefined before the first fill. */
  readonly averagePrice: Decimal | undefined;
  readonly fees: Decimal;
  readonly feeCurrency: string;
  /** Why it was rejected, cancelled or expired (engine or venue reason code). */
  readonly reason: string | undefined;
  readonly createdNs: bigint;
  readonly updatedNs: bigint;
}

/** A symbol's position in an account, folded from its fills. */
export interface SimPosition {
  readonly symbol: string;
  /** Signed: positive long. */
  readonly quantity: Decimal;
  /** The average entry price of what is held (the weighted average of the fills that built it). */
  readonly averagePrice: Decimal;
}

export interface SimFill {
  /** Unique per venue, increasing. */
  readonly tradeId: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  readonly tsNs: bigint;
}

/** What the venue tells an account: every order change, and every fill with the order after it. */
export type SimUpdate =
  | { readonly kind: 'order'; readonly order: SimOrder }
  | { readonly kind: 'fill'; readonly fill: SimFill; readonly order: SimOrder };

/** A refusal of a request; nothing changed. `code` is stable (see the README's table). */
export interface SimRejection {
  readonly code: string;
  readonly message: string;
}

export type SimResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: SimRejection };

/** How long a request takes to reach the matching engine, ns, drawn from the venue's seeded RNG. */
export interface LatencyModel {
  sample(random: () => number): bigint;
}

/**
 * How a shrinking level of the mirrored market book is shared between the liquidity ahead of
 * our resting orders and the liquidity behind them: `pro_rata` takes it from both in proportion,
 * `back` only from behind (optimistic), `front` only from ahead (pessimistic).
 */
export type QueueModel = 'pro_rata' | 'back' | 'front';

/** Extra adverse price movement applied to taker fills against the mirrored book, in ticks. */
export interface SlippageModel {
  ticks(random: () => number, side: Side, quantity: Decimal): number;
}

export interface SimVenueOptions {
  readonly instruments: readonly SimInstrument[];
  readonly fees: FeeSchedule;
  /** ns since the epoch; default: the wall clock. A backtest passes its replay clock. */
  readonly clock?: () => bigint;
  /** Seed of the venue's RNG (latency, slippage, pro-rata rounding); default 1. */
  readonly seed?: number;
  readonly queueModel?: QueueModel;
  readonly slippage?: SlippageModel;
  /**
   * First order id and first trade id (default 1). A venue rebuilt in a new process (the platform's
   * paper venue) starts from the clock so that its ids never repeat those an earlier run reported.
   */
  readonly firstId?: bigint;
}

/** The venue's public surface, as protocol servers and adapters use it. */
export interface SimulatedExchange {
  readonly instruments: ReadonlyMap<string, SimInstrument>;
  openAccount(spec: AccountSpec): void;
  balances(account: string): Balance[];
  placeOrder(request: PlaceOrderRequest): SimResult<SimOrder>;
  amendOrder(request: AmendOrderRequest): SimResult<SimOrder>;
  cancelOrder(request: CancelOrderRequest): SimResult<SimOrder>;
  /** By venue order id or client order id; undefined when unknown to this account (or, at a `SimulatedVenue`, forgotten by `forgetDone`). */
  order(account: string, ref: { orderId?: string; clientOrderId?: string }): SimOrder | undefined;
  openOrders(account: string, symbol?: string): SimOrder[];
  /** Every order of the account, newest first, up to `limit` (at a `SimulatedVenue`, less those forgotten by `forgetDone`). */
  orders(account: string, options?: { symbol?: string; limit?: number }): SimOrder[];
  /** Fills of the account after `afterTradeId` (exclusive), oldest first (at a `SimulatedVenue`, less those of orders forgotten by `forgetDone`). */
  fills(account: string, options?: { symbol?: string; afterTradeId?: string; limit?: number }): SimFill[];
  /** The account's positions that are not flat, from every fill it ever had (those of forgotten orders too). */
  positions(account: string): SimPosition[];
  /** Subscribes to an account's updates; returns the unsubscribe function. */
  subscribe(account: string, listener: (update: SimUpdate) => void): () => void;

  /** The external market's L2 book for a symbol (a snapshot or the changed levels), mirrored as venue liquidity. */
  applyMarketBook(symbol: string, change: { snapshot: boolean; bids: readonly Level[]; asks: readonly Level[] }): void;
  /** A trade printed by the external market: consumes mirrored liquidity ahead of our orders, then fills them. */
  applyMarketTrade(symbol: string, trade: { price: Decimal; quantity: Decimal; aggressor: Side }): void;
  /** The best bid/ask the venue shows (mirrored and resting orders together). */
  bbo(symbol: string): { bid: Level | undefined; ask: Level | undefined };
  /** Ends the trading day: every open `DAY` order expires (status `expired`). */
  expireDayOrders(): void;
  /** Levels of one side, best first. */
  depth(symbol: string, side: 'bid' | 'ask', levels: number): Level[];
}
