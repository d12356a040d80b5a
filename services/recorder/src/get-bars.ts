import { PlatformError } from '@meridian/domain';
import type { BarQuery } from '@meridian/history';
import type { GetBarsRequest } from '@meridian/proto';
import { parseBarInterval } from '@meridian/signals';

/** What a request without a limit gets (services.proto: "0 means 10,000"). */
export const DEFAULT_GET_BARS_LIMIT = 10_000;
/**
 * The most bars one response carries: ~130 bytes a bar keeps the response well under gRPC's
 * default 4 MiB message limit. A larger limit is lowered to this; clients page on from_ts_ns.
 */
export const MAX_GET_BARS_LIMIT = 20_000;

/** A GetBars request that cannot be answered; the message names the field. */
export class InvalidGetBarsRequestError extends PlatformError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('RECORDER_INVALID_REQUEST', message);
  }
}

/** The store query a GetBars request asks for, or InvalidGetBarsRequestError. */
export function barQueryOf(req: GetBarsRequest): BarQuery {
  if (req.venue === '') throw new InvalidGetBarsRequestError('venue', 'venue must not be empty');
  if (req.symbol === '') throw new InvalidGetBarsRequestError('symbol', 'symbol must not be empty');
  // PostgreSQL text cannot hold NUL: the query would fail, and the failure read as the database being down (UNAVAILABLE).
  if (req.venue.includes('\u0000')) throw new InvalidGetBarsRequestError('venue', `venue ${JSON.stringify(req.venue)} contains a NUL character`);
  if (req.symbol.includes('\u0000')) throw new InvalidGetBarsRequestError('symbol', `symbol ${JSON.stringify(req.symbol)} contains a NUL character`);
  if (req.interval === '') throw new InvalidGetBarsRequestError('interval', 'interval must not be empty (1s, 1m, 5m, 1h, v10…)');
  try {
    parseBarInterval(req.interval);
  } catch (err) {
    throw new InvalidGetBarsRequestError('interval', (err as Error).message);
  }
  if (req.fromTsNs < 0n) throw new InvalidGetBarsRequestError('from_ts_ns', `from_ts_ns ${req.fromTsNs} is negative`);
  if (req.toTsNs < 0n) throw new InvalidGetBarsRequestError('to_ts_ns', `to_ts_ns ${req.toTsNs} is negative`);
  if (req.toTsNs !== 0n && req.toTsNs < req.fromTsNs) {
    throw new InvalidGetBarsRequestError('to_ts_ns', `to_ts_ns ${req.toTsNs} is before from_ts_ns ${req.fromTsNs}`);
  }
  const limit = req.limit === 0 ? DEFAULT_GET_BARS_LIMIT : Math.min(req.limit, MAX_GET_BARS_LIMIT);
  return {
    venue: req.venue,
    symbol: req.symbol,
    interval: req.interval,
    ...(req.fromTsNs !== 0n ? { fromTsNs: req.fromTsNs } : {}),
    ...(req.toTsNs !== 0n ? { toTsNs: req.toTsNs } : {}),
    limit,
  };
}
