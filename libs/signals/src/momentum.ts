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
  private readonly latest = { score: 0, emaFast: Number.NaN, emaSlow: Number.NaN, volatility: Number.NaN, logReturn: Number.NaN };

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

  /**
   * The score and features of the last `advance` that returned true (score 0 and NaN features
   * before the first), read in place: the next step overwrites them.
   */
  get last(): Readonly<MomentumFeatures & { score: number }> {
    return this.latest;
  }

  /** Feeds one closed bar; a signal once every indicator is warm. */
  onBar(bar: { readonly close: number }): MomentumSignal | undefined {
    const close = bar.close;
    if (!this.advance(close)) return undefined;
    const { score, emaFast, emaSlow, volatility, logReturn } = this.latest;
    return { score, features: { emaFast, emaSlow, volatility, logReturn }, close };
  }

  /**
   * `onBar` without the signal object: feeds one close and returns true once every indicator is
   * warm, the score and its features then in `last`. For a caller that reads only the score on
   * every bar (a backtest), which then allocates nothing per bar.
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
    const latest = this.latest;
    latest.score = score;
    latest.emaFast = emaFast;
    latest.emaSlow = emaSlow;
    latest.volatility = volatility;
    latest.logReturn = logReturn;
    return true;
  }
}
