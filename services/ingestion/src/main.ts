import { IngestionServiceService } from '@meridian/proto';
import type { IngestionServiceServer } from '@meridian/proto';
import { field, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, Field, ServiceContext } from '@meridian/runtime';
import { parseBarInterval } from '@meridian/signals';
import { RecordingWriter, parseSourceSpec } from '@meridian/venues';
import type { NormalizedTrade } from '@meridian/venues';
import type { SourceSpec } from '@meridian/venues';
import { BarPublisher } from './bar-publisher';
import { createFeed } from './feeds';
import { MarketPublisher } from './market-publisher';
import { IngestionPipeline } from './pipeline';
import { EventValidator } from './validator';

const sourceField: Field<SourceSpec> = {
  doc: 'Market data source: simulator, <okx|binance|alpaca|alpaca-crypto>:<symbols>, or replay:<file>',
  default: { kind: 'simulator' },
  parse: parseSourceSpec,
};

const schema = {
  MARKET_SOURCE: sourceField,
  MARKET_VENUE: field.string('Venue id the simulator publishes as (md.<venue>.<symbol>.*); live sources use their own', 'sim'),
  SIM_SEED: field.int('Seed of the simulator; symbol i uses seed + i', 42),
  SIM_EVENT_RATE: field.number('Mean market events per second per symbol', 20, { min: 0.1, max: 100_000 }),
  SIM_VOLATILITY: field.number('Annualised volatility of the simulated fair price', 0.8, { min: 0, max: 20 }),
  SIM_DEPTH: field.int('Price levels per side the simulated book keeps', 20, { min: 5, max: 1000 }),
  SIM_STEP_MS: field.int('How often the simulator advances and publishes, ms', 100, { min: 5 }),
  SNAPSHOT_INTERVAL_MS: field.int('How often the simulator publishes a full book snapshot, ms', 2_000, { min: 100 }),
  OKX_WS_URL: field.url('OKX public WebSocket', 'wss://ws.okx.com:8443/ws/v5/public', ['ws', 'wss']),
  OKX_REST_URL: field.url('OKX REST base (order-book snapshots)', 'https://www.okx.com', ['http', 'https']),
  OKX_BOOK_CHANNEL: field.oneOf('OKX book channel: books (400 levels, synchronised), books5 or bbo-tbt', ['books', 'books5', 'bbo-tbt'] as const, 'books'),
  BINANCE_WS_URL: field.url('Binance WebSocket base, without path', 'wss://stream.binance.com:9443', ['ws', 'wss']),
  BINANCE_REST_URL: field.url('Binance REST base (depth snapshots)', 'https://api.binance.com', ['http', 'https']),
  ALPACA_DATA_URL: field.url('Alpaca market-data WebSocket base; credentials come from ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY (or their _FILE forms)', 'wss://stream.data.alpaca.markets', ['ws', 'wss']),
  ALPACA_STOCK_FEED: field.oneOf('Alpaca stock feed: iex (free) or sip (paid)', ['iex', 'sip'] as const, 'iex'),
  MARKET_RECORD_FILE: field.string('Append the raw session of a live OKX or Binance feed (frames and REST snapshots) to this file, for replay:<file>; empty = off', ''),
  REPLAY_SPEED: field.number('Replay pace: 1 = as recorded, 10 = ten times faster, 0 = as fast as possible', 1, { min: 0, max: 1_000_000 }),
  BAR_INTERVALS: field.list('Bars built from trades and published on md.<venue>.<symbol>.bars.<interval>: time (1s, 1m, 5m, 1h…) and volume (v10, v0p5) tokens', ['1s', '1m', '5m', '1h'], (t) => parseBarInterval(t).token),
  BAR_GRACE_MS: field.int('How long after its end a time bar waits for out-of-order trades before it is published, ms', 500, { min: 0, max: 60_000 }),
  BAR_LATE_RETENTION_MS: field.int('How long a published bar can still be corrected by a late trade (re-published with revision + 1), ms', 300_000, { min: 0 }),
  MAX_EVENT_AGE_MS: field.int('Trades received more than this long after their exchange time are refused as stale, ms; 0 = off', 60_000, { min: 0 }),
  PUBLISH_MAX_BATCH: field.int('Most market events in one JetStream message', 500, { min: 1, max: 10_000 }),
  PUBLISH_FLUSH_MS: field.int('Longest an event waits for its batch, ms', 5, { min: 1, max: 1_000 }),
  PUBLISH_MAX_IN_FLIGHT: field.int('JetStream publishes awaiting acks before events gather into bigger batches', 64, { min: 1, max: 10_000 }),
  PUBLISH_MAX_BUFFERED: field.int('Events buffered before a live feed’s events are dropped (and counted)', 200_000, { min: 1_000 }),
};

export type IngestionConfig = ConfigOf<typeof schema & BaseSchema>;

async function start(ctx: ServiceContext<IngestionConfig>) {
  const { bus, config, logger, metrics, health } = ctx;
  const recording = config.MARKET_RECORD_FILE === '' ? undefined : new RecordingWriter(config.MARKET_RECORD_FILE);
  const feed = await createFeed(config.MARKET_SOURCE, config, ctx.shard.symbols, logger, recording);
  if (recording) logger.info({ file: recording.path }, 'recording the raw feed session');
  const live = config.MARKET_SOURCE.kind !== 'replay';

  const events = metrics.counter({ name: 'md_events_published_total', help: 'Market events published (acknowledged by JetStream)', labelNames: ['kind'] });
  const messages = metrics.counter({ name: 'md_messages_published_total', help: 'JetStream messages carrying market events', labelNames: ['kind'] });
  const failures = metrics.counter({ name: 'md_publish_failures_total', help: 'Market events whose publish failed', labelNames: ['kind'] });
  const dropped = metrics.counter({ name: 'md_dropped_events_total', help: 'Market events dropped because the publish buffer was full', labelNames: ['kind'] });
  const publisher = new MarketPublisher(
    bus,
    { maxBatch: config.PUBLISH_MAX_BATCH, flushMs: config.PUBLISH_FLUSH_MS, maxInFlight: config.PUBLISH_MAX_IN_FLIGHT, maxBuffered: config.PUBLISH_MAX_BUFFERED },
    {
      published: (kind, n, m) => {
        events.inc({ kind }, n);
        messages.inc({ kind }, m);
      },
      failed: (kind, n, err) => {
        failures.inc({ kind }, n);
        logger.warn({ err, kind, events: n }, 'market events not published');
      },
      dropped: (kind, n) => dropped.inc({ kind }, n),
    },
  );
  metrics.gauge({
    name: 'md_publish_buffered_events',
    help: 'Market events waiting to be published',
    collect() {
      this.set(publisher.buffered);
    },
  });

  const barsPublished = metrics.counter({ name: 'md_bars_published_total', help: 'Bars published, by interval and whether it was a revision', labelNames: ['interval', 'revision'] });
  const barsFailed = metrics.counter({ name: 'md_bar_publish_failures_total', help: 'Bars whose publish failed after retries', labelNames: ['interval'] });
  const bars = new Map<string, BarPublisher>();
  for (const symbol of feed.symbols) {
    const publisherOfBars = new BarPublisher(
      bus,
      {
        venue: feed.venue,
        symbol,
        intervals: config.BAR_INTERVALS,
        aggregation: { graceNs: BigInt(config.BAR_GRACE_MS) * 1_000_000n, lateRetentionNs: BigInt(config.BAR_LATE_RETENTION_MS) * 1_000_000n },
      },
      {
        published: (bar) => barsPublished.inc({ interval: bar.interval, revision: bar.revision > 0 ? 'yes' : 'no' }),
        failed: (bar, err) => {
          barsFailed.inc({ interval: bar.interval });
          logger.warn({ err, symbol, interval: bar.interval, start: bar.startTsNs.toString() }, 'bar not published');
        },
      },
    );
    // Live data closes quiet bars on the wall clock; a replay's clock is its own trades.
    if (live) publisherOfBars.startClock(250);
    bars.set(symbol, publisherOfBars);
  }
  const onTrade = (t: NormalizedTrade) => {
    publisher.trade(t);
    bars.get(t.symbol)?.trade(t);
  };

  // Replays carry historical exchange times: no age check, no feed latency, bars on the data's clock.
  const validator = new EventValidator(feed.venue, feed.symbols, { maxEventAgeMs: live ? config.MAX_EVENT_AGE_MS : 0, recentTradeIds: 4096 });
  const pipeline = new IngestionPipeline(validator, { trade: onTrade, book: (u) => publisher.book(u) }, metrics, logger, live);
  // Ready once every symbol has been live at least once; a later resync shows in status and metrics.
  const everLive = new Set<string>();
  health.addCheck('feed_live', () => {
    for (const s of feed.status()) if (s.state === 'live' || s.state === 'finished') everLive.add(s.symbol);
    return feed.symbols.every((s) => everLive.has(s));
  });

  await feed.start(pipeline);
  logger.info({ source: feed.source, venue: feed.venue, symbols: feed.symbols }, 'market feed started');

  const grpcImpl: IngestionServiceServer = {
    getFeedStatus: (_call, callback) =>
      callback(null, {
        feeds: feed.status().map((s) => ({
          venue: s.venue,
          symbol: s.symbol,
          trades: BigInt(s.trades),
          bookUpdates: BigInt(s.bookUpdates),
          lastPrice: s.lastPrice,
          lastEventTsNs: s.lastEventTsNs,
          source: s.source,
          state: s.state,
          reconnects: BigInt(s.reconnects),
          rejected: BigInt(s.rejected),
          resyncs: BigInt(s.resyncs),
        })),
      }),
  };

  return {
    grpc: [{ name: 'IngestionService', definition: IngestionServiceService, implementation: grpcImpl }],
    stop: async () => {
      await feed.stop();
      // Open bars are not published on shutdown: a bar cut short would look complete. (After a
      // restart, the first bar of each interval holds only the trades seen since: see README.)
      await Promise.all([...bars.values()].map((b) => b.stop()));
      await publisher.drain();
      publisher.stop();
      await recording?.close();
      if (recording?.error) logger.error({ err: recording.error, file: recording.path }, 'the feed recording stopped early');
    },
  };
}

runService({ name: 'ingestion', ports: { http: 9401, grpc: 50401 }, config: schema, start });
