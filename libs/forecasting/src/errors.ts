import { PlatformError } from '@meridian/domain';

/** Errors of reading a forecasting model for the bar path. */
export class ForecastingError extends PlatformError {}

/** The file's metadata contradicts itself or what it is checked against: shapes against the config and feature spec. */
export class ModelShapeError extends ForecastingError {
  constructor(
    readonly model: string,
    readonly what: string,
    reason: string,
  ) {
    super('MODEL_SHAPE_MISMATCH', `model ${model}: ${what} ${reason}`);
  }
}

/** The file is a valid model the bar path cannot feed (inputs other than bars, calendar and the log-close target). */
export class ModelNotServableError extends ForecastingError {
  constructor(
    readonly model: string,
    reason: string,
  ) {
    super('MODEL_NOT_SERVABLE', `model ${model} cannot be served from bars: ${reason}`);
  }
}
