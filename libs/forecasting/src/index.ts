export { CALENDAR_COLUMNS, calendarFeatures } from './calendar';
export { describeForecaster } from './descriptor';
export type { ForecastDescriptor, TensorSpec } from './descriptor';
export { BarWindow } from './window';
export type { BarWindowInput, WindowInput } from './window';
export { forecastBatch } from './run';
export { centralChannel, expectedSigmas, quantilePaths, scoreOf } from './score';
export type { QuantilePath } from './score';
export { ForecastingError, ModelNotServableError, ModelShapeError } from './errors';
