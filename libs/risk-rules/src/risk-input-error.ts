import { DomainError } from '@meridian/domain';

/** An input of a post-trade risk computation (VaR, stops, circuit breaker) that cannot be used; names the field and the value. */
export class InvalidRiskInputError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_RISK_INPUT', `${field} ${reason}, got ${shown(value)}`);
  }
}

/** Strings quoted, plain objects and arrays (configuration JSON) as JSON, anything else (numbers, Decimals) as itself. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value); // a BigInt inside: not configuration JSON, shown as the object it is
    }
  }
  return String(value);
}
