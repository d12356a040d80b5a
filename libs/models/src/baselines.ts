import { InvalidDatasetError } from './errors';

/**
 * Baseline forecasts: naive (last value), seasonal naive, moving average and the M4's Naive2
 * (naive on the seasonally adjusted series, re-seasonalised), written from the organisers' R
 * code (M4-methods, Benchmarks and evaluation.R) and R's stats::decompose / stats::acf.
 */

function requireHistory(insample: ArrayLike<number>, min: number, what: string): void {
  if (insample.length < min) throw new InvalidDatasetError('insample length', insample.length, `must be at least ${min} for ${what}`);
}

/** The last value, h times. */
export function naiveForecast(insample: ArrayLike<number>, h: number): Float64Array {
  requireHistory(insample, 1, 'a naive forecast');
  return new Float64Array(h).fill(insample[insample.length - 1]!);
}

/** The last full season repeated: F_{n+i} = Y_{n − m + ((i − 1) mod m) + 1}. */
export function seasonalNaiveForecast(insample: ArrayLike<number>, h: number, m: number): Float64Array {
  requireHistory(insample, m, `a seasonal naive forecast with m = ${m}`);
  const n = insample.length;
  const out = new Float64Array(h);
  for (let i = 0; i < h; i++) out[i] = insample[n - m + (i % m)]!;
  return out;
}

/** The mean of the last `window` values, h times. */
export function movingAverageForecast(insample: ArrayLike<number>, h: number, window: number): Float64Array {
  requireHistory(insample, window, `a moving average of ${window}`);
  let sum = 0;
  for (let t = insample.length - window; t < insample.length; t++) sum += insample[t]!;
  return new Float64Array(h).fill(sum / window);
}

/** R's acf (type "correlation", demean): r_k = Σ_{t=1}^{n−k} (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)², k = 1..maxLag. */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t]!;
  mean /= n;
  let denom = 0;
  for (let t = 0; t < n; t++) denom += (x[t]! - mean) ** 2;
  const r = new Float64Array(maxLag);
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (x[t]! - mean) * (x[t + k]! - mean);
    r[k - 1] = denom === 0 ? 0 : s / denom;
  }
  return r;
}

/**
 * The M4 seasonality test: seasonal when |r_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} r_k²) / n), the 90 %
 * one-sided bound with Bartlett's variance; never for fewer than 3m observations. R's acf stops at
 * lag floor(10 · log10(n)); a longer m reads NA there and the R code calls that not seasonal.
 */
export function seasonalityTest(insample: ArrayLike<number>, m: number): boolean {
  const n = insample.length;
  if (m <= 1 || n < 3 * m) return false;
  const maxLag = Math.floor(10 * Math.log10(n));
  if (m > maxLag) return false;
  const r = autocorrelation(insample, maxLag);
  let cum = 1;
  for (let k = 1; k < m; k++) cum += 2 * r[k - 1]! ** 2;
  const limit = (1.645 / Math.sqrt(n)) * Math.sqrt(cum);
  return Math.abs(r[m - 1]!) > limit;
}

/**
 * Seasonal indices of R's decompose(type = "multiplicative"): a centred moving average of
 * order m (2×m for even m) as the trend, x / trend averaged per position in the cycle (NA ends
 * left out), normalised to mean 1. Returns the index of every observation (position i has
 * figure[i mod m], the series starting at cycle position 1).
 */
export function multiplicativeSeasonalIndices(x: ArrayLike<number>, m: number): Float64Array {
  const n = x.length;
  if (n < 2 * m) throw new InvalidDatasetError('insample length', n, `must hold two seasons (2 × ${m}) for a decomposition`);
  const weights: number[] = m % 2 === 0 ? [0.5, ...new Array<number>(m - 1).fill(1), 0.5].map((w) => w / m) : new Array<number>(m).fill(1 / m);
  const half = Math.floor(weights.length / 2);
  const trend = new Float64Array(n).fill(Number.NaN);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    for (let j = 0; j < weights.length; j++) s += weights[j]! * x[t - half + j]!;
    trend[t] = s;
  }
  const figure = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    let c = 0;
    for (let t = i; t < n; t += m) {
      const ratio = x[t]! / trend[t]!;
      if (!Number.isNaN(ratio)) {
        s += ratio;
        c += 1;
      }
    }
    figure[i] = s / c;
  }
  let mean = 0;
  for (let i = 0; i < m; i++) mean += figure[i]!;
  mean /= m;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = figure[t % m]! / mean;
  return out;
}

/**
 * Naive2: when the series passes `seasonalityTest`, naive on x / seasonal index, multiplied by
 * the indices of the last m observations repeated over the horizon; otherwise plain naive.
 */
export function naive2Forecast(insample: ArrayLike<number>, h: number, m: number): Float64Array {
  requireHistory(insample, 1, 'a Naive2 forecast');
  if (!seasonalityTest(insample, m)) return naiveForecast(insample, h);
  const n = insample.length;
  const si = multiplicativeSeasonalIndices(insample, m);
  const level = insample[n - 1]! / si[n - 1]!;
  const out = new Float64Array(h);
  for (let i = 0; i < h; i++) out[i] = level * si[n - m + (i % m)]!;
  return out;
}
