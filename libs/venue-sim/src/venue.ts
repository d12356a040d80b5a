import { Decimal, nowNanos } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { BookSide, Level, MatchEvent, MatchingEngine, OrderRequest } from '@meridian/book';
import { Account } from './account';
import { validateAccountSpec, validateVenueOptions } from './config';
import { DuplicateAccountError, SimArgumentError, SimConfigError, SimInvariantError, UnknownAccountError, UnknownSymbolError } from './errors';
import { feeBound } from './fees';
import { checkMargin } from './margin';
import { SimMarket } from './market';
import { applyBookChange, applyTrade } from './mirror';
import type { MirrorHost } from './mirror';
import { slippageTicks } from './models';
import { OrderRecord } from './order-record';
import { seededRandom } from './random';
import { accepted, checkShape, checkTerms, rejected } from './rules';
import type { OrderShape } from './rules';
import { Settlement } from './settlement';
import type {
  AccountSpec,
  AmendOrderRequest,
  Balance,
  CancelOrderRequest,
  FeeSchedule,
  LatencyModel,
  PlaceOrderRequest,
  QueueModel,
  SimFill,
  SimPosition,
  SimInstrument,
  SimOrder,
  SimOrderStatus,
  SimRejection,
  SimResult,
  SimUpdate,
  SimVenueOptions,
  SimulatedExchange,
  SlippageModel,
} from './types';

/** The counterparty of every trade against mirrored liquidity (it may go negative: it is the outside market). */
export const HOUSE_ACCOUNT = '@house';
/** Receives every fee (and pays every rebate), so fees move money between accounts and the venue's totals never change. */
export const FEE_ACCOUNT = '@fees';

export interface SimulatedVenueOptions extends SimVenueOptions {
  /** Told about each subscriber that threw (after it is counted in `listenerErrors`); the venue goes on either way. */
  readonly onListenerError?: (error: unknown, account: string) => void;
  /**
   * The price a symbol's holdings are valued at in margin checks when the venue's own book of it
   * lags the market: a backtest that brings a synthetic book up to date only when the symbol is
   * traded passes what that book would be valued at now. Undefined (or a call returning undefined)
   * values them at the venue's book: its mid, else its last trade.
   */
  readonly currentMark?: (symbol: string) => Decimal | undefined;
}

/** One order in a level's queue as `queueAt` shows it. */
export interface QueueView {
  readonly size: Decimal;
  /** Mirrored (venue-owned) liquidity, or one of our orders. */
  readonly house: boolean;
  readonly orderId: string | undefined;
  readonly account: string | undefined;
}

interface EndAs {
  readonly status: SimOrderStatus;
  readonly reason: string;
}

/**
 * The simulated exchange: accounts with exact balances, one `MatchingEngine` per instrument holding
 * both the mirrored external book (house orders) and the accounts' orders, fees, holds, a queue
 * position model, stops, DAY expiry and seeded randomness. Synchronous and deterministic: the same
 * options (seed, clock) and the same calls give the same orders, fills and updates.
 */
/** A new order request that passed `SimulatedVenue.admit`: what to make the order from. */
interface Admitted {
  readonly account: Account;
  readonly market: SimMarket;
  readonly shape: OrderShape;
}

export class SimulatedVenue implements SimulatedExchange {
  readonly instruments: ReadonlyMap<string, SimInstrument>;
  /** The venue's seeded RNG: pro-rata rounding, slippage, and latency for whoever delivers requests (`sampleLatency`). */
  readonly random: () => number;
  readonly queueModel: QueueModel;
  private readonly markets = new Map<string, SimMarket>();
  /** The markets trading each base against each quote (by quote, then base), in instrument order: marks without a scan of every market, nor a key built per lookup. */
  private readonly pairMarkets = new Map<string, Map<string, SimMarket[]>>();
  private readonly accounts = new Map<string, Account>();
  private readonly defaultFees: FeeSchedule;
  private readonly clock: () => bigint;
  private readonly currentMark: ((symbol: string) => Decimal | undefined) | undefined;
  private readonly slippage: SlippageModel | undefined;
  private readonly onListenerError: ((error: unknown, account: string) => void) | undefined;
  private readonly settlement: Settlement;
  private readonly pending: { account: Account; update: SimUpdate }[] = [];
  private nextOrderSeq: bigint;
  private flushing = false;
  private triggering = false;
  private listenerErrorCount = 0;
  private now = 0n;
  /** How the engine's `cancelled` events of the current call end our orders (DAY expiry overrides them). */
  private endAs: EndAs | undefined;
  /** What the market mirror may use of the venue. */
  private readonly host: MirrorHost;

  constructor(options: SimulatedVenueOptions) {
    validateVenueOptions(options);
    if (options.onListenerError !== undefined && typeof options.onListenerError !== 'function') {
      throw new SimConfigError('onListenerError', options.onListenerError, 'must be a function');
    }
    if (options.currentMark !== undefined && typeof options.currentMark !== 'function') {
      throw new SimConfigError('currentMark', options.currentMark, 'must be a function');
    }
    this.currentMark = options.currentMark;
    const instruments = new Map<string, SimInstrument>();
    for (const instrument of options.instruments) {
      instruments.set(instrument.symbol, instrument);
      const market = new SimMarket(instrument);
      this.markets.set(instrument.symbol, market);
      let byBase = this.pairMarkets.get(instrument.quoteCurrency);
      if (byBase === undefined) {
        byBase = new Map();
        this.pairMarkets.set(instrument.quoteCurrency, byBase);
      }
      byBase.set(instrument.baseCurrency, [...(byBase.get(instrument.baseCurrency) ?? []), market]);
    }
    this.instruments = instruments;
    this.defaultFees = options.fees;
    this.clock = options.clock ?? nowNanos;
    this.random = seededRandom(options.seed ?? 1);
    this.queueModel = options.queueModel ?? 'pro_rata';
    this.slippage = options.slippage;
    this.onListenerError = options.onListenerError;
    const house = new Account(HOUSE_ACCOUNT, 'margin', this.defaultFees, Decimal.ONE, true);
    const fees = new Account(FEE_ACCOUNT, 'margin', this.defaultFees, Decimal.ONE, true);
    this.accounts.set(HOUSE_ACCOUNT, house);
    this.accounts.set(FEE_ACCOUNT, fees);
    this.nextOrderSeq = options.firstId ?? 1n;
    this.settlement = new Settlement(house, fees, (account, update) => this.pending.push({ account, update }), options.firstId ?? 1n);
    this.host = { queueModel: this.queueModel, random: this.random, process: (market, events) => this.process(market, events) };
  }

  // ---- Accounts.

  openAccount(spec: AccountSpec): void {
    validateAccountSpec(spec);
    if (this.accounts.has(spec.id)) throw new DuplicateAccountError(spec.id);
    const account = new Account(spec.id, spec.mode, spec.fees ?? this.defaultFees, spec.leverage ?? Decimal.ONE, false);
    for (const [currency, amount] of Object.entries(spec.balances)) account.credit(currency, amount);
    this.accounts.set(spec.id, account);
  }

  /** Every account id, the venue's own (`HOUSE_ACCOUNT`, `FEE_ACCOUNT`) first. */
  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  balances(account: string): Balance[] {
    return this.account(account).balances();
  }

  // ---- Orders.

  placeOrder(request: PlaceOrderRequest): SimResult<SimOrder> {
    this.now = this.clock();
    try {
      return this.place(request);
    } finally {
      this.flush();
    }
  }

  /**
   * What every new order request passes first: a rejection, the order its client order id already
   * names (returned unchanged), or the account, market and checked shape to make it from.
   */
  private admit(request: PlaceOrderRequest): SimResult<SimOrder> | Admitted {
    if (request === null || typeof request !== 'object') return rejected('INVALID_ORDER', `order request ${String(request)} is not an object`);
    const account = this.accounts.get(request.account);
    if (account === undefined || account.venueOwned) return rejected('UNKNOWN_ACCOUNT', `account ${JSON.stringify(request.account)} is not open on this venue`);
    if (typeof request.clientOrderId !== 'string' || request.clientOrderId === '') {
      return rejected('INVALID_ORDER', `client order id ${JSON.stringify(request.clientOrderId)} must be a non-empty string`);
    }
    const existing = account.byClientId.get(request.clientOrderId);
    if (existing !== undefined) return accepted(existing.snapshot());
    const market = this.markets.get(request.symbol);
    if (market === undefined) return rejected('UNKNOWN_SYMBOL', `symbol ${JSON.stringify(request.symbol)} is not traded on this venue`);
    const shape = checkShape(request);
    if ('code' in shape) return { ok: false, rejection: shape };
    return { account, market, shape };
  }

  /** A new order record (it takes the next order id), holding nothing yet and registered nowhere. */
  private newRecord(account: Account, market: SimMarket, clientOrderId: string, shape: OrderShape): OrderRecord {
    const { baseCurrency, quoteCurrency } = market.instrument;
    return new OrderRecord(
      this.nextOrderSeq++,
      account,
      market,
      clientOrderId,
      shape.side,
      shape.type,
      shape.timeInForce,
      shape.postOnly,
      shape.quantity,
      shape.price,
      shape.stopPrice,
      this.now,
      shape.side === 'BUY' ? quoteCurrency : baseCurrency,
    );
  }

  private place(request: PlaceOrderRequest): SimResult<SimOrder> {
    const admitted = this.admit(request);
    if ('ok' in admitted) return admitted;
    const { account, market, shape } = admitted;
    const notionalPrice = shape.price ?? (shape.type === 'stop' ? shape.stopPrice : undefined);
    const terms = checkTerms(market.rules, shape.quantity, shape.price, shape.stopPrice, notionalPrice);
    if (terms !== undefined) return { ok: false, rejection: terms };
    const stop = shape.type === 'stop' || shape.type === 'stop_limit';
    if (stop && market.last !== undefined) {
      const buy = shape.side === 'BUY';
      if (buy ? shape.stopPrice!.lte(market.last) : shape.stopPrice!.gte(market.last)) {
        return rejected(
          'STOP_WOULD_TRIGGER',
          `${buy ? 'buy' : 'sell'} stop price ${shape.stopPrice} is at or ${buy ? 'below' : 'above'} the last trade price ${market.last}: it would trigger at once`,
        );
      }
    }
    const slip = stop ? 0 : this.drawSlippage(shape.side, shape.quantity);
    const funding = this.fund(account, market, shape, slip);
    if ('code' in funding) return { ok: false, rejection: funding };

    const { baseCurrency, quoteCurrency } = market.instrument;
    const order = this.newRecord(account, market, request.clientOrderId, shape);
    order.slippageTicks = slip;
    account.reserve(order.holdCurrency, funding.hold);
    order.hold = funding.hold;
    order.feeReserve = funding.feeReserve;
    const register = (): void => {
      account.orders.push(order);
      account.byClientId.set(order.clientOrderId, order);
      account.byOrderId.set(order.orderId, order);
      account.open.add(order);
      account.addWorking(quoteCurrency, baseCurrency, order.side, order.quantity);
    };
    if (stop) {
      register();
      market.stops.add(order);
      this.pending.push({ account, update: { kind: 'order', order: order.snapshot() } });
      return accepted(order.snapshot());
    }
    const engineId = market.engine.core.nextOrderId;
    order.engineId = engineId;
    market.owners.set(engineId, order);
    register();
    const events = market.engine.submit(this.engineRequest(order));
    const first = events[0];
    if (first === undefined || first.type === 'rejected') {
      // The engine refused it: nothing happened, so the order never existed (its id is reused).
      market.owners.delete(engineId);
      account.release(order.holdCurrency, order.hold);
      account.orders.pop();
      account.byClientId.delete(order.clientOrderId);
      account.byOrderId.delete(order.orderId);
      account.open.delete(order);
      account.addWorking(quoteCurrency, baseCurrency, order.side, order.quantity.neg());
      this.nextOrderSeq--;
      if (first === undefined) throw new SimInvariantError(`${market.symbol}: the engine returned no event for order ${order.orderId}`);
      return rejected(first.reason, first.message);
    }
    this.process(market, events);
    this.runTriggers(market);
    return accepted(order.snapshot());
  }

  /**
   * Records an order as already ended, without it trading or holding funds here. For an owner that
   * rebuilds this venue after a stop (the platform's paper venue): an order that was working when
   * the venue stopped and cannot be placed again — a market or IOC order would meet an empty book,
   * or a limit order no longer fits the account — must still be known to the venue, as ended with
   * the reason, or a lookup would find nothing and the owner could not tell it ended. The request is
   * checked as `placeOrder` checks its shape and symbol; an id the account already knows returns
   * that order unchanged. Subscribers get the order's update.
   */
  recordEnded(request: PlaceOrderRequest, end: { status: 'cancelled' | 'expired'; reason: string }): SimResult<SimOrder> {
    this.now = this.clock();
    try {
      if (end === null || typeof end !== 'object' || (end.status !== 'cancelled' && end.status !== 'expired')) {
        throw new SimArgumentError('end.status', end?.status, "must be 'cancelled' or 'expired'");
      }
      if (typeof end.reason !== 'string' || end.reason === '') throw new SimArgumentError('end.reason', end.reason, 'must be a non-empty string');
      const admitted = this.admit(request);
      if ('ok' in admitted) return admitted;
      const { account, market, shape } = admitted;
      const order = this.newRecord(account, market, request.clientOrderId, shape);
      order.status = end.status;
      order.reason = end.reason;
      account.orders.push(order);
      account.byClientId.set(order.clientOrderId, order);
      account.byOrderId.set(order.orderId, order);
      this.pending.push({ account, update: { kind: 'order', order: order.snapshot() } });
      return accepted(order.snapshot());
    } finally {
      this.flush();
    }
  }

  amendOrder(request: AmendOrderRequest): SimResult<SimOrder> {
    this.now = this.clock();
    try {
      return this.amend(request);
    } finally {
      this.flush();
    }
  }

  private amend(request: AmendOrderRequest): SimResult<SimOrder> {
    const found = this.find(request);
    if ('code' in found) return { ok: false, rejection: found };
    const order = found;
    if (order.heldStop) return rejected('ORDER_NOT_AMENDABLE', `order ${order.orderId} is a held stop order: cancel it and submit a new one`);
    if (request.price === undefined && request.quantity === undefined) return rejected('INVALID_ORDER', `amend of order ${order.orderId} needs a price or a quantity`);
    if (request.price !== undefined && !(request.price instanceof Decimal)) return rejected('INVALID_ORDER', `price ${String(request.price)} is not a Decimal`);
    if (request.quantity !== undefined && !(request.quantity instanceof Decimal)) return rejected('INVALID_ORDER', `quantity ${String(request.quantity)} is not a Decimal`);
    if (order.price === undefined && request.price !== undefined) return rejected('INVALID_ORDER', `order ${order.orderId} is a ${order.type} order: it has no price to amend`);
    const market = order.market;
    const quantity = request.quantity ?? order.quantity;
    const price = request.price ?? order.price;
    const terms = checkTerms(market.rules, quantity, price, undefined, price);
    if (terms !== undefined) return { ok: false, rejection: terms };
    const remaining = quantity.sub(order.filledQuantity);
    if (remaining.isPositive()) {
      const account = order.account;
      if (account.mode === 'cash') {
        const target = this.settlement.holdFor(order, price, remaining);
        const more = target.hold.sub(order.hold);
        if (more.gt(account.available(order.holdCurrency))) {
          return rejected(
            'INSUFFICIENT_BALANCE',
            `account ${JSON.stringify(account.id)} has ${account.available(order.holdCurrency)} ${order.holdCurrency} available; amending order ${order.orderId} to ${quantity} at ${price} needs ${more} more`,
          );
        }
      } else {
        const refusal = this.marginRefusal(account, market, order.side, remaining, price!, order);
        if (refusal !== undefined) return { ok: false, rejection: refusal };
      }
    }
    order.slippageTicks = this.drawSlippage(order.side, quantity);
    const events = market.engine.amend(order.engineId!, { price: request.price, quantity: request.quantity });
    const first = events[0];
    if (first === undefined) throw new SimInvariantError(`${market.symbol}: the engine returned no event for the amend of order ${order.orderId}`);
    if (first.type === 'rejected') return rejected(first.reason, first.message);
    this.process(market, events);
    this.runTriggers(market);
    return accepted(order.snapshot());
  }

  cancelOrder(request: CancelOrderRequest): SimResult<SimOrder> {
    this.now = this.clock();
    try {
      const found = this.find(request);
      if ('code' in found) return { ok: false, rejection: found };
      this.endOrder(found, 'cancelled', 'USER_REQUEST');
      return accepted(found.snapshot());
    } finally {
      this.flush();
    }
  }

  /** Ends every open DAY order (resting or a held stop) as `expired`, reason `END_OF_DAY`, in placement order. */
  expireDayOrders(): void {
    this.now = this.clock();
    try {
      const day: OrderRecord[] = [];
      for (const account of this.accounts.values()) for (const order of account.open) if (order.timeInForce === 'DAY') day.push(order);
      day.sort((a, b) => (a.seq < b.seq ? -1 : 1));
      for (const order of day) if (!order.done) this.endOrder(order, 'expired', 'END_OF_DAY');
    } finally {
      this.flush();
    }
  }

  private endOrder(order: OrderRecord, status: SimOrderStatus, reason: string): void {
    if (order.heldStop || order.engineId === undefined) {
      this.settlement.end(order, status, reason, this.now);
      return;
    }
    this.endAs = { status, reason };
    try {
      const events = order.market.engine.cancel(order.engineId);
      if (events[0]?.type !== 'cancelled') throw new SimInvariantError(`${order.market.symbol}: the engine did not cancel open order ${order.orderId} (engine id ${order.engineId})`);
      this.process(order.market, events);
    } finally {
      this.endAs = undefined;
    }
  }

  /** The account's open order named by the request, or the rejection. */
  private find(request: CancelOrderRequest): OrderRecord | SimRejection {
    if (request === null || typeof request !== 'object') return { code: 'INVALID_ORDER', message: `request ${String(request)} is not an object` };
    const account = this.accounts.get(request.account);
    if (account === undefined || account.venueOwned) return { code: 'UNKNOWN_ACCOUNT', message: `account ${JSON.stringify(request.account)} is not open on this venue` };
    if (request.orderId === undefined && request.clientOrderId === undefined) return { code: 'INVALID_ORDER', message: 'the request names no order (orderId or clientOrderId)' };
    const order = this.lookup(account, request);
    const name = request.orderId !== undefined ? `order ${request.orderId}` : `client order id ${JSON.stringify(request.clientOrderId)}`;
    if (order === undefined) return { code: 'UNKNOWN_ORDER', message: `${name} is not known to account ${JSON.stringify(account.id)}` };
    if (order.done) return { code: 'ORDER_NOT_OPEN', message: `${name} is ${order.status}: it is no longer open` };
    return order;
  }

  private lookup(account: Account, ref: { orderId?: string; clientOrderId?: string }): OrderRecord | undefined {
    const byId = ref.orderId === undefined ? undefined : account.byOrderId.get(ref.orderId);
    const byClient = ref.clientOrderId === undefined ? undefined : account.byClientId.get(ref.clientOrderId);
    if (ref.orderId !== undefined && ref.clientOrderId !== undefined) return byId === byClient ? byId : undefined;
    return byId ?? byClient;
  }

  // ---- Queries.

  /** By venue order id or client order id; undefined when unknown to the account, or forgotten (`forgetDone`). */
  order(account: string, ref: { orderId?: string; clientOrderId?: string }): SimOrder | undefined {
    const a = this.accounts.get(account);
    if (a === undefined || ref === null || typeof ref !== 'object') return undefined;
    return this.lookup(a, ref)?.snapshot();
  }

  openOrders(account: string, symbol?: string): SimOrder[] {
    const out: SimOrder[] = [];
    for (const order of this.account(account).open) if (symbol === undefined || order.market.symbol === symbol) out.push(order.snapshot());
    return out;
  }

  /** The account's orders, newest first, up to `limit`: every one placed, less those forgotten (`forgetDone`). */
  orders(account: string, options: { symbol?: string; limit?: number } = {}): SimOrder[] {
    const limit = checkLimit(options.limit);
    const all = this.account(account).orders;
    const out: SimOrder[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const order = all[i]!;
      if (order.forgotten) continue;
      if (options.symbol === undefined || order.market.symbol === options.symbol) out.push(order.snapshot());
    }
    return out;
  }

  /** The account's positions that are not flat, from every fill it ever had (those of forgotten orders too). */
  positions(account: string): SimPosition[] {
    return this.account(account).positions();
  }

  /** The account's fills after `afterTradeId` (exclusive), oldest first, up to `limit`; those of forgotten orders (`forgetDone`) are gone. */
  fills(account: string, options: { symbol?: string; afterTradeId?: string; limit?: number } = {}): SimFill[] {
    const limit = checkLimit(options.limit);
    const a = this.account(account);
    const all = a.fills;
    let from = 0;
    if (options.afterTradeId !== undefined) {
      if (typeof options.afterTradeId !== 'string' || !/^\d+$/.test(options.afterTradeId)) {
        throw new SimArgumentError('afterTradeId', options.afterTradeId, 'must be a trade id (a decimal string)');
      }
      const after = BigInt(options.afterTradeId);
      let hi = all.length;
      while (from < hi) {
        const mid = (from + hi) >> 1;
        if (BigInt(all[mid]!.tradeId) <= after) from = mid + 1;
        else hi = mid;
      }
    }
    const out: SimFill[] = [];
    for (let i = from; i < all.length && out.length < limit; i++) {
      const fill = all[i]!;
      if (a.isForgottenFill(fill)) continue;
      if (options.symbol === undefined || fill.symbol === options.symbol) out.push(fill);
    }
    return out;
  }

  /**
   * Forgets done orders (filled, cancelled, expired) of an account, named by client order id, with
   * their fills, so that a long-running owner (the platform's paper venue) does not have the venue
   * hold every order ever placed. An id the account does not know, or of an order still open
   * (resting, or a held stop), is passed over: open orders hold the funds and open quantities the
   * venue's totals and `audit()` account for. Balances do not change: each fill settled into them
   * when it happened. Afterwards `order`, `orders` and `fills` no longer return the forgotten orders
   * and fills, a cancel or amend of one is `UNKNOWN_ORDER`, and its client order id is free again:
   * placing it opens a new order, so forget an id only once it will not be sent again. O(1) per
   * order and fill, amortised (see `Account.forget`). Throws `UnknownAccountError`.
   */
  forgetDone(account: string, clientOrderIds: Iterable<string>): { orders: number; fills: number } {
    const a = this.account(account);
    if (clientOrderIds === null || typeof clientOrderIds !== 'object' || typeof (clientOrderIds as Iterable<string>)[Symbol.iterator] !== 'function') {
      throw new SimArgumentError('clientOrderIds', clientOrderIds, 'must be an iterable of client order ids');
    }
    let orders = 0;
    let fills = 0;
    for (const id of clientOrderIds) {
      const order = typeof id === 'string' ? a.byClientId.get(id) : undefined;
      if (order === undefined || !order.done) continue;
      a.forget(order);
      orders++;
      fills += order.fillCount;
    }
    return { orders, fills };
  }

  /** How many orders (open, or done and not forgotten) and fills (of those orders) the account remembers. Throws `UnknownAccountError`. */
  remembered(account: string): { orders: number; fills: number } {
    const a = this.account(account);
    return { orders: a.orderCount, fills: a.fillCount };
  }

  subscribe(account: string, listener: (update: SimUpdate) => void): () => void {
    if (typeof listener !== 'function') throw new SimArgumentError('listener', listener, 'must be a function');
    const a = this.account(account);
    const wrapped = (update: SimUpdate): void => listener(update);
    a.listeners.add(wrapped);
    return () => {
      a.listeners.delete(wrapped);
    };
  }

  /** How many times a subscriber threw (each was caught, counted and reported to `onListenerError`). */
  get listenerErrors(): number {
    return this.listenerErrorCount;
  }

  // ---- Market.

  applyMarketBook(symbol: string, change: { snapshot: boolean; bids: readonly Level[]; asks: readonly Level[] }): void {
    const market = this.market(symbol);
    this.now = this.clock();
    try {
      applyBookChange(this.host, market, change);
      this.runTriggers(market);
    } finally {
      this.flush();
    }
  }

  applyMarketTrade(symbol: string, trade: { price: Decimal; quantity: Decimal; aggressor: Side }): void {
    const market = this.market(symbol);
    this.now = this.clock();
    try {
      applyTrade(this.host, market, trade);
      market.last = trade.price;
      this.runTriggers(market);
    } finally {
      this.flush();
    }
  }

  bbo(symbol: string): { bid: Level | undefined; ask: Level | undefined } {
    const book = this.market(symbol).engine.book;
    return { bid: book.bestBid(), ask: book.bestAsk() };
  }

  depth(symbol: string, side: 'bid' | 'ask', levels: number): Level[] {
    const market = this.market(symbol);
    if (side !== 'bid' && side !== 'ask') throw new SimArgumentError('side', side, "must be 'bid' or 'ask'");
    if (!Number.isSafeInteger(levels) || levels < 0) throw new SimArgumentError('levels', levels, 'must be a non-negative integer');
    const depth = market.engine.book.depth(levels);
    return side === 'bid' ? depth.bids : depth.asks;
  }

  /** The last trade price of a symbol: the external market's prints and the venue's own fills. */
  lastPrice(symbol: string): Decimal | undefined {
    return this.market(symbol).last;
  }

  /** A level's queue, front first: mirrored liquidity and our orders, as the queue model sees it. */
  queueAt(symbol: string, side: BookSide, price: Decimal): QueueView[] {
    const market = this.market(symbol);
    if (side !== 'bid' && side !== 'ask') throw new SimArgumentError('side', side, "must be 'bid' or 'ask'");
    if (!(price instanceof Decimal) || !price.isPositive() || !price.isMultipleOf(market.instrument.tickSize)) {
      throw new SimArgumentError('price', price, `must be a positive multiple of the tick size ${market.instrument.tickSize}`);
    }
    return market.queue(side, market.scale.toTicks(price)).map((entry) => {
      const order = market.owners.get(entry.id);
      return { size: market.scale.fromLots(entry.lots), house: entry.house, orderId: order?.orderId, account: order?.account.id };
    });
  }

  /** The symbol's matching engine, to read (its book, its orders); change it only through the venue. */
  engine(symbol: string): MatchingEngine {
    return this.market(symbol).engine;
  }

  /** A latency drawn from the venue's RNG, for whoever delivers requests to the venue. */
  sampleLatency(model: LatencyModel): bigint {
    const ns = model.sample(this.random);
    if (typeof ns !== 'bigint' || ns < 0n) throw new SimConfigError('latency.sample()', ns, 'must return a non-negative bigint of nanoseconds');
    return ns;
  }

  // ---- Engine events.

  /** Applies one engine call's events to our orders and balances (house and print orders only move the book). */
  private process(market: SimMarket, events: MatchEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'accepted': {
          const order = market.owners.get(ev.orderId);
          if (order !== undefined && !order.triggered) this.pending.push({ account: order.account, update: { kind: 'order', order: order.snapshot() } });
          break;
        }
        case 'fill': {
          const taker = market.owners.get(ev.takerOrderId);
          const price = taker !== undefined && !market.owners.has(ev.makerOrderId) ? this.slipped(market, taker, ev.price) : ev.price;
          if (taker !== undefined || market.owners.has(ev.makerOrderId)) {
            this.settlement.fill(market, ev, price, this.now);
            market.last = ev.price;
          }
          break;
        }
        case 'cancelled': {
          const order = market.owners.get(ev.orderId);
          if (order !== undefined) this.settlement.end(order, this.endAs?.status ?? 'cancelled', this.endAs?.reason ?? ev.reason, this.now);
          break;
        }
        case 'amended': {
          const order = market.owners.get(ev.orderId);
          if (order === undefined) break;
          const { baseCurrency, quoteCurrency } = market.instrument;
          order.account.addWorking(quoteCurrency, baseCurrency, order.side, ev.quantity.sub(order.quantity));
          order.price = ev.price;
          order.quantity = ev.quantity;
          this.settlement.retarget(order, this.settlement.holdFor(order, ev.price, ev.remaining));
          order.touch(this.now);
          this.pending.push({ account: order.account, update: { kind: 'order', order: order.snapshot() } });
          break;
        }
        case 'triggered':
          throw new SimInvariantError(`${market.symbol}: the engine triggered stop ${ev.orderId}, but the venue holds every stop itself`);
        case 'rested':
        case 'rejected':
          break;
      }
    }
  }

  /** The taker's fill price against mirrored liquidity with its slippage, never beyond its limit price or below one tick. */
  private slipped(market: SimMarket, taker: OrderRecord, price: Decimal): Decimal {
    if (taker.slippageTicks === 0) return price;
    const shift = market.instrument.tickSize.mul(BigInt(taker.slippageTicks));
    if (taker.side === 'BUY') {
      const worse = price.add(shift);
      return taker.price !== undefined && worse.gt(taker.price) ? taker.price : worse;
    }
    let worse = price.sub(shift);
    if (taker.price !== undefined && worse.lt(taker.price)) worse = taker.price;
    return Decimal.max(worse, market.instrument.tickSize);
  }

  private drawSlippage(side: Side, quantity: Decimal): number {
    return this.slippage === undefined ? 0 : slippageTicks(this.slippage, this.random, side, quantity);
  }

  // ---- Stops.

  /** Executes the stops the last trade price reaches, and those their fills reach in turn. */
  private runTriggers(market: SimMarket): void {
    if (this.triggering || market.stops.size === 0) return;
    this.triggering = true;
    try {
      for (;;) {
        if (market.last === undefined) return;
        const triggered = market.stops.takeTriggered(market.last);
        if (triggered.length === 0) return;
        for (const order of triggered) this.executeTriggered(market, order);
      }
    } finally {
      this.triggering = false;
    }
  }

  private executeTriggered(market: SimMarket, order: OrderRecord): void {
    order.triggered = true;
    const slip = this.drawSlippage(order.side, order.quantity);
    order.slippageTicks = slip;
    const account = order.account;
    if (account.mode === 'cash' && order.side === 'BUY' && order.price === undefined) {
      // The hold was reserved at the stop price; a market buy pays what the book asks now.
      const estimate = market.estimate('BUY', order.quantity, slip);
      const need = estimate.notional.add(feeBound(estimate.notional, account.fees));
      if (need.sub(order.hold).gt(account.available(order.holdCurrency))) {
        this.settlement.end(order, 'cancelled', 'INSUFFICIENT_BALANCE', this.now);
        return;
      }
      this.settlement.retarget(order, { hold: need, feeReserve: Decimal.ZERO });
    }
    const engineId = market.engine.core.nextOrderId;
    order.engineId = engineId;
    market.owners.set(engineId, order);
    const events = market.engine.submit(this.engineRequest(order));
    const first = events[0];
    if (first?.type === 'rejected') {
      // The market could not take it (no liquidity, a fill-or-kill that cannot fill): it ends cancelled.
      this.settlement.end(order, 'cancelled', first.reason, this.now);
      return;
    }
    this.process(market, events);
  }

  // ---- Funds.

  /** What a new order must hold (cash accounts) or whether it fits the buying power (margin), or the refusal. */
  private fund(account: Account, market: SimMarket, shape: OrderShape, slip: number): { hold: Decimal; feeReserve: Decimal } | SimRejection {
    const { baseCurrency: base, quoteCurrency: quote, symbol } = market.instrument;
    const { side, quantity } = shape;
    const buy = side === 'BUY';
    const estimate = shape.type === 'market' ? market.estimate(side, quantity, slip) : undefined;
    // The price the order is funded at: its limit, its stop, or the book's average for what it can fill now.
    const price =
      shape.price ??
      shape.stopPrice ??
      (estimate !== undefined && estimate.filled.isPositive() ? estimate.notional.div(estimate.filled, 18, 'ceil') : undefined);
    if (account.mode === 'margin') {
      if (price === undefined) return { hold: Decimal.ZERO, feeReserve: Decimal.ZERO };
      return this.marginRefusal(account, market, side, quantity, price) ?? { hold: Decimal.ZERO, feeReserve: Decimal.ZERO };
    }
    let hold: Decimal;
    let feeReserve = Decimal.ZERO;
    if (!buy) {
      hold = quantity;
    } else if (estimate !== undefined) {
      hold = estimate.notional.add(feeBound(estimate.notional, account.fees));
    } else {
      const notional = price!.mul(quantity);
      feeReserve = feeBound(notional, account.fees);
      hold = notional.add(feeReserve);
    }
    const currency = buy ? quote : base;
    const available = account.available(currency);
    if (hold.gt(available)) {
      const at = estimate !== undefined ? ` at market (${estimate.notional} ${quote} for ${estimate.filled} at the book's asks now)` : ` at ${price}`;
      const what = `${buy ? 'buying' : 'selling'} ${quantity} ${symbol}${buy ? at : ''}`;
      return {
        code: 'INSUFFICIENT_BALANCE',
        message: `account ${JSON.stringify(account.id)} has ${available} ${currency} available; ${what} needs ${hold} ${currency}${buy ? ' (fees included)' : ''}`,
      };
    }
    return { hold, feeReserve };
  }

  private marginRefusal(account: Account, market: SimMarket, side: Side, quantity: Decimal, price: Decimal, replacing?: OrderRecord): SimRejection | undefined {
    const { baseCurrency: base, quoteCurrency: quote, symbol } = market.instrument;
    const verdict = checkMargin(account, quote, (currency) => this.markOf(currency, quote), { base, side, quantity, price }, replacing);
    if (verdict.ok) return undefined;
    return {
      code: 'INSUFFICIENT_BUYING_POWER',
      message:
        `margin account ${JSON.stringify(account.id)}: ${side === 'BUY' ? 'buying' : 'selling'} ${quantity} ${symbol} at about ${price} would bring the gross exposure to ` +
        `${verdict.grossAfter} ${quote}, above the buying power ${verdict.buyingPower} (equity ${verdict.equity} × leverage ${account.leverage})`,
    };
  }

  /** The mark of `currency` in `quote`: the mid (or last trade) of the first instrument trading one against the other. */
  private markOf(currency: string, quote: string): Decimal | undefined {
    for (const market of this.pairMarkets.get(quote)?.get(currency) ?? []) {
      const mark = this.currentMark?.(market.instrument.symbol) ?? market.mark();
      if (mark !== undefined) return mark;
    }
    return undefined;
  }

  // ---- Audit.

  /**
   * Recomputes the venue's running totals from its orders and throws `SimInvariantError` at the
   * first difference: each account's hold per currency is the sum of its open orders' holds (a cash
   * limit buy's being its price × remaining + a fee reserve that never goes negative), its
   * open quantities are the open orders' remaining quantities, no order holds a negative fee
   * reserve, every open order is where it should be (resting in the engine with its remaining
   * quantity, or a held stop) and every engine order the venue owns is open. For tests and
   * debugging: it walks every open order.
   */
  audit(): void {
    for (const account of this.accounts.values()) {
      const holds = new Map<string, Decimal>();
      const working = new Map<string, Decimal>();
      for (const order of account.open) {
        const { baseCurrency, quoteCurrency, symbol } = order.market.instrument;
        const where = `account ${account.id} order ${order.orderId} (${symbol})`;
        if (order.done) throw new SimInvariantError(`${where} is ${order.status} but still open`);
        if (order.hold.isNegative() || order.feeReserve.isNegative()) throw new SimInvariantError(`${where} holds ${order.hold} with fee reserve ${order.feeReserve}`);
        if (account.mode === 'cash' && order.side === 'BUY' && order.price !== undefined && !order.hold.eq(order.price.mul(order.remaining).add(order.feeReserve))) {
          throw new SimInvariantError(`${where} holds ${order.hold}, not price ${order.price} × ${order.remaining} left + fee reserve ${order.feeReserve}`);
        }
        holds.set(order.holdCurrency, (holds.get(order.holdCurrency) ?? Decimal.ZERO).add(order.hold));
        const key = `${quoteCurrency}|${baseCurrency}|${order.side}`;
        working.set(key, (working.get(key) ?? Decimal.ZERO).add(order.remaining));
        if (order.heldStop) {
          if (!order.market.stops.has(order)) throw new SimInvariantError(`${where} is a held stop missing from the stop list`);
          continue;
        }
        const engineOrder = order.engineId === undefined ? undefined : order.market.engine.order(order.engineId);
        if (engineOrder === undefined || order.market.owners.get(order.engineId!) !== order) {
          throw new SimInvariantError(`${where} is open but not resting in the engine as its own (engine id ${order.engineId})`);
        }
        if (!engineOrder.remaining.eq(order.remaining)) throw new SimInvariantError(`${where} has ${order.remaining} left, the engine ${engineOrder.remaining}`);
      }
      for (const currency of new Set([...holds.keys(), ...account.currencies()])) {
        const expected = holds.get(currency) ?? Decimal.ZERO;
        if (!account.hold(currency).eq(expected)) throw new SimInvariantError(`account ${account.id} holds ${account.hold(currency)} ${currency}, its open orders ${expected}`);
      }
      for (const [quote, byBase] of account.working) {
        for (const [base, w] of byBase) {
          for (const [side, value] of [
            ['BUY', w.buy],
            ['SELL', w.sell],
          ] as const) {
            const expected = working.get(`${quote}|${base}|${side}`) ?? Decimal.ZERO;
            if (!value.eq(expected)) throw new SimInvariantError(`account ${account.id}: open ${side} ${base}/${quote} is ${value}, its orders ${expected}`);
            working.delete(`${quote}|${base}|${side}`);
          }
        }
      }
      for (const [key, value] of working) {
        if (!value.isZero()) throw new SimInvariantError(`account ${account.id}: open ${key} of its orders is ${value}, the running total none`);
      }
    }
    for (const market of this.markets.values()) {
      for (const [engineId, order] of market.owners) {
        if (order.done || order.engineId !== engineId || !market.engine.core.book.has(engineId)) {
          throw new SimInvariantError(`${market.symbol}: engine order ${engineId} is mapped to order ${order.orderId} (${order.status}), which is not resting there`);
        }
      }
    }
  }

  // ---- Plumbing.

  /** The engine request for an order entering the engine (new, or a triggered stop). */
  private engineRequest(order: OrderRecord): OrderRequest {
    // DAY is the venue's (expireDayOrders); in the engine a DAY order is GTC. Market orders are IOC
    // unless fill-or-kill, whatever the time in force asked for the held part of a stop.
    const tif = order.timeInForce === 'IOC' || order.timeInForce === 'FOK' ? order.timeInForce : 'GTC';
    if (order.type === 'market' || order.type === 'stop') {
      return { type: 'market', side: order.side, quantity: order.quantity, owner: order.account.id, stp: 'none', timeInForce: tif === 'FOK' ? 'FOK' : 'IOC' };
    }
    return { type: 'limit', side: order.side, quantity: order.quantity, owner: order.account.id, stp: 'none', price: order.price!, timeInForce: tif, postOnly: order.postOnly };
  }

  private account(id: string): Account {
    const account = this.accounts.get(id);
    if (account === undefined) throw new UnknownAccountError(id);
    return account;
  }

  private market(symbol: string): SimMarket {
    const market = this.markets.get(symbol);
    if (market === undefined) throw new UnknownSymbolError(symbol);
    return market;
  }

  /** Delivers queued updates in order; a subscriber that throws is counted and reported, and delivery goes on. */
  private flush(): void {
    if (this.flushing) return; // a subscriber's own request: the outer loop delivers its updates next, in order
    this.flushing = true;
    try {
      for (let i = 0; i < this.pending.length; i++) {
        const { account, update } = this.pending[i]!;
        for (const listener of [...account.listeners]) {
          try {
            listener(update);
          } catch (error) {
            this.listenerErrorCount++;
            this.onListenerError?.(error, account.id);
          }
        }
      }
    } finally {
      this.pending.length = 0;
      this.flushing = false;
    }
  }
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new SimArgumentError('limit', limit, 'must be a non-negative integer');
  return limit;
}
