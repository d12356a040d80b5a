import { movingAverageForecast, naiveForecast, seasonalNaiveForecast } from './baselines';
import { InvalidDatasetError } from './errors';
import { mae, rmse } from './metrics';

export interface BaselineOptions {
  /** Season of the seasonal naive forecast (24 for hourly bars). */
  readonly season: number;
  /** Window of the moving average. */
  readonly movingAverage: number;
}

/** Baseline forecasts for windows of one series, each from the values up to its origin: [N, H] each. */
export function windowBaselines(target: ArrayLike<number>, origins: ArrayLike<number>, horizon: number, o: BaselineOptions): Record<'naive' | 'seasonalNaive' | 'movingAverage', Float64Array> {
  const n = origins.length;
  const out = { naive: new Float64Array(n * horizon), seasonalNaive: new Float64Array(n * horizon), movingAverage: new Float64Array(n * horizon) };
  for (let i = 0; i < n; i++) {
    const t0 = origins[i]!;
    // Only the last max(season, window) values up to the origin matter: the baselines get that tail.
    const tail = Array.prototype.slice.call(target, Math.max(0, t0 + 1 - Math.max(o.season, o.movingAverage)), t0 + 1) as number[];
    out.naive.set(naiveForecast(tail, horizon), i * horizon);
    out.seasonalNaive.set(seasonalNaiveForecast(tail, horizon, o.season), i * horizon);
    out.movingAverage.set(movingAverageForecast(tail, horizon, o.movingAverage), i * horizon);
  }
  return out;
}

export interface AccuracyRow {
  readonly name: string;
  readonly mae: number;
  readonly rmse: number;
  /** MAE / the naive forecast's MAE (below 1 beats the last value). */
  readonly maeVsNaive: number;
}

/** MAE and RMSE of each forecast over every window and step, against the same actual values. */
export function compareForecasts(actual: Float64Array, forecasts: Readonly<Record<string, Float64Array>>, naiveName = 'naive'): AccuracyRow[] {
  const naive = forecasts[naiveName];
  if (!naive) throw new InvalidDatasetError('forecasts', Object.keys(forecasts), `must include ${naiveName}`);
  const naiveMae = mae(actual, naive);
  return Object.entries(forecasts).map(([name, f]) => ({ name, mae: mae(actual, f), rmse: rmse(actual, f), maeVsNaive: mae(actual, f) / naiveMae }));
}
