import { PoisonMessageError } from '@meridian/bus';
import { Decimal, isSymbol, parseVenue } from '@meridian/domain';
import type { StoredBar } from '@meridian/history';
import type { Bar } from '@meridian/proto';
import { parseBarInterval } from '@meridian/signals';

const MAX_TRADE_COUNT = BigInt(Number.MAX_SAFE_INTEGER);

function invalid(bar: Bar, reason: string): never {
  throw new PoisonMessageError(
    'invalid_bar',
    `bar ${bar.venue}/${bar.symbol}/${bar.interval} at ${bar.startTsNs} revision ${bar.revision}: ${reason}`,
  );
}

function decimal(bar: Bar, field: string, value: string): Decimal {
  try {
    return Decimal.parse(value);
  } catch {
    return invalid(bar, `${field} ${JSON.stringify(value)} is not a decimal`);
  }
}

/**
 * The stored form of a wire bar, or a PoisonMessageError naming what is wrong: a bar that can never
 * be stored must not be retried. It must also match the subject it came on, so a producer bug
 * cannot file bars under another series.
 */
export function barFromWire(bar: Bar, subject: string, expectedSubject: (venue: string, symbol: string, interval: string) => string): StoredBar {
  let venueOk = false;
  try {
    venueOk = parseVenue(bar.venue) === bar.venue;
  } catch {
    venueOk = false;
  }
  if (!venueOk) invalid(bar, `venue ${JSON.stringify(bar.venue)} is not a venue id`);
  if (!isSymbol(bar.symbol)) invalid(bar, `symbol ${JSON.stringify(bar.symbol)} is not a platform symbol`);
  try {
    parseBarInterval(bar.interval);
  } catch (err) {
    invalid(bar, (err as Error).message);
  }
  const expected = expectedSubject(bar.venue, bar.symbol, bar.interval);
  if (subject !== expected) invalid(bar, `arrived on ${subject}, not on ${expected}`);
  if (bar.startTsNs < 0n) invalid(bar, 'start_ts_ns is negative');
  if (bar.endTsNs <= bar.startTsNs) invalid(bar, `end_ts_ns ${bar.endTsNs} is not after start_ts_ns`);
  if (bar.tradeCount > MAX_TRADE_COUNT) invalid(bar, `trade_count ${bar.tradeCount} is out of range`);
  const open = decimal(bar, 'open', bar.open);
  const high = decimal(bar, 'high', bar.high);
  const low = decimal(bar, 'low', bar.low);
  const close = decimal(bar, 'close', bar.close);
  const volume = decimal(bar, 'volume', bar.volume);
  const notional = decimal(bar, 'notional', bar.notional);
  if (low.gt(high) || open.lt(low) || open.gt(high) || close.lt(low) || close.gt(high)) {
    invalid(bar, `OHLC ${bar.open} ${bar.high} ${bar.low} ${bar.close} is not a bar (low <= open, close <= high)`);
  }
  if (volume.isNegative()) invalid(bar, `volume ${bar.volume} is negative`);
  return {
    venue: bar.venue,
    symbol: bar.symbol,
    interval: bar.interval,
    startTsNs: bar.startTsNs,
    endTsNs: bar.endTsNs,
    open,
    high,
    low,
    close,
    volume,
    notional,
    tradeCount: Number(bar.tradeCount),
    revision: bar.revision,
  };
}
