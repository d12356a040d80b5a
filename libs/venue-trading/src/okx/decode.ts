import { Decimal, parseSymbol } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { VenueBalance, VenueFill, VenueInstrument, VenueOrderState, VenueOrderStatus } from '../types';
import { fromOkxClOrdId } from './client-order-id';
import { OkxProtocolError } from './errors';

/**
 * OKX v5 records (orders from REST and the `orders` channel, fills, balances, instruments)
 * decoded into the platform's venue types, every field checked; a malformed one is an
 * `OkxProtocolError` naming it.
 */

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OkxProtocolError(what, value, 'expected an object');
  return value as Json;
}

function text(r: Json, field: string, what: string): string {
  const v = r[field];
  if (typeof v !== 'string') throw new OkxProtocolError(`${what}.${field}`, v, 'expected a string');
  return v;
}

function optionalText(r: Json, field: string, what: string): string {
  const v = r[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new OkxProtocolError(`${what}.${field}`, v, 'expected a string');
  return v;
}

function decimal(r: Json, field: string, what: string): Decimal {
  const v = text(r, field, what);
  try {
    return Decimal.parse(v);
  } catch (err) {
    throw new OkxProtocolError(`${what}.${field}`, v, `not a decimal (${(err as Error).message})`);
  }
}

/** A decimal that OKX sends as "" when it has none. */
function optionalDecimal(r: Json, field: string, what: string): Decimal | undefined {
  return optionalText(r, field, what) === '' ? undefined : decimal(r, field, what);
}

function msToNs(r: Json, field: string, what: string): bigint {
  const v = text(r, field, what);
  if (!/^\d{1,16}$/.test(v)) throw new OkxProtocolError(`${what}.${field}`, v, 'expected Unix milliseconds');
  return BigInt(v) * 1_000_000n;
}

function side(r: Json, what: string): Side {
  const v = text(r, 'side', what);
  if (v === 'buy') return 'BUY';
  if (v === 'sell') return 'SELL';
  throw new OkxProtocolError(`${what}.side`, v, 'expected buy or sell');
}

/** OKX `cancelSource` codes → the reason the platform records. */
const CANCEL_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  '0': 'cancelled_by_system',
  '1': 'cancelled_by_user',
  '13': 'fok_not_filled',
  '14': 'ioc_remainder',
  '20': 'cancel_all_after',
  '31': 'post_only_would_take',
  '32': 'self_trade_prevention',
});

function status(state: string, what: string): VenueOrderStatus {
  switch (state) {
    case 'live':
      return 'new';
    case 'partially_filled':
      return 'partially_filled';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'mmp_canceled':
      return 'cancelled';
    default:
      throw new OkxProtocolError(`${what}.state`, state, 'expected live, partially_filled, filled or canceled');
  }
}

export interface DecodedOrder {
  readonly state: VenueOrderState;
  readonly instId: string;
}

/** An order of `GET /api/v5/trade/order`, `orders-pending`, `orders-history` or an `orders` push. */
export function decodeOrder(value: unknown, what = 'order'): DecodedOrder {
  const r = record(value, what);
  const instId = text(r, 'instId', what);
  const ordType = text(r, 'ordType', what);
  const tgtCcy = optionalText(r, 'tgtCcy', what);
  const filled = decimal(r, 'accFillSz', what);
  const cancelSource = optionalText(r, 'cancelSource', what);
  const orderStatus = status(text(r, 'state', what), what);
  const avgPx = optionalDecimal(r, 'avgPx', what);
  return {
    instId,
    state: {
      clientOrderId: fromOkxClOrdId(optionalText(r, 'clOrdId', what)),
      venueOrderId: text(r, 'ordId', what),
      symbol: parseSymbol(instId),
      side: side(r, what),
      type: ordType === 'market' ? 'market' : 'limit',
      // A quote-amount market order's `sz` is money, not quantity: its quantity is what filled.
      quantity: ordType === 'market' && tgtCcy === 'quote_ccy' ? filled : decimal(r, 'sz', what),
      limitPrice: ordType === 'market' ? undefined : optionalDecimal(r, 'px', what),
      status: orderStatus,
      filledQuantity: filled,
      averagePrice: avgPx !== undefined && avgPx.isPositive() ? avgPx : undefined,
      reason: orderStatus === 'cancelled' ? (CANCEL_SOURCES[cancelSource] ?? (cancelSource === '' ? 'cancelled' : `cancel_source_${cancelSource}`)) : undefined,
      updatedNs: msToNs(r, 'uTime', what),
    },
  };
}

/**
 * A fill: from an `orders` push (`fillSz`, `fillPx`, `fillFee`, `fillFeeCcy`, `fillTime`) or a
 * `fills` record (`fillSz`, `fillPx`, `fee`, `feeCcy`, `ts`). OKX's fee is negative when charged;
 * the platform's is positive when charged.
 */
export function decodeFill(value: unknown, source: 'push' | 'rest', what = 'fill'): { instId: string; fill: VenueFill } {
  const r = record(value, what);
  const instId = text(r, 'instId', what);
  const fee = decimal(r, source === 'push' ? 'fillFee' : 'fee', what);
  const execType = text(r, 'execType', what);
  if (execType !== 'M' && execType !== 'T') throw new OkxProtocolError(`${what}.execType`, execType, 'expected M or T');
  const fill: VenueFill = {
    tradeId: text(r, 'tradeId', what),
    clientOrderId: fromOkxClOrdId(optionalText(r, 'clOrdId', what)),
    venueOrderId: text(r, 'ordId', what),
    symbol: parseSymbol(instId),
    side: side(r, what),
    price: decimal(r, 'fillPx', what),
    quantity: decimal(r, 'fillSz', what),
    fee: fee.neg(),
    feeCurrency: text(r, source === 'push' ? 'fillFeeCcy' : 'feeCcy', what),
    liquidity: execType === 'M' ? 'maker' : 'taker',
    tsNs: msToNs(r, source === 'push' ? 'fillTime' : 'ts', what),
  };
  return { instId, fill };
}

/** Whether an `orders` push reports a fill (rather than another change of the order). */
export function pushHasFill(value: unknown): boolean {
  const r = record(value, 'order');
  const size = r.fillSz;
  return typeof r.tradeId === 'string' && r.tradeId !== '' && typeof size === 'string' && size !== '' && size !== '0';
}

/** The `details` of `GET /api/v5/account/balance`. */
export function decodeBalances(data: readonly unknown[]): VenueBalance[] {
  const out: VenueBalance[] = [];
  for (const [i, account] of data.entries()) {
    const details = record(account, `balance[${i}]`).details;
    if (!Array.isArray(details)) throw new OkxProtocolError(`balance[${i}].details`, details, 'expected an array');
    for (const [j, d] of details.entries()) {
      const what = `balance[${i}].details[${j}]`;
      const r = record(d, what);
      out.push({ currency: text(r, 'ccy', what), total: decimal(r, 'cashBal', what), available: decimal(r, 'availBal', what) });
    }
  }
  return out;
}

/** A record of `GET /api/v5/public/instruments?instType=SPOT`. OKX publishes no minimum notional. */
export function decodeInstrument(value: unknown, what = 'instrument'): VenueInstrument {
  const r = record(value, what);
  const instId = text(r, 'instId', what);
  return {
    symbol: parseSymbol(instId),
    venueSymbol: instId,
    baseCurrency: text(r, 'baseCcy', what),
    quoteCurrency: text(r, 'quoteCcy', what),
    tickSize: decimal(r, 'tickSz', what),
    lotSize: decimal(r, 'lotSz', what),
    minQuantity: decimal(r, 'minSz', what),
    minNotional: undefined,
  };
}

/** An item of a trade endpoint's `data`: `{ordId, clOrdId, sCode, sMsg}`. */
export interface OkxItem {
  readonly ordId: string;
  readonly clOrdId: string;
  readonly sCode: string;
  readonly sMsg: string;
}

export function decodeItem(value: unknown, what = 'item'): OkxItem {
  const r = record(value, what);
  return { ordId: optionalText(r, 'ordId', what), clOrdId: optionalText(r, 'clOrdId', what), sCode: text(r, 'sCode', what), sMsg: optionalText(r, 'sMsg', what) };
}
