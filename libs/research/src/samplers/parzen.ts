// Parzen estimators for TPE: a mixture with one kernel per observation plus a wide prior
// kernel, over the unit cube the space maps every parameter into. Numeric kernels are Gaussians
// truncated to [0, 1] (integers take the mass of their cell), choice kernels are categorical.
import type { Rng } from '../rng';
import { normal } from '../rng';

/** How one dimension is modelled. `cells` is the number of values of an int parameter. */
export type Dimension = { kind: 'continuous' } | { kind: 'int'; cells: number } | { kind: 'choice'; size: number };

/** A point in the encoded space: u ∈ [0, 1] for numeric dimensions, the value's index for choice. */
export type Encoded = number[];

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const TINY = 1e-300;

/** Complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > x) for a standard normal Z. */
function upperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/** P(a < Z < b) computed from the tail nearer the interval, so it keeps precision far out. */
function massBetween(a: number, b: number): number {
  if (a >= 0) return upperTail(a) - upperTail(b);
  if (b <= 0) return upperTail(-b) - upperTail(-a);
  return 1 - upperTail(-a) - upperTail(b);
}

function logSumExp(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

export interface ParzenOptions {
  priorWeight: number;
}

export class ParzenEstimator {
  private readonly logWeights: Float64Array;
  private readonly weights: Float64Array;
  /** Per dimension, per component: mean and sd (numeric) or probabilities (choice). */
  private readonly mus: Float64Array[] = [];
  private readonly sigmas: Float64Array[] = [];
  private readonly logZ: Float64Array[] = [];
  /** -log(sqrt(2π)·sd·Z) per component: the constant part of a truncated Gaussian's log density. */
  private readonly logNorm: Float64Array[] = [];
  private readonly probs: Float64Array[][] = [];
  private readonly components: number;
  private readonly terms: Float64Array;
  private readonly cellCache: Map<number, Float64Array>[] = [];

  constructor(
    private readonly dims: readonly Dimension[],
    observations: readonly Encoded[],
    options: ParzenOptions,
  ) {
    const n = observations.length;
    // Component n is the prior: wide enough to keep every region reachable.
    this.components = n + 1;
    this.terms = new Float64Array(this.components);
    const w = new Float64Array(this.components).fill(1);
    w[n] = options.priorWeight;
    const total = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / total);
    this.logWeights = this.weights.map((x) => Math.log(x));

    // Scott's rule for a d-dimensional kernel density, as multivariate TPE uses; the floor keeps a
    // kernel from collapsing onto one point when trials repeat a value.
    const scott = 0.2 * Math.pow(Math.max(n, 1), -1 / (dims.length + 4));
    const floor = 1 / Math.min(100, 1 + n);
    dims.forEach((dim, d) => {
      if (dim.kind === 'choice') {
        const rows: Float64Array[] = [];
        for (let j = 0; j < n; j++) {
          const row = new Float64Array(dim.size).fill(options.priorWeight / (n + 1));
          row[observations[j]![d]!]! += 1;
          const s = row.reduce((a, b) => a + b, 0);
          rows.push(row.map((x) => x / s));
        }
        rows.push(new Float64Array(dim.size).fill(1 / dim.size));
        this.probs[d] = rows;
        return;
      }
      const minSigma = dim.kind === 'int' ? Math.max(floor, 0.5 / dim.cells) : floor;
      const sigma = Math.min(1, Math.max(scott, minSigma));
      const mu = new Float64Array(this.components);
      const sd = new Float64Array(this.components);
      for (let j = 0; j < n; j++) {
        mu[j] = observations[j]![d]!;
        sd[j] = sigma;
      }
      mu[n] = 0.5;
      sd[n] = 1;
      this.mus[d] = mu;
      this.sigmas[d] = sd;
      this.logZ[d] = mu.map((m, j) => Math.log(Math.max(massBetween(-m / sd[j]!, (1 - m) / sd[j]!), TINY)));
      this.logNorm[d] = this.logZ[d].map((lz, j) => -LOG_SQRT_2PI - Math.log(sd[j]!) - lz);
    });
  }

  /** A draw from the mixture: pick a component by weight, then each dimension from its kernel. */
  sample(rng: Rng): Encoded {
    let r = rng();
    let j = 0;
    while (j < this.components - 1 && r >= this.weights[j]!) {
      r -= this.weights[j]!;
      j++;
    }
    return this.dims.map((dim, d) => {
      if (dim.kind === 'choice') {
        const p = this.probs[d]![j]!;
        let q = rng();
        for (let k = 0; k < p.length - 1; k++) {
          if (q < p[k]!) return k;
          q -= p[k]!;
        }
        return p.length - 1;
      }
      const mu = this.mus[d]![j]!;
      const sd = this.sigmas[d]![j]!;
      let u = NaN;
      // Rejection from the untruncated Gaussian: mu ∈ [0, 1] and sd ≥ the floor keep acceptance high.
      for (let tries = 0; tries < 64; tries++) {
        const x = mu + sd * normal(rng);
        if (x >= 0 && x <= 1) {
          u = x;
          break;
        }
      }
      if (Number.isNaN(u)) u = rng();
      // An integer is the centre of its cell, where the encoding of observed values puts it too.
      return dim.kind === 'int' ? (Math.min(Math.floor(u * dim.cells), dim.cells - 1) + 0.5) / dim.cells : u;
    });
  }

  /** log density of x (log mass for int and choice dimensions, which is what l/g compares). */
  logPdf(x: Encoded): number {
    // Dimension by dimension over all components at once; a cell's log mass per component is
    // computed once per estimator (candidates often land in the same int or choice cell).
    const terms = this.terms;
    terms.set(this.logWeights);
    for (let d = 0; d < this.dims.length; d++) {
      const dim = this.dims[d]!;
      const v = x[d]!;
      if (dim.kind === 'continuous') {
        const mus = this.mus[d]!;
        const sds = this.sigmas[d]!;
        const logNorm = this.logNorm[d]!;
        for (let j = 0; j < this.components; j++) {
          const z = (v - mus[j]!) / sds[j]!;
          terms[j]! += logNorm[j]! - 0.5 * z * z;
        }
        continue;
      }
      const cell = dim.kind === 'choice' ? v : Math.min(dim.cells - 1, Math.max(0, Math.round(v * dim.cells - 0.5)));
      const cache = (this.cellCache[d] ??= new Map<number, Float64Array>());
      let logMass = cache.get(cell);
      if (!logMass) {
        logMass = this.cellLogMass(d, cell);
        cache.set(cell, logMass);
      }
      for (let j = 0; j < this.components; j++) terms[j]! += logMass[j]!;
    }
    return logSumExp(terms);
  }

  private cellLogMass(d: number, cell: number): Float64Array {
    const dim = this.dims[d]!;
    const out = new Float64Array(this.components);
    if (dim.kind === 'choice') {
      for (let j = 0; j < this.components; j++) out[j] = Math.log(Math.max(this.probs[d]![j]![cell]!, TINY));
      return out;
    }
    const cells = (dim as { cells: number }).cells;
    const lo = cell / cells;
    const hi = (cell + 1) / cells;
    const mus = this.mus[d]!;
    const sds = this.sigmas[d]!;
    const logZ = this.logZ[d]!;
    for (let j = 0; j < this.components; j++) {
      out[j] = Math.log(Math.max(massBetween((lo - mus[j]!) / sds[j]!, (hi - mus[j]!) / sds[j]!), TINY)) - logZ[j]!;
    }
    return out;
  }
}
