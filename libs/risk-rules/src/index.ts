export { checkOrder, RISK_REASONS } from './check';
export type { RiskReason, OrderToCheck, ExposureState, KillSwitchState, RiskDecision } from './check';
export { limitsFor, validateLimits } from './limits';
export type { RiskLimits, LimitsBook } from './limits';
export { InvalidLimitsError } from './errors';
