import { parseBarInterval } from './bar-interval';
import type { BarInterval } from './bar-interval';
import type { BarAggregator, BarAggregatorOptions } from './bar-types';
import { TimeBarAggregator } from './time-bar-aggregator';
import { VolumeBarAggregator } from './volume-bar-aggregator';

/**
 * The aggregator for an interval token (`1m`, `v10`) or a parsed interval. The options apply to
 * time bars; volume bars have no clock, so no grace, retention or empty bars.
 */
export function createBarAggregator(interval: string | BarInterval, options: BarAggregatorOptions = {}): BarAggregator {
  const parsed = typeof interval === 'string' ? parseBarInterval(interval) : interval;
  return parsed.kind === 'time' ? new TimeBarAggregator(parsed, options) : new VolumeBarAggregator(parsed);
}
