import { nowNanos } from '@meridian/domain';
import { BookUpdate, BookUpdateBatch, IngestionServiceService, Trade, TradeBatch, sideToWire } from '@meridian/proto';
import type { FeedStatus, IngestionServiceServer } from '@meridian/proto';
import { field, runService } from '@meridian/runtime';
import type { ServiceContext, BaseSchema, ConfigOf } from '@meridian/runtime';
import { MarketSimulator } from './simulator/market-simulator';
import type { SimEvent } from './simulator/market-simulator';
import { simulatedInstrument } from './instruments';

const schema = {
  MARKET_VENUE: field.string('Venue id the simulator publishes as (md.<venue>.<symbol>.*)', 'sim'),
  SIM_SEED: field.int('Seed of the simulator; symbol i uses seed + i', 42),
  SIM_EVENT_RATE: field.number('Mean market events per second per symbol', 20, { min: 0.1, max: 100_000 }),
  SIM_VOLATILITY: field.number('Annualised volatility of the simulated fair price', 0.8, { min: 0, max: 20 }),
  SIM_DEPTH: field.int('Price levels per side the simulated book keeps', 20, { min: 5, max: 1000 }),
  SIM_STEP_MS: field.int('How often the simulator advances and publishes, ms', 100, { min: 5 }),
  SNAPSHOT_INTERVAL_MS: field.int('How often a full book snapshot is published, ms', 2_000, { min: 100 }),
};

type Config = ConfigOf<typeof schema & BaseSchema>;

interface Feed {
  sim: MarketSimulator;
  status: FeedStatus;
}

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  const venue = config.MARKET_VENUE;
  const events = metrics.counter({ name: 'md_events_published_total', help: 'Market events published', labelNames: ['kind'] });
  const failures = metrics.counter({ name: 'md_publish_failures_total', help: 'Market events that failed to publish', labelNames: ['kind'] });

  const startMs = Date.now();
  const feeds = new Map<string, Feed>();
  ctx.shard.symbols.forEach((symbol, i) => {
    const instrument = simulatedInstrument(symbol, config.SIM_VOLATILITY, config.SIM_EVENT_RATE, config.SIM_DEPTH);
    feeds.set(symbol, {
      sim: new MarketSimulator(instrument, config.SIM_SEED + i, startMs),
      status: {
        venue,
        symbol,
        trades: 0n,
        bookUpdates: 0n,
        lastPrice: instrument.initialPrice.toString(),
        lastEventTsNs: 0n,
        source: 'simulator',
        state: 'live',
        reconnects: 0n,
        rejected: 0n,
        resyncs: 0n,
      },
    });
  });

  /** Converts a simulator event to its wire message and adds it to the step's batches. */
  const collect = (feed: Feed, e: SimEvent, trades: Trade[], updates: BookUpdate[]): void => {
    const tsNs = BigInt(e.tsMs) * 1_000_000n;
    const receivedTsNs = nowNanos();
    feed.status.lastEventTsNs = tsNs;
    if (e.kind === 'trade') {
      feed.status.trades += 1n;
      feed.status.lastPrice = e.price.toString();
      trades.push(
        Trade.fromPartial({
          venue,
          symbol: e.symbol,
          tradeId: e.tradeId,
          price: e.price.toString(),
          size: e.size.toString(),
          aggressor: sideToWire(e.aggressor),
          tsNs,
          receivedTsNs,
        }),
      );
      return;
    }
    feed.status.bookUpdates += 1n;
    updates.push(
      BookUpdate.fromPartial({
        venue,
        symbol: e.symbol,
        seq: e.seq,
        snapshot: e.snapshot,
        bids: e.bids.map((l) => ({ price: l.price.toString(), size: l.size.toString() })),
        asks: e.asks.map((l) => ({ price: l.price.toString(), size: l.size.toString() })),
        tsNs,
        receivedTsNs,
      }),
    );
  };

  /** One message per symbol and kind per step: JetStream costs per message, not per event. */
  const publishBatches = (feed: Feed, trades: Trade[], updates: BookUpdate[]): Promise<unknown>[] => {
    const symbol = feed.status.symbol;
    const out: Promise<unknown>[] = [];
    if (trades.length > 0) {
      const p = bus.publish(bus.subjects.marketData(venue, symbol, 'trades'), TradeBatch, { trades });
      out.push(track('trade', trades.length, p));
    }
    if (updates.length > 0) {
      const p = bus.publish(bus.subjects.marketData(venue, symbol, 'book'), BookUpdateBatch, { updates });
      out.push(track('book', updates.length, p));
    }
    return out;
  };

  // Publishes keep their order on one connection; a step waits for the previous step's acks so
  // a slow server slows the simulator instead of queueing without bound.
  let inFlight: Promise<void> = Promise.resolve();
  let lastSnapshotMs = 0;
  let stopped = false;
  const step = () => {
    if (stopped) return;
    inFlight = inFlight.then(async () => {
      const now = Date.now();
      const batch: Promise<unknown>[] = [];
      const snapshotDue = now - lastSnapshotMs >= config.SNAPSHOT_INTERVAL_MS;
      for (const feed of feeds.values()) {
        const trades: Trade[] = [];
        const updates: BookUpdate[] = [];
        for (const e of feed.sim.advance(now)) collect(feed, e, trades, updates);
        if (snapshotDue) collect(feed, feed.sim.snapshot(now), trades, updates);
        batch.push(...publishBatches(feed, trades, updates));
      }
      if (snapshotDue) lastSnapshotMs = now;
      await Promise.all(batch);
    });
  };
  const track = (kind: string, count: number, p: Promise<unknown>) =>
    p.then(
      () => events.inc({ kind }, count),
      (err: unknown) => {
        failures.inc({ kind }, count);
        logger.warn({ err, kind, count }, 'market events not published');
      },
    );
  const timer = setInterval(step, config.SIM_STEP_MS);
  logger.info({ venue, symbols: ctx.shard.symbols, eventRate: config.SIM_EVENT_RATE, seed: config.SIM_SEED }, 'market simulator running');

  const grpcImpl: IngestionServiceServer = {
    getFeedStatus: (_call, callback) => callback(null, { feeds: [...feeds.values()].map((f) => ({ ...f.status })) }),
  };

  return {
    grpc: [{ name: 'IngestionService', definition: IngestionServiceService, implementation: grpcImpl }],
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

runService({ name: 'ingestion', ports: { http: 9401, grpc: 50401 }, config: schema, start });
