import type { Level } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { decimal, describe, sequence, string } from '../decode';
import { FrameRejectedError } from '../errors';
import { rfc3339Nanos } from './rfc3339';

/**
 * Readers for Alpaca's market-data messages (`T` = `t` trade, `q` quote, `b` bar). Alpaca sends
 * prices and sizes as JSON numbers; they are read as the shortest decimal that round-trips (what
 * the venue's encoder printed), exponent form included (`1.2e-7` BTC), never through float math.
 */

const MAX_SCALE = 36;

export function jsonDecimal(value: unknown, what: string, rule: 'positive' | 'non_negative'): Decimal {
  if (typeof value !== 'number' || !Number.isFinite(value) || !/e/i.test(String(value))) return decimal(value, what, rule);
  // Exponent form: the core reader takes plain decimals only; fromNumber reads the same shortest digits exactly.
  const d = Decimal.fromNumber(value, MAX_SCALE);
  if (rule === 'positive' ? !d.isPositive() : d.isNegative()) {
    throw new FrameRejectedError('non_positive', `${what}: ${value} must be ${rule === 'positive' ? 'positive' : 'zero or more'}`);
  }
  return d;
}

export interface AlpacaTrade {
  readonly tradeId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressor: Side | undefined;
  readonly tsNs: bigint;
}

/**
 * `{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":182.48,"s":100,"c":["@"],"z":"C","t":"…"}`;
 * crypto adds `tks` (taker side, `B`/`S`). Stock trade ids are unique per exchange, so the id
 * carries the exchange code (`V:52983525029461`).
 */
export function decodeTrade(m: Record<string, unknown>): AlpacaTrade {
  const id = sequence(m['i'], 'trade i').toString();
  const exchange = m['x'] === undefined ? undefined : string(m['x'], 'trade x');
  let aggressor: Side | undefined;
  const tks = m['tks'];
  if (tks !== undefined) {
    if (tks === 'B') aggressor = 'BUY';
    else if (tks === 'S') aggressor = 'SELL';
    else throw new FrameRejectedError('schema', `trade tks: expected "B" or "S", got ${describe(tks)}`);
  }
  if (m['c'] !== undefined && !Array.isArray(m['c'])) throw new FrameRejectedError('schema', `trade c: expected an array of conditions, got ${describe(m['c'])}`);
  return {
    tradeId: exchange === undefined ? id : `${exchange}:${id}`,
    price: jsonDecimal(m['p'], 'trade p', 'positive'),
    size: jsonDecimal(m['s'], 'trade s', 'positive'),
    aggressor,
    tsNs: rfc3339Nanos(m['t'], 'trade t'),
  };
}

export interface AlpacaQuote {
  readonly bids: Level[];
  readonly asks: Level[];
  readonly tsNs: bigint;
}

/**
 * `{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"…"}` → one level
 * per side. A side with price or size 0 has no quote and becomes no level.
 */
export function decodeQuote(m: Record<string, unknown>): AlpacaQuote {
  const side = (p: string, s: string, what: string): Level[] => {
    const price = jsonDecimal(m[p], `quote ${p}`, 'non_negative');
    const size = jsonDecimal(m[s], `quote ${s}`, 'non_negative');
    if (price.isZero() !== size.isZero()) {
      // A price without size (or the reverse) is not a quote we can place in a book.
      throw new FrameRejectedError('non_positive', `quote ${what}: price ${price} with size ${size}`);
    }
    return price.isZero() ? [] : [{ price, size }];
  };
  return { bids: side('bp', 'bs', 'bid'), asks: side('ap', 'as', 'ask'), tsNs: rfc3339Nanos(m['t'], 'quote t') };
}

export interface AlpacaBar {
  readonly startTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

/** `{"T":"b","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49378,"t":"2021-02-22T19:15:00Z"}`: a closed minute bar. */
export function decodeBar(m: Record<string, unknown>): AlpacaBar {
  const bar: AlpacaBar = {
    startTsNs: rfc3339Nanos(m['t'], 'bar t'),
    open: jsonDecimal(m['o'], 'bar o', 'positive'),
    high: jsonDecimal(m['h'], 'bar h', 'positive'),
    low: jsonDecimal(m['l'], 'bar l', 'positive'),
    close: jsonDecimal(m['c'], 'bar c', 'positive'),
    volume: jsonDecimal(m['v'], 'bar v', 'non_negative'),
  };
  if (bar.high.lt(bar.low) || bar.high.lt(bar.open) || bar.high.lt(bar.close) || bar.low.gt(bar.open) || bar.low.gt(bar.close)) {
    throw new FrameRejectedError('schema', `bar: high ${bar.high} / low ${bar.low} do not bound open ${bar.open} and close ${bar.close}`);
  }
  return bar;
}
