/** Base of every domain error: a stable `code` for metrics and clients, the offending value in the message. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

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
