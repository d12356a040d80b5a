import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencyModel, SimOrder, SimulatedExchange } from '../types';
import { verifyRestRequest } from './auth';
import { OKX_REST_CODES, okxMessage } from './codes';
import type { OkxRestCode } from './codes';
import type { ItemResult, OkxDesk } from './desk';
import type { OkxFaults } from './faults';
import type { OkxApiKey } from './keys';
import { compareIds, parseAmend, parseCancel, parseLimit, parseMs, parseOrderQuery, parsePlace } from './params';
import type { Checked } from './params';
import { OKX_ACCOUNT_ORDER_LIMIT, OKX_RATE_LIMITS, OKX_SINGLE_OF_BATCH } from './rate-limits';
import type { RateCharge, SlidingWindowCounters } from './rate-limits';
import { balanceJson, fillJson, instrumentJson, okxState, orderJson } from './wire';

/** Largest request body accepted (a 20-order batch is a few kB). */
const MAX_BODY_BYTES = 1 << 20;
const BATCH_MAX = 20;
const DAY_MS = 86_400_000;

export interface RestContext {
  readonly exchange: SimulatedExchange;
  readonly desk: OkxDesk;
  readonly keys: ReadonlyMap<string, OkxApiKey>;
  readonly limits: SlidingWindowCounters;
  readonly rateLimited: boolean;
  readonly faults: OkxFaults;
  readonly nowMs: () => number;
  readonly latency: { readonly model: LatencyModel; readonly random: () => number } | undefined;
  /** Counts answers by OKX code (`"0"`, `"50011"`, `"51603"`…), including those whose client had gone. */
  readonly answered: Map<string, number>;
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface Call {
  readonly route: string;
  readonly key: OkxApiKey | undefined;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly ip: string;
}

const PRIVATE_ROUTES = new Set([
  'POST /api/v5/trade/order',
  'POST /api/v5/trade/batch-orders',
  'POST /api/v5/trade/cancel-order',
  'POST /api/v5/trade/cancel-batch-orders',
  'POST /api/v5/trade/amend-order',
  'POST /api/v5/trade/amend-batch-orders',
  'GET /api/v5/trade/order',
  'GET /api/v5/trade/orders-pending',
  'GET /api/v5/trade/orders-history',
  'GET /api/v5/trade/fills',
  'GET /api/v5/trade/fills-history',
  'GET /api/v5/account/balance',
]);
const PUBLIC_ROUTES = new Set(['GET /api/v5/public/instruments']);
/** New and amended orders: what OKX's sub-account order limit counts. */
const ORDER_ROUTES = new Set(['POST /api/v5/trade/order', 'POST /api/v5/trade/batch-orders', 'POST /api/v5/trade/amend-order', 'POST /api/v5/trade/amend-batch-orders']);

function reply(code: OkxRestCode, data: unknown[] = [], msg?: string): Reply {
  return { status: OKX_REST_CODES[code].http, body: { code, msg: msg ?? okxMessage(code), data } };
}

function refused<T>(checked: Checked<T> & { ok: false }): Reply {
  return reply(checked.code, [], okxMessage(checked.code, checked.param));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers one HTTP request: route, authentication, injected faults, rate limits, then the
 * endpoint on the simulated exchange. Every answer is OKX's envelope `{code, msg, data}`.
 */
export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestPath = req.url ?? '/';
  const url = new URL(requestPath, 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const route = `${method} ${url.pathname}`;
  const text = await readBody(req);
  const inTime = ctx.nowMs();
  const send = (r: Reply): void => {
    const code = String(r.body.code);
    ctx.answered.set(code, (ctx.answered.get(code) ?? 0) + 1);
    const body = url.pathname.startsWith('/api/v5/trade/') ? { ...r.body, inTime: `${inTime}000`, outTime: `${ctx.nowMs()}000` } : r.body;
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (text === undefined) return send(reply('51000', [], okxMessage('51000', 'body')));
  const isPrivate = PRIVATE_ROUTES.has(route);
  if (!isPrivate && !PUBLIC_ROUTES.has(route)) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: '404', msg: `Not Found: ${method} ${url.pathname}`, data: [] }));
    return;
  }
  let key: OkxApiKey | undefined;
  if (isPrivate) {
    const auth = verifyRestRequest({ headers: req.headers, method, requestPath, body: text }, ctx.keys, ctx.nowMs());
    if (!auth.ok) return send(reply(auth.code));
    key = auth.key;
  }
  let body: unknown = undefined;
  if (method === 'POST') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return send(reply('51000', [], okxMessage('51000', 'body')));
    }
  }
  const call: Call = { route, key, query: url.searchParams, body, ip: req.socket.remoteAddress ?? '' };

  const fault = ctx.faults.take(method, url.pathname);
  if (fault?.kind === 'server_error') {
    res.writeHead(fault.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: fault.status === 503 ? '50001' : '50026', msg: fault.status === 503 ? okxMessage('50001') : okxMessage('50026'), data: [] }));
    return;
  }
  if (fault?.kind === 'rate_limit') return send(reply('50011'));
  if (fault?.kind === 'drop' && fault.stage === 'before_apply') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'delay' && fault.stage === 'before_apply') await sleep(fault.ms);
  if (ctx.latency !== undefined) await sleep(Number(ctx.latency.model.sample(ctx.latency.random) / 1_000_000n));

  if (ctx.rateLimited && !ctx.limits.admit(charges(call), ctx.nowMs())) return send(reply('50011'));
  const answer = dispatch(ctx, call);

  if (fault?.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'delay' && fault.stage === 'after_apply') await sleep(fault.ms);
  // Sent even when the client has gone (a timeout): the answer is counted, the bytes go nowhere.
  send(answer);
}

function instIdOf(item: unknown): string {
  return typeof item === 'object' && item !== null && typeof (item as { instId?: unknown }).instId === 'string' ? (item as { instId: string }).instId : '';
}

/** The rate-limit counters a request charges, as OKX scopes each endpoint's limit. */
function charges(call: Call): RateCharge[] {
  const user = call.key?.account ?? '';
  if (call.route === 'GET /api/v5/public/instruments') {
    const limit = OKX_RATE_LIMITS[call.route]!;
    return [{ bucket: `${call.route}|${call.ip}|${call.query.get('instType') ?? ''}`, limit, count: 1 }];
  }
  const isBatch = Array.isArray(call.body);
  const items = isBatch ? (call.body as unknown[]) : [call.body ?? Object.fromEntries(call.query)];
  const route = isBatch && items.length === 1 ? (OKX_SINGLE_OF_BATCH[call.route] ?? call.route) : call.route;
  const limit = OKX_RATE_LIMITS[route];
  if (limit === undefined) return [];
  const result: RateCharge[] = [];
  if (limit.scope === 'user') {
    result.push({ bucket: `${route}|${user}`, limit, count: 1 });
  } else {
    const perInstrument = new Map<string, number>();
    for (const item of items) perInstrument.set(instIdOf(item), (perInstrument.get(instIdOf(item)) ?? 0) + 1);
    for (const [instId, n] of perInstrument) result.push({ bucket: `${route}|${user}|${instId}`, limit, count: limit.unit === 'order' ? n : 1 });
  }
  if (ORDER_ROUTES.has(call.route)) result.push({ bucket: `orders|${user}`, limit: OKX_ACCOUNT_ORDER_LIMIT, count: items.length });
  return result;
}

function dispatch(ctx: RestContext, call: Call): Reply {
  const account = call.key?.account ?? '';
  switch (call.route) {
    case 'POST /api/v5/trade/order':
      return single(call.body, parsePlace, (p) => ctx.desk.place(account, p));
    case 'POST /api/v5/trade/cancel-order':
      return single(call.body, parseCancel, (p) => ctx.desk.cancel(account, p));
    case 'POST /api/v5/trade/amend-order':
      return single(call.body, parseAmend, (p) => ctx.desk.amend(account, p));
    case 'POST /api/v5/trade/batch-orders':
      return batch(ctx, call.body, parsePlace, (p) => ctx.desk.place(account, p));
    case 'POST /api/v5/trade/cancel-batch-orders':
      return batch(ctx, call.body, parseCancel, (p) => ctx.desk.cancel(account, p));
    case 'POST /api/v5/trade/amend-batch-orders':
      return batch(ctx, call.body, parseAmend, (p) => ctx.desk.amend(account, p));
    case 'GET /api/v5/trade/order':
      return getOrder(ctx, account, call.query);
    case 'GET /api/v5/trade/orders-pending':
      return listOrders(ctx, account, call.query, 'pending');
    case 'GET /api/v5/trade/orders-history':
      return listOrders(ctx, account, call.query, 'history');
    case 'GET /api/v5/trade/fills':
      return listFills(ctx, account, call.query, 3 * DAY_MS, false);
    case 'GET /api/v5/trade/fills-history':
      return listFills(ctx, account, call.query, 90 * DAY_MS, true);
    case 'GET /api/v5/account/balance':
      return balance(ctx, account, call.query);
    case 'GET /api/v5/public/instruments':
      return instruments(ctx, call.query);
    default:
      return reply('51000', [], okxMessage('51000', 'path'));
  }
}

function itemJson(item: ItemResult): Record<string, unknown> {
  return { ...item };
}

/** A single-order endpoint: a malformed request is refused whole; the order's own failure is code "1". */
function single<P>(body: unknown, parse: (raw: unknown) => Checked<P>, apply: (p: P) => ItemResult): Reply {
  const parsed = parse(body);
  if (!parsed.ok) return refused(parsed);
  const item = apply(parsed.value);
  return item.sCode === '0' ? reply('0', [itemJson(item)]) : reply('1', [itemJson(item)]);
}

/**
 * A batch endpoint: at most 20 requests, each answered on its own (a malformed one gets its
 * error as `sCode`); code "0" when all succeeded, "1" when all failed, "2" when some did.
 */
function batch<P>(ctx: RestContext, body: unknown, parse: (raw: unknown) => Checked<P>, apply: (p: P) => ItemResult): Reply {
  if (!Array.isArray(body) || body.length === 0) return reply('50014', [], okxMessage('50014', 'body'));
  if (body.length > BATCH_MAX) return reply('51000', [], `${okxMessage('51000', 'body')}: at most ${BATCH_MAX} orders per batch`);
  const items = body.map((raw: unknown) => {
    const parsed = parse(raw);
    if (parsed.ok) return apply(parsed.value);
    const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    return {
      ordId: typeof r.ordId === 'string' ? r.ordId : '',
      clOrdId: typeof r.clOrdId === 'string' ? r.clOrdId : '',
      sCode: parsed.code,
      sMsg: okxMessage(parsed.code, parsed.param),
      ts: String(ctx.nowMs()),
    };
  });
  const ok = items.filter((i) => i.sCode === '0').length;
  const code: OkxRestCode = ok === items.length ? '0' : ok === 0 ? '1' : '2';
  return reply(code, items.map(itemJson));
}

function getOrder(ctx: RestContext, account: string, query: URLSearchParams): Reply {
  const ref = parseOrderQuery(query);
  if (!ref.ok) return refused(ref);
  const order = ctx.desk.find(account, ref.value);
  if (order === undefined) return reply('51603');
  return reply('0', [orderJson(order, ctx.desk.meta(order))]);
}

function checkInstType(query: URLSearchParams, required: boolean): Checked<boolean> {
  const instType = query.get('instType');
  if (instType === null || instType === '') return required ? { ok: false, code: '50014', param: 'instType' } : { ok: true, value: true };
  if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType)) return { ok: false, code: '51000', param: 'instType' };
  // Only spot is simulated: other instrument types are valid requests with nothing to list.
  return { ok: true, value: instType === 'SPOT' };
}

/** Newest first, then OKX's cursor pagination: `after` older than an id, `before` newer than one. */
function page<T>(records: T[], id: (r: T) => string, query: URLSearchParams, limit: number): T[] {
  const after = query.get('after');
  const before = query.get('before');
  return records
    .filter((r) => (after ? compareIds(id(r), after) < 0 : true) && (before ? compareIds(id(r), before) > 0 : true))
    .sort((a, b) => compareIds(id(b), id(a)))
    .slice(0, limit);
}

function within(ms: number, begin: number | undefined, end: number | undefined): boolean {
  return (begin === undefined || ms >= begin) && (end === undefined || ms <= end);
}

function listOrders(ctx: RestContext, account: string, query: URLSearchParams, which: 'pending' | 'history'): Reply {
  const spot = checkInstType(query, which === 'history');
  if (!spot.ok) return refused(spot);
  const limit = parseLimit(query);
  if (!limit.ok) return refused(limit);
  const begin = parseMs(query, 'begin');
  if (!begin.ok) return refused(begin);
  const end = parseMs(query, 'end');
  if (!end.ok) return refused(end);
  if (!spot.value) return reply('0', []);
  const instId = query.get('instId') || undefined;
  const ordTypes = query.get('ordType')?.split(',').filter((t) => t !== '');
  const state = query.get('state') || undefined;
  const oldest = ctx.nowMs() - 7 * DAY_MS;
  const candidates: SimOrder[] =
    which === 'pending'
      ? ctx.exchange.openOrders(account, instId)
      : ctx.exchange.orders(account, { symbol: instId }).filter((o) => {
          const s = okxState(o);
          return (s === 'filled' || s === 'canceled') && Number(o.createdNs / 1_000_000n) >= oldest;
        });
  const selected = candidates.filter((o) => {
    const meta = ctx.desk.meta(o);
    if (ordTypes !== undefined && ordTypes.length > 0 && !ordTypes.includes(meta.ordType)) return false;
    if (state !== undefined && okxState(o) !== state) return false;
    return within(Number(o.createdNs / 1_000_000n), begin.value, end.value);
  });
  return reply('0', page(selected, (o) => o.orderId, query, limit.value).map((o) => orderJson(o, ctx.desk.meta(o))));
}

function listFills(ctx: RestContext, account: string, query: URLSearchParams, horizonMs: number, instTypeRequired: boolean): Reply {
  const spot = checkInstType(query, instTypeRequired);
  if (!spot.ok) return refused(spot);
  const limit = parseLimit(query);
  if (!limit.ok) return refused(limit);
  const begin = parseMs(query, 'begin');
  if (!begin.ok) return refused(begin);
  const end = parseMs(query, 'end');
  if (!end.ok) return refused(end);
  if (!spot.value) return reply('0', []);
  const instId = query.get('instId') || undefined;
  const ordId = query.get('ordId') || undefined;
  const oldest = ctx.nowMs() - horizonMs;
  const fills = ctx.exchange.fills(account, { symbol: instId }).filter((f) => {
    const ms = Number(f.tsNs / 1_000_000n);
    return ms >= oldest && within(ms, begin.value, end.value) && (ordId === undefined || f.orderId === ordId);
  });
  return reply(
    '0',
    page(fills, (f) => f.tradeId, query, limit.value).map((f) => {
      const order = ctx.exchange.order(account, { orderId: f.orderId });
      return fillJson(f, order ? ctx.desk.meta(order) : { clOrdId: '', tag: '' });
    }),
  );
}

function balance(ctx: RestContext, account: string, query: URLSearchParams): Reply {
  const wanted = query.get('ccy')?.split(',').filter((c) => c !== '');
  if (wanted !== undefined && wanted.length > 20) return reply('51000', [], okxMessage('51000', 'ccy'));
  // OKX lists the currencies with a non-zero balance, or the ones asked for.
  const balances = ctx.exchange.balances(account).filter((b) => (wanted && wanted.length > 0 ? wanted.includes(b.currency) : !b.total.isZero()));
  return reply('0', [balanceJson(balances, String(ctx.nowMs()))]);
}

function instruments(ctx: RestContext, query: URLSearchParams): Reply {
  const spot = checkInstType(query, true);
  if (!spot.ok) return refused(spot);
  if (!spot.value) return reply('0', []);
  const instId = query.get('instId') || undefined;
  const list = [...ctx.exchange.instruments.values()].filter((i) => instId === undefined || i.symbol === instId);
  if (instId !== undefined && list.length === 0) return reply('51001');
  return reply('0', list.map(instrumentJson));
}
