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
 * Keeps one Decimal per integer value it is asked for, up to a bound: a random walk revisits its
 * prices, and building a Decimal (a bigint and an object) costs more than the rest of a bar.
 */
class UnitCache {
  private readonly map = new Map<number, Decimal>();
  constructor(
    private readonly unit: Decimal,
    private readonly max = 65_536,
  ) {}

  of(n: number): Decimal {
    let d = this.map.get(n);
    if (d === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      d = Decimal.fromUnits(BigInt(n) * this.unit.coef, this.unit.scale);
      this.map.set(n, d);
    }
    return d;
  }
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
      const prices = new UnitCache(tick);
      const volumes = new UnitCache(lot);
      const n = options.symbols.length;
      const closes = new Float64Array(n).fill(options.startTicks ?? 1_000_000);
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
          chunk.push({
            kind: 'bar',
            symbol: options.symbols[k]!,
            tsNs: endNs,
            interval: token,
            startNs,
            open: prices.of(open),
            high: prices.of(high),
            low: prices.of(low),
            close: prices.of(close),
            volume: volumes.of(1 + Math.floor(random() * maxLots)),
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
