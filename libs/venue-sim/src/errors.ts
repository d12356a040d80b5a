import { PlatformError } from '@meridian/domain';

/** Errors the simulated exchange throws on misuse; refused orders are `SimResult` rejections, not errors. */
export class VenueSimError extends PlatformError {}

/** A venue option, account spec or model parameter is invalid; `key` names it (e.g. `instruments[1].tickSize`). */
export class SimConfigError extends VenueSimError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('SIM_INVALID_CONFIG', `venue-sim ${key}: ${show(value)} ${reason}`);
  }
}

export class UnknownAccountError extends VenueSimError {
  constructor(readonly account: unknown) {
    super('SIM_UNKNOWN_ACCOUNT', `account ${show(account)} is not open on this venue`);
  }
}

export class DuplicateAccountError extends VenueSimError {
  constructor(readonly account: string) {
    super('SIM_DUPLICATE_ACCOUNT', `account ${show(account)} is already open`);
  }
}

export class UnknownSymbolError extends VenueSimError {
  constructor(readonly symbol: unknown) {
    super('SIM_UNKNOWN_SYMBOL', `symbol ${show(symbol)} is not traded on this venue`);
  }
}

/** Market data handed to `applyMarketBook` / `applyMarketTrade` that the venue cannot mirror; nothing was applied. */
export class InvalidMarketDataError extends VenueSimError {
  constructor(
    readonly symbol: string,
    readonly field: string,
    readonly value: unknown,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('SIM_INVALID_MARKET_DATA', `market data for ${symbol}: ${field} ${show(value)} ${reason}`, options);
  }
}

/** A query argument (a depth, a trade id cursor, a limit) is malformed. */
export class SimArgumentError extends VenueSimError {
  constructor(
    readonly argument: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('SIM_INVALID_ARGUMENT', `${argument} ${show(value)} ${reason}`);
  }
}

/** The venue found its own books inconsistent: a bug, never an expected outcome. */
export class SimInvariantError extends VenueSimError {
  constructor(message: string) {
    super('SIM_INVARIANT', message);
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function') {
    const text = String(value);
    if (text !== '[object Object]') return text;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular or exotic values: their string form is all a message can show.
    return String(value);
  }
}
