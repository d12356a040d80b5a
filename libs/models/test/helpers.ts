import { tf } from '../src/tf';
import type { ModelInputs, NamedWeight } from '../src';
import { SeededRandom } from '../src/random';

/** Deterministic inputs for a shape: values in [-1, 1). */
export function randomArray(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.next() - 1;
  return a;
}

export function inputs(batch: number, io: { lookback: number; horizon: number; pastFeatures: number; futureFeatures: number; staticFeatures: number }, seed = 1): ModelInputs {
  return {
    past: tf.tensor3d(randomArray(batch * io.lookback * io.pastFeatures, seed), [batch, io.lookback, io.pastFeatures]),
    ...(io.futureFeatures > 0 ? { future: tf.tensor3d(randomArray(batch * io.horizon * io.futureFeatures, seed + 1), [batch, io.horizon, io.futureFeatures]) } : {}),
    ...(io.staticFeatures > 0 ? { static: tf.tensor2d(randomArray(batch * io.staticFeatures, seed + 2), [batch, io.staticFeatures]) } : {}),
  };
}

export function weightMap(weights: readonly NamedWeight[]): Map<string, NamedWeight> {
  return new Map(weights.map((w) => [w.name, w]));
}

/** Row-major [r, c] matrix times a vector from the left: v [r] · M → [c]. */
export function vecMat(v: ArrayLike<number>, m: NamedWeight): Float64Array {
  const [r, c] = m.shape as [number, number];
  const out = new Float64Array(c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j]! += v[i]! * m.data[i * c + j]!;
  return out;
}

export function addVec(a: Float64Array, b: ArrayLike<number>): Float64Array {
  return a.map((x, i) => x + b[i]!);
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
export const relu = (x: number) => Math.max(0, x);
