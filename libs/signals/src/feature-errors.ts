import { DomainError } from '@meridian/domain';

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    // A cyclic object cannot be printed as JSON; its type is enough to find it.
    return Object.prototype.toString.call(value);
  }
}

/** A feature specification that cannot be used; `field` is the path of the bad value (`features[2].params.period`). */
export class InvalidFeatureSpecError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_FEATURE_SPEC', `invalid feature spec: ${field} ${describe(value)} ${reason}`);
  }
}

/** A model's stored feature specification differs from the one the caller computes features with. */
export class FeatureSpecMismatchError extends DomainError {
  constructor(
    readonly expectedHash: string,
    readonly actualHash: string,
  ) {
    super('FEATURE_SPEC_MISMATCH', `feature spec hash ${actualHash} differs from the expected ${expectedHash}`);
  }
}

/** Normalisation statistics that the training data cannot give (a constant feature, too few bars). */
export class FeatureFitError extends DomainError {
  constructor(
    readonly feature: string,
    reason: string,
  ) {
    super('FEATURE_FIT', `cannot fit the normalisation of feature ${JSON.stringify(feature)}: ${reason}`);
  }
}
