import { InvalidDatasetError } from './errors';

/**
 * Forecast accuracy as the M4 competition defines it (Makridakis et al. 2020; the organisers'
 * R code), for one series: `actual` and `forecast` of one horizon, `insample` the history.
 */

function requireSameLength(actual: ArrayLike<number>, forecast: ArrayLike<number>): void {
  if (actual.length !== forecast.length || actual.length === 0) throw new InvalidDatasetError('forecast length', forecast.length, `must equal the actual length ${actual.length} (> 0)`);
}

/** sMAPE = (200 / h) Σ |Y − F| / (|Y| + |F|), in percent. */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  requireSameLength(actual, forecast);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const f = forecast[i]!;
    const d = Math.abs(a) + Math.abs(f);
    // 0/0 (both zero) is a perfect forecast.
    sum += d === 0 ? 0 : Math.abs(a - f) / d;
  }
  return (200 * sum) / actual.length;
}

/** The in-sample mean absolute seasonal difference (1/(n − m)) Σ_{t>m} |Y_t − Y_{t−m}|: MASE's denominator. */
export function seasonalScale(insample: ArrayLike<number>, m: number): number {
  if (!Number.isSafeInteger(m) || m < 1) throw new InvalidDatasetError('seasonality', m, 'must be a positive integer');
  if (insample.length <= m) throw new InvalidDatasetError('insample length', insample.length, `must exceed the seasonality ${m}`);
  let sum = 0;
  for (let t = m; t < insample.length; t++) sum += Math.abs(insample[t]! - insample[t - m]!);
  return sum / (insample.length - m);
}

/** MASE = mean |Y − F| / seasonalScale(insample, m). Infinite when the history repeats itself exactly. */
export function mase(insample: ArrayLike<number>, actual: ArrayLike<number>, forecast: ArrayLike<number>, m: number): number {
  requireSameLength(actual, forecast);
  return mae(actual, forecast) / seasonalScale(insample, m);
}

export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  requireSameLength(actual, forecast);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return sum / actual.length;
}

export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  requireSameLength(actual, forecast);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i]! - forecast[i]!) ** 2;
  return Math.sqrt(sum / actual.length);
}

/**
 * OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2, on the averages over a set of series
 * (M4 computes it per frequency and overall from the mean sMAPE and mean MASE, not per series).
 */
export function owa(meanSmape: number, meanMase: number, naive2Smape: number, naive2Mase: number): number {
  return (meanSmape / naive2Smape + meanMase / naive2Mase) / 2;
}

/** Mean sMAPE and MASE of forecasts over many series (each [horizon]). */
export function scoreSeries(
  items: readonly { insample: ArrayLike<number>; actual: ArrayLike<number>; forecast: ArrayLike<number> }[],
  m: number,
): { smape: number; mase: number; series: number } {
  let s = 0;
  let k = 0;
  for (const it of items) {
    s += smape(it.actual, it.forecast);
    k += mase(it.insample, it.actual, it.forecast, m);
  }
  return { smape: s / items.length, mase: k / items.length, series: items.length };
}
