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
