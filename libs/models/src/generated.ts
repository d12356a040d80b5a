import { InvalidDatasetError } from './errors';
import { SeededRandom } from './random';

export interface GeneratedSeriesOptions {
  readonly length: number;
  readonly seed: number;
  /** Period of the deterministic cycle (24: a daily cycle of hourly bars). */
  readonly period?: number;
  /** Amplitude of the cycle. */
  readonly amplitude?: number;
  /** AR(1) coefficient of the persistent component. */
  readonly phi?: number;
  /** Innovation σ of the AR(1) component. */
  readonly arSigma?: number;
  /** σ of the white noise on top. */
  readonly noiseSigma?: number;
  readonly level?: number;
}

/**
 * A series with a signal a forecaster can learn and the naive baselines cannot use fully:
 * level + amplitude·(sin(2πt/p) + 0.5·sin(4πt/p)) + AR(1) + noise. Seasonal naive gets the cycle
 * but pays the AR and noise twice; naive and moving averages miss the cycle. The optimal
 * forecast is the cycle plus φ^h times the current AR state; its expected error is the stated
 * floor (`optimalMse`).
 */
export function generatedSeries(o: GeneratedSeriesOptions): { values: Float64Array; optimalMse: (h: number) => number } {
  if (!Number.isSafeInteger(o.length) || o.length < 1) throw new InvalidDatasetError('length', o.length, 'must be a positive integer');
  const period = o.period ?? 24;
  const amplitude = o.amplitude ?? 1;
  const phi = o.phi ?? 0.9;
  const arSigma = o.arSigma ?? 0.3;
  const noiseSigma = o.noiseSigma ?? 0.2;
  const level = o.level ?? 10;
  if (!(Math.abs(phi) < 1)) throw new InvalidDatasetError('phi', phi, 'must be in (-1, 1)');
  const rng = new SeededRandom(o.seed);
  const values = new Float64Array(o.length);
  let ar = 0;
  for (let t = 0; t < o.length; t++) {
    ar = phi * ar + arSigma * rng.normal();
    const cycle = Math.sin((2 * Math.PI * t) / period) + 0.5 * Math.sin((4 * Math.PI * t) / period);
    values[t] = level + amplitude * cycle + ar + noiseSigma * rng.normal();
  }
  // Var of the h-step AR prediction error: σ²(1 − φ^{2h}) / (1 − φ²), plus the noise.
  const optimalMse = (h: number) => (arSigma ** 2 * (1 - phi ** (2 * h))) / (1 - phi ** 2) + noiseSigma ** 2;
  return { values, optimalMse };
}
