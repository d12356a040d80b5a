import type { Counter, Histogram } from 'prom-client';
import type { Logger, Metrics } from '@meridian/runtime';
import type { FeedSink, FeedState, NormalizedBookUpdate, NormalizedTrade, Rejection, VenueBar } from '@meridian/venues';
import type { EventValidator } from './validator';

/** Where accepted events go next: the JetStream publisher, the bar builder. */
export interface PipelineOutputs {
  trade(t: NormalizedTrade): void;
  book(u: NormalizedBookUpdate): void;
  venueBar?(b: VenueBar): void;
}

/** At most `perWindow` log lines per reason per window; the rest are summed into one line. */
class RejectionLog {
  private readonly counts = new Map<string, number>();
  private windowStart = Date.now();

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 10_000,
  ) {}

  log(r: Rejection): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) this.roll(now);
    const n = (this.counts.get(r.reason) ?? 0) + 1;
    this.counts.set(r.reason, n);
    if (n <= this.perWindow) {
      this.logger.warn({ venue: r.venue, symbol: r.symbol, reason: r.reason, detail: r.detail, raw: r.raw }, 'market data rejected');
    }
  }

  private roll(now: number): void {
    for (const [reason, n] of this.counts) {
      if (n > this.perWindow) {
        this.logger.warn({ reason, suppressed: n - this.perWindow, windowMs: this.windowMs }, 'more market data rejected than logged');
      }
    }
    this.counts.clear();
    this.windowStart = now;
  }
}

/**
 * The sink every feed writes into: validate, count, then hand on. Nothing here throws back into a
 * feed: a refused event is counted by reason, logged (rate-limited) and dropped.
 */
export class IngestionPipeline implements FeedSink {
  private readonly rejected;
  private readonly accepted;
  private readonly feedLatency;
  private readonly feedState;
  private readonly rejectionLog: RejectionLog;
  /** Label-bound metric children per venue: label hashing per event would cost more than the event. */
  private readonly bound = new Map<string, { trade: Counter.Internal; book: Counter.Internal; tradeLatency: Histogram.Internal<'venue' | 'kind'>; bookLatency: Histogram.Internal<'venue' | 'kind'> }>();

  constructor(
    private readonly validator: EventValidator,
    private readonly outputs: PipelineOutputs,
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.rejected = metrics.counter({
      name: 'md_rejected_messages_total',
      help: 'Market-data messages refused by validation, by reason',
      labelNames: ['venue', 'reason'],
    });
    this.accepted = metrics.counter({ name: 'md_events_accepted_total', help: 'Market events that passed validation', labelNames: ['venue', 'kind'] });
    this.feedLatency = metrics.histogram({
      name: 'md_feed_latency_seconds',
      help: 'Receive time minus exchange time of accepted events',
      labelNames: ['venue', 'kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.feedState = metrics.gauge({
      name: 'md_feed_live',
      help: '1 while a symbol of a feed is live (synced and streaming)',
      labelNames: ['venue', 'symbol'],
    });
    this.rejectionLog = new RejectionLog(logger);
  }

  trade(t: NormalizedTrade): void {
    const r = this.validator.trade(t);
    if (r) return this.reject(r);
    const m = this.metricsFor(t.venue);
    m.trade.inc();
    if (t.tsNs > 0n && t.receivedTsNs >= t.tsNs) m.tradeLatency.observe(Number(t.receivedTsNs - t.tsNs) / 1e9);
    this.outputs.trade(t);
  }

  book(u: NormalizedBookUpdate): void {
    const r = this.validator.book(u);
    if (r) return this.reject(r);
    const m = this.metricsFor(u.venue);
    m.book.inc();
    if (u.tsNs > 0n && u.receivedTsNs >= u.tsNs) m.bookLatency.observe(Number(u.receivedTsNs - u.tsNs) / 1e9);
    this.outputs.book(u);
  }

  private metricsFor(venue: string) {
    let m = this.bound.get(venue);
    if (!m) {
      m = {
        trade: this.accepted.labels({ venue, kind: 'trade' }),
        book: this.accepted.labels({ venue, kind: 'book' }),
        tradeLatency: this.feedLatency.labels({ venue, kind: 'trade' }),
        bookLatency: this.feedLatency.labels({ venue, kind: 'book' }),
      };
      this.bound.set(venue, m);
    }
    return m;
  }

  bar(b: VenueBar): void {
    this.accepted.inc({ venue: b.venue, kind: 'venue_bar' });
    this.outputs.venueBar?.(b);
  }

  reject(r: Rejection): void {
    this.rejected.inc({ venue: r.venue, reason: r.reason });
    this.rejectionLog.log(r);
  }

  state(venue: string, symbol: string, state: FeedState, detail: string): void {
    this.feedState.set({ venue, symbol }, state === 'live' ? 1 : 0);
    const level = state === 'resyncing' ? 'warn' : 'info';
    this.logger[level]({ venue, symbol, state, detail }, 'feed state changed');
  }
}
