import { InvalidBookArgumentError, MatchingInvariantError } from './errors';
import { L3TickBook } from './l3-tick-book';
import type { L3TickBookOptions } from './l3-tick-book';
import { MatchEventBuffer } from './match-event-buffer';
import { ORDER_TYPES, REJECT_REASONS } from './matching-types';
import type {
  AmendRequest,
  ClientOrderId,
  EngineOrder,
  EngineOrderId,
  OwnerId,
  RejectReason,
  StpMode,
  TickOrderRequest,
} from './matching-types';
import { NotionalFloor, ValueFormat, checkLots, checkTicks } from './order-rules';
import type { Rejection } from './order-rules';
import { RestingOrders } from './resting-orders';
import { StopBook } from './stop-book';
import type { HeldStop } from './stop-book';
import type { TickScale } from './tick-scale';

export interface TickMatchingEngineOptions extends Pick<L3TickBookOptions, 'initialOrderCapacity' | 'initialLevelCapacity'> {
  /** Smallest order quantity in lots (default 1). */
  readonly minQuantity?: number;
  /** Smallest price × quantity, in units of one tick times one lot (default 0: no minimum). */
  readonly minNotional?: number | bigint;
  /** Self-trade prevention mode of orders that do not name one (default `none`). */
  readonly stpMode?: StpMode;
  /** Only for messages: reject messages show prices and quantities as Decimals on this scale. */
  readonly scale?: TickScale;
}

const BUY = 0;
const SELL = 1;
const BOOK_SIDES = ['bid', 'ask'] as const;

// Indexes into ORDER_TYPES, TIMES_IN_FORCE, STP_MODES, CANCEL_REASONS and REQUEST_KINDS.
const T_LIMIT = 0;
const T_MARKET = 1;
const T_STOP = 2;
const T_STOP_LIMIT = 3;
const TIF_GTC = 0;
const TIF_IOC = 1;
const TIF_FOK = 2;
const STP_NONE = 0;
const STP_NEWEST = 1;
const STP_OLDEST = 2;
const STP_BOTH = 3;
const C_USER = 0;
const C_IOC = 1;
const C_STP_NEWEST = 2;
const C_STP_OLDEST = 3;
const C_STP_BOTH = 4;
const C_FOK = 5;
const C_NO_LIQUIDITY = 6;
const R_NEW = 0;
const R_CANCEL = 1;
const R_AMEND = 2;
const REJECT_CODE = Object.fromEntries(REJECT_REASONS.map((r, i) => [r, i])) as Record<RejectReason, number>;

/**
 * A price-time priority matching engine for one symbol on integer ticks and lots: limit (GTC, IOC,
 * FOK, post-only), market (IOC, FOK), stop and stop-limit orders, cancel, amend (cancel-replace) and
 * self-trade prevention. Resting orders live in an `L3TickBook` (FIFO queue per price level); held
 * stops in a `StopBook`; per-order data in a struct-of-arrays pool whose slot the book keeps as the
 * order's tag.
 *
 * Every call (`submit`, `cancel`, `amend`) clears `events` and writes what happened, in order: it is
 * deterministic (the same calls give the same events and order ids). A request that breaks a rule
 * gets one `rejected` event and changes nothing; a malformed request (an unknown order type or
 * side, a missing price, a non-number value) throws `InvalidBookArgumentError`.
 *
 * Order flow of `submit`: validation → `accepted` → matching against the opposite side, best price
 * first and oldest first within a price, at the resting order's price (`fill` events) → the rest
 * rests (`rested`, GTC) or is cancelled (`cancelled` IOC_REMAINDER: IOC, FOK never, market) → stop
 * orders that the last trade price now triggers execute one by one in trigger order (`triggered`,
 * then their own fills), including any that those executions trigger in turn.
 */
export class TickMatchingEngine {
  /** The resting orders. Read it; change it only through the engine. */
  readonly book: L3TickBook;
  /** The events of the last call; reused (overwritten) by the next one. */
  readonly events: MatchEventBuffer;

  private readonly resting: RestingOrders;
  private readonly stops = new StopBook();
  private readonly clientIds = new Map<ClientOrderId, number>();
  private readonly owners = new Map<OwnerId, number>();
  private readonly ownerIds: (OwnerId | undefined)[] = [undefined];
  private readonly triggerQueue: HeldStop[] = [];
  private readonly minLots: number;
  private readonly notionalFloor: NotionalFloor;
  private readonly defaultStp: number;
  private readonly fmt: ValueFormat;
  private nextId = 1;
  private last = NaN;

  constructor(
    readonly symbol: string,
    options: TickMatchingEngineOptions = {},
  ) {
    this.book = new L3TickBook(symbol, {
      initialOrderCapacity: options.initialOrderCapacity,
      initialLevelCapacity: options.initialLevelCapacity,
    });
    this.resting = new RestingOrders(options.initialOrderCapacity ?? 1024);
    this.events = new MatchEventBuffer();
    const minLots = options.minQuantity ?? 1;
    if (!Number.isSafeInteger(minLots) || minLots < 1) {
      throw new InvalidBookArgumentError('minQuantity', minLots, 'must be a positive whole number of lots');
    }
    this.minLots = minLots;
    const minNotional = options.minNotional ?? 0;
    if (typeof minNotional === 'number' && !Number.isSafeInteger(minNotional)) {
      throw new InvalidBookArgumentError('minNotional', minNotional, 'must be a whole number of tick-lots');
    }
    if ((typeof minNotional !== 'number' && typeof minNotional !== 'bigint') || minNotional < 0) {
      throw new InvalidBookArgumentError('minNotional', minNotional, 'must be a non-negative number or bigint of tick-lots');
    }
    this.notionalFloor = new NotionalFloor(BigInt(minNotional));
    this.defaultStp = stpCode(options.stpMode, STP_NONE);
    this.fmt = new ValueFormat(options.scale);
  }

  /** The price (ticks) of the last trade, or undefined before the first one. */
  get lastTradePrice(): number | undefined {
    return Number.isNaN(this.last) ? undefined : this.last;
  }

  /** Stop orders held off the book. */
  get stopCount(): number {
    return this.stops.size;
  }

  /** The id the next submitted order will get. */
  get nextOrderId(): EngineOrderId {
    return this.nextId;
  }

  /**
   * Submits a new order and returns its order id (a rejected order gets one too: it names the order
   * in the `rejected` event). The events are in `events` until the next call.
   */
  submit(order: TickOrderRequest): EngineOrderId {
    this.events.clear();
    if (order === null || typeof order !== 'object') throw new InvalidBookArgumentError('order', order, 'must be an order request object');
    const type = typeCode(order.type);
    const side = sideCode(order.side);
    const tif = tifCode(order.timeInForce, type);
    const postOnly = postOnlyFlag(order, type, tif);
    const stp = stpCode(order.stp, this.defaultStp);
    const clientOrderId = order.clientOrderId;
    if (clientOrderId !== undefined) checkClientOrderId(clientOrderId);
    checkOwner(order.owner);
    const quantity = numberField(order.quantity, 'quantity');
    const hasLimit = type === T_LIMIT || type === T_STOP_LIMIT;
    const isStop = type === T_STOP || type === T_STOP_LIMIT;
    const price = hasLimit ? numberField((order as { price?: unknown }).price, 'price') : absentField(order, 'price', type);
    const stopPrice = isStop ? numberField((order as { stopPrice?: unknown }).stopPrice, 'stopPrice') : absentField(order, 'stopPrice', type);
    const id = this.nextId++;
    const owner = this.ownerIndex(order.owner);
    const bid = side === BUY;
    const limit = hasLimit ? price : bid ? Infinity : -Infinity;

    const rejection =
      checkLots(quantity, this.fmt) ??
      (hasLimit ? checkTicks(price, 'price', this.fmt) : undefined) ??
      (isStop ? checkTicks(stopPrice, 'stop price', this.fmt) : undefined) ??
      this.checkMinimums(hasLimit ? price : stopPrice, quantity, type !== T_MARKET) ??
      this.checkClientOrderIdFree(clientOrderId) ??
      (isStop
        ? this.checkStopPrice(bid, stopPrice)
        : ((postOnly ? this.checkPostOnly(bid, price) : undefined) ??
          (type === T_MARKET ? this.checkLiquidity(bid) : undefined) ??
          (tif === TIF_FOK ? this.checkFillable(bid, limit, quantity, owner, stp) : undefined)));
    if (rejection !== undefined) {
      this.events.rejected(id, clientOrderId, R_NEW, REJECT_CODE[rejection.reason], rejection.message);
      return id;
    }

    this.events.accepted(id, clientOrderId, side, type, quantity, hasLimit ? price : NaN, isStop ? stopPrice : NaN);
    if (clientOrderId !== undefined) this.clientIds.set(clientOrderId, id);
    if (isStop) {
      this.stops.add({ id, bid, type, stopPrice, price: hasLimit ? price : NaN, quantity, tif, owner, stp, clientOrderId });
      return id;
    }
    this.execute(id, side, limit, quantity, quantity, tif, owner, stp, postOnly, -1, clientOrderId);
    this.runTriggers();
    return id;
  }

  /** Cancels a resting order or a held stop: one `cancelled` event, or `rejected` UNKNOWN_ORDER. */
  cancel(orderId: EngineOrderId): void {
    this.events.clear();
    if (typeof orderId !== 'number') throw new InvalidBookArgumentError('order id', orderId, 'must be an engine order id (a number)');
    const live = Number.isSafeInteger(orderId);
    const handle = live ? this.book.handleOf(orderId) : -1;
    if (handle >= 0) {
      const slot = this.book.handleTag(handle);
      const lots = this.book.handleLots(handle);
      const side = this.book.handleSide(handle) === 'bid' ? BUY : SELL;
      const quantity = this.resting.quantity[slot]!;
      this.book.delete(orderId);
      this.events.cancelled(orderId, side, lots, quantity - lots, C_USER);
      this.releaseSlot(slot);
      return;
    }
    const stop = live ? this.stops.remove(orderId) : undefined;
    if (stop !== undefined) {
      this.events.cancelled(orderId, stop.bid ? BUY : SELL, stop.quantity, 0, C_USER);
      if (stop.clientOrderId !== undefined) this.clientIds.delete(stop.clientOrderId);
      return;
    }
    this.reject(orderId, undefined, R_CANCEL, 'UNKNOWN_ORDER', `order ${orderId} is not live (neither resting nor a held stop)`);
  }

  /**
   * Cancel-replace of a resting order, keeping its id. A quantity reduction at the same price keeps
   * the order's place in its queue (`amended` priority `kept`); a price change or a quantity increase
   * takes it out and re-enters it at the back of the queue at its (new) price (`lost`), where it
   * trades first if the new price reaches the other side. `quantity` is the new total quantity and
   * must stay above what has filled. Held stops cannot be amended (ORDER_NOT_AMENDABLE).
   */
  amend(orderId: EngineOrderId, change: AmendRequest<number>): void {
    this.events.clear();
    if (typeof orderId !== 'number') throw new InvalidBookArgumentError('order id', orderId, 'must be an engine order id (a number)');
    if (change === null || typeof change !== 'object') throw new InvalidBookArgumentError('amend', change, 'must be an object with price and/or quantity');
    if (change.price === undefined && change.quantity === undefined) {
      throw new InvalidBookArgumentError('amend', JSON.stringify(change), 'needs a price or a quantity');
    }
    const newPriceIn = change.price === undefined ? undefined : numberField(change.price, 'price');
    const newQuantityIn = change.quantity === undefined ? undefined : numberField(change.quantity, 'quantity');
    const handle = Number.isSafeInteger(orderId) ? this.book.handleOf(orderId) : -1;
    if (handle < 0) {
      if (Number.isSafeInteger(orderId) && this.stops.get(orderId) !== undefined) {
        this.reject(orderId, undefined, R_AMEND, 'ORDER_NOT_AMENDABLE', `order ${orderId} is a held stop order: cancel it and submit a new one`);
      } else {
        this.reject(orderId, undefined, R_AMEND, 'UNKNOWN_ORDER', `order ${orderId} is not resting`);
      }
      return;
    }
    const book = this.book;
    const slot = book.handleTag(handle);
    const price = book.handlePrice(handle);
    const remaining = book.handleLots(handle);
    const side = book.handleSide(handle) === 'bid' ? BUY : SELL;
    const quantity = this.resting.quantity[slot]!;
    const filled = quantity - remaining;
    const newPrice = newPriceIn ?? price;
    const newQuantity = newQuantityIn ?? quantity;

    const rejection =
      (newQuantityIn !== undefined ? checkLots(newQuantityIn, this.fmt) : undefined) ??
      (newPriceIn !== undefined ? checkTicks(newPriceIn, 'price', this.fmt) : undefined) ??
      this.checkMinimums(newPrice, newQuantity, true) ??
      (newQuantity <= filled
        ? {
            reason: 'AMEND_QUANTITY_TOO_LOW' as const,
            message: `quantity ${this.fmt.quantity(newQuantity)} is not above the ${this.fmt.quantity(filled)} already filled: cancel the order instead`,
          }
        : undefined);
    if (rejection !== undefined) {
      this.reject(orderId, undefined, R_AMEND, rejection.reason, rejection.message);
      return;
    }
    const newRemaining = newQuantity - filled;
    if (newPrice === price && newRemaining <= remaining) {
      if (newRemaining < remaining) book.cancel(orderId, remaining - newRemaining);
      this.resting.quantity[slot] = newQuantity;
      this.events.amended(orderId, side, price, newQuantity, newRemaining, filled, false);
      return;
    }
    if (this.resting.postOnly[slot] === 1) {
      const postOnlyRejection = this.checkPostOnly(side === BUY, newPrice);
      if (postOnlyRejection !== undefined) {
        this.reject(orderId, undefined, R_AMEND, postOnlyRejection.reason, postOnlyRejection.message);
        return;
      }
    }
    book.delete(orderId);
    this.resting.quantity[slot] = newQuantity;
    this.events.amended(orderId, side, newPrice, newQuantity, newRemaining, filled, true);
    const r = this.resting;
    this.execute(orderId, side, newPrice, newQuantity, newRemaining, TIF_GTC, r.owner[slot]!, r.stp[slot]!, r.postOnly[slot] === 1, slot, r.clientIds[slot]);
    this.runTriggers();
  }

  /**
   * Records the rejection of a new order that an edge refused before it reached the engine (e.g. a
   * Decimal price off the tick grid), so that order ids and events stay one sequence. Returns the id.
   */
  rejectOrder(clientOrderId: ClientOrderId | undefined, reason: RejectReason, message: string): EngineOrderId {
    this.events.clear();
    const id = this.nextId++;
    this.reject(id, clientOrderId, R_NEW, reason, message);
    return id;
  }

  /** Records the rejection of a cancel or amend that an edge refused (see `rejectOrder`). */
  rejectRequest(orderId: EngineOrderId, request: 'cancel' | 'amend', reason: RejectReason, message: string): void {
    this.events.clear();
    this.reject(orderId, undefined, request === 'cancel' ? R_CANCEL : R_AMEND, reason, message);
  }

  /** A live order (resting or held), or undefined. */
  order(orderId: EngineOrderId): EngineOrder<number> | undefined {
    if (!Number.isSafeInteger(orderId)) return undefined;
    const handle = this.book.handleOf(orderId);
    if (handle >= 0) {
      const slot = this.book.handleTag(handle);
      const remaining = this.book.handleLots(handle);
      const quantity = this.resting.quantity[slot]!;
      return {
        orderId,
        status: 'resting',
        side: this.book.handleSide(handle) === 'bid' ? 'BUY' : 'SELL',
        orderType: 'limit',
        price: this.book.handlePrice(handle),
        stopPrice: undefined,
        quantity,
        remaining,
        filled: quantity - remaining,
        clientOrderId: this.resting.clientIds[slot],
        owner: this.ownerIds[this.resting.owner[slot]!],
      };
    }
    const stop = this.stops.get(orderId);
    return stop === undefined ? undefined : this.heldOrder(stop);
  }

  /** Held stop orders in trigger order (buy stops by ascending stop price, then sell stops by descending). */
  heldStops(): EngineOrder<number>[] {
    return this.stops.list().map((s) => this.heldOrder(s));
  }

  /** The live order with this client order id, or undefined. */
  orderIdOf(clientOrderId: ClientOrderId): EngineOrderId | undefined {
    return this.clientIds.get(clientOrderId);
  }

  // ---- Matching.

  /**
   * Matches an accepted order (new, amended or triggered; `remaining` of `quantity` left) and then
   * rests the rest (GTC) or cancels it. `slot` is its RestingOrders slot when it has one (amend).
   */
  private execute(
    id: number,
    side: number,
    limit: number,
    quantity: number,
    remaining: number,
    tif: number,
    owner: number,
    stp: number,
    postOnly: boolean,
    slot: number,
    clientOrderId: ClientOrderId | undefined,
  ): void {
    const left = this.take(id, side, limit, quantity, remaining, owner, stp);
    if (left <= 0) {
      this.finish(slot, clientOrderId);
      return;
    }
    if (tif !== TIF_GTC) {
      this.events.cancelled(id, side, left, quantity - left, C_IOC);
      this.finish(slot, clientOrderId);
      return;
    }
    const s = slot >= 0 ? slot : this.resting.alloc(quantity, owner, stp, postOnly, clientOrderId);
    const status = this.book.add(id, BOOK_SIDES[side]!, limit, left, s);
    if (status !== 'ok') throw new MatchingInvariantError(`order ${id} matched down to ${limit} ticks but the book refused it as ${status}`);
    this.events.rested(id, side, limit, left, quantity - left);
  }

  /**
   * Trades the incoming order against the opposite side, best price first, oldest first within a
   * price, while it has quantity left and the best price is within `limit` (±Infinity for market).
   * Returns what is left, or -1 when self-trade prevention cancelled the incoming order.
   */
  private take(id: number, side: number, limit: number, quantity: number, remaining: number, owner: number, stp: number): number {
    const book = this.book;
    const events = this.events;
    const bid = side === BUY;
    const opposite = bid ? 'ask' : 'bid';
    const stpActive = owner !== 0 && stp !== STP_NONE;
    while (remaining > 0) {
      const head = book.queueHead(opposite);
      if (head < 0) break;
      const price = book.handlePrice(head);
      if (bid ? price > limit : price < limit) break;
      const slot = book.handleTag(head);
      const makerLots = book.handleLots(head);
      const makerId = book.handleId(head) as number;
      const makerQuantity = this.resting.quantity[slot]!;
      if (stpActive && this.resting.owner[slot] === owner) {
        if (stp === STP_NEWEST) {
          events.cancelled(id, side, remaining, quantity - remaining, C_STP_NEWEST);
          return -1;
        }
        book.delete(makerId);
        events.cancelled(makerId, 1 - side, makerLots, makerQuantity - makerLots, stp === STP_OLDEST ? C_STP_OLDEST : C_STP_BOTH);
        this.releaseSlot(slot);
        if (stp === STP_BOTH) {
          events.cancelled(id, side, remaining, quantity - remaining, C_STP_BOTH);
          return -1;
        }
        continue;
      }
      const lots = remaining < makerLots ? remaining : makerLots;
      book.executeHead(opposite, lots);
      remaining -= lots;
      const makerLeft = makerLots - lots;
      this.last = price;
      events.fill(id, makerId, side, price, lots, remaining, makerLeft, quantity - remaining, makerQuantity - makerLeft);
      if (makerLeft === 0) this.releaseSlot(slot);
    }
    return remaining;
  }

  /**
   * Whether `lots` can be filled in full within `limit` right now, as `take` would fill it: levels
   * are summed from the top; with self-trade prevention active, orders of the same owner are skipped
   * (cancel_oldest removes them) or end the walk (cancel_newest/both cancel the incoming order there).
   */
  private fillable(bid: boolean, limit: number, lots: number, owner: number, stp: number): boolean {
    const book = this.book;
    const opposite = bid ? 'ask' : 'bid';
    const perOrder = owner !== 0 && stp !== STP_NONE;
    let sum = 0;
    for (let depth = 0; ; depth++) {
      const price = book.priceAt(opposite, depth);
      if (price === undefined || (bid ? price > limit : price < limit)) return false;
      if (!perOrder) {
        sum += book.lotsAt(opposite, depth);
        if (sum >= lots) return true;
        continue;
      }
      for (let h = book.queueHead(opposite, depth); h >= 0; h = book.queueNext(h)) {
        if (this.resting.owner[book.handleTag(h)] === owner) {
          if (stp === STP_OLDEST) continue;
          return false;
        }
        sum += book.handleLots(h);
        if (sum >= lots) return true;
      }
    }
  }

  /** Executes the stops that the last trade price triggers, and those their trades trigger, in trigger order. */
  private runTriggers(): void {
    if (this.stops.size === 0 || Number.isNaN(this.last)) return;
    const queue = this.triggerQueue;
    this.collectTriggered(queue);
    for (let i = 0; i < queue.length; i++) {
      this.executeTriggered(queue[i]!);
      this.collectTriggered(queue);
    }
    queue.length = 0;
  }

  private collectTriggered(queue: HeldStop[]): void {
    const from = queue.length;
    if (this.stops.takeTriggered(this.last, queue) === 0) return;
    for (let i = from; i < queue.length; i++) {
      const stop = queue[i]!;
      this.events.triggered(stop.id, stop.bid ? BUY : SELL, stop.stopPrice, this.last);
    }
  }

  private executeTriggered(stop: HeldStop): void {
    const side = stop.bid ? BUY : SELL;
    const market = stop.type === T_STOP;
    const limit = market ? (stop.bid ? Infinity : -Infinity) : stop.price;
    let reason = -1;
    if (market && this.book.levelCount(stop.bid ? 'ask' : 'bid') === 0) reason = C_NO_LIQUIDITY;
    else if (stop.tif === TIF_FOK && !this.fillable(stop.bid, limit, stop.quantity, stop.owner, stop.stp)) reason = C_FOK;
    if (reason >= 0) {
      this.events.cancelled(stop.id, side, stop.quantity, 0, reason);
      this.finish(-1, stop.clientOrderId);
      return;
    }
    this.execute(stop.id, side, limit, stop.quantity, stop.quantity, stop.tif, stop.owner, stop.stp, false, -1, stop.clientOrderId);
  }

  // ---- Rules.

  private checkMinimums(price: number, lots: number, hasPrice: boolean): Rejection | undefined {
    if (lots < this.minLots) {
      return { reason: 'QUANTITY_BELOW_MIN', message: `quantity ${this.fmt.quantity(lots)} is below the minimum ${this.fmt.quantity(this.minLots)}` };
    }
    // A market order has no price to check a notional against; the venue's risk checks come first.
    return hasPrice ? this.notionalFloor.check(price, lots, this.fmt) : undefined;
  }

  private checkClientOrderIdFree(clientOrderId: ClientOrderId | undefined): Rejection | undefined {
    if (clientOrderId === undefined) return undefined;
    const holder = this.clientIds.get(clientOrderId);
    if (holder === undefined) return undefined;
    return { reason: 'DUPLICATE_CLIENT_ORDER_ID', message: `client order id ${JSON.stringify(clientOrderId)} is already used by live order ${holder}` };
  }

  private checkStopPrice(bid: boolean, stopPrice: number): Rejection | undefined {
    const last = this.last;
    if (Number.isNaN(last) || (bid ? stopPrice > last : stopPrice < last)) return undefined;
    return {
      reason: 'STOP_WOULD_TRIGGER',
      message: `${bid ? 'buy' : 'sell'} stop price ${this.fmt.price(stopPrice)} is at or ${bid ? 'below' : 'above'} the last trade price ${this.fmt.price(last)}: it would trigger at once`,
    };
  }

  private checkPostOnly(bid: boolean, price: number): Rejection | undefined {
    const best = this.book.bestPrice(bid ? 'ask' : 'bid');
    if (best === undefined || (bid ? price < best : price > best)) return undefined;
    return {
      reason: 'POST_ONLY_WOULD_TAKE',
      message: `post-only ${bid ? 'buy' : 'sell'} at ${this.fmt.price(price)} would take the best ${bid ? 'ask' : 'bid'} ${this.fmt.price(best)}`,
    };
  }

  private checkLiquidity(bid: boolean): Rejection | undefined {
    if (this.book.levelCount(bid ? 'ask' : 'bid') > 0) return undefined;
    return { reason: 'NO_LIQUIDITY', message: `market ${bid ? 'buy' : 'sell'} order: no ${bid ? 'asks' : 'bids'} to trade against` };
  }

  private checkFillable(bid: boolean, limit: number, lots: number, owner: number, stp: number): Rejection | undefined {
    if (this.fillable(bid, limit, lots, owner, stp)) return undefined;
    const where = Number.isFinite(limit) ? `at ${this.fmt.price(limit)} or better` : 'at any price';
    return {
      reason: 'FOK_CANNOT_FILL',
      message: `fill-or-kill ${bid ? 'buy' : 'sell'} of ${this.fmt.quantity(lots)} cannot be filled in full ${where}`,
    };
  }

  // ---- Bookkeeping.

  private reject(orderId: number, clientOrderId: ClientOrderId | undefined, request: number, reason: RejectReason, message: string): void {
    this.events.rejected(orderId, clientOrderId, request, REJECT_CODE[reason], message);
  }

  /** A resting order left the book: free its slot and its client order id. */
  private releaseSlot(slot: number): void {
    const clientOrderId = this.resting.clientIds[slot];
    if (clientOrderId !== undefined) this.clientIds.delete(clientOrderId);
    this.resting.release(slot);
  }

  /** An order is done (filled or cancelled) without resting. */
  private finish(slot: number, clientOrderId: ClientOrderId | undefined): void {
    if (slot >= 0) this.resting.release(slot);
    if (clientOrderId !== undefined) this.clientIds.delete(clientOrderId);
  }

  private ownerIndex(owner: OwnerId | undefined): number {
    if (owner === undefined) return 0;
    let index = this.owners.get(owner);
    if (index === undefined) {
      index = this.ownerIds.length;
      this.owners.set(owner, index);
      this.ownerIds.push(owner);
    }
    return index;
  }

  private heldOrder(stop: HeldStop): EngineOrder<number> {
    return {
      orderId: stop.id,
      status: 'held',
      side: stop.bid ? 'BUY' : 'SELL',
      orderType: ORDER_TYPES[stop.type]!,
      price: Number.isNaN(stop.price) ? undefined : stop.price,
      stopPrice: stop.stopPrice,
      quantity: stop.quantity,
      remaining: stop.quantity,
      filled: 0,
      clientOrderId: stop.clientOrderId,
      owner: this.ownerIds[stop.owner],
    };
  }
}

// ---- Request shape (programming errors throw; rule violations are rejected events).

function typeCode(type: unknown): number {
  switch (type) {
    case 'limit':
      return T_LIMIT;
    case 'market':
      return T_MARKET;
    case 'stop':
      return T_STOP;
    case 'stop_limit':
      return T_STOP_LIMIT;
    default:
      throw new InvalidBookArgumentError('order type', type, "expected 'limit', 'market', 'stop' or 'stop_limit'");
  }
}

function sideCode(side: unknown): number {
  if (side === 'BUY') return BUY;
  if (side === 'SELL') return SELL;
  throw new InvalidBookArgumentError('side', side, "expected 'BUY' or 'SELL'");
}

function tifCode(tif: unknown, type: number): number {
  const marketLike = type === T_MARKET || type === T_STOP;
  if (tif === undefined) return marketLike ? TIF_IOC : TIF_GTC;
  if (tif === 'IOC') return TIF_IOC;
  if (tif === 'FOK') return TIF_FOK;
  if (tif === 'GTC' && !marketLike) return TIF_GTC;
  throw new InvalidBookArgumentError('time in force', tif, marketLike ? "a market or stop order is 'IOC' or 'FOK'" : "expected 'GTC', 'IOC' or 'FOK'");
}

function stpCode(mode: unknown, fallback: number): number {
  switch (mode) {
    case undefined:
      return fallback;
    case 'none':
      return STP_NONE;
    case 'cancel_newest':
      return STP_NEWEST;
    case 'cancel_oldest':
      return STP_OLDEST;
    case 'cancel_both':
      return STP_BOTH;
    default:
      throw new InvalidBookArgumentError('self-trade prevention mode', mode, "expected 'none', 'cancel_newest', 'cancel_oldest' or 'cancel_both'");
  }
}

function postOnlyFlag(order: TickOrderRequest, type: number, tif: number): boolean {
  const flag = (order as { postOnly?: unknown }).postOnly;
  if (flag === undefined || flag === false) return false;
  if (flag !== true) throw new InvalidBookArgumentError('postOnly', flag, 'must be a boolean');
  if (type !== T_LIMIT || tif !== TIF_GTC) throw new InvalidBookArgumentError('postOnly', flag, 'only a GTC limit order can be post-only');
  return true;
}

function numberField(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new InvalidBookArgumentError(name, value, 'must be a number (ticks or lots)');
  return value;
}

function absentField(order: object, name: string, type: number): number {
  if ((order as Record<string, unknown>)[name] !== undefined) {
    throw new InvalidBookArgumentError(name, (order as Record<string, unknown>)[name], `a ${ORDER_TYPES[type]} order has no ${name}`);
  }
  return NaN;
}

function checkClientOrderId(id: unknown): void {
  if (typeof id === 'string' ? id.length > 0 : Number.isSafeInteger(id)) return;
  throw new InvalidBookArgumentError('client order id', id, 'must be a non-empty string or a safe integer');
}

function checkOwner(owner: unknown): void {
  if (owner === undefined || typeof owner === 'string' || typeof owner === 'number') return;
  throw new InvalidBookArgumentError('owner', owner, 'must be a string or a number');
}
