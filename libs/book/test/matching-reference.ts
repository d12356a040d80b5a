import type { Side } from '@meridian/domain';
import type {
  AmendRequest,
  CancelReason,
  ClientOrderId,
  OrderType,
  OwnerId,
  RejectReason,
  StpMode,
  TickMatchEvent,
  TickOrderRequest,
  TimeInForce,
} from '../src';

/**
 * A deliberately simple matcher to check `TickMatchingEngine` against: every resting order in one
 * array, every stop in another, and every question answered by filtering and sorting them again.
 * Written from the rules in the README, not from the engine's code. Events are the engine's
 * `TickMatchEvent`s without reject messages.
 *
 * `bugs` plants a known mistake, so the property test can show that it would catch one.
 */
export interface PlantedBugs {
  /** Newest first within a price level. */
  readonly lifo?: boolean;
  /** An amend that only reduces the quantity sends the order to the back of its queue. */
  readonly reduceLosesPriority?: boolean;
  /** An amend that increases the quantity keeps the order's place. */
  readonly increaseKeepsPriority?: boolean;
  /** FOK fills what it can and cancels the rest, like IOC. */
  readonly fokActsAsIoc?: boolean;
  /** Self-trade prevention is ignored. */
  readonly noStp?: boolean;
  /** cancel_oldest behaves like cancel_newest. */
  readonly stpOldestCancelsTaker?: boolean;
  /** Fills at the taker's limit price instead of the maker's. */
  readonly takerPrice?: boolean;
}

interface RefOrder {
  id: number;
  side: Side;
  price: number;
  quantity: number;
  remaining: number;
  owner: OwnerId | undefined;
  stp: StpMode;
  postOnly: boolean;
  clientOrderId: ClientOrderId | undefined;
  /** Arrival time at its price: queue priority. */
  time: number;
}

interface RefStop {
  id: number;
  side: Side;
  type: 'stop' | 'stop_limit';
  stopPrice: number;
  price: number | undefined;
  quantity: number;
  tif: TimeInForce;
  owner: OwnerId | undefined;
  stp: StpMode;
  clientOrderId: ClientOrderId | undefined;
}

interface Taker {
  id: number;
  side: Side;
  limit: number;
  quantity: number;
  remaining: number;
  owner: OwnerId | undefined;
  stp: StpMode;
}

export type RefEvent = TickMatchEvent extends infer E ? (E extends { type: 'rejected' } ? Omit<E, 'message'> : E) : never;

export interface ReferenceOptions {
  readonly minQuantity?: number;
  readonly minNotional?: number;
  readonly stpMode?: StpMode;
}

export class ReferenceMatcher {
  orders: RefOrder[] = [];
  stops: RefStop[] = [];
  last: number | undefined;
  private events: RefEvent[] = [];
  private nextId = 1;
  private clock = 0;

  get nextOrderId(): number {
    return this.nextId;
  }

  constructor(
    private readonly options: ReferenceOptions = {},
    private readonly bugs: PlantedBugs = {},
  ) {}

  submit(req: TickOrderRequest): RefEvent[] {
    this.events = [];
    const id = this.nextId++;
    const type: OrderType = req.type;
    const side = req.side;
    const price = 'price' in req ? req.price : undefined;
    const stopPrice = 'stopPrice' in req ? req.stopPrice : undefined;
    const isStop = type === 'stop' || type === 'stop_limit';
    const tif: TimeInForce = req.timeInForce ?? (type === 'market' || type === 'stop' ? 'IOC' : 'GTC');
    const postOnly = req.type === 'limit' && req.postOnly === true;
    const stp = req.stp ?? this.options.stpMode ?? 'none';
    const limit = price ?? (side === 'BUY' ? Infinity : -Infinity);
    const reason = this.newOrderProblem(req, id, side, price, stopPrice, tif, postOnly, stp, limit);
    if (reason !== undefined) {
      this.events.push({ type: 'rejected', orderId: id, clientOrderId: req.clientOrderId, request: 'new', reason });
      return this.events;
    }
    this.events.push({
      type: 'accepted',
      orderId: id,
      clientOrderId: req.clientOrderId,
      side,
      orderType: type,
      quantity: req.quantity,
      price,
      stopPrice,
    });
    if (isStop) {
      this.stops.push({ id, side, type, stopPrice: stopPrice!, price, quantity: req.quantity, tif, owner: req.owner, stp, clientOrderId: req.clientOrderId });
      return this.events;
    }
    this.run({ id, side, limit, quantity: req.quantity, remaining: req.quantity, owner: req.owner, stp }, tif, postOnly, req.clientOrderId);
    this.triggers();
    return this.events;
  }

  cancel(id: number): RefEvent[] {
    this.events = [];
    const order = this.orders.find((o) => o.id === id);
    if (order !== undefined) {
      this.orders = this.orders.filter((o) => o !== order);
      this.events.push({ type: 'cancelled', orderId: id, side: order.side, quantity: order.remaining, filled: order.quantity - order.remaining, reason: 'USER_REQUEST' });
      return this.events;
    }
    const stop = this.stops.find((s) => s.id === id);
    if (stop !== undefined) {
      this.stops = this.stops.filter((s) => s !== stop);
      this.events.push({ type: 'cancelled', orderId: id, side: stop.side, quantity: stop.quantity, filled: 0, reason: 'USER_REQUEST' });
      return this.events;
    }
    this.reject(id, 'cancel', 'UNKNOWN_ORDER');
    return this.events;
  }

  amend(id: number, change: AmendRequest<number>): RefEvent[] {
    this.events = [];
    const order = this.orders.find((o) => o.id === id);
    if (order === undefined) {
      this.reject(id, 'amend', this.stops.some((s) => s.id === id) ? 'ORDER_NOT_AMENDABLE' : 'UNKNOWN_ORDER');
      return this.events;
    }
    const filled = order.quantity - order.remaining;
    const price = change.price ?? order.price;
    const quantity = change.quantity ?? order.quantity;
    const problem =
      (change.quantity !== undefined ? lotsProblem(change.quantity) : undefined) ??
      (change.price !== undefined ? ticksProblem(change.price) : undefined) ??
      this.minimumsProblem(price, quantity) ??
      (quantity <= filled ? ('AMEND_QUANTITY_TOO_LOW' as const) : undefined);
    if (problem !== undefined) {
      this.reject(id, 'amend', problem);
      return this.events;
    }
    const remaining = quantity - filled;
    const keeps = price === order.price && (this.bugs.increaseKeepsPriority ? true : remaining <= order.remaining);
    if (keeps && !(this.bugs.reduceLosesPriority && remaining < order.remaining)) {
      order.quantity = quantity;
      order.remaining = remaining;
      this.events.push({ type: 'amended', orderId: id, side: order.side, price, quantity, remaining, filled, priority: 'kept' });
      return this.events;
    }
    if (order.postOnly && this.wouldTake(order.side, price)) {
      this.reject(id, 'amend', 'POST_ONLY_WOULD_TAKE');
      return this.events;
    }
    this.orders = this.orders.filter((o) => o !== order);
    this.events.push({ type: 'amended', orderId: id, side: order.side, price, quantity, remaining, filled, priority: 'lost' });
    this.run({ id, side: order.side, limit: price, quantity, remaining, owner: order.owner, stp: order.stp }, 'GTC', order.postOnly, order.clientOrderId);
    this.triggers();
    return this.events;
  }

  /** Resting orders of a side in priority order. */
  queue(side: Side): RefOrder[] {
    const sign = side === 'BUY' ? -1 : 1;
    const lifo = this.bugs.lifo ? -1 : 1;
    return this.orders.filter((o) => o.side === side).sort((a, b) => sign * (a.price - b.price) || lifo * (a.time - b.time));
  }

  /** Held stops in trigger order. */
  stopQueue(): RefStop[] {
    const buys = this.stops.filter((s) => s.side === 'BUY').sort((a, b) => a.stopPrice - b.stopPrice || a.id - b.id);
    const sells = this.stops.filter((s) => s.side === 'SELL').sort((a, b) => b.stopPrice - a.stopPrice || a.id - b.id);
    return [...buys, ...sells];
  }

  // ---- The rules.

  private newOrderProblem(
    req: TickOrderRequest,
    _id: number,
    side: Side,
    price: number | undefined,
    stopPrice: number | undefined,
    tif: TimeInForce,
    postOnly: boolean,
    stp: StpMode,
    limit: number,
  ): RejectReason | undefined {
    const q = lotsProblem(req.quantity);
    if (q) return q;
    if (price !== undefined && ticksProblem(price)) return ticksProblem(price);
    if (stopPrice !== undefined && ticksProblem(stopPrice)) return ticksProblem(stopPrice);
    if (req.quantity < (this.options.minQuantity ?? 1)) return 'QUANTITY_BELOW_MIN';
    const notionalPrice = price ?? stopPrice;
    if (notionalPrice !== undefined && notionalPrice * req.quantity < (this.options.minNotional ?? 0)) return 'NOTIONAL_BELOW_MIN';
    if (req.clientOrderId !== undefined && this.liveClientIds().includes(req.clientOrderId)) return 'DUPLICATE_CLIENT_ORDER_ID';
    if (req.type === 'stop' || req.type === 'stop_limit') {
      if (this.last !== undefined && (side === 'BUY' ? stopPrice! <= this.last : stopPrice! >= this.last)) return 'STOP_WOULD_TRIGGER';
      return undefined;
    }
    if (postOnly && this.wouldTake(side, price!)) return 'POST_ONLY_WOULD_TAKE';
    if (req.type === 'market' && this.queue(other(side)).length === 0) return 'NO_LIQUIDITY';
    if (tif === 'FOK' && !this.bugs.fokActsAsIoc && !this.canFill(side, limit, req.quantity, req.owner, stp)) return 'FOK_CANNOT_FILL';
    return undefined;
  }

  private minimumsProblem(price: number, quantity: number): RejectReason | undefined {
    if (quantity < (this.options.minQuantity ?? 1)) return 'QUANTITY_BELOW_MIN';
    if (price * quantity < (this.options.minNotional ?? 0)) return 'NOTIONAL_BELOW_MIN';
    return undefined;
  }

  private liveClientIds(): ClientOrderId[] {
    return [...this.orders.map((o) => o.clientOrderId), ...this.stops.map((s) => s.clientOrderId)].filter((c) => c !== undefined);
  }

  private wouldTake(side: Side, price: number): boolean {
    const best = this.queue(other(side))[0];
    return best !== undefined && (side === 'BUY' ? price >= best.price : price <= best.price);
  }

  private stpApplies(owner: OwnerId | undefined, stp: StpMode, maker: RefOrder): boolean {
    return !this.bugs.noStp && owner !== undefined && stp !== 'none' && maker.owner === owner;
  }

  /** Simulates the match on a copy: does the whole quantity fill? */
  private canFill(side: Side, limit: number, quantity: number, owner: OwnerId | undefined, stp: StpMode): boolean {
    let need = quantity;
    for (const maker of this.queue(other(side))) {
      if (side === 'BUY' ? maker.price > limit : maker.price < limit) break;
      if (this.stpApplies(owner, stp, maker)) {
        if (stp === 'cancel_oldest' && !this.bugs.stpOldestCancelsTaker) continue;
        return false;
      }
      need -= Math.min(need, maker.remaining);
      if (need === 0) return true;
    }
    return false;
  }

  /** Matches a taker, then rests or cancels what is left. */
  private run(taker: Taker, tif: TimeInForce, postOnly: boolean, clientOrderId: ClientOrderId | undefined): void {
    const left = this.match(taker);
    if (left <= 0) return;
    if (tif === 'GTC') {
      this.orders.push({
        id: taker.id,
        side: taker.side,
        price: taker.limit,
        quantity: taker.quantity,
        remaining: left,
        owner: taker.owner,
        stp: taker.stp,
        postOnly,
        clientOrderId,
        time: this.clock++,
      });
      this.events.push({ type: 'rested', orderId: taker.id, side: taker.side, price: taker.limit, remaining: left, filled: taker.quantity - left });
    } else {
      this.cancelled(taker.id, taker.side, left, taker.quantity - left, 'IOC_REMAINDER');
    }
  }

  /** Returns what is left, or -1 when self-trade prevention cancelled the taker. */
  private match(taker: Taker): number {
    while (taker.remaining > 0) {
      const maker = this.queue(other(taker.side))[0];
      if (maker === undefined || (taker.side === 'BUY' ? maker.price > taker.limit : maker.price < taker.limit)) break;
      if (this.stpApplies(taker.owner, taker.stp, maker)) {
        const mode = this.bugs.stpOldestCancelsTaker && taker.stp === 'cancel_oldest' ? 'cancel_newest' : taker.stp;
        if (mode === 'cancel_newest') {
          this.cancelled(taker.id, taker.side, taker.remaining, taker.quantity - taker.remaining, 'STP_CANCEL_NEWEST');
          return -1;
        }
        this.orders = this.orders.filter((o) => o !== maker);
        this.cancelled(maker.id, maker.side, maker.remaining, maker.quantity - maker.remaining, mode === 'cancel_oldest' ? 'STP_CANCEL_OLDEST' : 'STP_CANCEL_BOTH');
        if (mode === 'cancel_both') {
          this.cancelled(taker.id, taker.side, taker.remaining, taker.quantity - taker.remaining, 'STP_CANCEL_BOTH');
          return -1;
        }
        continue;
      }
      const quantity = Math.min(taker.remaining, maker.remaining);
      taker.remaining -= quantity;
      maker.remaining -= quantity;
      if (maker.remaining === 0) this.orders = this.orders.filter((o) => o !== maker);
      const price = this.bugs.takerPrice && Number.isFinite(taker.limit) ? taker.limit : maker.price;
      this.last = price;
      this.events.push({
        type: 'fill',
        takerOrderId: taker.id,
        makerOrderId: maker.id,
        takerSide: taker.side,
        price,
        quantity,
        takerRemaining: taker.remaining,
        makerRemaining: maker.remaining,
        takerFilled: taker.quantity - taker.remaining,
        makerFilled: maker.quantity - maker.remaining,
      });
    }
    return taker.remaining;
  }

  private triggers(): void {
    const queue: RefStop[] = [];
    const collect = (): void => {
      const last = this.last;
      if (last === undefined) return;
      const fired = this.stopQueue().filter((s) => (s.side === 'BUY' ? s.stopPrice <= last : s.stopPrice >= last));
      this.stops = this.stops.filter((s) => !fired.includes(s));
      for (const s of fired) {
        queue.push(s);
        this.events.push({ type: 'triggered', orderId: s.id, side: s.side, stopPrice: s.stopPrice, lastTradePrice: last });
      }
    };
    collect();
    while (queue.length > 0) {
      const s = queue.shift()!;
      const limit = s.price ?? (s.side === 'BUY' ? Infinity : -Infinity);
      if (s.type === 'stop' && this.queue(other(s.side)).length === 0) {
        this.cancelled(s.id, s.side, s.quantity, 0, 'NO_LIQUIDITY');
      } else if (s.tif === 'FOK' && !this.canFill(s.side, limit, s.quantity, s.owner, s.stp)) {
        this.cancelled(s.id, s.side, s.quantity, 0, 'FOK_CANNOT_FILL');
      } else {
        this.run({ id: s.id, side: s.side, limit, quantity: s.quantity, remaining: s.quantity, owner: s.owner, stp: s.stp }, s.tif, false, s.clientOrderId);
      }
      collect();
    }
  }

  private cancelled(orderId: number, side: Side, quantity: number, filled: number, reason: CancelReason): void {
    this.events.push({ type: 'cancelled', orderId, side, quantity, filled, reason });
  }

  private reject(orderId: number, request: 'cancel' | 'amend', reason: RejectReason): void {
    this.events.push({ type: 'rejected', orderId, clientOrderId: undefined, request, reason });
  }
}

function other(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

function lotsProblem(lots: number): RejectReason | undefined {
  if (!(lots > 0)) return 'QUANTITY_NOT_POSITIVE';
  if (!Number.isInteger(lots)) return 'QUANTITY_NOT_LOT_MULTIPLE';
  if (lots > Number.MAX_SAFE_INTEGER) return 'QUANTITY_OUT_OF_RANGE';
  return undefined;
}

function ticksProblem(ticks: number): RejectReason | undefined {
  if (!(ticks > 0)) return 'PRICE_NOT_POSITIVE';
  if (!Number.isInteger(ticks)) return 'PRICE_NOT_TICK_MULTIPLE';
  if (ticks > Number.MAX_SAFE_INTEGER) return 'PRICE_OUT_OF_RANGE';
  return undefined;
}
