import { L2Book } from '@meridian/book';
import type { Level } from '@meridian/book';
import { Decimal, nowNanos } from '@meridian/domain';
import { Bbo, BookUpdateBatch, OrderBookServiceService } from '@meridian/proto';
import type { BookUpdate } from '@meridian/proto';
import type { OrderBookServiceServer, PriceLevel } from '@meridian/proto';
import { PoisonMessageError } from '@meridian/bus';
import { Status, field, grpcError, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext } from '@meridian/runtime';

const schema = {
  MARKET_VENUES: field.list('Market-data venues whose books this replica keeps', ['sim']),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

function levelsFromWire(field: string, levels: readonly PriceLevel[]): Level[] {
  return levels.map((l, i) => {
    try {
      return { price: Decimal.parse(l.price), size: Decimal.parse(l.size) };
    } catch (err) {
      throw new PoisonMessageError('invalid_level', `${field}[${i}]: ${(err as Error).message}`);
    }
  });
}

function levelsToWire(levels: readonly Level[]): PriceLevel[] {
  return levels.map((l) => ({ price: l.price.toString(), size: l.size.toString() }));
}

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  const applied = metrics.counter({ name: 'book_updates_total', help: 'Book updates by result', labelNames: ['result'] });
  const synced = metrics.gauge({ name: 'book_synced', help: '1 while a book is in sync', labelNames: ['venue', 'symbol'] });
  const bboPublished = metrics.counter({ name: 'bbo_published_total', help: 'BBO changes published' });

  const books = new Map<string, { book: L2Book; tsNs: bigint; lastBbo: string }>();
  const key = (venue: string, symbol: string) => `${venue}/${symbol}`;
  for (const venue of config.MARKET_VENUES) {
    for (const symbol of ctx.shard.symbols) {
      const entry = { book: new L2Book(symbol), tsNs: 0n, lastBbo: '' };
      books.set(key(venue, symbol), entry);
      const labels = { venue, symbol };
      synced.set(labels, 0);
      const onUpdate = async (u: BookUpdate): Promise<void> => {
        const bids = levelsFromWire('bids', u.bids);
        const asks = levelsFromWire('asks', u.asks);
        const wasSynced = entry.book.synced;
        const r = u.snapshot ? entry.book.applySnapshot(u.seq, bids, asks) : entry.book.applyDelta(u.seq, bids, asks);
        applied.inc({ result: r.ok ? (u.snapshot ? 'snapshot' : 'delta') : r.reason });
        if (!r.ok && r.reason !== 'not_synced' && r.reason !== 'stale') {
          logger.warn(
            { venue, symbol, seq: u.seq.toString(), reason: r.reason, detail: r.detail },
            'book update refused; waiting for a snapshot',
          );
        }
        if (wasSynced !== entry.book.synced) synced.set(labels, entry.book.synced ? 1 : 0);
        if (!r.ok || !entry.book.synced) return;
        entry.tsNs = u.tsNs;
        const bid = entry.book.bestBid();
        const ask = entry.book.bestAsk();
        const signature = `${bid?.price}:${bid?.size}|${ask?.price}:${ask?.size}`;
        if (signature === entry.lastBbo) return;
        entry.lastBbo = signature;
        await bus.publish(
          bus.subjects.marketData(venue, symbol, 'bbo'),
          Bbo,
          Bbo.fromPartial({
            venue,
            symbol,
            seq: u.seq,
            bid: bid ? { price: bid.price.toString(), size: bid.size.toString() } : undefined,
            ask: ask ? { price: ask.price.toString(), size: ask.size.toString() } : undefined,
            tsNs: nowNanos(),
          }),
        );
        bboPublished.inc();
      };
      // Market data is followed from "now": a restarted replica re-syncs on the next snapshot.
      await bus.follow(
        'MARKET',
        bus.subjects.marketData(venue, symbol, 'book'),
        BookUpdateBatch,
        async (batch) => {
          for (const u of batch.updates) await onUpdate(u);
        },
        { deliver: 'new' },
      );
    }
  }

  const grpcImpl: OrderBookServiceServer = {
    // Being built in this change (issue 3); until then it says so rather than hanging.
    streamBook: (call) => call.destroy(grpcError(Status.UNIMPLEMENTED, 'StreamBook is not implemented yet')),
    getBook: (call, callback) => {
      const { venue, symbol, depth } = call.request;
      const entry = books.get(key(venue || config.MARKET_VENUES[0]!, symbol));
      if (!entry) {
        callback(
          grpcError(
            Status.NOT_FOUND,
            `no book for venue ${JSON.stringify(venue)} symbol ${JSON.stringify(symbol)} on this shard (symbols: ${ctx.shard.symbols.join(', ')})`,
          ),
        );
        return;
      }
      const d = entry.book.depth(depth === 0 ? 10 : depth);
      callback(null, {
        venue: venue || config.MARKET_VENUES[0]!,
        symbol,
        seq: entry.book.seq,
        synced: entry.book.synced,
        bids: levelsToWire(d.bids),
        asks: levelsToWire(d.asks),
        tsNs: entry.tsNs,
      });
    },
  };

  return {
    grpc: [{ name: 'OrderBookService', definition: OrderBookServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
  };
}

runService({ name: 'order-book', ports: { http: 9402, grpc: 50402 }, config: schema, start });
