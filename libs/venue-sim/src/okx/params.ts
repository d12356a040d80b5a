import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { CL_ORD_ID, OKX_ORD_TYPES } from './wire';
import type { OkxOrdType, OkxTgtCcy } from './wire';

/**
 * Request parameters as OKX validates them: a missing required parameter is 50014 ("Parameter
 * {0} can not be empty"), a malformed one 51000 ("Parameter {0} error"). Values are read as
 * OKX documents them: strings, numbers as decimal strings.
 */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: '50014' | '51000' | '51500'; readonly param: string };

const POSITIVE_DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
const TAG = /^[A-Za-z0-9]{1,16}$/;

function missing<T>(param: string): Checked<T> {
  return { ok: false, code: '50014', param };
}

function invalid<T>(param: string): Checked<T> {
  return { ok: false, code: '51000', param };
}

function present(value: unknown): value is string | number {
  return value !== undefined && value !== null && value !== '';
}

/** A decimal string above zero (numbers are accepted too when they are safe integers, as a lenient client sends them). */
function positive(value: unknown): Decimal | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !POSITIVE_DECIMAL.test(text)) return undefined;
  const d = Decimal.parse(text);
  return d.isPositive() ? d : undefined;
}

export interface PlaceParams {
  readonly instId: string;
  readonly tdMode: string;
  readonly side: Side;
  readonly ordType: OkxOrdType;
  readonly sz: Decimal;
  readonly szText: string;
  readonly px: Decimal | undefined;
  readonly clOrdId: string;
  readonly tag: string;
  readonly tgtCcy: OkxTgtCcy;
}

export function parsePlace(raw: unknown): Checked<PlaceParams> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('body');
  const p = raw as Record<string, unknown>;
  for (const name of ['instId', 'tdMode', 'side', 'ordType', 'sz']) if (!present(p[name])) return missing(name);
  if (typeof p.instId !== 'string') return invalid('instId');
  if (typeof p.tdMode !== 'string') return invalid('tdMode');
  if (p.side !== 'buy' && p.side !== 'sell') return invalid('side');
  const ordType = OKX_ORD_TYPES.find((t) => t === p.ordType);
  if (ordType === undefined) return invalid('ordType');
  const sz = positive(p.sz);
  if (sz === undefined) return invalid('sz');
  let px: Decimal | undefined;
  if (ordType !== 'market') {
    if (!present(p.px)) return missing('px');
    px = positive(p.px);
    if (px === undefined) return invalid('px');
  }
  const clOrdId = p.clOrdId ?? '';
  if (clOrdId !== '' && (typeof clOrdId !== 'string' || !CL_ORD_ID.test(clOrdId))) return invalid('clOrdId');
  const tag = p.tag ?? '';
  if (tag !== '' && (typeof tag !== 'string' || !TAG.test(tag))) return invalid('tag');
  const tgtCcyRaw = p.tgtCcy ?? '';
  if (tgtCcyRaw !== '' && tgtCcyRaw !== 'base_ccy' && tgtCcyRaw !== 'quote_ccy') return invalid('tgtCcy');
  // tgtCcy only means something for a market order; OKX's default there is quote for a buy, base for a sell.
  const tgtCcy: OkxTgtCcy = ordType !== 'market' ? '' : tgtCcyRaw !== '' ? tgtCcyRaw : p.side === 'buy' ? 'quote_ccy' : 'base_ccy';
  return {
    ok: true,
    value: { instId: p.instId, tdMode: p.tdMode, side: p.side === 'buy' ? 'BUY' : 'SELL', ordType, sz, szText: String(p.sz), px, clOrdId: clOrdId as string, tag: tag as string, tgtCcy },
  };
}

export interface OrderRef {
  readonly instId: string;
  readonly ordId: string | undefined;
  readonly clOrdId: string | undefined;
}

function parseRef(p: Record<string, unknown>): Checked<OrderRef> {
  if (!present(p.instId)) return missing('instId');
  if (typeof p.instId !== 'string') return invalid('instId');
  const ordId = present(p.ordId) ? String(p.ordId) : undefined;
  const clOrdId = present(p.clOrdId) ? String(p.clOrdId) : undefined;
  // OKX: "Either ordId or clOrdId is required. If both are passed, ordId will be used."
  if (ordId === undefined && clOrdId === undefined) return missing('ordId');
  if (ordId !== undefined && !/^\d{1,32}$/.test(ordId)) return invalid('ordId');
  if (ordId === undefined && clOrdId !== undefined && !CL_ORD_ID.test(clOrdId)) return invalid('clOrdId');
  return { ok: true, value: { instId: p.instId, ordId, clOrdId: ordId === undefined ? clOrdId : undefined } };
}

export function parseCancel(raw: unknown): Checked<OrderRef> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('body');
  return parseRef(raw as Record<string, unknown>);
}

/** The query of `GET /api/v5/trade/order`. */
export function parseOrderQuery(query: URLSearchParams): Checked<OrderRef> {
  return parseRef(Object.fromEntries(query));
}

export interface AmendParams extends OrderRef {
  readonly newSz: Decimal | undefined;
  readonly newPx: Decimal | undefined;
  readonly reqId: string;
  readonly cxlOnFail: boolean;
}

export function parseAmend(raw: unknown): Checked<AmendParams> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('body');
  const p = raw as Record<string, unknown>;
  const ref = parseRef(p);
  if (!ref.ok) return ref;
  if (!present(p.newSz) && !present(p.newPx)) return { ok: false, code: '51500', param: '' };
  const newSz = present(p.newSz) ? positive(p.newSz) : undefined;
  if (present(p.newSz) && newSz === undefined) return invalid('newSz');
  const newPx = present(p.newPx) ? positive(p.newPx) : undefined;
  if (present(p.newPx) && newPx === undefined) return invalid('newPx');
  const reqId = p.reqId ?? '';
  if (reqId !== '' && (typeof reqId !== 'string' || !CL_ORD_ID.test(reqId))) return invalid('reqId');
  const cxl = p.cxlOnFail ?? false;
  if (cxl !== true && cxl !== false && cxl !== 'true' && cxl !== 'false') return invalid('cxlOnFail');
  return { ok: true, value: { ...ref.value, newSz, newPx, reqId: reqId as string, cxlOnFail: cxl === true || cxl === 'true' } };
}

/** `limit`: 1..100, default 100, as every OKX list endpoint. */
export function parseLimit(query: URLSearchParams): Checked<number> {
  const raw = query.get('limit');
  if (raw === null || raw === '') return { ok: true, value: 100 };
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) return invalid('limit');
  return { ok: true, value: Number(raw) };
}

/** An optional Unix-ms parameter (`begin`, `end`). */
export function parseMs(query: URLSearchParams, name: string): Checked<number | undefined> {
  const raw = query.get(name);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  if (!/^\d{1,15}$/.test(raw)) return invalid(name);
  return { ok: true, value: Number(raw) };
}

/** Ids are compared as numbers when both are digits (ordId, tradeId/billId are increasing decimals). */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
