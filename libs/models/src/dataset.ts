import { InvalidDatasetError } from './errors';
import type { ModelIO } from './model';

/**
 * How a window's target history and targets are put on a common scale, per window, before the
 * model sees them (and undone on its forecasts):
 * - `shift`: (x − x_origin) / scale, e.g. log prices become cumulative log returns from the
 *   forecast origin in units of a one-step σ fitted on training data;
 * - `meanAbs`: x / mean(|x|) over the lookback window (M4: positive series of any magnitude);
 * - `none`: as they are.
 */
export type WindowScaling = { readonly kind: 'none' } | { readonly kind: 'shift'; readonly scale: number } | { readonly kind: 'meanAbs' };

/**
 * A forecast made from the lookback window alone that the model's output is added to (in scaled
 * units), so the network learns a correction to it and an output of 0 is that forecast:
 * - `naive`: the last value for every step (the official N-BEATS starts its forecast there);
 * - `seasonalNaive`: the last `season` values repeated (needs lookback ≥ season);
 * - `none`: the output is the forecast.
 * Not part of WindowScaling: a server applies the scaling, then adds this baseline (saved models
 * record it in `target.baseline`).
 */
export type WindowBaseline = { readonly kind: 'none' } | { readonly kind: 'naive' } | { readonly kind: 'seasonalNaive'; readonly season: number };

export interface WindowDatasetOptions {
  /** Season m for MASE-weighted losses (the `mase` loss); none: every window weighs 1. */
  readonly season?: number;
  /** Added to the model's output (default none). */
  readonly baseline?: WindowBaseline;
}

/** One series, aligned by position: row t of every array is the same time. */
export interface SeriesInput {
  readonly id: string;
  /** The value forecast, length T (log close for bars, the raw value for M4). */
  readonly target: ArrayLike<number>;
  /** Observed covariates [T, covariates], row-major (FeatureSpec rows for bars). */
  readonly covariates?: Float32Array;
  /** Inputs known in advance [T + extra, known] (calendar); rows past T serve forecasts beyond the data. */
  readonly known?: Float32Array;
  /** Per-series constants [statics]. */
  readonly statics?: Float32Array;
  /** Bar start times (ms), length T, strictly increasing: what the no-look-ahead checks read. */
  readonly times?: ArrayLike<number>;
  /** First row whose covariates are valid (a FeatureSpec's warm-up); no window reaches before it. */
  readonly start?: number;
}

export interface WindowShape {
  readonly lookback: number;
  readonly horizon: number;
  readonly covariates: number;
  readonly known: number;
  readonly statics: number;
}

/** Windows by (series, origin): past rows origin − L + 1 … origin, targets origin + 1 … origin + H. */
export interface Windows {
  readonly series: Int32Array;
  readonly origin: Int32Array;
}

export function concatWindows(parts: readonly Windows[]): Windows {
  const n = parts.reduce((a, w) => a + w.origin.length, 0);
  const series = new Int32Array(n);
  const origin = new Int32Array(n);
  let k = 0;
  for (const w of parts) {
    series.set(w.series, k);
    origin.set(w.origin, k);
    k += w.origin.length;
  }
  return { series, origin };
}

/** A batch as the model reads it (see ModelIO), with what undoes the scaling per window. */
export interface Batch {
  readonly size: number;
  /** [B, L, covariates + 1]: the covariates, then the scaled target history in the last column. */
  readonly past: Float32Array;
  /** [B, H, known], empty when there are none. */
  readonly future: Float32Array;
  /** [B, statics], empty when there are none. */
  readonly statics: Float32Array;
  /** [B, H] scaled targets; NaN where the series ends before the step (a forecast beyond the data). */
  readonly target: Float32Array;
  /** original = scaled · scale + center, per window. */
  readonly center: Float64Array;
  readonly scale: Float64Array;
  /**
   * [B] loss weight per window: scale / (the history's mean absolute seasonal difference) when
   * the dataset has a `season`, so that a scaled absolute error times it is that window's MASE
   * term; 1 otherwise.
   */
  readonly weight: Float32Array;
  /** [B, H] the baseline forecast in scaled units, added to the model's output; absent without a baseline. */
  readonly base?: Float32Array;
}

/** Something the training loop can draw batches from. */
export interface BatchSource {
  readonly size: number;
  readonly shape: WindowShape;
  batch(indices: ArrayLike<number>): Batch;
}

/**
 * Windows over a set of aligned series. Nothing is copied up front: a batch is assembled from
 * the series' arrays when it is asked for, so a million overlapping windows cost no memory.
 */
export class WindowDataset {
  readonly shape: WindowShape;
  readonly series: readonly SeriesInput[];
  readonly scaling: WindowScaling;
  private readonly targets: Float64Array[];
  /** Per series, when there is a season m: cum[t] = Σ_{s=m..t} |y_s − y_{s−m}| (0 before m), so a window's MASE scale costs O(1). */
  private readonly seasonalSums: Float64Array[] | undefined;

  /** Season m for MASE-weighted losses (the `mase` loss); none: every window weighs 1. */
  readonly season: number | undefined;
  readonly baseline: WindowBaseline;

  constructor(series: readonly SeriesInput[], shape: WindowShape, scaling: WindowScaling, options: WindowDatasetOptions = {}) {
    if (options.season !== undefined && (!Number.isSafeInteger(options.season) || options.season < 1)) throw new InvalidDatasetError('season', options.season, 'must be a positive integer');
    this.season = options.season;
    const baseline = options.baseline ?? { kind: 'none' };
    if (baseline.kind === 'seasonalNaive') {
      if (!Number.isSafeInteger(baseline.season) || baseline.season < 1) throw new InvalidDatasetError('baseline.season', baseline.season, 'must be a positive integer');
      // A server holds only the lookback window: the baseline must be computable from it.
      if (baseline.season > shape.lookback) throw new InvalidDatasetError('baseline.season', baseline.season, `must not exceed the lookback ${shape.lookback}`);
    } else if (baseline.kind !== 'naive' && baseline.kind !== 'none') {
      throw new InvalidDatasetError('baseline.kind', (baseline as { kind: unknown }).kind, 'must be none, naive or seasonalNaive');
    }
    this.baseline = baseline;
    for (const key of ['lookback', 'horizon'] as const) {
      if (!Number.isSafeInteger(shape[key]) || shape[key] < 1) throw new InvalidDatasetError(`shape.${key}`, shape[key], 'must be a positive integer');
    }
    for (const key of ['covariates', 'known', 'statics'] as const) {
      if (!Number.isSafeInteger(shape[key]) || shape[key] < 0) throw new InvalidDatasetError(`shape.${key}`, shape[key], 'must be a non-negative integer');
    }
    if (scaling.kind === 'shift' && !(scaling.scale > 0 && Number.isFinite(scaling.scale))) throw new InvalidDatasetError('scaling.scale', scaling.scale, 'must be a positive finite number');
    this.shape = shape;
    this.series = series;
    this.scaling = scaling;
    this.targets = series.map((s, i) => {
      const T = s.target.length;
      const at = `series[${i}] (${s.id})`;
      const target = Float64Array.from(s.target);
      target.forEach((x, t) => {
        if (!Number.isFinite(x)) throw new InvalidDatasetError(`${at}.target[${t}]`, x, 'is not a finite number');
      });
      const rows = (name: string, a: Float32Array | undefined, width: number) => {
        if (width === 0) return;
        if (a === undefined || a.length !== T * width) throw new InvalidDatasetError(`${at}.${name}`, a?.length, `must hold ${T} rows of ${width}`);
      };
      rows('covariates', s.covariates, shape.covariates);
      if (shape.known > 0 && (s.known === undefined || s.known.length % shape.known !== 0 || s.known.length < T * shape.known)) {
        throw new InvalidDatasetError(`${at}.known`, s.known?.length, `must hold at least ${T} rows of ${shape.known} (rows past the end are the known future)`);
      }
      if (shape.statics > 0 && s.statics?.length !== shape.statics) throw new InvalidDatasetError(`${at}.statics`, s.statics?.length, `must hold ${shape.statics} values`);
      if (s.times !== undefined) {
        if (s.times.length !== T) throw new InvalidDatasetError(`${at}.times`, s.times.length, `must hold ${T} times`);
        for (let t = 1; t < T; t++) if (!(s.times[t]! > s.times[t - 1]!)) throw new InvalidDatasetError(`${at}.times[${t}]`, s.times[t], 'is not after the previous time');
      }
      const start = s.start ?? 0;
      if (!Number.isSafeInteger(start) || start < 0 || start > T) throw new InvalidDatasetError(`${at}.start`, start, `must be in [0, ${T}]`);
      return target;
    });
    const m = this.season;
    this.seasonalSums =
      m === undefined
        ? undefined
        : this.targets.map((y) => {
            const cum = new Float64Array(y.length);
            for (let t = m; t < y.length; t++) cum[t] = cum[t - 1]! + Math.abs(y[t]! - y[t - m]!);
            return cum;
          });
  }

  /** The model inputs this dataset makes: pastFeatures = covariates + 1 (the target history). */
  get io(): Omit<ModelIO, 'quantiles'> {
    return { lookback: this.shape.lookback, horizon: this.shape.horizon, pastFeatures: this.shape.covariates + 1, futureFeatures: this.shape.known, staticFeatures: this.shape.statics };
  }

  /**
   * Every origin of series `s` (with `stride`) whose targets all lie in [from, to) and whose past
   * starts at or after the series' first valid row: a window never reads a target outside its
   * segment, which is what keeps a validation or test period out of training.
   */
  windows(s: number, from: number, to: number, stride = 1): Windows {
    const { lookback: L, horizon: H } = this.shape;
    const info = this.series[s];
    if (!info) throw new InvalidDatasetError('series', s, `is not in [0, ${this.series.length})`);
    const T = info.target.length;
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && to <= T && from <= to)) throw new InvalidDatasetError('segment', [from, to], `must lie in [0, ${T}]`);
    if (!Number.isSafeInteger(stride) || stride < 1) throw new InvalidDatasetError('stride', stride, 'must be a positive integer');
    const first = Math.max(from - 1, (info.start ?? 0) + L - 1);
    const last = to - 1 - H;
    const origins: number[] = [];
    for (let t = first; t <= last; t += stride) origins.push(t);
    return { series: new Int32Array(origins.length).fill(s), origin: Int32Array.from(origins) };
  }

  /** The window that forecasts past the end of series `s` (origin = its last row); its targets are NaN. */
  lastWindow(s: number): Windows {
    const T = this.series[s]!.target.length;
    if (T - this.shape.lookback < (this.series[s]!.start ?? 0)) throw new InvalidDatasetError(`series[${s}]`, T, `is shorter than the lookback ${this.shape.lookback}`);
    return { series: Int32Array.of(s), origin: Int32Array.of(T - 1) };
  }

  /** The row range [first, last] a window reads, inputs and targets together. */
  span(series: number, origin: number): { first: number; last: number } {
    return { first: origin - this.shape.lookback + 1, last: origin + this.shape.horizon };
  }

  source(windows: Windows): BatchSource {
    return { size: windows.origin.length, shape: this.shape, batch: (indices) => this.batch(windows, indices) };
  }

  /** Assembles the windows at `indices` of `windows` (all of them when omitted). */
  batch(windows: Windows, indices?: ArrayLike<number>): Batch {
    const { lookback: L, horizon: H, covariates: C, known: F, statics: S } = this.shape;
    const B = indices ? indices.length : windows.origin.length;
    const P = C + 1;
    const past = new Float32Array(B * L * P);
    const future = new Float32Array(B * H * F);
    const statics = new Float32Array(B * S);
    const target = new Float32Array(B * H);
    const center = new Float64Array(B);
    const scale = new Float64Array(B);
    const weight = new Float32Array(B).fill(1);
    const base = this.baseline.kind === 'none' ? undefined : new Float32Array(B * H);
    const m = this.season;
    for (let b = 0; b < B; b++) {
      const w = indices ? indices[b]! : b;
      const s = windows.series[w]!;
      const t0 = windows.origin[w]!;
      const info = this.series[s]!;
      const y = this.targets[s]!;
      const T = y.length;
      const first = t0 - L + 1;
      if (first < (info.start ?? 0) || t0 >= T) throw new InvalidDatasetError('window', { series: s, origin: t0 }, `does not fit series ${info.id} (rows ${info.start ?? 0}…${T - 1}, lookback ${L})`);
      let c = 0;
      let k = 1;
      if (this.scaling.kind === 'shift') {
        c = y[t0]!;
        k = this.scaling.scale;
      } else if (this.scaling.kind === 'meanAbs') {
        let sum = 0;
        for (let t = first; t <= t0; t++) sum += Math.abs(y[t]!);
        k = sum > 0 ? sum / L : 1;
      }
      center[b] = c;
      scale[b] = k;
      if (m !== undefined && t0 >= m) {
        // MASE's denominator over the whole history up to the origin, as M4 computes it in-sample.
        const d = this.seasonalSums![s]![t0]! / (t0 + 1 - m);
        weight[b] = d > 0 ? k / d : 1;
      }
      if (base) {
        const p = this.baseline.kind === 'seasonalNaive' ? this.baseline.season : 1;
        for (let h = 0; h < H; h++) base[b * H + h] = (y[t0 - p + 1 + (h % p)]! - c) / k;
      }
      for (let i = 0; i < L; i++) {
        const row = first + i;
        const o = (b * L + i) * P;
        if (C > 0) past.set(info.covariates!.subarray(row * C, row * C + C), o);
        past[o + C] = (y[row]! - c) / k;
      }
      for (let h = 0; h < H; h++) {
        const row = t0 + 1 + h;
        target[b * H + h] = row < T ? (y[row]! - c) / k : Number.NaN;
        // Known inputs past the data exist only where the caller extended them; 0 beyond.
        if (F > 0 && (row + 1) * F <= info.known!.length) future.set(info.known!.subarray(row * F, row * F + F), (b * H + h) * F);
      }
      if (S > 0) statics.set(info.statics!, b * S);
    }
    return { size: B, past, future, statics, target, center, scale, weight, ...(base ? { base } : {}) };
  }
}
