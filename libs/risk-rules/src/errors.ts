import { DomainError } from '@meridian/domain';

/** A limits book that cannot be enforced; `path` is the offending key, e.g. `perSymbol.BTC-USDT.maxPosition`. */
export class InvalidLimitsError extends DomainError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('INVALID_RISK_LIMITS', `${path} ${message}`);
  }
}
