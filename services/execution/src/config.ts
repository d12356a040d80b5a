import { field } from '@meridian/runtime';
import type { BaseSchema, ConfigOf } from '@meridian/runtime';

export const VENUE_KINDS = ['paper', 'okx', 'alpaca'] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];

export const executionSchema = {
  VENUE: field.oneOf('Venue this replica executes on: the in-process paper venue, OKX v5 or Alpaca v2', VENUE_KINDS, 'paper'),
  MARKET_VENUE: field.string('Market-data venue whose book prices slippage (and that the paper venue mirrors as its liquidity)', 'sim'),
  MAKER_FEE: field.decimal('Paper venue: maker fee as a fraction of notional (0.0002 = 2 bps; negative = rebate)', '0.0002'),
  TAKER_FEE: field.decimal('Paper venue: taker fee as a fraction of notional (0.0005 = 5 bps)', '0.0005', { nonNegative: true }),
  FEE_SCALE: field.int('Paper venue: fraction digits fees are rounded (up) to', 8, { min: 0, max: 18 }),
  PAPER_BALANCES: field.string('Paper venue: opening balances, CURRENCY=amount comma-separated', 'USDT=10000000,USD=10000000'),
  PAPER_LATENCY_MS: field.number('Paper venue: fixed latency of every request, ms', 0, { min: 0, max: 60_000 }),
  PAPER_LATENCY_JITTER_MS: field.number('Paper venue: uniform extra latency on top, ms', 0, { min: 0, max: 60_000 }),
  PAPER_QUEUE_MODEL: field.oneOf('Paper venue: where a shrinking level loses liquidity relative to our resting orders', ['pro_rata', 'back', 'front'] as const, 'pro_rata'),
  PAPER_SEED: field.int('Paper venue: seed of its latency and queue randomness', 1, { min: 0 }),
  PAPER_SLIPPAGE_TICKS: field.int('Paper venue: extra adverse ticks on each taker fill against the mirrored book (0 = none)', 0, { min: 0, max: 1000 }),
  SLIPPAGE_LIMIT_BPS: field.decimal('Refuse an order whose expected slippage against its reference price exceeds this, bps (0 = no check)', '100', { nonNegative: true }),
  VENUE_TIMEOUT_MS: field.int('Longest a venue request may take before its outcome is in doubt and reconciled, ms', 5_000, { min: 100, max: 120_000 }),
  RECONCILE_INTERVAL_MS: field.int('How often orders in doubt are looked up at the venue, ms', 1_000, { min: 50, max: 600_000 }),
  ORDER_RETENTION_MS: field.int(
    'How long an order is remembered after it settled (filled, cancelled, rejected, expired), ms: its late venue events and reports are matched, and GetOrder, ListOrders and CancelOrder find it, while it is; forgotten between one and two of this after it settles (never while in doubt, nor a child while its parent works). At least VENUE_TIMEOUT_MS',
    3_600_000,
    { min: 1_000 },
  ),
  OKX_ENV: field.oneOf('OKX: demo trading (x-simulated-trading: 1, the demo WebSocket host) or live', ['demo', 'live'] as const, 'demo'),
  OKX_REST_URL: field.string("OKX: REST base URL; empty = the environment's documented one", ''),
  OKX_WS_URL: field.string("OKX: private WebSocket URL; empty = the environment's documented one", ''),
  ALPACA_ENV: field.oneOf('Alpaca: paper or live trading', ['paper', 'live'] as const, 'paper'),
  ALPACA_TRADING_URL: field.string("Alpaca: Trading API base URL; empty = the environment's documented one", ''),
  ALPACA_STREAM_URL: field.string("Alpaca: trade_updates stream URL; empty = derived from the base URL", ''),
  PAPER_INSTRUMENTS: field.string('Paper venue: tick and lot per symbol, SYMBOL=tick/lot comma-separated; others use PAPER_TICK_SIZE and PAPER_LOT_SIZE', ''),
  PAPER_TICK_SIZE: field.decimal('Paper venue: price increment of symbols not in PAPER_INSTRUMENTS', '0.00000001', { positive: true }),
  PAPER_LOT_SIZE: field.decimal('Paper venue: quantity increment of symbols not in PAPER_INSTRUMENTS', '0.00000001', { positive: true }),
};

/** Venue credentials are not config keys: they come from `<KEY>` or `<KEY>_FILE` (see venues.ts), never logged. */
export type ExecutionConfig = ConfigOf<typeof executionSchema & BaseSchema>;
