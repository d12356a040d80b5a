import { ConfigError, readSecret } from '@meridian/runtime';
import type { Logger } from '@meridian/runtime';
import { AlpacaMarketDataFeed, BinanceSpotFeed, OkxPublicFeed, openReplayFeed } from '@meridian/venues';
import type { FrameRecorder, MarketFeed, SourceSpec } from '@meridian/venues';
import { SimulatorFeed } from './simulator-feed';

/** The configuration keys the feeds read (a subset of the service's config). */
export interface FeedConfig {
  readonly MARKET_VENUE: string;
  readonly SIM_SEED: number;
  readonly SIM_EVENT_RATE: number;
  readonly SIM_VOLATILITY: number;
  readonly SIM_DEPTH: number;
  readonly SIM_STEP_MS: number;
  readonly SNAPSHOT_INTERVAL_MS: number;
  readonly OKX_WS_URL: string;
  readonly OKX_REST_URL: string;
  readonly OKX_BOOK_CHANNEL: 'books' | 'books5' | 'bbo-tbt';
  readonly BINANCE_WS_URL: string;
  readonly BINANCE_REST_URL: string;
  readonly ALPACA_DATA_URL: string;
  readonly ALPACA_STOCK_FEED: 'iex' | 'sip';
  readonly REPLAY_SPEED: number;
}

/**
 * The one place that turns `MARKET_SOURCE` into a running feed.
 *
 * Venue-computed bars (OKX candles, Binance klines, Alpaca minute bars) are not subscribed: the
 * platform builds its bars from trades, exactly and the same way for every venue, so a series never
 * mixes two definitions of a bar. The adapters support them for other uses.
 */
export async function createFeed(
  spec: SourceSpec,
  config: FeedConfig,
  shardSymbols: readonly string[],
  logger: Logger,
  recorder?: FrameRecorder,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MarketFeed> {
  const onWarning = (message: string) => logger.warn({ source: spec.kind }, message);
  switch (spec.kind) {
    case 'simulator':
      return new SimulatorFeed({
        venue: config.MARKET_VENUE,
        symbols: shardSymbols,
        seed: config.SIM_SEED,
        eventRate: config.SIM_EVENT_RATE,
        volatility: config.SIM_VOLATILITY,
        depth: config.SIM_DEPTH,
        stepMs: config.SIM_STEP_MS,
        snapshotIntervalMs: config.SNAPSHOT_INTERVAL_MS,
      });
    case 'okx':
      return new OkxPublicFeed({
        instruments: spec.symbols.map((instId) => ({ instId, book: config.OKX_BOOK_CHANNEL, trades: true })),
        wsUrl: config.OKX_WS_URL,
        restUrl: config.OKX_REST_URL,
        onWarning,
        recorder,
      });
    case 'binance':
      return new BinanceSpotFeed({ symbols: spec.symbols, wsUrl: config.BINANCE_WS_URL, restUrl: config.BINANCE_REST_URL, klineIntervals: [], recorder });
    case 'alpaca':
    case 'alpaca-crypto': {
      const key = readSecret(env, 'ALPACA_API_KEY_ID');
      const secret = readSecret(env, 'ALPACA_API_SECRET_KEY');
      const missing = [!key && 'ALPACA_API_KEY_ID', !secret && 'ALPACA_API_SECRET_KEY'].filter((k): k is string => typeof k === 'string');
      if (missing.length > 0) {
        throw new ConfigError(missing.map((k) => `${k}: required for MARKET_SOURCE ${spec.kind} (or ${k}_FILE naming a file that holds it)`));
      }
      return new AlpacaMarketDataFeed({
        market: spec.kind === 'alpaca' ? 'stocks' : 'crypto',
        key: key!,
        secret: secret!,
        symbols: spec.symbols,
        stockFeed: config.ALPACA_STOCK_FEED,
        baseUrl: config.ALPACA_DATA_URL,
        channels: { trades: true, quotes: true, bars: false },
      });
    }
    case 'replay':
      return openReplayFeed(spec.path, { speed: config.REPLAY_SPEED, onWarning });
  }
}
