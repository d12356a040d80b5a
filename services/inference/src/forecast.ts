import { quantilePaths } from '@meridian/forecasting';
import { QuantileForecast } from '@meridian/proto';
import type { ModelDescriptor } from './model-file';

/**
 * The forecast per quantile level (level 0 for a point forecast) on the wire: libs/forecasting's
 * paths, in the model's units and, when the origin is known (live features), as log returns and
 * prices.
 */
export function quantileForecasts(d: ModelDescriptor, row: Float32Array, origin?: { readonly logClose: number }): QuantileForecast[] {
  return quantilePaths(d, row, origin).map((p) => QuantileForecast.fromPartial(p));
}
