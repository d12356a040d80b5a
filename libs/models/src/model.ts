import type { NamedWeight } from './params';
import type { SeededRandom } from './random';
import type { tf } from './tf';

export type ModelKind = 'lstm' | 'nbeats' | 'tft';

/**
 * What a model reads and writes. Inputs are float32, batch first:
 * - `past` [B, lookback, pastFeatures]: observed values up to and including the forecast origin;
 *   by this library's convention the last column is the target's own history (window-scaled),
 *   the columns before it covariates (e.g. a FeatureSpec's normalised features).
 * - `future` [B, horizon, futureFeatures]: values known in advance for the forecast steps
 *   (calendar); only when futureFeatures > 0.
 * - `static` [B, staticFeatures]: per-series constants; only when staticFeatures > 0.
 * Output [B, horizon, outputs]: outputs = quantiles.length, or 1 for a point forecast.
 */
export interface ModelIO {
  readonly lookback: number;
  readonly horizon: number;
  readonly pastFeatures: number;
  readonly futureFeatures: number;
  readonly staticFeatures: number;
  /** Levels of the quantile outputs, increasing; empty for a point forecast. */
  readonly quantiles: readonly number[];
}

export interface ModelInputs {
  readonly past: tf.Tensor3D;
  readonly future?: tf.Tensor3D;
  readonly static?: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Dropout on (training) or off (inference, the default). */
  readonly training?: boolean;
  /** Source of dropout masks while training; a seeded one makes training repeatable. */
  readonly rng?: SeededRandom;
}

export interface ForecastModel<C = unknown> {
  readonly kind: ModelKind;
  /** The validated config, defaults filled in: JSON, saved beside the weights. */
  readonly config: C;
  readonly io: ModelIO;
  /** Forecast [B, horizon, max(1, quantiles)]. Call inside tf.tidy (or dispose the result). */
  forward(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D;
  /** Every tensor the forward pass reads, by its stable name, in a fixed order. */
  getWeights(): NamedWeight[];
  setWeights(weights: readonly NamedWeight[]): void;
  trainableVariables(): tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

/** Number of output channels per step: one per quantile, or one point forecast. */
export function outputChannels(io: ModelIO): number {
  return Math.max(1, io.quantiles.length);
}
