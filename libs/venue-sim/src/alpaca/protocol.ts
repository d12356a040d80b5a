// Alpaca Trading API v2 as documented (docs.alpaca.markets): the JSON shapes the local server
// writes and the error bodies it answers with. Every number is a decimal string, every time
// RFC 3339 in UTC; absent values are `null`, as Alpaca writes them.

/** One documented error answer: the HTTP status and the body's `code` and `message`. */
export interface AlpacaErrorSpec {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** The error answers the server gives, with Alpaca's codes and wording. */
export const ALPACA_ERRORS = Object.freeze({
  /** Missing or wrong `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`. */
  unauthorized: { status: 401, code: 40110000, message: 'request is not authorized' },
  /** A body that is not JSON. */
  malformedBody: { status: 400, code: 40010000, message: 'request body format is invalid' },
  /** `POST /v2/orders` or `PATCH` with a `client_order_id` the account already used. */
  duplicateClientOrderId: { status: 422, code: 40010001, message: 'client_order_id must be unique' },
  /** An order the account cannot afford (the body also carries `buying_power` and `cost_basis`). */
  insufficientBuyingPower: { status: 403, code: 40310000, message: 'insufficient buying power' },
  /** A parameter out of its documented domain; the message names it. */
  invalidParameter: { status: 422, code: 42210000, message: 'invalid parameter' },
  orderNotFound: { status: 404, code: 40410000, message: 'order not found' },
  positionNotFound: { status: 404, code: 40410000, message: 'position does not exist' },
  assetNotFound: { status: 404, code: 40410000, message: 'asset not found' },
  endpointNotFound: { status: 404, code: 40410000, message: 'endpoint not found' },
  /** More than the account's requests per minute (200 at Alpaca). */
  rateLimited: { status: 429, code: 42910000, message: 'rate limit exceeded' },
  internal: { status: 500, code: 50010000, message: 'internal server error' },
} satisfies Record<string, AlpacaErrorSpec>);

export type AlpacaOrderStatus =
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'done_for_day'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'pending_cancel'
  | 'pending_replace'
  | 'accepted'
  | 'pending_new'
  | 'accepted_for_bidding'
  | 'stopped'
  | 'rejected'
  | 'suspended'
  | 'calculated';

/** Statuses `GET /v2/orders?status=open` lists; everything else is closed. */
export const OPEN_ORDER_STATUSES: ReadonlySet<AlpacaOrderStatus> = new Set<AlpacaOrderStatus>([
  'new',
  'partially_filled',
  'done_for_day',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'suspended',
  'calculated',
]);

export type AlpacaOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type AlpacaTimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';
export type AlpacaSide = 'buy' | 'sell';

export interface AlpacaOrderJson {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_id: string;
  symbol: string;
  asset_class: 'us_equity';
  notional: string | null;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: '';
  order_type: AlpacaOrderType;
  type: AlpacaOrderType;
  side: AlpacaSide;
  time_in_force: AlpacaTimeInForce;
  limit_price: string | null;
  stop_price: string | null;
  status: AlpacaOrderStatus;
  extended_hours: boolean;
  legs: null;
  trail_percent: null;
  trail_price: null;
  hwm: null;
}

/** `trade_updates` events the server sends. */
export type TradeUpdateEvent = 'new' | 'fill' | 'partial_fill' | 'canceled' | 'expired' | 'rejected' | 'replaced' | 'pending_new';

export interface TradeUpdateJson {
  event: TradeUpdateEvent;
  execution_id: string;
  order: AlpacaOrderJson;
  timestamp: string;
  /** Fill events: this execution's price and quantity, and the position after it. */
  price?: string;
  qty?: string;
  position_qty?: string;
}

export interface AlpacaPositionJson {
  asset_id: string;
  symbol: string;
  exchange: string;
  asset_class: 'us_equity';
  asset_marginable: boolean;
  avg_entry_price: string;
  qty: string;
  qty_available: string;
  side: 'long' | 'short';
  market_value: string;
  cost_basis: string;
  unrealized_pl: string;
  unrealized_plpc: string;
  unrealized_intraday_pl: string;
  unrealized_intraday_plpc: string;
  current_price: string;
  lastday_price: string;
  change_today: string;
}

export interface AlpacaFillActivityJson {
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: AlpacaSide;
  symbol: string;
  leaves_qty: string;
  order_id: string;
  cum_qty: string;
  order_status: 'filled' | 'partially_filled';
}

export interface AlpacaAssetJson {
  id: string;
  class: 'us_equity';
  exchange: string;
  symbol: string;
  name: string;
  status: 'active';
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easy_to_borrow: boolean;
  fractionable: boolean;
  maintenance_margin_requirement: number;
  min_order_size: string;
  min_trade_increment: string;
  price_increment: string;
  attributes: string[];
}
