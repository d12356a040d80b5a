import { FeaturePipeline, featureMatrix, featureSpecHash } from '@meridian/signals';
import type { Bar, FeatureSpec } from '@meridian/signals';
import { ModelError } from '../errors';
import type { ScoreModel } from './model';

/** A fitted linear model: ŷ = w·x + b, in units of the target's standard deviation. */
export interface LinearModelParams {
  readonly name: string;
  readonly featureSpec: FeatureSpec;
  readonly weights: readonly number[];
  readonly bias: number;
  /** Score = tanh(gain × ŷ): 1 by default, so a one-σ predicted move scores about 0.76. */
  readonly gain?: number;
}

/**
 * A linear score model in plain TypeScript: score = tanh(gain × (w·x + b)), x the latest feature
 * vector. Fitted by `fitLinearScoreModel`; the parameters are JSON, so a model travels with a
 * result.
 */
export class LinearScoreModel implements ScoreModel {
  readonly name: string;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecHash: string;
  readonly window = 1;
  readonly weights: Float64Array;
  readonly bias: number;
  readonly gain: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;

  constructor(p: LinearModelParams) {
    const width = new FeaturePipeline(p.featureSpec).width;
    if (!Array.isArray(p.weights) || p.weights.length !== width) throw new ModelError(p.name, `has ${p.weights?.length} weights for ${width} features`);
    for (const [i, w] of p.weights.entries()) if (!Number.isFinite(w)) throw new ModelError(p.name, `weight ${i} is ${w}`);
    if (!Number.isFinite(p.bias)) throw new ModelError(p.name, `bias is ${p.bias}`);
    const gain = p.gain ?? 1;
    if (!(gain > 0) || !Number.isFinite(gain)) throw new ModelError(p.name, `gain ${gain} must be a positive number`);
    this.name = p.name;
    this.featureSpec = p.featureSpec;
    this.featureSpecHash = featureSpecHash(p.featureSpec);
    this.weights = Float64Array.from(p.weights);
    this.bias = p.bias;
    this.gain = gain;
    this.params = { gain };
  }

  /** The model's prediction in σ units, before the squash. */
  raw(x: Float32Array): number {
    let y = this.bias;
    const w = this.weights;
    for (let i = 0; i < w.length; i++) y += w[i]! * x[i]!;
    return y;
  }

  predict(x: Float32Array): number {
    return Math.tanh(this.gain * this.raw(x));
  }

  toJSON(): LinearModelParams {
    return { name: this.name, featureSpec: this.featureSpec, weights: [...this.weights], bias: this.bias, gain: this.gain };
  }
}

export interface LinearFitOptions {
  readonly name: string;
  /** A fitted spec (`fitNormalisation` on the same training bars). */
  readonly featureSpec: FeatureSpec;
  /** Training bars only, in time order. */
  readonly bars: readonly Bar[];
  /** Bars ahead of the log return the model learns (default 1). */
  readonly horizon?: number;
  /** Ridge penalty on the weights (not the bias), default 1: the features are z-scores, so it is on their scale. */
  readonly ridge?: number;
  readonly gain?: number;
}

/**
 * Fits a `LinearScoreModel` by ridge regression of the forward log return over `horizon` bars,
 * in units of its standard deviation, on the spec's features at each bar: solves
 * (XᵀX + λI′) β = Xᵀy (I′ leaves the bias unpenalised) by Cholesky factorisation.
 */
export function fitLinearScoreModel(o: LinearFitOptions): LinearScoreModel {
  const horizon = o.horizon ?? 1;
  const ridge = o.ridge ?? 1;
  if (!Number.isSafeInteger(horizon) || horizon < 1) throw new ModelError(o.name, `horizon ${horizon} must be a positive integer of bars`);
  if (!(ridge >= 0)) throw new ModelError(o.name, `ridge ${ridge} must be >= 0`);
  const m = featureMatrix(o.featureSpec, o.bars);
  const k = m.columns + 1;
  const rows: number[] = [];
  const ys: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    const at = m.firstBar + r;
    if (at + horizon >= o.bars.length) break;
    rows.push(r);
    ys.push(Math.log(o.bars[at + horizon]!.close / o.bars[at]!.close));
  }
  if (rows.length < k) throw new ModelError(o.name, `${rows.length} training rows for ${k} parameters: too few bars`);
  let mean = 0;
  for (const y of ys) mean += y;
  mean /= ys.length;
  let v = 0;
  for (const y of ys) v += (y - mean) * (y - mean);
  const sd = Math.sqrt(v / ys.length);
  if (!(sd > 0)) throw new ModelError(o.name, 'the forward returns of the training bars are constant');
  // Normal equations over [x, 1].
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  const x = new Float64Array(k);
  x[k - 1] = 1;
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i]! * m.columns;
    for (let c = 0; c < m.columns; c++) x[c] = m.data[base + c]!;
    const y = ys[i]! / sd;
    for (let p = 0; p < k; p++) {
      b[p]! += x[p]! * y;
      for (let q = 0; q <= p; q++) a[p * k + q]! += x[p]! * x[q]!;
    }
  }
  for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) a[p * k + q] = a[q * k + p]!;
  for (let p = 0; p < k - 1; p++) a[p * k + p]! += ridge;
  const beta = choleskySolve(a, b, k, o.name);
  return new LinearScoreModel({ name: o.name, featureSpec: o.featureSpec, weights: [...beta.subarray(0, k - 1)], bias: beta[k - 1]!, gain: o.gain });
}

/** Solves A x = b for a symmetric positive definite A (k × k, row-major). */
export function choleskySolve(a: Float64Array, b: Float64Array, k: number, name = 'cholesky'): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
      if (i === j) {
        if (!(s > 0)) throw new ModelError(name, 'the normal equations are singular: add a ridge penalty or drop collinear features');
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j]!;
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * y[p]!;
    y[i] = s / l[i * k + i]!;
  }
  const out = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * out[p]!;
    out[i] = s / l[i * k + i]!;
  }
  return out;
}
