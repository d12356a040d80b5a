import { InvalidModelConfigError, InvalidSignalInputError, requirePeriod } from './errors';
import { Ema, RollingStd } from './indicators';

/** Name under which momentum signals are published and recorded. */
export const MOMENTUM_MODEL = 'momentum';

export interface MomentumConfig {
  fastPeriod?: number;
  slowPeriod?: number;
  volPeriod?: number;
}

export interface MomentumFeatures {
  readonly emaFast: number;
  readonly emaSlow: number;
  /** Rolling standard deviation of per-bar log returns. */
  readonly volatility: number;
  /** Log return of the latest bar. */
  readonly logReturn: number;
}

export interface MomentumSignal {
  /** In [-1, 1]: positive for an uptrend, negative for a downtrend. */
  readonly score: number;
  readonly features: MomentumFeatures;
  readonly close: number;
}

/**
 * Trend-following score from bar closes: the gap between a fast and a slow EMA, relative to price,
 * in units of recent volatility scaled to the fast horizon, squashed by tanh. Normalising by
 * volatility makes one threshold mean the same thing in calm and in wild markets.
 */
export class MomentumModel {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly volPeriod: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly vol: RollingStd;
  private previousClose: number | undefined;
  // The last signal, as `advance` leaves it (read through the getters below).
  private lastScore = 0;
  private lastEmaFast = Number.NaN;
  private lastEmaSlow = Number.NaN;
  private lastVolatility = Number.NaN;
  private lastLogReturn = Number.NaN;

  constructor(config: MomentumConfig = {}) {
    this.fastPeriod = requirePeriod('MomentumModel fastPeriod', config.fastPeriod ?? 8);
    this.slowPeriod = requirePeriod('MomentumModel slowPeriod', config.slowPeriod ?? 32);
    this.volPeriod = requirePeriod('MomentumModel volPeriod', config.volPeriod ?? 32);
    if (this.fastPeriod >= this.slowPeriod) {
      throw new InvalidModelConfigError(
        'fastPeriod',
        this.fastPeriod,
        `must be shorter than slowPeriod ${this.slowPeriod}`,
      );
    }
    this.fast = new Ema(this.fastPeriod);
    this.slow = new Ema(this.slowPeriod);
    this.vol = new RollingStd(this.volPeriod);
  }

  get ready(): boolean {
    return this.fast.ready && this.slow.ready && this.vol.ready;
  }

  /** The last score (0 before the first): set by every `advance` that returns true. */
  get score(): number {
    return this.lastScore;
  }

  /** The features the last score was computed from (NaN before the first). */
  get emaFast(): number {
    return this.lastEmaFast;
  }

  get emaSlow(): number {
    return this.lastEmaSlow;
  }

  get volatility(): number {
    return this.lastVolatility;
  }

  get logReturn(): number {
    return this.lastLogReturn;
  }

  /** Feeds one closed bar; a signal once every indicator is warm. */
  onBar(bar: { readonly close: number }): MomentumSignal | undefined {
    const close = bar.close;
    if (!this.advance(close)) return undefined;
    return { score: this.score, features: { emaFast: this.emaFast, emaSlow: this.emaSlow, volatility: this.volatility, logReturn: this.logReturn }, close };
  }

  /**
   * `onBar` without the signal object: feeds one close and returns true once every indicator is
   * warm, the score and its features then in `score`, `emaFast`, `emaSlow`, `volatility` and
   * `logReturn`. For a caller that reads only the score on every bar (a backtest), which then
   * allocates nothing per bar.
   */
  advance(close: number): boolean {
    if (typeof close !== 'number' || !Number.isFinite(close) || close <= 0) {
      throw new InvalidSignalInputError('bar close', close, 'must be a positive finite number');
    }
    const emaFast = this.fast.update(close);
    const emaSlow = this.slow.update(close);
    const previous = this.previousClose;
    this.previousClose = close;
    if (previous === undefined) return false;
    const logReturn = Math.log(close / previous);
    const volatility = this.vol.update(logReturn);
    if (emaFast === undefined || emaSlow === undefined || volatility === undefined) return false;

    let score = 0;
    if (volatility > 0) {
      const raw = Math.tanh((emaFast - emaSlow) / emaSlow / (volatility * Math.sqrt(this.fastPeriod)));
      score = Math.min(1, Math.max(-1, raw));
    }
    this.lastScore = score;
    this.lastEmaFast = emaFast;
    this.lastEmaSlow = emaSlow;
    this.lastVolatility = volatility;
    this.lastLogReturn = logReturn;
    return true;
  }
}
