import type { ExactBarOf } from '@meridian/proto';

/**
 * One bar of a series as stored: the exact bar the aggregators build, with its venue and symbol
 * (the same shape `barToWire` turns into the wire `Bar`).
 */
export type StoredBar = ExactBarOf;

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
