export { Ema, Sma, RollingStd, Rsi } from './indicators';
export type { Indicator } from './indicators';
export { TimeBarBuilder } from './bars';
export type { Bar } from './bars';
export { MomentumModel, BookImbalance, MOMENTUM_MODEL } from './momentum';
export type { MomentumConfig, MomentumFeatures, MomentumSignal } from './momentum';
export { InvalidPeriodError, InvalidSignalInputError, InvalidModelConfigError } from './errors';
