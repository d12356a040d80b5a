import { TickScale } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import { parseBarInterval } from '@meridian/signals';
import { seededRandom } from '@meridian/venue-sim';
import { BacktestConfigError } from '../errors';
import type { BarEvent } from '../events';
import type { EventSource } from './source';

export interface SyntheticBarsOptions {
  readonly symbols: readonly string[];
  /** A time-bar token (default `1m`). */
  readonly interval?: string;
  /** Bars per symbol. */
  readonly bars: number;
  /** Start of the first bar, ns since the epoch (default 2024-01-01T00:00Z). */
  readonly startNs?: bigint;
  readonly seed: number;
  /** Every price is a whole number of this (default 0.01). */
  readonly tickSize?: Decimal;
  /** Starting price, in ticks (default 1,000,000: 10,000.00 at a 0.01 tick). */
  readonly startTicks?: number;
  /** σ of one bar's log return (default 0.001). */
  readonly volatility?: number;
  /** Volume per bar is a whole number of this (default 0.001), up to `maxVolumeLots` of them. */
  readonly lotSize?: Decimal;
  readonly maxVolumeLots?: number;
  /** Bars per chunk (default 4096). */
  readonly chunkSize?: number;
}

/**
 * Deterministic synthetic OHLCV bars for many symbols, generated as they are read (a year of
 * minute bars for a hundred symbols is never held): per symbol a geometric random walk of the
 * close in whole ticks, the bar's high and low a random distance beyond open and close, a random
 * volume; bars of one interval come for every symbol in list order before the next interval. The
 * same options give the same bars.
 */
export function syntheticBars(options: SyntheticBarsOptions): EventSource {
  const interval = parseBarInterval(options.interval ?? '1m');
  if (interval.kind !== 'time') throw new BacktestConfigError('synthetic.interval', interval.token, 'must be a time bar interval');
  if (!Number.isSafeInteger(options.bars) || options.bars < 0) throw new BacktestConfigError('synthetic.bars', options.bars, 'must be a non-negative integer');
  if (!Array.isArray(options.symbols) || options.symbols.length === 0) throw new BacktestConfigError('synthetic.symbols', options.symbols, 'must be a non-empty array');
  const tick = options.tickSize ?? Decimal.parse('0.01');
  const lot = options.lotSize ?? Decimal.parse('0.001');
  if (!(tick instanceof Decimal) || !tick.isPositive()) throw new BacktestConfigError('synthetic.tickSize', tick, 'must be a positive Decimal');
  if (!(lot instanceof Decimal) || !lot.isPositive()) throw new BacktestConfigError('synthetic.lotSize', lot, 'must be a positive Decimal');
  const startTicks = options.startTicks ?? 1_000_000;
  if (!Number.isSafeInteger(startTicks) || startTicks < 1) throw new BacktestConfigError('synthetic.startTicks', startTicks, 'must be a positive integer');
  const scale = new TickScale(tick, lot);
  const sigma = options.volatility ?? 0.001;
  const maxLots = options.maxVolumeLots ?? 5_000;
  const start = options.startNs ?? 1_704_067_200_000_000_000n;
  const chunkSize = options.chunkSize ?? 4096;
  const ns = interval.ns;
  const token = interval.token;
  return {
    name: `synthetic bars (${options.symbols.length} symbols × ${options.bars}, seed ${options.seed})`,
    *chunks() {
      const random = seededRandom(options.seed);
      const n = options.symbols.length;
      const closes = new Float64Array(n).fill(startTicks);
      // Each bar opens at the previous close: that Decimal is reused (the float path of `fromTicks` makes the others).
      const closeValues: Decimal[] = Array.from(closes, (ticks) => scale.fromTicks(ticks));
      let chunk: BarEvent[] = [];
      for (let b = 0; b < options.bars; b++) {
        const startNs = start + BigInt(b) * ns;
        const endNs = startNs + ns;
        for (let k = 0; k < n; k++) {
          const open = closes[k]!;
          // Box-Muller on the seeded RNG.
          const u1 = 1 - random();
          const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
          const close = Math.max(1, Math.round(open * Math.exp(sigma * z)));
          const high = Math.max(open, close) + Math.floor(random() * open * sigma);
          const low = Math.max(1, Math.min(open, close) - Math.floor(random() * open * sigma));
          closes[k] = close;
          const openValue = closeValues[k]!;
          const closeValue = close === open ? openValue : scale.fromTicks(close);
          closeValues[k] = closeValue;
          chunk.push({
            kind: 'bar',
            symbol: options.symbols[k]!,
            tsNs: endNs,
            interval: token,
            startNs,
            open: openValue,
            high: high === open ? openValue : high === close ? closeValue : scale.fromTicks(high),
            low: low === open ? openValue : low === close ? closeValue : scale.fromTicks(low),
            close: closeValue,
            volume: scale.fromLots(1 + Math.floor(random() * maxLots)),
            trades: 1,
            revision: 0,
          });
          if (chunk.length >= chunkSize) {
            yield chunk;
            chunk = [];
          }
        }
      }
      if (chunk.length > 0) yield chunk;
    },
  };
}
