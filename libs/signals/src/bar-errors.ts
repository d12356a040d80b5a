import { DomainError } from '@meridian/domain';

/** A bar interval token that is not one of the forms `Bar.interval` allows, or not its canonical spelling. */
export class InvalidBarIntervalError extends DomainError {
  constructor(
    readonly token: unknown,
    reason: string,
  ) {
    super('INVALID_BAR_INTERVAL', `invalid bar interval ${JSON.stringify(String(token))}: ${reason}`);
  }
}

/** A bar aggregator setting out of range (a negative grace period, a zero empty-bar cap…). */
export class InvalidBarConfigError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_BAR_CONFIG', `${field} ${String(value)} ${reason}`);
  }
}
