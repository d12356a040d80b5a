import type { Decimal } from '@meridian/domain';
import type { FeedSink, FeedState, FeedSymbolStatus, NormalizedBookUpdate, NormalizedTrade, Rejection, VenueBar } from './types';

interface MutableStatus {
  state: FeedState;
  reconnects: number;
  resyncs: number;
  rejected: number;
  trades: number;
  bookUpdates: number;
  /** Printed when a status is asked for, not on every trade. */
  lastPrice: Decimal | undefined;
  lastEventTsNs: bigint;
}

/**
 * The per-symbol bookkeeping every feed needs, in one place: it sits between the adapter and the
 * caller's sink, counts what passes through, and remembers each symbol's state, so adapters only
 * decide what to emit and `status()` is always consistent with what the sink saw.
 */
export class FeedStatusTable {
  private readonly table = new Map<string, MutableStatus>();
  private sinkRef: FeedSink | undefined;

  constructor(
    readonly venue: string,
    readonly source: string,
    symbols: readonly string[],
  ) {
    for (const symbol of symbols) {
      this.table.set(symbol, { state: 'connecting', reconnects: 0, resyncs: 0, rejected: 0, trades: 0, bookUpdates: 0, lastPrice: undefined, lastEventTsNs: 0n });
    }
  }

  attach(sink: FeedSink): void {
    this.sinkRef = sink;
  }

  private get sink(): FeedSink {
    if (!this.sinkRef) throw new Error(`feed ${this.source}: used before start()`);
    return this.sinkRef;
  }

  has(symbol: string): boolean {
    return this.table.has(symbol);
  }

  trade(t: NormalizedTrade): void {
    const s = this.table.get(t.symbol);
    if (s) {
      s.trades++;
      s.lastPrice = t.price;
      s.lastEventTsNs = t.tsNs;
    }
    this.sink.trade(t);
  }

  book(u: NormalizedBookUpdate): void {
    const s = this.table.get(u.symbol);
    if (s) {
      s.bookUpdates++;
      s.lastEventTsNs = u.tsNs;
    }
    this.sink.book(u);
  }

  bar(b: VenueBar): void {
    this.sink.bar(b);
  }

  reject(r: Rejection): void {
    const s = r.symbol === undefined ? undefined : this.table.get(r.symbol);
    if (s) s.rejected++;
    this.sink.reject(r);
  }

  /** Sets one symbol's state (or every symbol's when `symbol` is undefined); reports only changes. */
  setState(symbol: string | undefined, state: FeedState, detail: string): void {
    const symbols = symbol === undefined ? [...this.table.keys()] : [symbol];
    for (const sym of symbols) {
      const s = this.table.get(sym);
      if (!s || s.state === state) continue;
      if (state === 'resyncing') s.resyncs++;
      s.state = state;
      this.sinkRef?.state(this.venue, sym, state, detail);
    }
  }

  state(symbol: string): FeedState | undefined {
    return this.table.get(symbol)?.state;
  }

  countReconnect(): void {
    for (const s of this.table.values()) s.reconnects++;
  }

  snapshot(): FeedSymbolStatus[] {
    return [...this.table].map(([symbol, s]) => ({ venue: this.venue, symbol, source: this.source, ...s, lastPrice: s.lastPrice?.toString() ?? '' }));
  }
}
