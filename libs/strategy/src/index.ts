export { targetPosition, planOrder, validateSizingConfig } from './sizing';
export type { SizingConfig, OrderPlan } from './sizing';
export { InvalidScoreError, InvalidSizingConfigError } from './errors';
