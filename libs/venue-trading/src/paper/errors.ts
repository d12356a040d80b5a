import { PlatformError } from '@meridian/domain';

/** Errors of the paper trading adapter; refused orders are `VenueOutcome`s, not errors. */
export class PaperTradingError extends PlatformError {}

/** An option of `PaperTradingVenue` is invalid; `key` names it. */
export class PaperConfigError extends PaperTradingError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('PAPER_INVALID_CONFIG', `paper venue option ${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)} ${reason}`);
  }
}

/** A request made after `close()`, or still on its way to the exchange when the adapter closed: it never reached the exchange. */
export class PaperVenueClosedError extends PaperTradingError {
  constructor(
    readonly venue: string,
    readonly request: string,
  ) {
    super('PAPER_VENUE_CLOSED', `paper venue ${JSON.stringify(venue)} is closed: ${request} did not reach the exchange`);
  }
}
