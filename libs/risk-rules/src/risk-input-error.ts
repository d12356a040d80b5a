import { DomainError } from '@meridian/domain';

/** An input of a post-trade risk computation (VaR, stops, circuit breaker) that cannot be used; names the field and the value. */
export class InvalidRiskInputError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_RISK_INPUT', `${field} ${reason}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
}
