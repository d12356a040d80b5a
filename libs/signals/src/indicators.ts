import { requireFinite, requirePeriod } from './errors';
import { CompensatedSum, RingBuffer } from './rolling';

/**
 * What every streaming indicator offers: one O(1) update per observation. Most read one number
 * per step and give one; bar indicators (`Atr`, `Vwap`) read a bar, and `Macd` and
 * `BollingerBands` give a record of several lines.
 */
export interface Indicator<In = number, Out = number> {
  /** Feeds one observation; the new value once warm, otherwise undefined. */
  update(x: In): Out | undefined;
  /** The latest value, undefined until warm. */
  readonly value: Out | undefined;
  readonly ready: boolean;
  /** Observations needed for the first value, that one included. */
  readonly warmup: number;
}

/** Simple moving average over the last `period` values. */
export class Sma implements Indicator {
  readonly period: number;
  private readonly window: RingBuffer;
  private readonly sum = new CompensatedSum();
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('Sma period', period);
    this.window = new RingBuffer(this.period);
  }

  update(x: number): number | undefined {
    requireFinite('Sma input', x);
    const evicted = this.window.push(x);
    this.sum.add(x);
    if (evicted !== undefined) this.sum.add(-evicted);
    if (this.window.full) this.current = this.sum.value / this.period;
    return this.current;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period;
  }
}

/**
 * Exponential moving average with alpha = 2 / (period + 1), seeded with the simple average of
 * the first `period` values so the first output does not over-weight a single observation.
 */
export class Ema implements Indicator {
  readonly period: number;
  readonly alpha: number;
  private seedSum = 0;
  private seen = 0;
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('Ema period', period);
    this.alpha = 2 / (this.period + 1);
  }

  update(x: number): number | undefined {
    requireFinite('Ema input', x);
    if (this.current !== undefined) {
      this.current += this.alpha * (x - this.current);
      return this.current;
    }
    this.seedSum += x;
    this.seen += 1;
    if (this.seen === this.period) this.current = this.seedSum / this.period;
    return this.current;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period;
  }
}

/**
 * Population standard deviation (divides by n) over the last `period` values.
 *
 * Welford's update, extended to replace the evicted value in one step, avoids the catastrophic
 * cancellation of the textbook `E[x²] - E[x]²` form, and a constant input gives exactly 0.
 * Two refinements keep it at the accuracy of a two-pass recompute:
 * - values are shifted by one of their own before any arithmetic (exact for nearby floats), so a
 *   price near 1e6 moving by 1e-3 is handled as small numbers with fine rounding;
 * - sliding updates let rounding error random-walk forever, which the square root blows up
 *   whenever the true spread is near zero, so a second, add-only accumulator rebuilds the window
 *   alongside and replaces the sliding state every `period` updates. Each update stays O(1) and
 *   drift is bounded to one window's worth of steps;
 * - that bound is relative to the deviations that recently left the window, so a window that has
 *   just become constant (a run of empty bars after a busy hour) would keep a residue of about
 *   sqrt(eps) × the recent spread; a count of equal inputs in a row spots it and the state is set
 *   to exactly 0 spread there.
 */
export class RollingStd implements Indicator {
  readonly period: number;
  private readonly window: RingBuffer;
  private shift = 0;
  private mean = 0;
  private m2 = 0;
  private freshCount = 0;
  private freshShift = 0;
  private freshMean = 0;
  private freshM2 = 0;
  /** The latest input and how many inputs in a row equal it (at most `period`). */
  private last = Number.NaN;
  private run = 0;
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('RollingStd period', period);
    this.window = new RingBuffer(this.period);
  }

  update(x: number): number | undefined {
    requireFinite('RollingStd input', x);
    const evicted = this.window.push(x);
    if (evicted === undefined) {
      const n = this.window.size;
      if (n === 1) this.shift = x;
      const y = x - this.shift;
      const delta = y - this.mean;
      this.mean += delta / n;
      this.m2 += delta * (y - this.mean);
    } else {
      const y = x - this.shift;
      const old = evicted - this.shift;
      const previousMean = this.mean;
      this.mean += (y - old) / this.period;
      this.m2 += (y - old) * (y - this.mean + old - previousMean);
    }

    this.freshCount += 1;
    if (this.freshCount === 1) this.freshShift = x;
    const fy = x - this.freshShift;
    const delta = fy - this.freshMean;
    this.freshMean += delta / this.freshCount;
    this.freshM2 += delta * (fy - this.freshMean);
    if (this.freshCount === this.period) {
      // The fresh accumulator has seen exactly the values now in the window.
      this.shift = this.freshShift;
      this.mean = this.freshMean;
      this.m2 = this.freshM2;
      this.freshCount = 0;
      this.freshMean = 0;
      this.freshM2 = 0;
    }

    if (x === this.last) {
      if (this.run < this.period) this.run += 1;
    } else {
      this.last = x;
      this.run = 1;
    }
    if (this.run === this.period) {
      // Every value in the window is x: the exact state, whatever the sliding updates left.
      this.mean = x - this.shift;
      this.m2 = 0;
    }
    // Rounding can leave a hair below zero when the window is (nearly) constant.
    if (this.m2 < 0) this.m2 = 0;
    if (this.window.full) this.current = Math.sqrt(this.m2 / this.period);
    return this.current;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period;
  }
}

/**
 * Wilder's relative strength index in [0, 100]. The first value needs `period` price changes
 * (period + 1 inputs) and uses their simple averages; later ones use Wilder's smoothing.
 * A window with neither gains nor losses reads 50.
 */
export class Rsi implements Indicator {
  readonly period: number;
  private previous: number | undefined;
  private changes = 0;
  private avgGain = 0;
  private avgLoss = 0;
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('Rsi period', period);
  }

  update(x: number): number | undefined {
    requireFinite('Rsi input', x);
    const previous = this.previous;
    this.previous = x;
    if (previous === undefined) return undefined;
    const change = x - previous;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    this.changes += 1;
    if (this.changes <= this.period) {
      // Running simple means during warm-up, so the seed needs no buffer.
      this.avgGain += (gain - this.avgGain) / this.changes;
      this.avgLoss += (loss - this.avgLoss) / this.changes;
      if (this.changes < this.period) return undefined;
    } else {
      this.avgGain = (this.avgGain * (this.period - 1) + gain) / this.period;
      this.avgLoss = (this.avgLoss * (this.period - 1) + loss) / this.period;
    }
    const total = this.avgGain + this.avgLoss;
    this.current = total === 0 ? 50 : (100 * this.avgGain) / total;
    return this.current;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period + 1;
  }
}
