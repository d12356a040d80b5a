import { Decimal, nowNanos, parseSymbol } from '@meridian/domain';
import { AlpacaSymbols, Backoff, FeedConfigError, formatRfc3339Nanos } from '@meridian/venues';
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
import { TERMINAL_STATUSES, decimal, decodeFillActivity, decodeOrder, list, optionalDecimal, record, text, time, venueStatus } from './decode';
import type { AlpacaFillActivity, AlpacaOrder } from './decode';
import { AlpacaConfigError, AlpacaProtocolError, AlpacaRequestError, AlpacaStreamError } from './errors';
import { parseAlpacaTradingOptions } from './options';
import type { AlpacaTradingConfig, AlpacaTradingVenueOptions } from './options';
import { AlpacaRest, describe } from './rest';
import { TradeUpdatesClient } from './stream';

export const MAX_CLIENT_ORDER_ID_LENGTH = 128;
/** Alpaca's code for a client order id the account already used. */
const DUPLICATE_CLIENT_ORDER_ID = 40010001;
const AVERAGE_PRICE_SCALE = 12;
const PAGE_SIZE = 100;
const OPEN_ORDERS_LIMIT = 500;
/** How many fill ids are remembered to drop a fill reported twice (stream and catch-up). */
const SEEN_FILLS = 100_000;
const TIF: Readonly<Record<VenueOrderRequest['timeInForce'], string>> = { DAY: 'day', GTC: 'gtc', IOC: 'ioc', FOK: 'fok' };

type Lookup = { readonly kind: 'found'; readonly chain: AlpacaOrder[] } | { readonly kind: 'absent' } | { readonly kind: 'unknown'; readonly reason: string };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The Alpaca Trading API v2 behind `TradingVenue`: orders, cancels, replaces, reads, and the
 * `trade_updates` stream, with Alpaca's rate limit respected and every retry made safe by the
 * order's client id.
 *
 * Replaces. Alpaca replaces an order with a new one (new id, new client id). The adapter names
 * the replacement `<client id>.r<n>` and follows the chain (`replaces` / `replaced_by`), so an
 * order keeps the platform's client id through any number of amends: `order()` and every event
 * report the chain as one order (quantity and fills summed, the latest link's id and status).
 * `amend`'s quantity is the new total, what has filled included, as `VenueOrderState` counts it.
 *
 * Doubt. A submit, cancel or amend that gets no answer (timeout, dropped connection, 5xx) is
 * resolved by reading the order back by its client id, and only retried when that read shows
 * the request did not land; retrying a submit is safe because Alpaca refuses a second order with
 * the same client id (422, 40010001), which the adapter turns into a read. When even the reads
 * fail the outcome is `in_doubt`: nothing is guessed.
 */
export class AlpacaTradingVenue implements TradingVenue {
  readonly venue: string;
  private readonly config: AlpacaTradingConfig;
  private readonly rest: AlpacaRest;
  private readonly names: AlpacaSymbols;
  private readonly stream: TradeUpdatesClient;
  private readonly listeners = new Set<(event: VenueEvent) => void>();
  /** Updates are handled one at a time, in arrival order (resolving a replace chain may need a read). */
  private queue: Promise<void> = Promise.resolve();
  private readonly seenFills = new Set<string>();
  /** Orders that ended (replaced links above all): they never change, so they are read once. */
  private readonly finalOrders = new Map<string, AlpacaOrder>();
  private readonly rootByOrderId = new Map<string, { root: string; type: AlpacaOrder['type'] }>();
  /** Working orders (by platform client id) and what was last reported about them, for the catch-up after a reconnect. */
  private readonly working = new Map<string, { status: string; filled: Decimal }>();
  private lastFillNs: bigint | undefined;
  private startedNs = 0n;
  private listeningOnce = false;
  private startWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(options: AlpacaTradingVenueOptions) {
    this.config = parseAlpacaTradingOptions(options);
    this.venue = this.config.venue;
    try {
      this.names = new AlpacaSymbols('stocks', this.config.symbols, this.config.venueSymbols);
    } catch (err) {
      if (err instanceof FeedConfigError) throw new AlpacaConfigError(err.key, this.config.symbols, err.message);
      throw err;
    }
    this.rest = new AlpacaRest(this.config);
    this.stream = new TradeUpdatesClient(this.config, {
      onListening: () => this.onListening(),
      onUpdate: (data) => this.enqueue(() => this.onUpdate(data)),
      onUnauthorized: () => this.onUnauthorized(),
      onDisconnected: (detail) => this.emit({ kind: 'connection', connected: false, detail }),
      onUnreadable: (detail) => this.config.log('warn', 'alpaca trade_updates frame not understood', { detail }),
    });
  }

  /** Stream reconnections since `start()`. */
  get reconnects(): number {
    return this.stream.reconnects;
  }

  async start(): Promise<void> {
    this.startedNs = nowNanos();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.startWaiter = undefined;
        void this.stream.stop();
        reject(new AlpacaStreamError(`not listening within ${this.config.startTimeoutMs} ms (${this.config.streamUrl})`));
      }, this.config.startTimeoutMs);
      this.startWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.stream.start();
    });
  }

  async close(): Promise<void> {
    await this.stream.stop();
    await this.queue;
  }

  onEvent(listener: (event: VenueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async instruments(): Promise<VenueInstrument[]> {
    const out: VenueInstrument[] = [];
    for (const symbol of this.names.platformSymbols) {
      const venueSymbol = this.names.venueSymbol(symbol);
      const a = record(await this.rest.getBody(`/v2/assets/${encodeURIComponent(venueSymbol)}`), 'asset');
      // Equities may omit the increments: a cent and whole shares are Alpaca's defaults.
      const tickSize = optionalDecimal(a, 'price_increment', 'asset') ?? Decimal.parse('0.01');
      const lotSize = optionalDecimal(a, 'min_trade_increment', 'asset') ?? Decimal.ONE;
      out.push({
        symbol,
        venueSymbol,
        baseCurrency: venueSymbol,
        quoteCurrency: 'USD',
        tickSize,
        lotSize,
        minQuantity: optionalDecimal(a, 'min_order_size', 'asset') ?? lotSize,
        minNotional: undefined,
      });
    }
    return out;
  }

  // ---- orders ----

  async submit(order: VenueOrderRequest): Promise<VenueOutcome> {
    const refused = this.checkRequest(order);
    if (refused) return refused;
    const body: Record<string, unknown> = {
      symbol: this.names.venueSymbol(order.symbol),
      qty: order.quantity.toString(),
      side: order.side === 'BUY' ? 'buy' : 'sell',
      type: order.type,
      time_in_force: TIF[order.timeInForce],
      client_order_id: order.clientOrderId,
    };
    if (order.limitPrice !== undefined) body['limit_price'] = order.limitPrice.toString();
    if (order.stopPrice !== undefined) body['stop_price'] = order.stopPrice.toString();

    const backoff = this.backoff();
    let doubt = 'not sent';
    for (let attempt = 1; attempt <= this.config.retry.attempts; attempt++) {
      if (attempt > 1) await sleep(backoff.next());
      const r = await this.rest.send('POST', '/v2/orders', body);
      if (r.kind === 'ok') return this.accepted([decodeOrder(r.body)]);
      if (r.kind === 'refused' && r.status === 422 && r.code === DUPLICATE_CLIENT_ORDER_ID) {
        // Either an earlier attempt of ours landed, or the id was used before: read which.
        const found = await this.lookup(order.clientOrderId);
        if (found.kind === 'found') return this.sameOrder(found.chain[0]!, order) ? this.accepted(found.chain) : this.duplicate(order, found.chain[0]!);
        doubt = found.kind === 'unknown' ? found.reason : 'Alpaca reports the client order id as used, yet has no order with it';
        continue;
      }
      if (r.kind === 'refused' && r.status < 500) return { kind: 'rejected', code: String(r.code ?? r.status), message: r.message };
      // No answer, or a 5xx (a gateway may fail after the order was placed): only a read can tell.
      doubt = describe(r);
      this.config.log('warn', 'alpaca submit got no clear answer; reading the order back', { clientOrderId: order.clientOrderId, reason: doubt });
      const found = await this.lookup(order.clientOrderId);
      if (found.kind === 'found') return this.accepted(found.chain);
      if (found.kind === 'unknown') doubt = `${doubt}; then reading it back: ${found.reason}`;
      // Absent: it did not land (yet); sending it again with the same client id cannot make two orders.
    }
    return { kind: 'in_doubt', message: `submit of ${order.clientOrderId}: ${doubt}` };
  }

  async cancel(ref: { clientOrderId: string; symbol: string }): Promise<VenueOutcome> {
    const backoff = this.backoff();
    let doubt = 'not sent';
    let refusedFor: string | undefined;
    for (let attempt = 1; attempt <= this.config.retry.attempts; attempt++) {
      if (attempt > 1) await sleep(backoff.next());
      const found = await this.lookup(ref.clientOrderId);
      if (found.kind === 'absent') return { kind: 'rejected', code: '40410000', message: `no order with client order id ${ref.clientOrderId}` };
      if (found.kind === 'unknown') {
        doubt = found.reason;
        continue;
      }
      const last = found.chain.at(-1)!;
      if (last.status === 'canceled') return this.accepted(found.chain);
      if (TERMINAL_STATUSES.has(last.status)) return { kind: 'rejected', code: '42210000', message: `order is already in "${last.status}" state` };
      // Refused (422) for this very order, which is still open: the refusal stands.
      if (refusedFor === last.id) return { kind: 'rejected', code: '42210000', message: doubt };
      const r = await this.rest.send('DELETE', `/v2/orders/${encodeURIComponent(last.id)}`);
      if (r.kind === 'ok') {
        const after = await this.lookup(ref.clientOrderId);
        if (after.kind === 'found') return this.accepted(after.chain);
        doubt = `cancelled, but reading the order back failed: ${after.kind === 'unknown' ? after.reason : 'it is gone'}`;
        continue;
      }
      doubt = describe(r);
      if (r.kind === 'refused' && r.status === 422) refusedFor = last.id;
      // 404: a replace moved the order on meanwhile; 422: it may have ended meanwhile; 5xx / no answer: unknown. Read again.
      if (r.kind === 'refused' && r.status < 500 && r.status !== 404 && r.status !== 422) return { kind: 'rejected', code: String(r.code ?? r.status), message: r.message };
    }
    return { kind: 'in_doubt', message: `cancel of ${ref.clientOrderId}: ${doubt}` };
  }

  async amend(ref: { clientOrderId: string; symbol: string }, change: { quantity?: Decimal; limitPrice?: Decimal }): Promise<VenueOutcome> {
    if (change.quantity === undefined && change.limitPrice === undefined) return { kind: 'rejected', code: 'invalid_request', message: 'an amend needs a quantity or a limit price' };
    if (change.quantity !== undefined && !change.quantity.isPositive()) return { kind: 'rejected', code: 'invalid_request', message: `quantity ${change.quantity} must be positive` };
    if (change.limitPrice !== undefined && !change.limitPrice.isPositive()) return { kind: 'rejected', code: 'invalid_request', message: `limit price ${change.limitPrice} must be positive` };
    const backoff = this.backoff();
    let doubt = 'not sent';
    let intended: string | undefined;
    for (let attempt = 1; attempt <= this.config.retry.attempts; attempt++) {
      if (attempt > 1) await sleep(backoff.next());
      const found = await this.lookup(ref.clientOrderId);
      if (found.kind === 'absent') return { kind: 'rejected', code: '40410000', message: `no order with client order id ${ref.clientOrderId}` };
      if (found.kind === 'unknown') {
        doubt = found.reason;
        continue;
      }
      const chain = found.chain;
      const last = chain.at(-1)!;
      if (intended !== undefined && chain.some((o) => o.clientOrderId === intended)) return this.accepted(chain);
      if (TERMINAL_STATUSES.has(last.status)) return { kind: 'rejected', code: '42210000', message: `order is already in "${last.status}" state` };
      intended ??= `${ref.clientOrderId}.r${chain.length}`;
      if (intended.length > MAX_CLIENT_ORDER_ID_LENGTH) {
        return { kind: 'rejected', code: 'invalid_client_order_id', message: `the replacement's client order id ${intended} would exceed ${MAX_CLIENT_ORDER_ID_LENGTH} characters` };
      }
      const body: Record<string, unknown> = { client_order_id: intended };
      if (change.quantity !== undefined) {
        const filled = Decimal.sum(chain.map((o) => o.filledQty));
        const remaining = change.quantity.sub(filled);
        if (!remaining.isPositive()) return { kind: 'rejected', code: 'invalid_request', message: `quantity ${change.quantity} is not above the ${filled} already filled` };
        body['qty'] = remaining.toString();
      }
      if (change.limitPrice !== undefined) body['limit_price'] = change.limitPrice.toString();
      const r = await this.rest.send('PATCH', `/v2/orders/${encodeURIComponent(last.id)}`, body);
      if (r.kind === 'ok') return this.accepted([...chain, decodeOrder(r.body)]);
      doubt = describe(r);
      // A 422 may mean our earlier attempt landed (the id is taken, or the old order is already replaced): read again.
      if (r.kind === 'refused' && r.status < 500 && r.status !== 422 && r.status !== 404) return { kind: 'rejected', code: String(r.code ?? r.status), message: r.message };
      if (r.kind === 'refused' && r.status === 422 && r.code !== DUPLICATE_CLIENT_ORDER_ID) {
        const again = await this.lookup(ref.clientOrderId);
        if (again.kind === 'found' && again.chain.some((o) => o.clientOrderId === intended)) return this.accepted(again.chain);
        if (again.kind === 'found') return { kind: 'rejected', code: String(r.code ?? r.status), message: r.message };
      }
    }
    return { kind: 'in_doubt', message: `amend of ${ref.clientOrderId}: ${doubt}` };
  }

  async order(ref: { clientOrderId: string; symbol: string }): Promise<VenueOrderState | undefined> {
    const found = await this.lookup(ref.clientOrderId);
    if (found.kind === 'unknown') throw new AlpacaRequestError('GET', '/v2/orders:by_client_order_id', undefined, undefined, found.reason);
    return found.kind === 'found' ? this.aggregate(found.chain) : undefined;
  }

  async openOrders(symbol?: string): Promise<VenueOrderState[]> {
    const out: VenueOrderState[] = [];
    const seen = new Set<string>();
    let after: bigint | undefined;
    for (;;) {
      const q = new URLSearchParams({ status: 'open', limit: String(OPEN_ORDERS_LIMIT), direction: 'asc' });
      if (symbol !== undefined) q.set('symbols', this.names.venueSymbol(symbol));
      if (after !== undefined) q.set('after', formatRfc3339Nanos(after));
      const page = list(await this.rest.getBody(`/v2/orders?${q}`), 'orders').map((o) => decodeOrder(o));
      for (const o of page) {
        if (seen.has(o.id)) continue;
        seen.add(o.id);
        out.push(this.aggregate([...(await this.predecessors(o)), o]));
      }
      if (page.length < OPEN_ORDERS_LIMIT) return out;
      after = page.at(-1)!.submittedNs;
    }
  }

  async fillsSince(sinceNs: bigint, symbol?: string): Promise<VenueFill[]> {
    const out: VenueFill[] = [];
    let token: string | undefined;
    for (;;) {
      // `after` is exclusive at Alpaca; the contract is inclusive.
      const q = new URLSearchParams({ after: formatRfc3339Nanos(sinceNs - 1n), direction: 'asc', page_size: String(PAGE_SIZE) });
      if (token !== undefined) q.set('page_token', token);
      const page = list(await this.rest.getBody(`/v2/account/activities/FILL?${q}`), 'activities').map((a) => decodeFillActivity(a));
      for (const a of page) {
        const platform = this.platformSymbol(a.symbol);
        if (symbol === undefined || platform === symbol) out.push(await this.activityFill(a, platform));
      }
      if (page.length < PAGE_SIZE) return out;
      token = page.at(-1)!.id;
    }
  }

  async positions(): Promise<VenuePosition[]> {
    return list(await this.rest.getBody('/v2/positions'), 'positions').map((p) => {
      const o = record(p, 'position');
      let quantity = decimal(o, 'qty', 'position');
      // Alpaca writes a short's qty negative; a positive one with side short is read as short too.
      if (o['side'] === 'short' && quantity.isPositive()) quantity = quantity.neg();
      return { symbol: this.platformSymbol(text(o, 'symbol', 'position')), quantity, averageEntryPrice: optionalDecimal(o, 'avg_entry_price', 'position') };
    });
  }

  /** The account's cash (`total`) and what it can still buy (`available`: Alpaca's `buying_power`). */
  async balances(): Promise<VenueBalance[]> {
    const a = record(await this.rest.getBody('/v2/account'), 'account');
    const currency = typeof a['currency'] === 'string' ? a['currency'] : 'USD';
    return [{ currency, total: decimal(a, 'cash', 'account'), available: decimal(a, 'buying_power', 'account') }];
  }

  // ---- internals ----

  private checkRequest(order: VenueOrderRequest): VenueOutcome | undefined {
    const cid = order.clientOrderId;
    if (typeof cid !== 'string' || cid === '' || cid.length > MAX_CLIENT_ORDER_ID_LENGTH) {
      return { kind: 'rejected', code: 'invalid_client_order_id', message: `client order id must be 1 to ${MAX_CLIENT_ORDER_ID_LENGTH} characters, got ${String(cid).length}` };
    }
    if (order.postOnly) return { kind: 'rejected', code: 'unsupported', message: 'Alpaca has no post-only orders' };
    try {
      this.names.venueSymbol(order.symbol);
    } catch (err) {
      if (err instanceof FeedConfigError) return { kind: 'rejected', code: 'unknown_symbol', message: `symbol ${order.symbol} is not configured for ${this.venue}` };
      throw err;
    }
    return undefined;
  }

  private backoff(): Backoff {
    return new Backoff(this.config.retry.backoff, this.config.random);
  }

  private sameOrder(o: AlpacaOrder, request: VenueOrderRequest): boolean {
    return o.symbol === this.names.venueSymbol(request.symbol) && o.side === request.side && o.type === request.type && o.qty.eq(request.quantity);
  }

  private duplicate(request: VenueOrderRequest, existing: AlpacaOrder): VenueOutcome {
    return {
      kind: 'rejected',
      code: String(DUPLICATE_CLIENT_ORDER_ID),
      message: `client order id ${request.clientOrderId} is already used by a different order (${existing.side} ${existing.qty} ${existing.symbol} ${existing.type})`,
    };
  }

  private accepted(chain: AlpacaOrder[]): VenueOutcome {
    const order = this.aggregate(chain);
    this.track(order);
    return { kind: 'accepted', order };
  }

  private platformSymbol(alpacaSymbol: string): string {
    return this.names.platformOf(alpacaSymbol) ?? parseSymbol(alpacaSymbol);
  }

  /** A replace chain (oldest first) as one platform order. */
  private aggregate(chain: readonly AlpacaOrder[]): VenueOrderState {
    const first = chain[0]!;
    const last = chain.at(-1)!;
    let quantity = last.qty;
    let filled = Decimal.ZERO;
    let notional = Decimal.ZERO;
    for (const [i, o] of chain.entries()) {
      if (i < chain.length - 1) quantity = quantity.add(o.filledQty);
      filled = filled.add(o.filledQty);
      if (o.filledAvgPrice !== undefined) notional = notional.add(o.filledAvgPrice.mul(o.filledQty));
    }
    const averagePrice = !filled.isPositive()
      ? undefined
      : chain.length === 1
        ? last.filledAvgPrice
        : notional.div(filled, Math.max(AVERAGE_PRICE_SCALE, notional.scale), 'half-even');
    return {
      clientOrderId: first.clientOrderId,
      venueOrderId: last.id,
      symbol: this.platformSymbol(last.symbol),
      side: last.side,
      type: last.type,
      quantity,
      limitPrice: last.limitPrice,
      status: venueStatus(last.status, filled),
      filledQuantity: filled,
      averagePrice,
      reason: undefined,
      updatedNs: last.updatedNs,
    };
  }

  /** The chain an order's client id starts, oldest first; `unknown` when the reads failed. */
  private async lookup(clientOrderId: string): Promise<Lookup> {
    const r = await this.rest.get(`/v2/orders:by_client_order_id?${new URLSearchParams({ client_order_id: clientOrderId })}`);
    if (r.kind === 'refused' && r.status === 404) return { kind: 'absent' };
    if (r.kind !== 'ok') return { kind: 'unknown', reason: describe(r) };
    try {
      const chain = [decodeOrder(r.body)];
      // Follow the replacements to the live end.
      while (chain.at(-1)!.status === 'replaced' && chain.at(-1)!.replacedBy !== undefined) {
        this.remember(chain.at(-1)!);
        chain.push(await this.orderById(chain.at(-1)!.replacedBy!));
      }
      return { kind: 'found', chain };
    } catch (err) {
      if (err instanceof AlpacaRequestError) return { kind: 'unknown', reason: err.message };
      throw err;
    }
  }

  private async orderById(id: string): Promise<AlpacaOrder> {
    const cached = this.finalOrders.get(id);
    if (cached) return cached;
    const order = decodeOrder(await this.rest.getBody(`/v2/orders/${encodeURIComponent(id)}`));
    this.remember(order);
    return order;
  }

  private remember(order: AlpacaOrder): void {
    if (TERMINAL_STATUSES.has(order.status)) this.finalOrders.set(order.id, order);
  }

  /** The orders an order replaced, oldest first. */
  private async predecessors(order: AlpacaOrder): Promise<AlpacaOrder[]> {
    const out: AlpacaOrder[] = [];
    let at = order;
    while (at.replaces !== undefined) {
      at = await this.orderById(at.replaces);
      out.unshift(at);
    }
    return out;
  }

  private async activityFill(a: AlpacaFillActivity, symbol: string): Promise<VenueFill> {
    let known = this.rootByOrderId.get(a.orderId);
    if (known === undefined) {
      const order = await this.orderById(a.orderId);
      known = { root: ((await this.predecessors(order))[0] ?? order).clientOrderId, type: order.type };
      this.rootByOrderId.set(a.orderId, known);
    }
    return {
      tradeId: a.executionId,
      clientOrderId: known.root,
      venueOrderId: a.orderId,
      symbol,
      side: a.side,
      price: a.price,
      quantity: a.qty,
      fee: Decimal.ZERO,
      feeCurrency: 'USD',
      liquidity: liquidityOf(known.type),
      tsNs: a.tsNs,
    };
  }

  // ---- the stream ----

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      if (err instanceof AlpacaProtocolError) {
        // Reading it again would not help: say so and go on.
        this.config.log('warn', 'alpaca trade update not understood; skipped', { error: err.message });
        return;
      }
      // A read the update needed failed: a reconnect's catch-up reads the fills and orders back.
      this.config.log('warn', 'alpaca trade update not processed; reconnecting to catch up', { error: (err as Error).message });
      this.stream.reconnect('an update could not be processed');
    });
  }

  private onListening(): void {
    this.emit({ kind: 'connection', connected: true, detail: 'listening to trade_updates' });
    if (!this.listeningOnce) {
      this.listeningOnce = true;
      this.startWaiter?.resolve();
      this.startWaiter = undefined;
      return;
    }
    this.enqueue(() => this.catchUp());
  }

  private onUnauthorized(): void {
    const err = new AlpacaStreamError('the API key was refused (unauthorized)');
    if (this.startWaiter) {
      const waiter = this.startWaiter;
      this.startWaiter = undefined;
      void this.stream.stop().then(() => waiter.reject(err));
      return;
    }
    this.emit({ kind: 'connection', connected: false, detail: err.message });
    this.stream.reconnect('unauthorized');
  }

  private async onUpdate(data: Record<string, unknown>): Promise<void> {
    const event = data['event'];
    const order = decodeOrder(data['order'], 'trade_updates.order');
    this.remember(order);
    // The replacement's own events carry the chain on; the replaced link has nothing to add.
    if (event === 'replaced') return;
    const state = this.aggregate([...(await this.predecessors(order)), order]);
    if (event === 'fill' || event === 'partial_fill') {
      const tradeId = text(data, 'execution_id', 'trade_updates');
      if (this.markSeen(tradeId)) {
        const fill: VenueFill = {
          tradeId,
          clientOrderId: state.clientOrderId,
          venueOrderId: order.id,
          symbol: state.symbol,
          side: order.side,
          price: decimal(data, 'price', 'trade_updates'),
          quantity: decimal(data, 'qty', 'trade_updates'),
          fee: Decimal.ZERO,
          feeCurrency: 'USD',
          liquidity: liquidityOf(order.type),
          tsNs: time(data, 'timestamp', 'trade_updates'),
        };
        this.noteFillTime(fill.tsNs);
        this.emit({ kind: 'fill', fill, order: state });
      }
    } else {
      this.emit({ kind: 'order', order: state });
    }
    this.track(state);
  }

  /** After a reconnect: the fills Alpaca recorded while the stream was down, then the orders that changed. */
  private async catchUp(): Promise<void> {
    const since = (this.lastFillNs ?? this.startedNs) - BigInt(this.config.catchUpOverlapMs) * 1_000_000n;
    const fills = await this.fillsSince(since);
    let recovered = 0;
    for (const fill of fills) {
      if (!this.markSeen(fill.tradeId)) continue;
      recovered++;
      this.noteFillTime(fill.tsNs);
      const order = await this.order({ clientOrderId: fill.clientOrderId, symbol: fill.symbol });
      if (order === undefined) continue;
      this.emit({ kind: 'fill', fill, order });
      this.track(order);
    }
    // One read for every order still open; only those that ended meanwhile are read one by one.
    const open = new Map((await this.openOrders()).map((o) => [o.clientOrderId, o]));
    let changed = 0;
    for (const [clientOrderId, last] of [...this.working]) {
      const order = open.get(clientOrderId) ?? (await this.order({ clientOrderId, symbol: '' }));
      if (order === undefined) continue;
      if (order.status !== last.status || !order.filledQuantity.eq(last.filled)) {
        changed++;
        this.emit({ kind: 'order', order });
      }
      this.track(order);
    }
    this.config.log('info', 'alpaca trade_updates caught up after a reconnect', { recoveredFills: recovered, changedOrders: changed });
  }

  private track(order: VenueOrderState): void {
    const open = order.status === 'new' || order.status === 'partially_filled' || order.status === 'pending_new';
    if (open) this.working.set(order.clientOrderId, { status: order.status, filled: order.filledQuantity });
    else this.working.delete(order.clientOrderId);
  }

  /** True the first time a fill id is seen. */
  private markSeen(tradeId: string): boolean {
    if (this.seenFills.has(tradeId)) return false;
    this.seenFills.add(tradeId);
    if (this.seenFills.size > SEEN_FILLS) this.seenFills.delete(this.seenFills.values().next().value!);
    return true;
  }

  private noteFillTime(tsNs: bigint): void {
    if (this.lastFillNs === undefined || tsNs > this.lastFillNs) this.lastFillNs = tsNs;
  }

  private emit(event: VenueEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.config.log('warn', 'a venue event listener threw', { error: (err as Error).message, event: event.kind });
      }
    }
  }
}

/**
 * Alpaca does not say whether a fill made or took liquidity. Equity trades are commission-free,
 * so nothing is priced from it: market and stop orders are reported as takers, limit and
 * stop-limit orders as makers (a marketable limit order is misreported).
 */
function liquidityOf(type: AlpacaOrder['type']): 'maker' | 'taker' {
  return type === 'market' || type === 'stop' ? 'taker' : 'maker';
}
