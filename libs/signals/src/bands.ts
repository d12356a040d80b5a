import { InvalidModelConfigError, requireFinite, requirePeriod } from './errors';
import { RollingStd, Sma } from './indicators';
import type { Indicator } from './indicators';

export interface BollingerValue {
  /** SMA of the window. */
  readonly middle: number;
  /** middle + stdDevs × σ. */
  readonly upper: number;
  /** middle - stdDevs × σ. */
  readonly lower: number;
  /** Where the input sits in the band: (x - lower) / (upper - lower); 0.5 for a flat window. */
  readonly percentB: number;
  /** (upper - lower) / middle; 0 for a flat window (or a zero middle, possible only for inputs that can be negative). */
  readonly bandwidth: number;
}

/**
 * Bollinger bands over the last `period` inputs with the population σ (÷ n, as Bollinger and
 * TA-Lib define it). A flat window (σ = 0) reads %b 0.5 and bandwidth 0 rather than 0/0.
 */
export class BollingerBands implements Indicator<number, BollingerValue> {
  readonly period: number;
  readonly stdDevs: number;
  private readonly sma: Sma;
  private readonly std: RollingStd;
  private current: BollingerValue | undefined;

  constructor(period: number, stdDevs = 2) {
    this.period = requirePeriod('BollingerBands period', period);
    if (typeof stdDevs !== 'number' || !Number.isFinite(stdDevs) || stdDevs <= 0) {
      throw new InvalidModelConfigError('stdDevs', stdDevs, 'must be a positive finite number');
    }
    this.stdDevs = stdDevs;
    this.sma = new Sma(this.period);
    this.std = new RollingStd(this.period);
  }

  update(x: number): BollingerValue | undefined {
    requireFinite('BollingerBands input', x);
    const middle = this.sma.update(x);
    const sigma = this.std.update(x);
    if (middle === undefined || sigma === undefined) return undefined;
    const upper = middle + this.stdDevs * sigma;
    const lower = middle - this.stdDevs * sigma;
    const width = upper - lower;
    this.current =
      width === 0
        ? { middle, upper, lower, percentB: 0.5, bandwidth: 0 }
        : { middle, upper, lower, percentB: (x - lower) / width, bandwidth: middle === 0 ? 0 : width / middle };
    return this.current;
  }

  get value(): BollingerValue | undefined {
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
 * How unusual the latest input is against the last `period` inputs (itself included):
 * (x - mean) / σ with the population σ; 0 for a flat window. On volume it flags bursts of
 * activity whatever the symbol's usual size.
 */
export class RollingZScore implements Indicator {
  readonly period: number;
  private readonly sma: Sma;
  private readonly std: RollingStd;
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('RollingZScore period', period);
    this.sma = new Sma(this.period);
    this.std = new RollingStd(this.period);
  }

  update(x: number): number | undefined {
    requireFinite('RollingZScore input', x);
    const mean = this.sma.update(x);
    const sigma = this.std.update(x);
    if (mean === undefined || sigma === undefined) return undefined;
    this.current = sigma === 0 ? 0 : (x - mean) / sigma;
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
