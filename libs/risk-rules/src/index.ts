export { checkOrder, RISK_REASONS, DEFAULT_ORDER_RATE_WINDOW_MS } from './check';
export type {
  RiskReason,
  OrderToCheck,
  ExposureState,
  AccountState,
  StrategyState,
  MarketState,
  PnlState,
  KillSwitchState,
  CheckContext,
  RiskDecision,
  BreakerView,
} from './check';
export { limitsFor, validateLimits, parseLimitsDocument, LIMIT_FIELDS } from './limits';
export type { RiskLimits, LimitsBook, SymbolLimits, StrategyLimits, LimitsDocument, LimitField, LimitScope, FieldSpec as LimitFieldSpec } from './limits';
export { OrderRateWindow } from './rate';
export type { RateWindowView } from './rate';
export { RiskState } from './state';
export type { WorkingOrderInput } from './state';
export { EquityTracker, tradingDayStart } from './equity';
export { InvalidLimitsError } from './errors';
export { historicalVar, parametricVar, scenarioPnl, inverseNormalCdf, normalPdf } from './value-at-risk';
export type { VarEstimate, VarOptions, PortfolioHistory } from './value-at-risk';
export { DrawdownTracker } from './drawdown';
export type { DrawdownState, DrawdownCheckpoint } from './drawdown';
export { PositionStops, stopOrderId, stopPriceOf } from './position-stops';
export type { StopSpec, StopTrigger } from './position-stops';
export { stopSpecFromJson, stopSpecToJson } from './stop-spec-json';
export { CircuitBreaker } from './circuit-breaker';
export type { BreakerCause, BreakerEvent, BreakerSnapshot, CircuitBreakerConfig } from './circuit-breaker';
export { InvalidRiskInputError } from './risk-input-error';
export { AccountPnl } from './account-pnl';
export type { EquityCheckpoint } from './account-pnl';
