import type { Level } from '@meridian/book';
import type { Decimal, Side } from '@meridian/domain';

/**
 * What every market-data source produces, whatever the venue spells: platform symbols
 * (`parseSymbol`), exact decimals, nanosecond timestamps. Ingestion turns these into wire messages.
 */
export interface NormalizedTrade {
  readonly venue: string;
  readonly symbol: string;
  readonly tradeId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  /** The side that took liquidity, when the venue says. */
  readonly aggressor: Side | undefined;
  /** Exchange time, ns since the epoch. */
  readonly tsNs: bigint;
  /** When the frame was received, ns since the epoch. */
  readonly receivedTsNs: bigint;
}

/**
 * A book snapshot or delta with the source's own contiguous sequence per symbol: each update's
 * `seq` is the previous one's plus one, snapshots included, across resyncs and reconnects. The
 * venue's sequence numbers (OKX `seqId`, Binance `u`) stay inside the adapter, which is the only
 * place that can judge them. Delta sizes are absolute; size 0 removes the level.
 */
export interface NormalizedBookUpdate {
  readonly venue: string;
  readonly symbol: string;
  readonly seq: bigint;
  readonly snapshot: boolean;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly tsNs: bigint;
  readonly receivedTsNs: bigint;
}

/** A bar the venue computed itself (OKX `candle*`, Alpaca `b`), as opposed to bars built from trades. */
export interface VenueBar {
  readonly venue: string;
  readonly symbol: string;
  /** The platform's interval token: `1m`, `1h`… */
  readonly interval: string;
  readonly startTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  /** False while the venue may still change the bar (OKX `confirm: "0"`). */
  readonly closed: boolean;
  readonly receivedTsNs: bigint;
}

/**
 * Why a message was refused. Low cardinality on purpose: it is a metric label.
 * - `schema`: not the shape the venue documents (unparseable JSON, missing or mistyped field).
 * - `non_finite` / `non_positive`: a price or size that is not a finite number, or is ≤ 0 where it must be positive.
 * - `crossed`: the update would leave best bid ≥ best ask.
 * - `stale`: older than what was already applied, or older than the configured maximum age.
 * - `out_of_order`: a sequence that does not continue the previous one (a gap or a step back).
 * - `checksum`: the venue's book checksum does not match the book.
 * - `unknown_symbol`: an instrument this feed was not asked for.
 * - `venue_error`: the venue answered with an error event.
 */
export type RejectReason =
  | 'schema'
  | 'non_finite'
  | 'non_positive'
  | 'crossed'
  | 'stale'
  | 'out_of_order'
  | 'checksum'
  | 'unknown_symbol'
  | 'venue_error';

export interface Rejection {
  readonly venue: string;
  /** The platform symbol, when the message could be attributed to one. */
  readonly symbol: string | undefined;
  readonly reason: RejectReason;
  /** Enough to debug: which field, which value, which sequence numbers. */
  readonly detail: string;
  /** The start of the raw frame (truncated), for the log. */
  readonly raw?: string;
}

/**
 * Where one symbol of a feed stands.
 * `connecting` → `syncing` (waiting for a book snapshot) → `live`; `resyncing` after a gap or a
 * checksum mismatch; `failed` when the venue refused the configuration (bad keys, plan limits:
 * the feed retries slowly, an operator should look); `stopped` after `stop()`; `finished` when a
 * replay reached its end.
 */
export type FeedState = 'connecting' | 'syncing' | 'live' | 'resyncing' | 'failed' | 'stopped' | 'finished';

export interface FeedSymbolStatus {
  readonly venue: string;
  readonly symbol: string;
  readonly source: string;
  readonly state: FeedState;
  readonly reconnects: number;
  readonly resyncs: number;
  readonly rejected: number;
  readonly trades: number;
  readonly bookUpdates: number;
  /** The last trade's price as the venue printed it, '' before the first trade. */
  readonly lastPrice: string;
  readonly lastEventTsNs: bigint;
}

/** Receives a feed's output. Called synchronously from the feed's message handling; must not throw. */
export interface FeedSink {
  trade(trade: NormalizedTrade): void;
  book(update: NormalizedBookUpdate): void;
  bar(bar: VenueBar): void;
  reject(rejection: Rejection): void;
  /** A symbol's state changed (for logs and readiness). */
  state(venue: string, symbol: string, state: FeedState, detail: string): void;
}

/**
 * One market-data source: a venue's public WebSocket feed, a recorded replay, or the simulator.
 * `start` returns once the source is running (not necessarily connected: a feed keeps
 * reconnecting with backoff on its own); `stop` closes it and resolves when nothing more will
 * reach the sink.
 */
export interface MarketFeed {
  readonly venue: string;
  /** `okx`, `binance`, `alpaca`, `replay:<file>`… */
  readonly source: string;
  readonly symbols: readonly string[];
  start(sink: FeedSink): Promise<void>;
  stop(): Promise<void>;
  status(): FeedSymbolStatus[];
}
