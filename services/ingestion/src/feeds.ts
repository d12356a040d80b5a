import type { Logger } from '@meridian/runtime';
import type { MarketFeed, SourceSpec } from '@meridian/venues';
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
}

/** The one place that turns `MARKET_SOURCE` into a running feed. */
export function createFeed(spec: SourceSpec, config: FeedConfig, shardSymbols: readonly string[], _logger: Logger): MarketFeed {
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
    default:
      throw new Error(`MARKET_SOURCE ${spec.kind} is not wired yet`);
  }
}
