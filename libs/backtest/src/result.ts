// The outcome of one backtest as plain JSON: every exact amount is a decimal string, every
// timestamp in nanoseconds a decimal string (bigint does not survive JSON.stringify), ratios are
// numbers, and a ratio that is undefined (no volatility, no losing trade) is null rather than
// Infinity or NaN, which JSON cannot carry. The research tools and the CLI read this shape; it is
// versioned and only ever extended.

/** Bumped only when a field changes meaning or is removed; new optional fields do not bump it. */
import type { RiskEventRecord } from './post-trade';

export const BACKTEST_RESULT_VERSION = 1;

/** One point of the equity curve: opening capital + realized P&L − fees + unrealized P&L at the marks. */
export interface EquityPoint {
  /** Event time of the sample, ms since the epoch. */
  readonly tsMs: number;
  /** Exact, in the account currency. */
  readonly equity: string;
}

/** Risk's decision on an intent, as the risk service would publish it. */
export interface RiskOutcome {
  readonly approved: boolean;
  /** A `RISK_REASONS` code when refused. */
  readonly reason: string | null;
  readonly detail: string | null;
}

/** Every intent a strategy sent, with what risk, execution and the venue made of it. */
export interface OrderRecord {
  readonly clientOrderId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: 'limit' | 'market' | 'stop' | 'stop_limit';
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK' | 'DAY';
  readonly quantity: string;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly referencePrice: string | null;
  /** When the strategy sent it (event time, ns). */
  readonly intentNs: string;
  readonly risk: RiskOutcome;
  /**
   * The order state machine's state (`@meridian/orders`): `new`, `acked`, `partially_filled`,
   * `filled`, `cancelled`, `rejected` (by risk, by execution's slippage guard or by the venue) or
   * `expired`. `new` at the end of a run means it never reached the venue (latency past the data).
   */
  readonly status: 'new' | 'acked' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  /** Why it was rejected, cancelled or expired (risk reason, `SLIPPAGE_LIMIT: …`, venue code: message). */
  readonly reason: string | null;
  readonly venueOrderId: string | null;
  /** When it reached the venue (ns), after the latency model; null when it never did. */
  readonly arrivedNs: string | null;
  readonly filledQuantity: string;
  readonly averagePrice: string | null;
  readonly fees: string;
  /** The time of its last change (ns). */
  readonly updatedNs: string;
}

/**
 * An execution algorithm's parent order (`ctx.submitParent`); its children are orders of their own
 * (`<id>-<n>` in `orders`).
 */
export interface ParentRecord {
  readonly id: string;
  readonly strategy: string;
  readonly algo: 'twap' | 'vwap' | 'iceberg' | 'pov';
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: string;
  readonly limitPrice: string | null;
  /** Its window (ns); `endNs` null for an iceberg or POV without one. */
  readonly startNs: string;
  readonly endNs: string | null;
  /** When the strategy asked for it (event time, ns). */
  readonly createdNs: string;
  /** `finished` or `failed` once it ended; otherwise where it was when the run ended (`pending`, `working`, `closing`). */
  readonly status: 'pending' | 'working' | 'closing' | 'finished' | 'failed';
  /** exec-algos' reason (`completed`, `cancelled`, `expired`, `expired_at_limit_price`, `child_rejected`); null while not ended. */
  readonly reason: string | null;
  readonly detail: string | null;
  readonly filled: string;
  /** Quantity-weighted over its children's fills (exec-algos' 12 digits); null before a fill. */
  readonly averagePrice: string | null;
  /** Children it sent. */
  readonly children: number;
  /** When it ended (ns), or null. */
  readonly endedNs: string | null;
}

/** One execution at the venue. */
export interface FillRecord {
  /** The venue's trade id. */
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly quantity: string;
  /** In `feeCurrency`; negative is a rebate. */
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  readonly tsNs: string;
}

/**
 * A round trip: a position opened from flat and brought back to flat (a fill that flips the
 * position closes one trip and opens the next with the rest). Entry and exit prices are the
 * quantity-weighted averages of the fills on each side, exact to 12 digits.
 */
export interface RoundTrip {
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  /** Largest absolute position the trip reached. */
  readonly maxQuantity: string;
  /** Quantity bought and sold in the trip (equal, once closed). */
  readonly quantity: string;
  readonly entryNs: string;
  readonly exitNs: string;
  readonly entryPrice: string;
  readonly exitPrice: string;
  /** Gross of fees: Σ sells − Σ buys of the trip's fills. */
  readonly pnl: string;
  readonly fees: string;
  /** pnl − fees. */
  readonly netPnl: string;
  readonly holdingMs: number;
  readonly fills: number;
}

/** Statistics of the closed round trips; money exact, the rest numbers. */
export interface TradeStatistics {
  readonly count: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / count; null without trades. A trade with netPnl exactly 0 is neither. */
  readonly winRate: number | null;
  /** Σ winning netPnl / |Σ losing netPnl|; null when nothing was lost. */
  readonly profitFactor: number | null;
  readonly totalNetPnl: string;
  readonly averageNetPnl: string | null;
  readonly averageWin: string | null;
  readonly averageLoss: string | null;
  readonly largestWin: string | null;
  readonly largestLoss: string | null;
  /** averageWin / |averageLoss|; null unless there are both. */
  readonly payoffRatio: number | null;
  readonly averageHoldingMs: number | null;
  /** Longest runs of consecutive winning and losing trades, in exit order. */
  readonly maxConsecutiveWins: number;
  readonly maxConsecutiveLosses: number;
}

/** Performance of the equity curve and the trades. */
export interface BacktestMetrics {
  readonly initialEquity: string;
  readonly finalEquity: string;
  /** finalEquity − initialEquity, exact. */
  readonly netPnl: string;
  readonly fees: string;
  /** final / initial − 1. */
  readonly totalReturn: number | null;
  /** (1 + totalReturn)^(1 / years) − 1 over the curve's span; null for a span shorter than the config's minAnnualisedDays (30 by default). */
  readonly annualisedReturn: number | null;
  /** Sample standard deviation of the per-interval returns × √(intervals per year). */
  readonly volatility: number | null;
  /** mean / sample σ of per-interval returns × √(intervals per year), risk-free rate 0. */
  readonly sharpe: number | null;
  /** mean / downside deviation (returns below 0, over every interval) × √(intervals per year). */
  readonly sortino: number | null;
  /** annualisedReturn / maxDrawdownFraction (null with annualisedReturn). */
  readonly calmar: number | null;
  /** Largest peak-to-trough fall of the curve, exact money, and as a fraction of its peak. */
  readonly maxDrawdown: string;
  readonly maxDrawdownFraction: number;
  /** Longest time below a previous peak (the last stretch counted to the end of the curve), ms. */
  readonly maxDrawdownDurationMs: number;
  /** Σ |price × quantity| of every fill, exact, in the quote currency. */
  readonly turnover: string;
  /** turnover / average equity of the curve. */
  readonly turnoverRatio: number | null;
  /** Share of the run's time (first to last event) with some position open, 0 to 1. */
  readonly exposure: number | null;
  /** Intervals per year used to annualise (from the sampling interval). */
  readonly periodsPerYear: number;
  readonly trades: TradeStatistics;
}

/** One symbol's share of the result. */
export interface SymbolSummary {
  readonly symbol: string;
  /** Position at the end, signed. */
  readonly position: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  /** realized − fees + unrealized at the last mark. */
  readonly netPnl: string;
  readonly lastMark: string | null;
  readonly orders: number;
  readonly riskRejections: number;
  readonly fills: number;
  readonly turnover: string;
  readonly trades: TradeStatistics;
}

/** What the run read, by kind; deterministic (no wall-clock figures). */
export interface RunCounts {
  readonly events: number;
  readonly bars: number;
  readonly trades: number;
  readonly quotes: number;
  readonly bookUpdates: number;
  /** Decisions strategies made on events (signals acted on or skipped), as the strategies count them. */
  readonly intents: number;
  readonly riskRejections: number;
  /** Orders (intents) and fills of the run, whether or not the result lists them (`recordOrders`, `recordFills`). */
  readonly orders: number;
  readonly fills: number;
  /** Risk's post-trade side (`risk.stops`, `risk.breaker`): stops armed and triggered, breaker trips. */
  readonly stopsArmed: number;
  readonly stopsTriggered: number;
  readonly breakerTrips: number;
  /** Parent orders of execution algorithms the strategies started (their children are among `orders`). */
  readonly parents: number;
}

/**
 * The whole outcome of a backtest. Same inputs and seed → the same object, and the same bytes from
 * `JSON.stringify` (tested). `config` is the run's configuration as JSON (see `BacktestConfigJson`
 * in config.ts), `params` the strategy parameters a search varies.
 */
export interface BacktestResult {
  readonly version: typeof BACKTEST_RESULT_VERSION;
  readonly config: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly seed: number;
  /** The account (quote) currency every amount is in. */
  readonly currency: string;
  /** Event time of the first and last event (ns); null for a run without events. */
  readonly startNs: string | null;
  readonly endNs: string | null;
  readonly equity: readonly EquityPoint[];
  /** Every order in intent order; empty when the run was told not to keep them (`recordOrders: false`). */
  readonly orders: readonly OrderRecord[];
  /** Every fill in venue order; empty with `recordFills: false`. */
  readonly fills: readonly FillRecord[];
  readonly trades: readonly RoundTrip[];
  readonly metrics: BacktestMetrics;
  readonly perSymbol: Readonly<Record<string, SymbolSummary>>;
  readonly counts: RunCounts;
  /** Every trip and reset of the circuit breaker and every arming, trigger and clearing of a stop, in event time. */
  readonly riskEvents: readonly RiskEventRecord[];
  /** Every parent order of an execution algorithm, in the order they were started (results stored before they existed have none). */
  readonly parents: readonly ParentRecord[];
}
