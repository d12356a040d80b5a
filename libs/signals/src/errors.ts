import { DomainError } from '@meridian/domain';

/** A window length or bar interval that is not a positive integer. */
export class InvalidPeriodError extends DomainError {
  constructor(
    readonly owner: string,
    readonly value: unknown,
  ) {
    super('INVALID_PERIOD', `${owner} must be a positive integer, got ${describe(value)}`);
  }
}

/** An input that would poison an indicator's state for good (NaN, infinity, a non-positive price). */
export class InvalidSignalInputError extends DomainError {
  constructor(
    readonly what: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_SIGNAL_INPUT', `${what} ${describe(value)} ${reason}`);
  }
}

/** Two settings that cannot work together, e.g. a fast period that is not shorter than the slow one. */
export class InvalidModelConfigError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_MODEL_CONFIG', `${field} ${describe(value)} ${reason}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function requirePeriod(owner: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidPeriodError(owner, value);
  }
  return value;
}

export function requireFinite(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidSignalInputError(what, value, 'is not a finite number');
  }
  return value;
}
