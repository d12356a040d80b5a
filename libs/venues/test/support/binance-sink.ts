import type { FeedSink, FeedState, NormalizedBookUpdate, NormalizedTrade, Rejection, RejectReason, VenueBar } from '../../src';

/** A sink that keeps everything a feed emitted, for assertions (used by the Binance and Alpaca tests). */
export class RecordingSink implements FeedSink {
  readonly trades: NormalizedTrade[] = [];
  readonly books: NormalizedBookUpdate[] = [];
  readonly bars: VenueBar[] = [];
  readonly rejections: Rejection[] = [];
  readonly states: { venue: string; symbol: string; state: FeedState; detail: string }[] = [];

  trade(t: NormalizedTrade): void {
    this.trades.push(t);
  }
  book(u: NormalizedBookUpdate): void {
    this.books.push(u);
  }
  bar(b: VenueBar): void {
    this.bars.push(b);
  }
  reject(r: Rejection): void {
    this.rejections.push(r);
  }
  state(venue: string, symbol: string, state: FeedState, detail: string): void {
    this.states.push({ venue, symbol, state, detail });
  }

  booksFor(symbol: string): NormalizedBookUpdate[] {
    return this.books.filter((b) => b.symbol === symbol);
  }

  lastState(symbol: string): FeedState | undefined {
    return this.states.filter((s) => s.symbol === symbol).at(-1)?.state;
  }

  rejectionsBy(reason: RejectReason): Rejection[] {
    return this.rejections.filter((r) => r.reason === reason);
  }

  /** Counts of rejections by reason. */
  reasons(): Partial<Record<RejectReason, number>> {
    const out: Partial<Record<RejectReason, number>> = {};
    for (const r of this.rejections) out[r.reason] = (out[r.reason] ?? 0) + 1;
    return out;
  }

  /** Everything the sink received as one string, to search for what must never leak. */
  everything(): string {
    return JSON.stringify([this.trades, this.books, this.bars, this.rejections, this.states], (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  }
}
