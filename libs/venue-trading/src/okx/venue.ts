import { setTimeout as sleep } from 'node:timers/promises';
import { Decimal, PlatformError } from '@meridian/domain';
import { Backoff } from '@meridian/venues';
import type {
  TradingVenue,
  VenueBalance,
  VenueEvent,
  VenueFill,
  VenueInstrument,
  VenueOrderRequest,
  VenueOrderState,
  VenueOutcome,
  VenuePosition,
} from '../types';
import { toOkxClOrdId } from './client-order-id';
import { parseOkxTradingOptions } from './config';
import type { OkxTradingConfig, OkxTradingOptions } from './config';
import { decodeBalances, decodeFill, decodeInstrument, decodeItem, decodeOrder, pushHasFill } from './decode';
import type { DecodedOrder, OkxItem } from './decode';
import { OkxAdapterError, OkxAuthError, OkxClientOrderIdError, OkxProtocolError, OkxRateLimitedError, OkxTransportError, OkxUnsupportedOrderError } from './errors';
import { OrderTracker } from './order-tracker';
import { OkxRest, okData } from './rest';
import type { OkxEnvelope } from './rest';
import type { OkxEndpoint } from './rate-gate';
import { OkxPrivateStream } from './stream';

const DAY_MS = 86_400_000;
/** OKX's `fills` endpoint covers 3 days; older fills come from `fills-history` (3 months). */
const FILLS_HORIZON_MS = 3 * DAY_MS;
const PAGE = 100;
const BATCH = 20;

/** The OKX body of a new order, checked; the request the adapter will send. */
interface PlaceBody {
  readonly instId: string;
  readonly tdMode: 'cash';
  readonly clOrdId: string;
  readonly side: 'buy' | 'sell';
  readonly ordType: 'market' | 'limit' | 'post_only' | 'fok' | 'ioc';
  readonly sz: string;
  readonly px?: string;
  readonly tgtCcy?: 'base_ccy';
}

/**
 * What OKX does with a platform order, or why it cannot take it: stop orders are OKX algo orders
 * (`/api/v5/trade/order-algo`), which this adapter does not place; OKX has no DAY time in force;
 * a market order is immediate (IOC, or GTC read as IOC) and quoted in base currency here
 * (`tgtCcy=base_ccy`, so its size is a quantity, never money); post-only is a GTC limit order.
 */
export function okxPlaceBody(order: VenueOrderRequest): PlaceBody {
  const refuse = (reason: string): never => {
    throw new OkxUnsupportedOrderError(order.clientOrderId, reason);
  };
  if (order.type === 'stop' || order.type === 'stop_limit') refuse(`${order.type} orders are OKX algo orders (POST /api/v5/trade/order-algo), which this adapter does not place`);
  if (order.timeInForce === 'DAY') refuse('OKX has no DAY time in force');
  if (!order.quantity.isPositive()) refuse(`quantity ${order.quantity} must be positive`);
  const base = { instId: order.symbol, tdMode: 'cash' as const, clOrdId: toOkxClOrdId(order.clientOrderId), side: order.side === 'BUY' ? ('buy' as const) : ('sell' as const), sz: order.quantity.toString() };
  if (order.type === 'market') {
    if (order.timeInForce === 'FOK') refuse('OKX has no fill-or-kill market order');
    if (order.postOnly) refuse('a market order cannot be post-only');
    if (order.limitPrice !== undefined) refuse(`a market order has no limit price (got ${order.limitPrice})`);
    return { ...base, ordType: 'market', tgtCcy: 'base_ccy' };
  }
  if (order.limitPrice === undefined || !order.limitPrice.isPositive()) return refuse('a limit order needs a positive limit price');
  const px = order.limitPrice.toString();
  if (order.postOnly) {
    if (order.timeInForce !== 'GTC') refuse(`a post-only order must be GTC, not ${order.timeInForce}`);
    return { ...base, ordType: 'post_only', px };
  }
  const ordType = order.timeInForce === 'IOC' ? 'ioc' : order.timeInForce === 'FOK' ? 'fok' : 'limit';
  return { ...base, ordType, px };
}

function rejected(code: string, message: string): VenueOutcome {
  return { kind: 'rejected', code, message };
}

/** A venue state for an order OKX acknowledged (`sCode` 0) before reporting anything else about it. */
function acknowledged(order: VenueOrderRequest, ordId: string, nowMs: number): VenueOrderState {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: ordId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: order.quantity,
    limitPrice: order.type === 'market' ? undefined : order.limitPrice,
    status: 'new',
    filledQuantity: Decimal.ZERO,
    averagePrice: undefined,
    reason: undefined,
    updatedNs: BigInt(nowMs) * 1_000_000n,
  };
}

/** The same order: a duplicate `clOrdId` that is someone else's order must not be taken for ours. */
function sameOrder(state: VenueOrderState, order: VenueOrderRequest): boolean {
  return state.symbol === order.symbol && state.side === order.side && state.quantity.eq(order.quantity) && state.type === (order.type === 'market' ? 'market' : 'limit');
}

/**
 * `TradingVenue` for OKX v5 spot (cash): signed REST for orders and queries, the private
 * WebSocket for pushes. Requests are paced to OKX's published limits; only what is safe is
 * retried (reads, and a place with the same `clOrdId`, which OKX refuses as a duplicate); a
 * place, cancel or amend that gets no answer is resolved by asking OKX for the order by its
 * `clOrdId`, and reported `in_doubt` only when even that gives no answer. After a reconnect the
 * adapter fetches the fills and order changes it missed.
 */
export class OkxTradingVenue implements TradingVenue {
  readonly venue: string;
  private readonly config: OkxTradingConfig;
  private readonly rest: OkxRest;
  private readonly stream: OkxPrivateStream;
  private readonly listeners = new Set<(event: VenueEvent) => void>();
  private readonly tracker = new OrderTracker();
  private startedMs = 0;
  private recovering = false;
  private closed = false;
  private buffered: (readonly unknown[])[] = [];
  private instrumentCache: Promise<VenueInstrument[]> | undefined;

  constructor(options: OkxTradingOptions) {
    this.config = parseOkxTradingOptions(options);
    this.venue = this.config.venue;
    this.rest = new OkxRest(this.config);
    this.stream = new OkxPrivateStream(this.config, {
      onOrders: (data) => this.onOrders(data),
      onReady: (reconnect) => {
        if (reconnect) void this.recover();
        else this.emit({ kind: 'connection', connected: true, detail: 'logged in and subscribed to orders' });
      },
      onDown: (detail) => {
        this.config.log('warn', `${this.venue}-private: connection lost: ${detail}`);
        this.emit({ kind: 'connection', connected: false, detail });
      },
    });
  }

  async start(): Promise<void> {
    this.startedMs = this.config.clock();
    await this.stream.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rest.close();
    await this.stream.stop();
  }

  onEvent(listener: (event: VenueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the private connection (it reconnects and recovers what it missed). */
  reconnect(reason: string): void {
    this.stream.reconnect(reason);
  }

  // ---- orders ----

  async submit(order: VenueOrderRequest): Promise<VenueOutcome> {
    let body: PlaceBody;
    try {
      body = okxPlaceBody(order);
    } catch (err) {
      if (err instanceof OkxUnsupportedOrderError || err instanceof OkxClientOrderIdError) return rejected(err.code, err.message);
      throw err;
    }
    return this.placeResolved(order, body, undefined);
  }

  /** Places up to any number of orders, 20 per OKX batch; one outcome per order, in order. */
  async submitBatch(orders: readonly VenueOrderRequest[]): Promise<VenueOutcome[]> {
    const outcomes: VenueOutcome[] = new Array<VenueOutcome>(orders.length);
    const sendable: { index: number; order: VenueOrderRequest; body: PlaceBody }[] = [];
    for (const [index, order] of orders.entries()) {
      try {
        sendable.push({ index, order, body: okxPlaceBody(order) });
      } catch (err) {
        if (!(err instanceof OkxUnsupportedOrderError || err instanceof OkxClientOrderIdError)) throw err;
        outcomes[index] = rejected(err.code, err.message);
      }
    }
    for (let i = 0; i < sendable.length; i += BATCH) {
      const chunk = sendable.slice(i, i + BATCH);
      const answer = await this.sendBatch('batchPlace', '/api/v5/trade/batch-orders', chunk.map((c) => c.body));
      await Promise.all(chunk.map(async (c, j) => (outcomes[c.index] = await this.placeResolved(c.order, c.body, answer === 'no_answer' ? answer : (answer[j] ?? 'no_answer')))));
    }
    return outcomes;
  }

  async cancel(ref: { clientOrderId: string; symbol: string }): Promise<VenueOutcome> {
    let clOrdId: string;
    try {
      clOrdId = toOkxClOrdId(ref.clientOrderId);
    } catch (err) {
      if (err instanceof OkxClientOrderIdError) return rejected(err.code, err.message);
      throw err;
    }
    return this.cancelResolved(ref, clOrdId, undefined);
  }

  async cancelBatch(refs: readonly { clientOrderId: string; symbol: string }[]): Promise<VenueOutcome[]> {
    const outcomes: VenueOutcome[] = new Array<VenueOutcome>(refs.length);
    const sendable: { index: number; ref: { clientOrderId: string; symbol: string }; clOrdId: string }[] = [];
    for (const [index, ref] of refs.entries()) {
      try {
        sendable.push({ index, ref, clOrdId: toOkxClOrdId(ref.clientOrderId) });
      } catch (err) {
        if (!(err instanceof OkxClientOrderIdError)) throw err;
        outcomes[index] = rejected(err.code, err.message);
      }
    }
    for (let i = 0; i < sendable.length; i += BATCH) {
      const chunk = sendable.slice(i, i + BATCH);
      const answer = await this.sendBatch(
        'batchCancel',
        '/api/v5/trade/cancel-batch-orders',
        chunk.map((c) => ({ instId: c.ref.symbol, clOrdId: c.clOrdId })),
      );
      await Promise.all(chunk.map(async (c, j) => (outcomes[c.index] = await this.cancelResolved(c.ref, c.clOrdId, answer === 'no_answer' ? answer : (answer[j] ?? 'no_answer')))));
    }
    return outcomes;
  }

  async amend(ref: { clientOrderId: string; symbol: string }, change: { quantity?: Decimal; limitPrice?: Decimal }): Promise<VenueOutcome> {
    if (change.quantity === undefined && change.limitPrice === undefined) {
      const err = new OkxUnsupportedOrderError(ref.clientOrderId, 'an amend needs a new quantity or a new limit price');
      return rejected(err.code, err.message);
    }
    let clOrdId: string;
    try {
      clOrdId = toOkxClOrdId(ref.clientOrderId);
    } catch (err) {
      if (err instanceof OkxClientOrderIdError) return rejected(err.code, err.message);
      throw err;
    }
    const body = { instId: ref.symbol, clOrdId, newSz: change.quantity?.toString(), newPx: change.limitPrice?.toString() };
    const where = `${this.venue}: amend ${ref.clientOrderId}`;
    let item: OkxItem;
    try {
      const envelope = await this.rest.send({ endpoint: 'amend', method: 'POST', path: '/api/v5/trade/amend-order', body, signed: true, instIds: [ref.symbol] });
      const top = this.topLevelRefusal(envelope);
      if (top) return top;
      item = decodeItem(envelope.data[0]);
    } catch (err) {
      if (err instanceof OkxAuthError || err instanceof OkxRateLimitedError) return rejected(err.code, err.message);
      if (!(err instanceof OkxTransportError || err instanceof OkxProtocolError)) throw err;
      // An amend is not repeated: the order as OKX has it now says whether it went through.
      const state = await this.lookupOrNothing(ref.symbol, clOrdId);
      if (state === 'unknown') return { kind: 'in_doubt', message: `${where}: ${err.message}; the order could not be read back` };
      if (state !== undefined && (change.quantity === undefined || state.state.quantity.eq(change.quantity)) && (change.limitPrice === undefined || (state.state.limitPrice?.eq(change.limitPrice) ?? false))) {
        return { kind: 'accepted', order: state.state };
      }
      return { kind: 'in_doubt', message: `${where}: ${err.message}; the order does not show the change (yet)` };
    }
    if (item.sCode !== '0') return rejected(item.sCode, item.sMsg);
    const state = await this.lookupOrNothing(ref.symbol, clOrdId);
    if (state === 'unknown' || state === undefined) return { kind: 'in_doubt', message: `${where}: OKX acknowledged the amend but the order could not be read back` };
    return { kind: 'accepted', order: state.state };
  }

  // ---- queries ----

  async instruments(): Promise<VenueInstrument[]> {
    const envelope = await this.rest.get({ endpoint: 'instruments', method: 'GET', path: '/api/v5/public/instruments', query: { instType: 'SPOT' }, signed: false });
    return okData(envelope, `${this.venue}: instruments`).map((r, i) => decodeInstrument(r, `instruments[${i}]`));
  }

  async order(ref: { clientOrderId: string; symbol: string }): Promise<VenueOrderState | undefined> {
    return (await this.lookup(ref.symbol, { clOrdId: toOkxClOrdId(ref.clientOrderId) }))?.state;
  }

  async openOrders(symbol?: string): Promise<VenueOrderState[]> {
    return (await this.pendingOrders(symbol)).map((o) => o.state);
  }

  async fillsSince(sinceNs: bigint, symbol?: string): Promise<VenueFill[]> {
    return (await this.fillsFrom(sinceNs, symbol)).map((f) => f.fill);
  }

  async balances(): Promise<VenueBalance[]> {
    const envelope = await this.rest.get({ endpoint: 'balance', method: 'GET', path: '/api/v5/account/balance', signed: true });
    return decodeBalances(okData(envelope, `${this.venue}: balance`));
  }

  /**
   * Spot has no positions on OKX: a position here is the holding of an instrument's base
   * currency, for the instruments quoted in `positionQuoteCurrency`; its entry price is unknown.
   */
  async positions(): Promise<VenuePosition[]> {
    this.instrumentCache ??= this.instruments();
    let instruments: VenueInstrument[];
    try {
      instruments = await this.instrumentCache;
    } catch (err) {
      this.instrumentCache = undefined;
      throw err;
    }
    const holdings = new Map((await this.balances()).map((b) => [b.currency, b.total]));
    const out: VenuePosition[] = [];
    for (const i of instruments) {
      if (i.quoteCurrency !== this.config.positionQuoteCurrency) continue;
      const quantity = holdings.get(i.baseCurrency);
      if (quantity !== undefined && !quantity.isZero()) out.push({ symbol: i.symbol, quantity, averageEntryPrice: undefined });
    }
    return out;
  }

  // ---- resolution of places and cancels ----

  /**
   * A place made safe to repeat by its `clOrdId`: an answer is final; no answer means asking OKX
   * for the order, and if it has none, sending the same place again (OKX refuses a second order
   * with the same `clOrdId`: 51016, after which the order is looked up). `first` is the batch
   * endpoint's answer for this order, when it came from a batch.
   */
  private async placeResolved(order: VenueOrderRequest, body: PlaceBody, first: OkxItem | 'no_answer' | undefined): Promise<VenueOutcome> {
    const backoff = new Backoff(this.config.retryBackoff, this.config.random);
    let lastProblem = '';
    let answer: OkxItem | 'no_answer' | undefined = first;
    for (let attempt = 1; ; attempt++) {
      if (answer === undefined) {
        try {
          const envelope = await this.rest.send({ endpoint: 'place', method: 'POST', path: '/api/v5/trade/order', body, signed: true, instIds: [body.instId] });
          const top = this.topLevelRefusal(envelope);
          if (top) return top;
          answer = decodeItem(envelope.data[0]);
        } catch (err) {
          // Certainly not applied: the credentials were refused, or the venue kept answering 50011.
          if (err instanceof OkxAuthError || err instanceof OkxRateLimitedError) return rejected(err.code, err.message);
          if (!(err instanceof OkxTransportError || err instanceof OkxProtocolError)) throw err;
          lastProblem = err.message;
          answer = 'no_answer';
        }
      }
      if (answer !== 'no_answer') {
        if (answer.sCode === '0') {
          const known = this.tracker.state(answer.ordId);
          const state = known ?? acknowledged(order, answer.ordId, this.config.clock());
          if (known === undefined) this.tracker.remember(body.instId, state);
          return { kind: 'accepted', order: state };
        }
        if (answer.sCode !== '51016') return rejected(answer.sCode, answer.sMsg);
        lastProblem = `OKX already has clOrdId ${body.clOrdId}`;
      }
      // No answer, or a duplicate: whatever happened, OKX's record of the clOrdId decides.
      const found = await this.lookupOrNothing(body.instId, body.clOrdId);
      if (found !== undefined && found !== 'unknown') {
        if (sameOrder(found.state, order)) return { kind: 'accepted', order: found.state };
        return rejected('51016', `clOrdId ${body.clOrdId} belongs to another order on OKX (${found.state.venueOrderId}: ${found.state.side} ${found.state.quantity} ${found.state.symbol})`);
      }
      if (answer !== 'no_answer' && found === undefined) return rejected('51016', `OKX refused clOrdId ${body.clOrdId} as a duplicate but has no order with it`);
      if (attempt >= this.config.attempts) {
        const why = found === 'unknown' ? 'and the order could not be looked up' : 'and OKX has no order with its clOrdId yet';
        return { kind: 'in_doubt', message: `${this.venue}: place ${order.clientOrderId}: ${lastProblem}, ${why}, after ${attempt} attempts` };
      }
      this.config.log('warn', `${this.venue}: place ${order.clientOrderId}: ${lastProblem}; OKX has no such order, sending it again`);
      await sleep(backoff.next());
      answer = undefined;
    }
  }

  /**
   * A cancel, repeated while it gets no answer and the order is still open (cancelling twice
   * cannot do harm); an answer, or an order already over, is resolved by reading the order back.
   */
  private async cancelResolved(ref: { clientOrderId: string; symbol: string }, clOrdId: string, first: OkxItem | 'no_answer' | undefined): Promise<VenueOutcome> {
    const where = `${this.venue}: cancel ${ref.clientOrderId}`;
    const backoff = new Backoff(this.config.retryBackoff, this.config.random);
    let answer = first;
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      if (answer === undefined) {
        try {
          const envelope = await this.rest.send({ endpoint: 'cancel', method: 'POST', path: '/api/v5/trade/cancel-order', body: { instId: ref.symbol, clOrdId }, signed: true, instIds: [ref.symbol] });
          const top = this.topLevelRefusal(envelope);
          if (top) return top;
          answer = decodeItem(envelope.data[0]);
        } catch (err) {
          if (err instanceof OkxAuthError || err instanceof OkxRateLimitedError) return rejected(err.code, err.message);
          if (!(err instanceof OkxTransportError || err instanceof OkxProtocolError)) throw err;
          lastProblem = err.message;
          answer = 'no_answer';
        }
      }
      // 51400-51402: not found, already canceled, already filled; the order itself says which.
      if (answer !== 'no_answer' && answer.sCode !== '0' && !['51400', '51401', '51402'].includes(answer.sCode)) return rejected(answer.sCode, answer.sMsg);
      const found = await this.lookupOrNothing(ref.symbol, clOrdId);
      if (found === undefined) return rejected('51400', `${where}: OKX has no order with clOrdId ${clOrdId}`);
      if (found !== 'unknown') {
        const { status } = found.state;
        if (status === 'cancelled' || status === 'expired') return { kind: 'accepted', order: found.state };
        if (status === 'filled') return rejected('51402', `${where}: the order is already filled`);
        // OKX acknowledged: it cancels asynchronously, and the push will report it.
        if (answer !== 'no_answer' && answer.sCode === '0') return { kind: 'accepted', order: found.state };
      }
      if (attempt >= this.config.attempts) {
        return { kind: 'in_doubt', message: `${where}: ${lastProblem || 'no confirmation'}, and the order ${found === 'unknown' ? 'could not be read back' : 'is still open'} after ${attempt} attempts` };
      }
      await sleep(backoff.next());
      answer = undefined;
    }
  }

  /** A batch request; its per-order answers, or `no_answer` when the batch as a whole got none. */
  private async sendBatch(endpoint: OkxEndpoint, path: string, body: readonly { instId: string }[]): Promise<(OkxItem | undefined)[] | 'no_answer'> {
    try {
      const envelope = await this.rest.send({ endpoint, method: 'POST', path, body, signed: true, instIds: body.map((b) => b.instId) });
      if (!['0', '1', '2'].includes(envelope.code)) {
        // The batch was refused as a whole (a parameter error): each order gets that answer.
        return body.map(() => ({ ordId: '', clOrdId: '', sCode: envelope.code, sMsg: envelope.msg }));
      }
      return body.map((_, i) => (envelope.data[i] === undefined ? undefined : decodeItem(envelope.data[i], `${path}.data[${i}]`)));
    } catch (err) {
      if (err instanceof OkxTransportError || err instanceof OkxProtocolError) return 'no_answer';
      if (err instanceof OkxAuthError || err instanceof OkxRateLimitedError) return body.map(() => ({ ordId: '', clOrdId: '', sCode: err.code, sMsg: err.message }));
      throw err;
    }
  }

  /** A request refused as a whole (not code 0, nor 1 with the order's own `sCode`). */
  private topLevelRefusal(envelope: OkxEnvelope): VenueOutcome | undefined {
    if (envelope.code === '0' || (envelope.code === '1' && envelope.data.length > 0)) return undefined;
    return rejected(envelope.code, envelope.msg);
  }

  // ---- lookups ----

  /** The order by `ordId` or `clOrdId` (reads are retried); undefined when OKX has none (51603). */
  private async lookup(instId: string, ref: { ordId?: string; clOrdId?: string }): Promise<DecodedOrder | undefined> {
    const envelope = await this.rest.get({ endpoint: 'getOrder', method: 'GET', path: '/api/v5/trade/order', query: { instId, ...ref }, signed: true, instIds: [instId] });
    if (envelope.code === '51603') return undefined;
    const data = okData(envelope, `${this.venue}: order ${ref.clOrdId ?? ref.ordId} on ${instId}`);
    return data.length === 0 ? undefined : decodeOrder(data[0]);
  }

  /** `lookup`, with a failure to get any answer reported as `unknown` rather than thrown. */
  private async lookupOrNothing(instId: string, clOrdId: string): Promise<DecodedOrder | undefined | 'unknown'> {
    try {
      return await this.lookup(instId, { clOrdId });
    } catch (err) {
      // Whatever kept OKX from answering (the network, the credentials, the rate limit, a garbled answer), the order is unknown.
      if (!(err instanceof OkxAdapterError)) throw err;
      this.config.log('warn', err.message);
      return 'unknown';
    }
  }

  private async pendingOrders(symbol?: string): Promise<DecodedOrder[]> {
    const out: DecodedOrder[] = [];
    let after: string | undefined;
    for (;;) {
      const envelope = await this.rest.get({
        endpoint: 'ordersPending',
        method: 'GET',
        path: '/api/v5/trade/orders-pending',
        query: { instType: 'SPOT', instId: symbol, after, limit: String(PAGE) },
        signed: true,
      });
      const page = okData(envelope, `${this.venue}: open orders`).map((r, i) => decodeOrder(r, `orders-pending[${i}]`));
      out.push(...page);
      if (page.length < PAGE) return out;
      after = page[page.length - 1]!.state.venueOrderId;
    }
  }

  /** Fills at or after `sinceNs`, oldest first, paging back through `fills` (or `fills-history` beyond 3 days). */
  private async fillsFrom(sinceNs: bigint, symbol?: string): Promise<{ instId: string; fill: VenueFill }[]> {
    const sinceMs = Number(sinceNs / 1_000_000n);
    const history = sinceMs < this.config.clock() - FILLS_HORIZON_MS + 60_000;
    const out: { instId: string; fill: VenueFill }[] = [];
    let after: string | undefined;
    for (;;) {
      const envelope = await this.rest.get({
        endpoint: history ? 'fillsHistory' : 'fills',
        method: 'GET',
        path: history ? '/api/v5/trade/fills-history' : '/api/v5/trade/fills',
        query: { instType: 'SPOT', instId: symbol, begin: String(Math.max(0, sinceMs - 1)), after, limit: String(PAGE) },
        signed: true,
      });
      const data = okData(envelope, `${this.venue}: fills`);
      const page = data.map((r, i) => decodeFill(r, 'rest', `fills[${i}]`));
      out.push(...page.filter((f) => f.fill.tsNs >= sinceNs));
      if (page.length < PAGE || page.some((f) => f.fill.tsNs < sinceNs)) break;
      const last = data[data.length - 1] as { billId?: unknown };
      if (typeof last.billId !== 'string' || last.billId === '') break;
      after = last.billId;
    }
    const unique = new Map(out.map((f) => [`${f.instId}|${f.fill.tradeId}`, f]));
    return [...unique.values()].sort((a, b) => compareFills(a.fill, b.fill));
  }

  // ---- pushes and recovery ----

  private emit(event: VenueEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug must not stop the others or the stream; it is reported, not swallowed.
        this.config.log('warn', `${this.venue}: an event listener threw on a ${event.kind} event: ${(err as Error).message}`);
      }
    }
  }

  private onOrders(data: readonly unknown[]): void {
    if (this.recovering) {
      this.buffered.push(data);
      return;
    }
    for (const [i, item] of data.entries()) {
      try {
        this.report(item, i);
      } catch (err) {
        // A push the adapter cannot read (a malformed field, an instrument id that is no platform symbol) is logged and skipped.
        if (!(err instanceof PlatformError)) throw err;
        this.config.log('warn', `${this.venue}-private: an orders push could not be read: ${err.message}`);
      }
    }
  }

  private report(item: unknown, index: number): void {
    const { instId, state } = decodeOrder(item, `orders[${index}]`);
    if (pushHasFill(item)) {
      const { fill } = decodeFill(item, 'push', `orders[${index}]`);
      if (this.tracker.firstFill(instId, fill.tradeId, fill.tsNs)) {
        this.tracker.remember(instId, state);
        this.emit({ kind: 'fill', fill, order: state });
        return;
      }
    }
    if (this.tracker.advance(instId, state)) this.emit({ kind: 'order', order: state });
  }

  /**
   * After a reconnect: the fills since shortly before the last event seen (each reported once,
   * with the order as OKX has it now), then every order last known open whose state moved, then
   * the pushes that arrived meanwhile. If OKX cannot be read, the connection is dropped so the
   * next one tries again: it never reports "connected" on a state it could not check.
   */
  private async recover(): Promise<void> {
    this.recovering = true;
    try {
      const sinceMs = (this.tracker.lastEventMs ?? this.startedMs) - this.config.recoveryLookbackMs;
      const fills = await this.fillsFrom(BigInt(Math.max(0, sinceMs)) * 1_000_000n);
      const orders = new Map<string, DecodedOrder | undefined>();
      let recovered = 0;
      for (const { instId, fill } of fills) {
        if (!this.tracker.firstFill(instId, fill.tradeId, fill.tsNs)) continue;
        if (!orders.has(fill.venueOrderId)) orders.set(fill.venueOrderId, await this.lookup(instId, { ordId: fill.venueOrderId }));
        const order = orders.get(fill.venueOrderId);
        if (order === undefined) {
          this.config.log('warn', `${this.venue}: recovered fill ${fill.tradeId} of order ${fill.venueOrderId}, which OKX no longer reports`);
          continue;
        }
        this.tracker.remember(instId, order.state);
        this.emit({ kind: 'fill', fill, order: order.state });
        recovered++;
      }
      const pending = new Map((await this.pendingOrders()).map((o) => [o.state.venueOrderId, o]));
      for (const known of this.tracker.open()) {
        if (pending.has(known.state.venueOrderId)) continue;
        const now = orders.get(known.state.venueOrderId) ?? (await this.lookup(known.instId, { ordId: known.state.venueOrderId }));
        if (now !== undefined && this.tracker.advance(now.instId, now.state)) this.emit({ kind: 'order', order: now.state });
      }
      for (const o of pending.values()) if (this.tracker.advance(o.instId, o.state)) this.emit({ kind: 'order', order: o.state });
      this.config.log('info', `${this.venue}-private: reconnected; recovered ${recovered} missed fill(s)`);
    } catch (err) {
      this.recovering = false;
      this.buffered = [];
      if (this.closed) return;
      // Whatever failed (the venue, or a bug), the state is unchecked: say so and try again on a new connection.
      this.config.log('warn', `${this.venue}-private: recovery after reconnect failed (${(err as Error).message}); reconnecting to try again`);
      this.stream.reconnect('recovery failed');
      return;
    }
    this.recovering = false;
    const buffered = this.buffered;
    this.buffered = [];
    for (const data of buffered) this.onOrders(data);
    this.emit({ kind: 'connection', connected: true, detail: 'reconnected, logged in, subscribed, missed fills recovered' });
  }
}

/** Oldest first; trade ids break ties (they increase per instrument). */
function compareFills(a: VenueFill, b: VenueFill): number {
  if (a.tsNs !== b.tsNs) return a.tsNs < b.tsNs ? -1 : 1;
  return a.tradeId.localeCompare(b.tradeId, 'en', { numeric: true });
}
