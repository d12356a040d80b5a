import { DomainError } from '@meridian/domain';

/** A model score that cannot be sized: NaN or infinite. */
export class InvalidScoreError extends DomainError {
  constructor(readonly score: unknown) {
    super('INVALID_SCORE', `score ${String(score)} is not a finite number`);
  }
}

/** A sizing setting that is missing, non-positive, or inconsistent with another. */
export class InvalidSizingConfigError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_SIZING_CONFIG', `${field} ${message}`);
  }
}

/** A signal the strategy cannot act on: a reference price that is not a positive decimal. */
export class InvalidSignalError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_SIGNAL', `signal ${field} ${JSON.stringify(value)} ${reason}`);
  }
}
