import type { Decimal } from '@meridian/domain';

/** One bar of a series as stored: the wire `Bar` with exact decimals. */
export interface StoredBar {
  readonly venue: string;
  readonly symbol: string;
  /** The interval token (`1m`, `v10`). */
  readonly interval: string;
  readonly startTsNs: bigint;
  /** Exclusive. */
  readonly endTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly notional: Decimal;
  readonly tradeCount: number;
  readonly revision: number;
}

/** Bars of one (venue, symbol, interval) whose start is in [fromTsNs, toTsNs), oldest first. */
export interface BarQuery {
  readonly venue: string;
  readonly symbol: string;
  readonly interval: string;
  /** Inclusive; undefined leaves the range open at the start. */
  readonly fromTsNs?: bigint;
  /** Exclusive; undefined leaves the range open at the end. */
  readonly toTsNs?: bigint;
  /** At most this many bars, the oldest first; default 10,000. */
  readonly limit?: number;
}

/** One stored series and its extent. */
export interface BarSeries {
  readonly venue: string;
  readonly symbol: string;
  readonly interval: string;
  readonly bars: number;
  readonly firstStartTsNs: bigint;
  readonly lastStartTsNs: bigint;
}

export interface BarWriteResult {
  /** Bars handed to the write. */
  readonly received: number;
  /** Rows inserted, or replaced by a higher revision; duplicates and older revisions change nothing. */
  readonly written: number;
}

/** How a bulk write reaches the table (see README for the measurements behind the default). */
export type BulkMethod = 'copy' | 'unnest';
