/**
 * Base of every error the platform throws on purpose: a stable `code` for metrics, logs and
 * clients, the offending value in the message, and the underlying `cause`. Each lib derives
 * its own family from it (DomainError, BusError, RuntimeError, StoreError).
 */
export class PlatformError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Errors of the domain model: prices, quantities, symbols, sides, instrument rules. */
export class DomainError extends PlatformError {}

export class InvalidDecimalError extends DomainError {
  constructor(readonly input: unknown, reason: string) {
    super('INVALID_DECIMAL', `invalid decimal ${JSON.stringify(String(input))}: ${reason}`);
  }
}

export class DivisionByZeroError extends DomainError {
  constructor(readonly dividend: string) {
    super('DIVISION_BY_ZERO', `division of ${dividend} by zero`);
  }
}

export class InvalidSymbolError extends DomainError {
  constructor(readonly input: unknown, reason: string) {
    super('INVALID_SYMBOL', `invalid symbol ${JSON.stringify(String(input))}: ${reason}`);
  }
}

export class InvalidSideError extends DomainError {
  constructor(readonly input: unknown) {
    super('INVALID_SIDE', `invalid side ${JSON.stringify(String(input))}: expected BUY or SELL`);
  }
}

export class InstrumentRuleError extends DomainError {}
