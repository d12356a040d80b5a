import { Decimal } from '@meridian/domain';
import { parseRfc3339Nanos } from '@meridian/venues';
import { AlpacaApiError } from './errors';
import { ALPACA_ERRORS } from './protocol';
import type { AlpacaOrderType, AlpacaSide, AlpacaTimeInForce } from './protocol';

// Reading Alpaca request bodies and query strings. A value outside its documented domain is a
// 422 naming the parameter (40010000 when the body is not JSON at all), as Alpaca answers.

export const MAX_CLIENT_ORDER_ID_LENGTH = 128;

const ORDER_TYPES: readonly AlpacaOrderType[] = ['market', 'limit', 'stop', 'stop_limit'];
const TIMES_IN_FORCE: readonly AlpacaTimeInForce[] = ['day', 'gtc', 'ioc', 'fok'];
const SIDES: readonly AlpacaSide[] = ['buy', 'sell'];

function invalid(message: string): AlpacaApiError {
  return new AlpacaApiError(ALPACA_ERRORS.invalidParameter, message);
}

export function parseJsonBody(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AlpacaApiError(ALPACA_ERRORS.malformedBody);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AlpacaApiError(ALPACA_ERRORS.malformedBody);
  return body as Record<string, unknown>;
}

/** Alpaca accepts decimals as JSON strings or numbers; a number must already be exact (an integer or a short decimal). */
function decimalParam(body: Record<string, unknown>, name: string): Decimal | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw invalid(`${name} must be a decimal string, got ${JSON.stringify(raw)}`);
  let value: Decimal;
  try {
    value = Decimal.parse(String(raw));
  } catch {
    throw invalid(`${name} must be a decimal string, got ${JSON.stringify(raw)}`);
  }
  if (!value.isPositive()) throw invalid(`${name} must be > 0, got ${JSON.stringify(raw)}`);
  return value;
}

function oneOf<T extends string>(body: Record<string, unknown>, name: string, values: readonly T[]): T | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !values.includes(raw as T)) throw invalid(`invalid ${name} ${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
  return raw as T;
}

export function clientOrderIdParam(body: Record<string, unknown>): string | undefined {
  const raw = body['client_order_id'];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw === '') throw invalid(`client_order_id must be a non-empty string, got ${JSON.stringify(raw)}`);
  if (raw.length > MAX_CLIENT_ORDER_ID_LENGTH) throw invalid(`client_order_id must be no more than ${MAX_CLIENT_ORDER_ID_LENGTH} characters, got ${raw.length}`);
  return raw;
}

function refuseUnsupported(body: Record<string, unknown>): void {
  if (body['notional'] !== undefined && body['notional'] !== null) throw invalid('notional orders are not supported by this server; give qty');
  for (const name of ['trail_price', 'trail_percent', 'take_profit', 'stop_loss', 'legs']) {
    if (body[name] !== undefined && body[name] !== null) throw invalid(`${name} is not supported by this server`);
  }
  const orderClass = body['order_class'];
  if (orderClass !== undefined && orderClass !== null && orderClass !== '' && orderClass !== 'simple') {
    throw invalid(`order_class ${JSON.stringify(orderClass)} is not supported by this server (simple orders only)`);
  }
  const extended = body['extended_hours'];
  if (extended !== undefined && extended !== null && typeof extended !== 'boolean') throw invalid(`extended_hours must be a boolean, got ${JSON.stringify(extended)}`);
}

/** Prices each order type needs, and only those: a limit price on a market order is a client bug worth refusing. */
function checkPrices(type: AlpacaOrderType, limitPrice: Decimal | undefined, stopPrice: Decimal | undefined): void {
  const needsLimit = type === 'limit' || type === 'stop_limit';
  const needsStop = type === 'stop' || type === 'stop_limit';
  if (needsLimit && limitPrice === undefined) throw invalid(`limit_price is required for ${type} orders`);
  if (!needsLimit && limitPrice !== undefined) throw invalid(`limit_price must not be given for ${type} orders`);
  if (needsStop && stopPrice === undefined) throw invalid(`stop_price is required for ${type} orders`);
  if (!needsStop && stopPrice !== undefined) throw invalid(`stop_price must not be given for ${type} orders`);
}

export interface NewOrderParams {
  readonly symbol: string;
  readonly qty: Decimal;
  readonly side: AlpacaSide;
  readonly type: AlpacaOrderType;
  readonly timeInForce: AlpacaTimeInForce;
  readonly limitPrice: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly clientOrderId: string | undefined;
  readonly extendedHours: boolean;
}

/** `POST /v2/orders`. */
export function parseNewOrder(body: Record<string, unknown>): NewOrderParams {
  refuseUnsupported(body);
  const symbol = body['symbol'];
  if (typeof symbol !== 'string' || symbol.trim() === '') throw invalid('symbol is required');
  const qty = decimalParam(body, 'qty');
  if (qty === undefined) throw invalid('qty is required');
  const side = oneOf(body, 'side', SIDES);
  if (side === undefined) throw invalid('side is required');
  const type = oneOf(body, 'type', ORDER_TYPES) ?? oneOf(body, 'order_type', ORDER_TYPES);
  if (type === undefined) throw invalid('type is required');
  const timeInForce = oneOf(body, 'time_in_force', TIMES_IN_FORCE);
  if (timeInForce === undefined) throw invalid('time_in_force is required');
  const limitPrice = decimalParam(body, 'limit_price');
  const stopPrice = decimalParam(body, 'stop_price');
  checkPrices(type, limitPrice, stopPrice);
  return {
    symbol: symbol.trim().toUpperCase(),
    qty,
    side,
    type,
    timeInForce,
    limitPrice,
    stopPrice,
    clientOrderId: clientOrderIdParam(body),
    extendedHours: body['extended_hours'] === true,
  };
}

export interface ReplaceParams {
  readonly qty: Decimal | undefined;
  readonly timeInForce: AlpacaTimeInForce | undefined;
  readonly limitPrice: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly clientOrderId: string | undefined;
}

/** `PATCH /v2/orders/{id}`: each given field overrides the replaced order's. */
export function parseReplace(body: Record<string, unknown>): ReplaceParams {
  if (body['trail'] !== undefined && body['trail'] !== null) throw invalid('trail is not supported by this server');
  const params = {
    qty: decimalParam(body, 'qty'),
    timeInForce: oneOf(body, 'time_in_force', TIMES_IN_FORCE),
    limitPrice: decimalParam(body, 'limit_price'),
    stopPrice: decimalParam(body, 'stop_price'),
    clientOrderId: clientOrderIdParam(body),
  };
  if (params.qty === undefined && params.timeInForce === undefined && params.limitPrice === undefined && params.stopPrice === undefined) {
    throw invalid('at least one of qty, time_in_force, limit_price or stop_price is required');
  }
  return params;
}

export function checkReplacedPrices(type: AlpacaOrderType, limitPrice: Decimal | undefined, stopPrice: Decimal | undefined): void {
  checkPrices(type, limitPrice, stopPrice);
}

/** A timestamp query parameter: RFC 3339, or a date (`2024-03-05`, midnight UTC). */
export function timeParam(query: URLSearchParams, name: string): bigint | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const ns = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseRfc3339Nanos(`${raw}T00:00:00Z`) : parseRfc3339Nanos(raw);
  if (ns === undefined) throw invalid(`${name} must be an RFC 3339 timestamp or a date, got ${JSON.stringify(raw)}`);
  return ns;
}

export function intParam(query: URLSearchParams, name: string, range: { min: number; max: number; default: number }): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return range.default;
  if (!/^\d+$/.test(raw)) throw invalid(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < range.min || n > range.max) throw invalid(`${name} must be between ${range.min} and ${range.max}, got ${n}`);
  return n;
}

export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[], def: T): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return def;
  if (!values.includes(raw as T)) throw invalid(`invalid ${name} ${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
  return raw as T;
}

/** `symbols=AAPL,MSFT` → the set, or undefined when absent. */
export function listParam(query: URLSearchParams, name: string): Set<string> | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ''),
  );
}
