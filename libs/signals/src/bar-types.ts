import type { Decimal } from '@meridian/domain';
import { InvalidBarConfigError } from './bar-errors';
import type { BarInterval } from './bar-interval';
import { InvalidSignalInputError } from './errors';

/** What bar aggregation needs of a trade; a venue's normalised trade fits as it is. */
export interface BarTrade {
  readonly price: Decimal;
  readonly size: Decimal;
  /** Exchange time, ns since the epoch. */
  readonly tsNs: bigint;
}

/** One exact OHLCV bar covering [startTsNs, endTsNs); the wire `Bar` without venue and symbol. */
export interface ExactBar {
  /** The canonical interval token (`1m`, `v10`). */
  readonly interval: string;
  readonly startTsNs: bigint;
  /** Exclusive. */
  readonly endTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  /** Σ price × size, exact; VWAP = notional / volume. */
  readonly notional: Decimal;
  readonly tradeCount: number;
  /** 0 when first emitted, +1 each time a late trade corrects the bar and it is emitted again. */
  readonly revision: number;
}

/** What an aggregator did with the trades it was given, for metrics and tests. */
export interface BarAggregatorStats {
  /** Trades folded into a bar. */
  trades: number;
  /** Of those, trades folded into a bar that had already been emitted (time bars: each caused a revision). */
  lateTrades: number;
  /** Trades dropped: older than the late retention allows, or before the series began. */
  tooLateTrades: number;
  /** Bars emitted again with a higher revision (a late trade also revises the empty bars after its bar). */
  revisions: number;
  /** Empty bars not emitted because a jump of the clock exceeded `maxEmptyBarsPerJump`. */
  skippedEmptyBars: number;
}

/**
 * Aggregates one symbol's trades into bars of one interval. Every method returns the bars it
 * emitted, in the order they should be published.
 */
export interface BarAggregator {
  readonly interval: BarInterval;
  /** Folds one trade in; returns bars it closed (time bars), filled (volume bars) or corrected. */
  addTrade(trade: BarTrade): ExactBar[];
  /** Moves the clock to `tsNs` without a trade, so a quiet market still closes bars on time. */
  advanceTo(tsNs: bigint): ExactBar[];
  /** End of data (a backtest's last trade, a shutdown): emits the bars still open, grace or not. */
  flush(): ExactBar[];
  readonly stats: Readonly<BarAggregatorStats>;
}

export interface BarAggregatorOptions {
  /**
   * How long after its end a time bar stays open for trades that arrive out of order, ns.
   * The bar is emitted once a trade or `advanceTo` reaches end + grace.
   */
  graceNs?: bigint;
  /**
   * How long after its grace a closed time bar can still be corrected by a late trade (re-emitted
   * with revision + 1), ns. Older trades are counted in `tooLateTrades` and dropped.
   */
  lateRetentionNs?: bigint;
  /**
   * The most empty time bars one jump of the clock may emit; the rest of the gap is skipped
   * (counted in `skippedEmptyBars`) and the series resumes where the clock is.
   */
  maxEmptyBarsPerJump?: number;
}

export const DEFAULT_BAR_GRACE_NS = 500_000_000n;
export const DEFAULT_BAR_LATE_RETENTION_NS = 5n * 60n * 1_000_000_000n;
export const DEFAULT_MAX_EMPTY_BARS_PER_JUMP = 10_000;

export interface ResolvedBarOptions {
  readonly graceNs: bigint;
  readonly lateRetentionNs: bigint;
  readonly maxEmptyBarsPerJump: number;
}

export function resolveBarOptions(options: BarAggregatorOptions): ResolvedBarOptions {
  const graceNs = options.graceNs ?? DEFAULT_BAR_GRACE_NS;
  const lateRetentionNs = options.lateRetentionNs ?? DEFAULT_BAR_LATE_RETENTION_NS;
  const maxEmptyBarsPerJump = options.maxEmptyBarsPerJump ?? DEFAULT_MAX_EMPTY_BARS_PER_JUMP;
  if (typeof graceNs !== 'bigint' || graceNs < 0n) throw new InvalidBarConfigError('graceNs', graceNs, 'must be a bigint >= 0');
  if (typeof lateRetentionNs !== 'bigint' || lateRetentionNs < 0n) {
    throw new InvalidBarConfigError('lateRetentionNs', lateRetentionNs, 'must be a bigint >= 0');
  }
  if (!Number.isSafeInteger(maxEmptyBarsPerJump) || maxEmptyBarsPerJump < 0) {
    throw new InvalidBarConfigError('maxEmptyBarsPerJump', maxEmptyBarsPerJump, 'must be an integer >= 0');
  }
  return { graceNs, lateRetentionNs, maxEmptyBarsPerJump };
}

/** Refuses what would corrupt a bar for good: a non-positive price or size, a negative timestamp. */
export function checkTrade(trade: BarTrade): void {
  if (!trade.price.isPositive()) throw new InvalidSignalInputError('trade price', trade.price.toString(), 'must be positive');
  if (!trade.size.isPositive()) throw new InvalidSignalInputError('trade size', trade.size.toString(), 'must be positive');
  checkTimestamp('trade timestamp', trade.tsNs);
}

export function checkTimestamp(what: string, tsNs: bigint): void {
  if (typeof tsNs !== 'bigint' || tsNs < 0n) throw new InvalidSignalInputError(what, tsNs, 'must be a bigint of ns since the epoch, >= 0');
}

export function emptyStats(): BarAggregatorStats {
  return { trades: 0, lateTrades: 0, tooLateTrades: 0, revisions: 0, skippedEmptyBars: 0 };
}
