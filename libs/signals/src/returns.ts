import { InvalidModelConfigError, InvalidSignalInputError, requirePeriod } from './errors';
import { RollingStd } from './indicators';
import type { Indicator } from './indicators';
import { RingBuffer } from './rolling';

function requirePositive(what: string, x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new InvalidSignalInputError(what, x, 'must be a positive finite number');
  }
  return x;
}

/**
 * A function of the ratio of an input to the one `period` steps back: the shared body of
 * `Returns` and `LogReturns`. Inputs are prices (positive).
 */
abstract class LaggedRatio implements Indicator {
  readonly period: number;
  /** The last `period` inputs: a push evicts exactly the one `period` steps back. */
  private readonly lagged: RingBuffer;
  private current: number | undefined;

  constructor(
    private readonly name: string,
    period: number,
  ) {
    this.period = requirePeriod(`${name} period`, period);
    this.lagged = new RingBuffer(this.period);
  }

  /** The indicator's value for `ratio` = x / x[t - period]. */
  protected abstract of(ratio: number): number;

  update(x: number): number | undefined {
    requirePositive(`${this.name} input`, x);
    const before = this.lagged.push(x);
    // The ratio first: ln(x) - ln(before) loses the digits that two nearby prices share.
    if (before !== undefined) this.current = this.of(x / before);
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

/** Simple return over `period` steps: x / x[t - period] - 1. */
export class Returns extends LaggedRatio {
  constructor(period = 1) {
    super('Returns', period);
  }

  protected of(ratio: number): number {
    return ratio - 1;
  }
}

/** Log return over `period` steps: ln(x / x[t - period]). */
export class LogReturns extends LaggedRatio {
  constructor(period = 1) {
    super('LogReturns', period);
  }

  protected of(ratio: number): number {
    return Math.log(ratio);
  }
}

/**
 * Realised volatility: the population standard deviation of the last `period` one-step log
 * returns, times sqrt(periodsPerYear) when that is given (8760 for hourly crypto bars, 252 for
 * daily equity bars), so that windows of different bar sizes read on one scale.
 */
export class RealizedVolatility implements Indicator {
  readonly period: number;
  readonly periodsPerYear: number | undefined;
  private readonly returns = new LogReturns(1);
  private readonly std: RollingStd;
  private readonly scale: number;
  private current: number | undefined;

  constructor(period: number, periodsPerYear?: number) {
    this.period = requirePeriod('RealizedVolatility period', period);
    if (periodsPerYear !== undefined && (typeof periodsPerYear !== 'number' || !Number.isFinite(periodsPerYear) || periodsPerYear <= 0)) {
      throw new InvalidModelConfigError('periodsPerYear', periodsPerYear, 'must be a positive finite number');
    }
    this.periodsPerYear = periodsPerYear;
    this.scale = periodsPerYear === undefined ? 1 : Math.sqrt(periodsPerYear);
    this.std = new RollingStd(this.period);
  }

  update(x: number): number | undefined {
    requirePositive('RealizedVolatility input', x);
    const r = this.returns.update(x);
    if (r === undefined) return undefined;
    const s = this.std.update(r);
    if (s !== undefined) this.current = s * this.scale;
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
