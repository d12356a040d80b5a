export { targetPosition, planOrder, validateSizingConfig } from './sizing';
export type { SizingConfig, OrderPlan } from './sizing';
export { SignalStrategy, SignalState, validateSignalStrategyConfig } from './signal-strategy';
export type { SignalStrategyConfig, SignalInput, SignalDecision, SkipReason } from './signal-strategy';
export { InvalidScoreError, InvalidSizingConfigError, InvalidSignalError } from './errors';
