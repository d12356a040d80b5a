import { FeedStatusTable, SymbolBook, rejectReasonFor } from '@meridian/venues';
import type { FeedSink, FeedSymbolStatus, MarketFeed } from '@meridian/venues';
import { nowNanos } from '@meridian/domain';
import { MarketSimulator } from './simulator/market-simulator';
import type { SimEvent } from './simulator/market-simulator';
import { simulatedInstrument } from './instruments';

export interface SimulatorFeedOptions {
  readonly venue: string;
  readonly symbols: readonly string[];
  readonly seed: number;
  readonly eventRate: number;
  readonly volatility: number;
  readonly depth: number;
  readonly stepMs: number;
  readonly snapshotIntervalMs: number;
}

/**
 * The seeded market simulator as a feed like any venue's: its book events go through the same
 * adapter-side book and numbering as a live venue's, so downstream cannot tell the difference.
 */
export class SimulatorFeed implements MarketFeed {
  readonly source = 'simulator';
  readonly venue: string;
  readonly symbols: readonly string[];
  private readonly table: FeedStatusTable;
  private readonly sims = new Map<string, { sim: MarketSimulator; book: SymbolBook }>();
  private timer: NodeJS.Timeout | undefined;
  private lastSnapshotMs = 0;

  constructor(private readonly options: SimulatorFeedOptions) {
    this.venue = options.venue;
    this.symbols = options.symbols;
    this.table = new FeedStatusTable(options.venue, this.source, options.symbols);
    const startMs = Date.now();
    options.symbols.forEach((symbol, i) => {
      const instrument = simulatedInstrument(symbol, options.volatility, options.eventRate, options.depth);
      const book = new SymbolBook(options.venue, symbol, (u) => this.table.book(u));
      this.sims.set(symbol, { sim: new MarketSimulator(instrument, options.seed + i, startMs), book });
    });
  }

  start(sink: FeedSink): Promise<void> {
    this.table.attach(sink);
    this.step(); // the first step publishes the opening snapshot
    this.timer = setInterval(() => this.step(), this.options.stepMs);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.table.setState(undefined, 'stopped', 'feed stopped');
    return Promise.resolve();
  }

  status(): FeedSymbolStatus[] {
    return this.table.snapshot();
  }

  private step(): void {
    const now = Date.now();
    const snapshotDue = now - this.lastSnapshotMs >= this.options.snapshotIntervalMs;
    if (snapshotDue) this.lastSnapshotMs = now;
    for (const [symbol, { sim, book }] of this.sims) {
      for (const e of sim.advance(now)) this.emit(book, e);
      if (snapshotDue) {
        this.emit(book, sim.snapshot(now));
        this.table.setState(symbol, 'live', 'simulator running');
      }
    }
  }

  private emit(book: SymbolBook, e: SimEvent): void {
    const tsNs = BigInt(e.tsMs) * 1_000_000n;
    const receivedTsNs = nowNanos();
    if (e.kind === 'trade') {
      const { symbol, tradeId, price, size, aggressor } = e;
      this.table.trade({ venue: this.venue, symbol, tradeId, price, size, aggressor, tsNs, receivedTsNs });
      return;
    }
    const r = e.snapshot ? book.snapshot(e.bids, e.asks, tsNs, receivedTsNs) : book.delta(e.bids, e.asks, tsNs, receivedTsNs);
    if (!r.ok && r.reason !== 'not_synced') {
      // The simulator guarantees a valid book; if that ever breaks, say so like any venue would.
      this.table.reject({ venue: this.venue, symbol: e.symbol, reason: rejectReasonFor(r.reason), detail: r.detail });
    }
  }
}
