import { PlatformError } from '@meridian/domain';

// Errors of the Alpaca trading adapter. None of them ever carries the API key or secret: requests
// are named by method and path only, never by their headers.

export class AlpacaTradingError extends PlatformError {}

/** An adapter option is invalid; `key` names it. A secret's value is never shown. */
export class AlpacaConfigError extends AlpacaTradingError {
  constructor(
    readonly key: string,
    value: unknown,
    reason: string,
  ) {
    super('ALPACA_CONFIG', `alpaca option ${key}=${JSON.stringify(value)}: ${reason}`);
  }
}

/** A read (GET) failed after its retries, or Alpaca refused it. */
export class AlpacaRequestError extends AlpacaTradingError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly alpacaCode: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('ALPACA_REQUEST', `alpaca ${method} ${path} failed: ${reason}`, options);
  }
}

/** Alpaca sent something the adapter cannot read; `field` names what was wrong. */
export class AlpacaProtocolError extends AlpacaTradingError {
  constructor(
    readonly field: string,
    value: unknown,
    reason: string,
  ) {
    super('ALPACA_PROTOCOL', `alpaca ${field}: ${reason}, got ${describe(value)}`);
  }
}

/** The `trade_updates` stream refused the keys, or did not start in time. */
export class AlpacaStreamError extends AlpacaTradingError {
  constructor(reason: string) {
    super('ALPACA_STREAM', `alpaca trade_updates stream: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
