import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Decimal, nowNanos } from '@meridian/domain';
import { AlpacaSymbols, formatRfc3339Nanos } from '@meridian/venues';
import { SimConfigError, SimInvariantError } from '../errors';
import type { FeeSchedule, LatencyModel, SimOrder, SimRejection, SimResult, SimUpdate, SimulatedExchange } from '../types';
import { AlpacaAccountBook } from './account-book';
import { AlpacaApiError } from './errors';
import { AlpacaFaults } from './faults';
import type { RequestFaults } from './faults';
import { ALPACA_ERRORS } from './protocol';
import type { AlpacaAssetJson, AlpacaTimeInForce, TradeUpdateEvent, TradeUpdateJson } from './protocol';
import {
  checkReplacedPrices,
  enumParam,
  intParam,
  listParam,
  parseJsonBody,
  parseNewOrder,
  parseReplace,
  timeParam,
} from './requests';
import { STREAM_PATH, TradeUpdatesStream } from './stream';

export type AlpacaEnvironment = 'paper' | 'live';

/** One API key pair and the account it opens. Keys of the other environment are refused, as Alpaca refuses paper keys on the live endpoint. */
export interface AlpacaKeySet {
  readonly keyId: string;
  readonly secret: string;
  readonly account: string;
  /** Default: the server's environment. */
  readonly environment?: AlpacaEnvironment;
}

/** An Alpaca account, opened on the simulator as a `margin` account holding USD. */
export interface AlpacaAccountOptions {
  readonly id: string;
  readonly cash: Decimal;
  /** Alpaca's `multiplier` (the simulator's leverage): 1, 2 (Reg T, the default) or 4. */
  readonly multiplier?: Decimal;
  /** Default: none, as Alpaca charges no commission on equities. */
  readonly fees?: FeeSchedule;
}

export interface AlpacaSimServerOptions {
  readonly sim: SimulatedExchange;
  readonly keys: readonly AlpacaKeySet[];
  readonly accounts: readonly AlpacaAccountOptions[];
  /** Which keys this server accepts (`paper-api.alpaca.markets` or `api.alpaca.markets`). Default `paper`. */
  readonly environment?: AlpacaEnvironment;
  /** Simulator symbols served as Alpaca assets. Default: every instrument quoted in USD. */
  readonly symbols?: readonly string[];
  /** Alpaca's symbol per simulator symbol where `BRK-B` → `BRK.B` is not it. */
  readonly venueSymbols?: Readonly<Record<string, string>>;
  /** The listing exchange assets and positions report. Default `NASDAQ`. */
  readonly exchange?: string;
  /** Requests per interval per account; Alpaca allows 200 a minute. */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number };
  /** `binary` (default) as Alpaca's paper stream sends, or `text`. */
  readonly streamFrames?: 'binary' | 'text';
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** For timestamps the server sets itself (replaced_at); the simulator's clock should be the same. Default: the wall clock. */
  readonly clock?: () => bigint;
  /** Delay of each request before it reaches the simulator (the venue's gateway), drawn with `random`. */
  readonly latency?: LatencyModel;
  readonly random?: () => number;
  /** Told about a failure inside the server (a bug: the client got a 500). Default: stderr. */
  readonly onError?: (error: unknown) => void;
}

export const ALPACA_RATE_LIMIT = Object.freeze({ requests: 200, intervalMs: 60_000 });

const ZERO_FEES: FeeSchedule = { maker: Decimal.ZERO, taker: Decimal.ZERO, scale: 2 };
const ORDER_ID_PATH = /^\/v2\/orders\/([^/]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIF_TO_SIM: Readonly<Record<AlpacaTimeInForce, SimOrder['timeInForce']>> = { day: 'DAY', gtc: 'GTC', ioc: 'IOC', fok: 'FOK' };
const EVENT_OF_STATUS: Partial<Record<SimOrder['status'], TradeUpdateEvent>> = {
  pending_new: 'pending_new',
  new: 'new',
  cancelled: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
};

interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A local server speaking Alpaca's Trading API v2 (REST and the `trade_updates` stream, on one
 * port) over a `SimulatedExchange`, so the Alpaca adapter, and any standard Alpaca client, can be
 * tested on real sockets against a venue that matches, fills and keeps balances.
 *
 * `PATCH /v2/orders/{id}` (replace) maps onto the simulator as place-then-cancel: the replacement
 * is placed first as a new simulator order (new ids, as at Alpaca), and only if the simulator
 * accepts it is the old order cancelled and marked `replaced`. A refused replacement therefore
 * leaves the old order working, and while the two are briefly both open the account's buying
 * power counts both (Alpaca counts the larger).
 */
export class AlpacaSimServer {
  readonly faults = new AlpacaFaults();
  private readonly books = new Map<string, AlpacaAccountBook>();
  private readonly keys = new Map<string, { secret: string; book: AlpacaAccountBook; environment: AlpacaEnvironment }>();
  private readonly assetIds = new Map<string, string>();
  private readonly names: AlpacaSymbols;
  private readonly stream: TradeUpdatesStream;
  private readonly unsubscribes: (() => void)[] = [];
  private readonly environment: AlpacaEnvironment;
  private readonly clock: () => bigint;
  private readonly onError: (error: unknown) => void;
  private readonly http: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: AlpacaSimServerOptions) {
    const sim = options.sim;
    this.environment = options.environment ?? 'paper';
    this.clock = options.clock ?? nowNanos;
    this.onError = options.onError ?? ((err) => process.stderr.write(`alpaca sim server: ${(err as Error)?.stack ?? String(err)}\n`));
    const symbols = options.symbols ?? [...sim.instruments.values()].filter((i) => i.quoteCurrency === 'USD').map((i) => i.symbol);
    for (const s of symbols) if (!sim.instruments.has(s)) throw new SimConfigError('alpaca.symbols', s, 'is not an instrument of the simulator');
    this.names = new AlpacaSymbols('stocks', symbols, options.venueSymbols ?? {});
    const rateLimit = options.rateLimit ?? ALPACA_RATE_LIMIT;
    const exchange = options.exchange ?? 'NASDAQ';

    for (const [i, a] of options.accounts.entries()) {
      if (!(a.cash instanceof Decimal) || a.cash.isNegative()) throw new SimConfigError(`alpaca.accounts[${i}].cash`, a.cash, 'must be a non-negative Decimal');
      const multiplier = a.multiplier ?? Decimal.from(2);
      if (![1, 2, 4].some((m) => multiplier.eq(Decimal.from(m)))) throw new SimConfigError(`alpaca.accounts[${i}].multiplier`, multiplier, 'must be 1, 2 or 4');
      sim.openAccount({ id: a.id, mode: 'margin', balances: { USD: a.cash }, fees: a.fees ?? ZERO_FEES, leverage: multiplier });
      const book = new AlpacaAccountBook(a.id, sim, this.names, (s) => this.assetUuid(s), () => exchange, multiplier, a.cash, rateLimit, this.clock());
      this.books.set(a.id, book);
      this.unsubscribes.push(sim.subscribe(a.id, (update) => this.onUpdate(book, update)));
    }
    for (const [i, k] of options.keys.entries()) {
      const book = this.books.get(k.account);
      if (book === undefined) throw new SimConfigError(`alpaca.keys[${i}].account`, k.account, 'is not one of the accounts');
      // The key id is not secret (Alpaca shows it in the dashboard); the secret never appears in an error.
      if (typeof k.keyId !== 'string' || k.keyId === '') throw new SimConfigError(`alpaca.keys[${i}].keyId`, k.keyId, 'must be a non-empty string');
      if (typeof k.secret !== 'string' || k.secret === '') throw new SimConfigError(`alpaca.keys[${i}].secret`, '<redacted>', 'must be a non-empty string');
      if (this.keys.has(k.keyId)) throw new SimConfigError(`alpaca.keys[${i}].keyId`, k.keyId, 'is given twice');
      this.keys.set(k.keyId, { secret: k.secret, book, environment: k.environment ?? this.environment });
    }

    this.stream = new TradeUpdatesStream({
      authenticate: (key, secret) => this.authenticate(key, secret),
      frames: options.streamFrames ?? 'binary',
      delayMs: () => this.faults.streamDelayMs,
    });
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.http.on('upgrade', (req, socket, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://localhost').pathname === STREAM_PATH) this.stream.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(options: AlpacaSimServerOptions): Promise<AlpacaSimServer> {
    const server = new AlpacaSimServer(options);
    server.http.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(server.http, 'listening');
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** What a client uses as `APCA_API_BASE_URL`. */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  get streamUrl(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}${STREAM_PATH}`;
  }

  /** Open `trade_updates` connections. */
  get streamConnections(): number {
    return this.stream.connections;
  }

  /** The Alpaca view of one account (ids, positions, activities), for tests. */
  book(account: string): AlpacaAccountBook {
    const book = this.books.get(account);
    if (book === undefined) throw new SimConfigError('account', account, 'is not an account of this server');
    return book;
  }

  /** Terminates every stream connection (a network cut); REST keeps working. */
  dropStreams(): void {
    this.stream.dropAll();
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await this.stream.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private authenticate(key: unknown, secret: unknown): AlpacaAccountBook | undefined {
    if (typeof key !== 'string' || typeof secret !== 'string') return undefined;
    const entry = this.keys.get(key);
    if (entry === undefined || entry.secret !== secret || entry.environment !== this.environment) return undefined;
    return entry.book;
  }

  private assetUuid(symbol: string): string {
    let id = this.assetIds.get(symbol);
    if (id === undefined) {
      id = randomUUID();
      this.assetIds.set(symbol, id);
    }
    return id;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const body = await readBody(req);
      const book = this.authenticate(req.headers['apca-api-key-id'], req.headers['apca-api-secret-key']);
      if (book === undefined) throw new AlpacaApiError(ALPACA_ERRORS.unauthorized);
      const wait = book.bucket.tryTake();
      if (wait > 0) throw this.rateLimited(wait);
      const faults = this.faults.take(method, url.pathname);
      if (faults.delayBeforeMs > 0) await sleep(faults.delayBeforeMs);
      if (faults.dropBefore) return this.drop(req);
      if (faults.rateLimited) throw this.rateLimited(1_000);
      if (faults.errorStatus !== undefined) throw new AlpacaApiError({ ...ALPACA_ERRORS.internal, status: faults.errorStatus });
      if (this.options.latency) await sleep(Number(this.options.latency.sample(this.options.random ?? Math.random)) / 1e6);
      const reply = this.route(book, method, url, body);
      await this.finish(req, res, faults, reply);
    } catch (err) {
      if (err instanceof AlpacaApiError) {
        this.send(res, { status: err.status, body: err.body() }, err.headers);
        return;
      }
      this.onError(err);
      this.send(res, { status: 500, body: { code: ALPACA_ERRORS.internal.code, message: ALPACA_ERRORS.internal.message } });
    }
  }

  private async finish(req: IncomingMessage, res: ServerResponse, faults: RequestFaults, reply: Reply): Promise<void> {
    if (faults.dropAfter) return this.drop(req);
    if (faults.delayAfterMs > 0) await sleep(faults.delayAfterMs);
    this.send(res, reply);
  }

  private drop(req: IncomingMessage): void {
    req.socket.destroy();
  }

  private rateLimited(waitMs: number): AlpacaApiError {
    const limit = this.options.rateLimit ?? ALPACA_RATE_LIMIT;
    return new AlpacaApiError(ALPACA_ERRORS.rateLimited, ALPACA_ERRORS.rateLimited.message, {}, {
      'x-ratelimit-limit': String(limit.requests),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil((Date.now() + waitMs) / 1_000)),
    });
  }

  private send(res: ServerResponse, reply: Reply, headers: Readonly<Record<string, string>> = {}): void {
    if (res.headersSent || res.destroyed) return;
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private route(book: AlpacaAccountBook, method: string, url: URL, text: string): Reply {
    const path = url.pathname;
    const q = url.searchParams;
    if (path === '/v2/account' && method === 'GET') return { status: 200, body: this.accountJson(book) };
    if (path === '/v2/orders') {
      if (method === 'POST') return this.placeOrder(book, parseJsonBody(text));
      if (method === 'GET') return { status: 200, body: this.listOrders(book, q) };
      if (method === 'DELETE') return this.cancelAll(book);
    }
    if (path === '/v2/orders:by_client_order_id' && method === 'GET') {
      const cid = q.get('client_order_id') ?? '';
      const order = cid === '' ? undefined : book.orderByClientId(cid);
      if (order === undefined) throw new AlpacaApiError(ALPACA_ERRORS.orderNotFound);
      return { status: 200, body: book.orderJson(order) };
    }
    const orderPath = ORDER_ID_PATH.exec(path);
    if (orderPath) {
      const id = decodeURIComponent(orderPath[1]!);
      if (method === 'GET') return { status: 200, body: book.orderJson(this.orderOf(book, id)) };
      if (method === 'DELETE') return this.cancel(book, this.orderOf(book, id));
      if (method === 'PATCH') return this.replace(book, this.orderOf(book, id), parseJsonBody(text));
    }
    if (method === 'GET') {
      if (path === '/v2/positions') return { status: 200, body: book.positions().map((l) => book.positionJson(l)) };
      if (path.startsWith('/v2/positions/')) return { status: 200, body: this.position(book, decodeURIComponent(path.slice('/v2/positions/'.length))) };
      if (path === '/v2/account/activities/FILL') return { status: 200, body: this.fillActivities(book, q) };
      if (path === '/v2/account/activities') {
        const types = listParam(q, 'activity_types');
        return { status: 200, body: types === undefined || types.has('FILL') ? this.fillActivities(book, q) : [] };
      }
      if (path.startsWith('/v2/account/activities/')) return { status: 200, body: [] };
      if (path === '/v2/assets') return { status: 200, body: this.names.platformSymbols.map((s) => this.assetJson(s)) };
      if (path.startsWith('/v2/assets/')) return { status: 200, body: this.assetJson(this.assetSymbol(decodeURIComponent(path.slice('/v2/assets/'.length)))) };
    }
    throw new AlpacaApiError(ALPACA_ERRORS.endpointNotFound);
  }

  private orderOf(book: AlpacaAccountBook, id: string): SimOrder {
    if (!UUID.test(id)) throw new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `invalid order id ${JSON.stringify(id)}: expected a UUID`);
    const order = book.orderByUuid(id);
    if (order === undefined) throw new AlpacaApiError(ALPACA_ERRORS.orderNotFound);
    return order;
  }

  private simSymbol(alpacaSymbol: string): string {
    const symbol = this.names.platformOf(alpacaSymbol);
    if (symbol === undefined) throw new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `asset ${JSON.stringify(alpacaSymbol)} not found`);
    return symbol;
  }

  /** A simulator refusal as Alpaca's answer. */
  private refusal(book: AlpacaAccountBook, rejection: SimRejection, order?: { quantity: Decimal; price: Decimal | undefined; symbol: string }): AlpacaApiError {
    if (rejection.code === 'INSUFFICIENT_BUYING_POWER' || rejection.code === 'INSUFFICIENT_BALANCE') {
      const price = order?.price ?? (order ? book.markPrice(order.symbol) : undefined);
      const extra: Record<string, string> = { buying_power: this.accountJson(book).buying_power };
      if (order && price) extra['cost_basis'] = order.quantity.mul(price).toString();
      return new AlpacaApiError(ALPACA_ERRORS.insufficientBuyingPower, ALPACA_ERRORS.insufficientBuyingPower.message, extra);
    }
    if (rejection.code === 'UNKNOWN_SYMBOL') return new AlpacaApiError(ALPACA_ERRORS.invalidParameter, 'asset not found');
    return new AlpacaApiError(ALPACA_ERRORS.invalidParameter, rejection.message);
  }

  private placeOrder(book: AlpacaAccountBook, body: Record<string, unknown>): Reply {
    const p = parseNewOrder(body);
    const symbol = this.simSymbol(p.symbol);
    const clientOrderId = p.clientOrderId ?? randomUUID();
    if (book.orderByClientId(clientOrderId) !== undefined) throw new AlpacaApiError(ALPACA_ERRORS.duplicateClientOrderId);
    const result = this.options.sim.placeOrder({
      account: book.account,
      clientOrderId,
      symbol,
      side: p.side === 'buy' ? 'BUY' : 'SELL',
      type: p.type,
      quantity: p.qty,
      price: p.limitPrice,
      stopPrice: p.stopPrice,
      timeInForce: TIF_TO_SIM[p.timeInForce],
    });
    if (!result.ok) throw this.refusal(book, result.rejection, { quantity: p.qty, price: p.limitPrice ?? p.stopPrice, symbol });
    return { status: 200, body: book.orderJson(result.value) };
  }

  private listOrders(book: AlpacaAccountBook, q: URLSearchParams): unknown[] {
    const status = enumParam(q, 'status', ['open', 'closed', 'all'] as const, 'open');
    const limit = intParam(q, 'limit', { min: 1, max: 500, default: 50 });
    const direction = enumParam(q, 'direction', ['asc', 'desc'] as const, 'desc');
    const side = enumParam(q, 'side', ['buy', 'sell', 'any'] as const, 'any');
    const after = timeParam(q, 'after');
    const until = timeParam(q, 'until');
    const symbols = listParam(q, 'symbols');
    const selected = book.allOrders().filter((o) => {
      if (status === 'open' && !book.isOpen(o)) return false;
      if (status === 'closed' && book.isOpen(o)) return false;
      if (side !== 'any' && (o.side === 'BUY' ? 'buy' : 'sell') !== side) return false;
      if (after !== undefined && o.createdNs <= after) return false;
      if (until !== undefined && o.createdNs >= until) return false;
      return symbols === undefined || symbols.has(book.alpacaSymbol(o.symbol));
    });
    const byTime = (a: SimOrder, b: SimOrder): number =>
      a.createdNs === b.createdNs ? Number(BigInt(a.orderId) - BigInt(b.orderId)) : a.createdNs < b.createdNs ? -1 : 1;
    selected.sort(direction === 'asc' ? byTime : (a, b) => byTime(b, a));
    return selected.slice(0, limit).map((o) => book.orderJson(o));
  }

  private cancel(book: AlpacaAccountBook, order: SimOrder): Reply {
    if (!book.isOpen(order)) throw new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `order is already in ${JSON.stringify(book.status(order))} state`);
    const result = this.options.sim.cancelOrder({ account: book.account, orderId: order.orderId });
    if (!result.ok) throw this.cancelRefusal(book, order, result);
    return { status: 204 };
  }

  private cancelRefusal(book: AlpacaAccountBook, order: SimOrder, result: SimResult<SimOrder> & { ok: false }): AlpacaApiError {
    const now = book.orderByUuid(book.orderUuid(order.orderId)) ?? order;
    if (result.rejection.code === 'ORDER_NOT_OPEN') return new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `order is already in ${JSON.stringify(book.status(now))} state`);
    return this.refusal(book, result.rejection);
  }

  /** `DELETE /v2/orders`: 207 with one `{id, status, body}` per open order. */
  private cancelAll(book: AlpacaAccountBook): Reply {
    const results = book
      .allOrders()
      .filter((o) => book.isOpen(o))
      .map((o) => {
        const id = book.orderUuid(o.orderId);
        const result = this.options.sim.cancelOrder({ account: book.account, orderId: o.orderId });
        if (result.ok) return { id, status: 200, body: book.orderJson(result.value) };
        const err = this.cancelRefusal(book, o, result);
        return { id, status: err.status, body: err.body() };
      });
    return { status: 207, body: results };
  }

  private replace(book: AlpacaAccountBook, old: SimOrder, body: Record<string, unknown>): Reply {
    const p = parseReplace(body);
    if (!book.isOpen(old)) throw new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `order is already in ${JSON.stringify(book.status(old))} state`);
    const clientOrderId = p.clientOrderId ?? randomUUID();
    if (book.orderByClientId(clientOrderId) !== undefined) throw new AlpacaApiError(ALPACA_ERRORS.duplicateClientOrderId);
    const price = p.limitPrice ?? old.price;
    const stopPrice = p.stopPrice ?? old.stopPrice;
    checkReplacedPrices(old.type, price, stopPrice);
    // Without a new qty the replacement carries on with what the old order had left.
    const quantity = p.qty ?? old.quantity.sub(old.filledQuantity);
    book.linkReplacement(clientOrderId, old);
    const placed = this.options.sim.placeOrder({
      account: book.account,
      clientOrderId,
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      quantity,
      price,
      stopPrice,
      timeInForce: p.timeInForce === undefined ? old.timeInForce : TIF_TO_SIM[p.timeInForce],
    });
    if (!placed.ok) {
      book.unlinkReplacement(clientOrderId);
      throw this.refusal(book, placed.rejection, { quantity, price: price ?? stopPrice, symbol: old.symbol });
    }
    book.markReplaced(old, placed.value, this.clock());
    const cancelled = this.options.sim.cancelOrder({ account: book.account, orderId: old.orderId });
    if (!cancelled.ok) {
      // Nothing between the two calls can touch the old order (the simulator is synchronous), so this is a bug; undo the replacement.
      book.clearReplaced(old);
      this.options.sim.cancelOrder({ account: book.account, orderId: placed.value.orderId });
      throw new SimInvariantError(`replace of order ${old.orderId}: the simulator refused to cancel it after placing ${placed.value.orderId}: ${cancelled.rejection.code} ${cancelled.rejection.message}`);
    }
    const replacement = book.orderByUuid(book.orderUuid(placed.value.orderId)) ?? placed.value;
    return { status: 200, body: book.orderJson(replacement) };
  }

  private position(book: AlpacaAccountBook, ref: string): unknown {
    const symbol = UUID.test(ref) ? [...this.assetIds.entries()].find(([, id]) => id === ref.toLowerCase())?.[0] : this.names.platformOf(ref.toUpperCase());
    const ledger = symbol === undefined ? undefined : book.position(symbol);
    if (ledger === undefined) throw new AlpacaApiError(ALPACA_ERRORS.positionNotFound);
    return book.positionJson(ledger);
  }

  private fillActivities(book: AlpacaAccountBook, q: URLSearchParams): unknown[] {
    const direction = enumParam(q, 'direction', ['asc', 'desc'] as const, 'desc');
    const pageSize = intParam(q, 'page_size', { min: 1, max: 100, default: 100 });
    const date = timeParam(q, 'date');
    let after = timeParam(q, 'after');
    let until = timeParam(q, 'until');
    if (date !== undefined) {
      after = date - 1n;
      until = date + 86_400_000_000_000n;
    }
    let records = book.fillRecords().filter((r) => (after === undefined || r.fill.tsNs > after) && (until === undefined || r.fill.tsNs < until));
    if (direction === 'desc') records = [...records].reverse();
    const token = q.get('page_token');
    if (token !== null && token !== '') {
      const at = records.findIndex((r) => r.activityId === token);
      if (at < 0) throw new AlpacaApiError(ALPACA_ERRORS.invalidParameter, `invalid page_token ${JSON.stringify(token)}`);
      records = records.slice(at + 1);
    }
    return records.slice(0, pageSize).map((r) => book.activityJson(r));
  }

  private assetSymbol(ref: string): string {
    if (UUID.test(ref)) {
      const found = [...this.assetIds.entries()].find(([, id]) => id === ref.toLowerCase());
      if (found) return found[0];
    }
    const symbol = this.names.platformOf(ref.toUpperCase());
    if (symbol === undefined) throw new AlpacaApiError(ALPACA_ERRORS.assetNotFound);
    return symbol;
  }

  private assetJson(symbol: string): AlpacaAssetJson {
    const instrument = this.options.sim.instruments.get(symbol)!;
    return {
      id: this.assetUuid(symbol),
      class: 'us_equity',
      exchange: this.options.exchange ?? 'NASDAQ',
      symbol: this.names.venueSymbol(symbol),
      name: this.names.venueSymbol(symbol),
      status: 'active',
      tradable: true,
      marginable: true,
      shortable: true,
      easy_to_borrow: true,
      fractionable: instrument.lotSize.lt(Decimal.ONE),
      maintenance_margin_requirement: 30,
      min_order_size: (instrument.minQuantity ?? instrument.lotSize).toString(),
      min_trade_increment: instrument.lotSize.toString(),
      price_increment: instrument.tickSize.toString(),
      attributes: [],
    };
  }

  /**
   * `GET /v2/account`. Positions are marked at the venue's mid; `buying_power` follows Alpaca's
   * margin rule, (equity − initial margin) × multiplier with an initial margin of 1/multiplier of
   * the positions' gross value, less the value of open orders (at their limit or stop price, or
   * the mark for market orders).
   */
  private accountJson(book: AlpacaAccountBook): Record<string, unknown> & { buying_power: string } {
    const sim = this.options.sim;
    const cash = sim.balances(book.account).find((b) => b.currency === 'USD')?.total ?? Decimal.ZERO;
    let long = Decimal.ZERO;
    let short = Decimal.ZERO;
    for (const ledger of book.positions()) {
      const value = ledger.quantity.mul(book.markPrice(ledger.symbol) ?? ledger.averagePrice);
      if (value.isNegative()) short = short.add(value);
      else long = long.add(value);
    }
    const equity = cash.add(long).add(short);
    const gross = long.sub(short);
    const initialMargin = gross.div(book.multiplier, 2, 'ceil');
    let openValue = Decimal.ZERO;
    for (const o of sim.openOrders(book.account)) {
      const price = o.price ?? o.stopPrice ?? book.markPrice(o.symbol);
      if (price !== undefined) openValue = openValue.add(o.quantity.sub(o.filledQuantity).mul(price));
    }
    const buyingPower = Decimal.max(Decimal.ZERO, equity.sub(initialMargin).mul(book.multiplier).sub(openValue));
    return {
      id: book.uuid,
      account_number: `${this.environment === 'paper' ? 'PA' : ''}${book.account}`,
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      currency: 'USD',
      cash: cash.toString(),
      portfolio_value: equity.toString(),
      equity: equity.toString(),
      last_equity: book.openingEquity.toString(),
      long_market_value: long.toString(),
      short_market_value: short.toString(),
      buying_power: buyingPower.toString(),
      regt_buying_power: buyingPower.toString(),
      daytrading_buying_power: buyingPower.toString(),
      effective_buying_power: buyingPower.toString(),
      non_marginable_buying_power: Decimal.max(Decimal.ZERO, cash.sub(openValue)).toString(),
      initial_margin: initialMargin.toString(),
      maintenance_margin: gross.mul(Decimal.parse('0.3')).toString(),
      last_maintenance_margin: '0',
      sma: '0',
      multiplier: book.multiplier.toString(),
      pattern_day_trader: false,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      trade_suspended_by_user: false,
      shorting_enabled: true,
      daytrade_count: 0,
      accrued_fees: '0',
      pending_transfer_in: '0',
      pending_transfer_out: '0',
      created_at: formatRfc3339Nanos(book.createdNs),
    };
  }

  // ---- trade_updates ----

  private onUpdate(book: AlpacaAccountBook, update: SimUpdate): void {
    try {
      const event = this.tradeUpdate(book, update);
      if (event) this.stream.publish(book.account, event);
    } catch (err) {
      // A listener must not throw into the simulator; a failure here is a server bug.
      this.onError(err);
    }
  }

  private tradeUpdate(book: AlpacaAccountBook, update: SimUpdate): TradeUpdateJson | undefined {
    if (update.kind === 'fill') {
      const record = book.recordOf(update.fill.tradeId);
      if (record === undefined) throw new SimInvariantError(`fill ${update.fill.tradeId} of account ${book.account} is not among the simulator's fills`);
      return {
        event: record.orderFilled ? 'fill' : 'partial_fill',
        execution_id: record.executionId,
        order: book.orderJson(update.order),
        timestamp: formatRfc3339Nanos(update.fill.tsNs),
        price: update.fill.price.toString(),
        qty: update.fill.quantity.toString(),
        position_qty: record.positionAfter.toString(),
      };
    }
    const order = update.order;
    // Fills report themselves (above); an order change to (partially) filled adds nothing.
    const event = book.status(order) === 'replaced' ? 'replaced' : EVENT_OF_STATUS[order.status];
    if (event === undefined) return undefined;
    return { event, execution_id: randomUUID(), order: book.orderJson(order), timestamp: formatRfc3339Nanos(order.updatedNs) };
  }
}
