import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { parseRfc3339Nanos } from '@meridian/venues';
import type { VenueOrderStatus, VenueOrderType } from '../types';
import { AlpacaProtocolError } from './errors';

// Reading Alpaca's JSON exactly: decimals stay decimal strings until they become `Decimal`s,
// times become bigint nanoseconds. A missing or malformed field is an `AlpacaProtocolError`
// naming it.

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AlpacaProtocolError(what, value, 'expected an object');
  return value as Record<string, unknown>;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new AlpacaProtocolError(what, value, 'expected an array');
  return value;
}

export function text(o: Record<string, unknown>, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new AlpacaProtocolError(`${what}.${field}`, v, 'expected a string');
  return v;
}

function optionalText(o: Record<string, unknown>, field: string, what: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new AlpacaProtocolError(`${what}.${field}`, v, 'expected a string or null');
  return v;
}

export function decimal(o: Record<string, unknown>, field: string, what: string): Decimal {
  const v = o[field];
  if (typeof v !== 'string' && typeof v !== 'number') throw new AlpacaProtocolError(`${what}.${field}`, v, 'expected a decimal string');
  try {
    return Decimal.parse(String(v));
  } catch {
    throw new AlpacaProtocolError(`${what}.${field}`, v, 'expected a decimal string');
  }
}

export function optionalDecimal(o: Record<string, unknown>, field: string, what: string): Decimal | undefined {
  const v = o[field];
  return v === undefined || v === null || v === '' ? undefined : decimal(o, field, what);
}

export function time(o: Record<string, unknown>, field: string, what: string): bigint {
  const v = o[field];
  const ns = typeof v === 'string' ? parseRfc3339Nanos(v) : undefined;
  if (ns === undefined) throw new AlpacaProtocolError(`${what}.${field}`, v, 'expected an RFC 3339 timestamp');
  return ns;
}

function side(o: Record<string, unknown>, what: string): Side {
  const v = o['side'];
  if (v === 'buy') return 'BUY';
  if (v === 'sell' || v === 'sell_short') return 'SELL';
  throw new AlpacaProtocolError(`${what}.side`, v, 'expected buy, sell or sell_short');
}

/** One Alpaca order as Alpaca reports it (one link of a replace chain). */
export interface AlpacaOrder {
  readonly id: string;
  readonly clientOrderId: string;
  /** Alpaca's symbol (`BRK.B`). */
  readonly symbol: string;
  readonly side: Side;
  readonly type: VenueOrderType;
  readonly qty: Decimal;
  readonly filledQty: Decimal;
  readonly filledAvgPrice: Decimal | undefined;
  readonly limitPrice: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly status: string;
  readonly replaces: string | undefined;
  readonly replacedBy: string | undefined;
  readonly submittedNs: bigint;
  readonly updatedNs: bigint;
}

const ORDER_TYPES: readonly VenueOrderType[] = ['market', 'limit', 'stop', 'stop_limit'];

export function decodeOrder(value: unknown, what = 'order'): AlpacaOrder {
  const o = record(value, what);
  const type = o['type'] ?? o['order_type'];
  if (!ORDER_TYPES.includes(type as VenueOrderType)) throw new AlpacaProtocolError(`${what}.type`, type, `expected one of ${ORDER_TYPES.join(', ')}`);
  const qty = o['qty'];
  if (qty === null || qty === undefined) throw new AlpacaProtocolError(`${what}.qty`, qty, 'notional orders are not traded through this adapter');
  return {
    id: text(o, 'id', what),
    clientOrderId: text(o, 'client_order_id', what),
    symbol: text(o, 'symbol', what),
    side: side(o, what),
    type: type as VenueOrderType,
    qty: decimal(o, 'qty', what),
    filledQty: decimal(o, 'filled_qty', what),
    filledAvgPrice: optionalDecimal(o, 'filled_avg_price', what),
    limitPrice: optionalDecimal(o, 'limit_price', what),
    stopPrice: optionalDecimal(o, 'stop_price', what),
    status: text(o, 'status', what),
    replaces: optionalText(o, 'replaces', what),
    replacedBy: optionalText(o, 'replaced_by', what),
    submittedNs: time(o, o['submitted_at'] === null || o['submitted_at'] === undefined ? 'created_at' : 'submitted_at', what),
    updatedNs: time(o, 'updated_at', what),
  };
}

/** Alpaca's order statuses in the platform's vocabulary; an order still working keeps `new` / `partially_filled`. */
export function venueStatus(status: string, filledQty: Decimal): VenueOrderStatus {
  switch (status) {
    case 'pending_new':
      return 'pending_new';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'replaced':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      // new, partially_filled, accepted, pending_cancel, pending_replace, done_for_day, stopped, …
      return filledQty.isPositive() ? 'partially_filled' : 'new';
  }
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/** A `FILL` account activity. */
export interface AlpacaFillActivity {
  readonly id: string;
  /** The execution's id: the part of the activity id after `::` (the stream's `execution_id`). */
  readonly executionId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly tsNs: bigint;
}

export function decodeFillActivity(value: unknown): AlpacaFillActivity {
  const what = 'activity';
  const o = record(value, what);
  const id = text(o, 'id', what);
  const sep = id.indexOf('::');
  return {
    id,
    executionId: sep >= 0 ? id.slice(sep + 2) : id,
    orderId: text(o, 'order_id', what),
    symbol: text(o, 'symbol', what),
    side: side(o, what),
    price: decimal(o, 'price', what),
    qty: decimal(o, 'qty', what),
    tsNs: time(o, 'transaction_time', what),
  };
}
