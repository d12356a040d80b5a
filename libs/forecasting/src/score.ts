import type { ForecastDescriptor } from './descriptor';

/** The channel read as the expected value: the 0.5 quantile, the level nearest it, or the point forecast. */
export function centralChannel(d: ForecastDescriptor): number {
  if (d.quantiles.length === 0) return 0;
  let best = 0;
  d.quantiles.forEach((q, i) => {
    if (Math.abs(q - 0.5) < Math.abs(d.quantiles[best]! - 0.5)) best = i;
  });
  return best;
}

/**
 * The signal's score from a forecast row [horizon, outputs]: the central forecast of the
 * cumulative log return to the last step, in one-bar σ (the model's own units under shift
 * scaling), divided by √horizon, i.e. in units of the horizon's own σ under a random walk, and
 * clipped to [-1, 1]. A score of 1 is a move of one horizon-σ expected: sizing treats it as full
 * conviction, as it does momentum's clipped score.
 */
export function scoreOf(d: ForecastDescriptor, row: Float32Array): number {
  const z = expectedSigmas(d, row) / Math.sqrt(d.horizon);
  return Math.max(-1, Math.min(1, Number.isFinite(z) ? z : 0));
}

/** The central forecast at the last step, in one-bar σ. */
export function expectedSigmas(d: ForecastDescriptor, row: Float32Array): number {
  return row[(d.horizon - 1) * d.outputs + centralChannel(d)]!;
}

/** One quantile level's forecast per step: in the model's units, and as log returns and prices when the origin is known. */
export interface QuantilePath {
  readonly level: number;
  readonly values: number[];
  readonly logReturns: number[];
  readonly prices: number[];
}

/**
 * The forecast per quantile level (level 0 for a point forecast), in the model's units and, when
 * the origin is known (features from bars), as log returns and prices.
 */
export function quantilePaths(d: ForecastDescriptor, row: Float32Array, origin?: { readonly logClose: number }): QuantilePath[] {
  const levels = d.quantiles.length > 0 ? d.quantiles : [0];
  return levels.map((level, q) => {
    const values: number[] = new Array(d.horizon);
    for (let h = 0; h < d.horizon; h++) values[h] = row[h * d.outputs + q]!;
    const logReturns = origin ? values.map((v) => v * d.targetScale) : [];
    return { level, values, logReturns, prices: origin ? logReturns.map((r) => Math.exp(origin.logClose + r)) : [] };
  });
}
