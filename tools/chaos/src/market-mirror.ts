import { L2Book } from '@meridian/book';
import type { Bus, ConsumerHandle } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { BookUpdateBatch, TradeBatch, sideFromWire } from '@meridian/proto';
import { InvalidMarketDataError } from '@meridian/venue-sim';
import type { SimulatedExchange } from '@meridian/venue-sim';

/** What the mirror did, for the report. */
export interface MirrorStats {
  bookUpdates: number;
  trades: number;
  /** Deltas skipped because the book was out of sequence (it waits for the next snapshot). */
  outOfSequence: number;
  /** Updates the exchange refused as invalid; the first reason is kept. */
  refused: number;
  firstRefusal?: string;
}

/**
 * The platform's own market data (`md.<venue>.<symbol>.book` and `.trades`) applied to a simulated
 * exchange as its outside market, so a venue server over it fills orders at the platform's prices,
 * as the execution service's paper venue does in process. Deltas are sequenced by an `L2Book`
 * (the same check the paper venue makes): out of sequence, the exchange keeps its last mirror until
 * the next snapshot.
 */
export class MarketMirror {
  readonly stats: MirrorStats = { bookUpdates: 0, trades: 0, outOfSequence: 0, refused: 0 };

  private constructor(private readonly handles: ConsumerHandle[]) {}

  static async start(bus: Bus, exchange: SimulatedExchange, marketVenue: string, symbols: readonly string[]): Promise<MarketMirror> {
    const handles: ConsumerHandle[] = [];
    const mirror = new MarketMirror(handles);
    const refused = (err: unknown) => {
      if (!(err instanceof InvalidMarketDataError)) throw err;
      mirror.stats.refused += 1;
      mirror.stats.firstRefusal ??= err.message;
    };
    for (const symbol of symbols) {
      const book = new L2Book(symbol);
      handles.push(
        await bus.follow(
          'MARKET',
          bus.subjects.marketData(marketVenue, symbol, 'book'),
          BookUpdateBatch,
          (batch) => {
            for (const u of batch.updates) {
              const bids = u.bids.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
              const asks = u.asks.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
              const r = u.snapshot ? book.applySnapshot(u.seq, bids, asks) : book.applyDelta(u.seq, bids, asks);
              if (!r.ok) {
                mirror.stats.outOfSequence += 1;
                continue;
              }
              try {
                exchange.applyMarketBook(symbol, { snapshot: u.snapshot, bids, asks });
                mirror.stats.bookUpdates += 1;
              } catch (err) {
                refused(err);
              }
            }
          },
          // From the stream's start: the mirror subscribes before the source publishes its first snapshot.
          { deliver: 'all' },
        ),
      );
      handles.push(
        await bus.follow(
          'MARKET',
          bus.subjects.marketData(marketVenue, symbol, 'trades'),
          TradeBatch,
          (batch) => {
            for (const t of batch.trades) {
              try {
                exchange.applyMarketTrade(symbol, { price: Decimal.parse(t.price), quantity: Decimal.parse(t.size), aggressor: sideFromWire(t.aggressor) });
                mirror.stats.trades += 1;
              } catch (err) {
                refused(err);
              }
            }
          },
          { deliver: 'all' },
        ),
      );
    }
    return mirror;
  }

  async stop(): Promise<void> {
    for (const h of this.handles) await h.stop();
  }
}
