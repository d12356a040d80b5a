import { DomainError } from '@meridian/domain';

/** A fill the ledger refuses to book: the field and value are named so the bad report can be found. */
export class InvalidFillError extends DomainError {
  constructor(
    readonly symbol: string,
    readonly field: string,
    readonly input: unknown,
    reason: string,
  ) {
    super('PORTFOLIO_INVALID_FILL', `invalid fill for ${symbol}: ${field} ${JSON.stringify(String(input))} ${reason}`);
  }
}

/** A stored position that cannot be a real one (e.g. a long position with a negative cost). */
export class InvalidPositionSnapshotError extends DomainError {
  constructor(
    readonly symbol: string,
    readonly field: string,
    readonly input: unknown,
    reason: string,
  ) {
    super('PORTFOLIO_INVALID_SNAPSHOT', `invalid position snapshot for ${symbol}: ${field} ${JSON.stringify(String(input))} ${reason}`);
  }
}

export class InvalidPortfolioSymbolError extends DomainError {
  constructor(readonly input: unknown) {
    super('PORTFOLIO_INVALID_SYMBOL', `invalid portfolio symbol ${JSON.stringify(String(input))}: must be a non-empty string`);
  }
}
