import { BookModifiedDuringIterationError, InvalidBookArgumentError, TickOverflowError } from './errors';
import { IdIndex } from './id-index';
import { TickLadder } from './tick-ladder';
import type { BookSide, L3Status, OrderId, QueuePosition, TickLevel, TickOrder } from './types';

export interface L3TickBookOptions {
  /** Accept an add at exactly the opposite best price (a locked book). Off by default. */
  readonly allowLocked?: boolean;
  /** Orders the pools hold before they first grow (growing copies the arrays once per doubling). */
  readonly initialOrderCapacity?: number;
  /** Price levels (both sides together) the pools hold before they first grow. */
  readonly initialLevelCapacity?: number;
}

const NONE = -1;
const BID = 0;
const ASK = 1;

/**
 * A level-3 (order-by-order) book on integer ticks and lots held in JS numbers: the hot core
 * shared by L2 views, the paper venue's matching engine and the backtester. `L3Book` puts the
 * Decimal API of the rest of the platform on top of it.
 *
 * Layout, chosen so an update allocates nothing (GC pauses are what ruin tail latency):
 * - orders and levels live in struct-of-arrays pools (typed arrays indexed by a slot number),
 *   recycled through free lists;
 * - each level is a FIFO queue of orders as a doubly linked list through the order pool
 *   (price-time priority: new orders join the back; partial cancels and executions keep their place);
 * - each side is a `TickLadder`: level slots sorted by price, best last;
 * - an `IdIndex` from order id to order slot (an open-addressing table for numeric ids).
 *
 * Every value is checked to be a safe integer, so sums and differences stay exact; anything
 * beyond 2^53 - 1 is refused with `TickOverflowError`. Unknown ids, duplicate ids, crossing adds and
 * oversized reductions are reported as an `L3Status` and leave the book unchanged.
 */
export class L3TickBook {
  private readonly allowLocked: boolean;
  private readonly ids: IdIndex;

  // Order pool, indexed by order slot.
  private orderIds: OrderId[] = [];
  private orderLots: Float64Array;
  private orderTag: Int32Array;
  private orderLevel: Int32Array;
  private orderPrev: Int32Array;
  private orderNext: Int32Array;
  private freeOrder = NONE;
  private usedOrders = 0;

  // Level pool, indexed by level slot.
  private levelPrice: Float64Array;
  private levelLots: Float64Array;
  private levelOrders: Int32Array;
  private levelHead: Int32Array;
  private levelTail: Int32Array;
  private levelSide: Uint8Array;
  private freeLevel = NONE;
  private usedLevels = 0;

  private readonly bidLadder: TickLadder;
  private readonly askLadder: TickLadder;
  private mutations = 0;

  /** Side of the level the last successful operation changed. */
  private lastSide: BookSide = 'bid';
  private lastPrice = 0;
  private lastLevelLots = 0;

  constructor(
    readonly symbol: string,
    options: L3TickBookOptions = {},
  ) {
    this.allowLocked = options.allowLocked ?? false;
    const orders = capacity(options.initialOrderCapacity, 1024, 'initialOrderCapacity');
    const levels = capacity(options.initialLevelCapacity, 256, 'initialLevelCapacity');
    this.ids = new IdIndex(orders);
    this.orderLots = new Float64Array(orders);
    this.orderTag = new Int32Array(orders);
    this.orderLevel = new Int32Array(orders);
    this.orderPrev = new Int32Array(orders);
    this.orderNext = new Int32Array(orders);
    this.levelPrice = new Float64Array(levels);
    this.levelLots = new Float64Array(levels);
    this.levelOrders = new Int32Array(levels);
    this.levelHead = new Int32Array(levels);
    this.levelTail = new Int32Array(levels);
    this.levelSide = new Uint8Array(levels);
    this.bidLadder = new TickLadder(levels >> 1);
    this.askLadder = new TickLadder(levels >> 1);
  }

  /** Orders resting in the book. */
  get orderCount(): number {
    return this.ids.size;
  }

  /** Bumped by every change; `levels()` iterators use it to refuse a book changed under them. */
  get version(): number {
    return this.mutations;
  }

  /** The side of the level changed by the last successful add, cancel, delete or execute. */
  get changedSide(): BookSide {
    return this.lastSide;
  }

  /** The price (ticks) of that level. */
  get changedPrice(): number {
    return this.lastPrice;
  }

  /** That level's total size (lots) after the change; 0 when the change emptied it. */
  get changedLevelLots(): number {
    return this.lastLevelLots;
  }

  /**
   * Adds an order at the back of the queue at `price`. `price` and `lots` are positive safe
   * integers. Returns `duplicate_order` for an id already resting, `crossed` for a price at or
   * through the opposite best (at it is allowed with `allowLocked`). `tag` is a 32-bit integer
   * the caller keeps with the order (the matching engine stores the slot of its own per-order
   * data there, so a fill needs no second id lookup); read it back with `tagOf` or `handleTag`.
   */
  add(id: OrderId, side: BookSide, price: number, lots: number, tag = 0): L3Status {
    checkId(id);
    checkPositive(price, 'price');
    checkPositive(lots, 'size');
    if ((tag | 0) !== tag) throw new InvalidBookArgumentError('order tag', tag, 'must be a 32-bit integer');
    const bid = sideIsBid(side);
    if (this.ids.get(id) !== NONE) return 'duplicate_order';

    const opposite = bid ? this.askLadder : this.bidLadder;
    if (opposite.length > 0) {
      const best = this.levelPrice[opposite.bestSlot()]!;
      const through = bid ? price - best : best - price;
      if (through > 0 || (through === 0 && !this.allowLocked)) return 'crossed';
    }

    const ladder = bid ? this.bidLadder : this.askLadder;
    const key = bid ? price : -price;
    const index = ladder.find(key);
    let level: number;
    if (index >= 0) {
      level = ladder.slotAt(index);
      const total = this.levelLots[level]! + lots;
      if (total > Number.MAX_SAFE_INTEGER) throw new TickOverflowError('level size (lots)', `${this.levelLots[level]} + ${lots}`);
    } else {
      level = this.allocLevel(price, bid ? BID : ASK);
      ladder.insertAt(-(index + 1), key, level);
    }

    const order = this.allocOrder();
    this.orderIds[order] = id;
    this.orderLots[order] = lots;
    this.orderTag[order] = tag;
    this.orderLevel[order] = level;
    const tail = this.levelTail[level]!;
    this.orderPrev[order] = tail;
    this.orderNext[order] = NONE;
    if (tail === NONE) this.levelHead[level] = order;
    else this.orderNext[tail] = order;
    this.levelTail[level] = order;
    this.levelOrders[level]!++;
    this.levelLots[level]! += lots;
    this.ids.set(id, order);
    this.changed(level, this.levelLots[level]!);
    return 'ok';
  }

  /**
   * Partial cancel: takes `lots` off the order, which keeps its place in the queue. Cancelling the
   * whole remaining size removes it. `exceeds_order_size` when `lots` is more than it has left.
   */
  cancel(id: OrderId, lots: number): L3Status {
    return this.reduce(id, lots);
  }

  /** An execution against a resting order: takes `lots` off it and removes it once fully filled. */
  execute(id: OrderId, lots: number): L3Status {
    return this.reduce(id, lots);
  }

  /** Removes the order whatever its remaining size. */
  delete(id: OrderId): L3Status {
    checkId(id);
    const order = this.ids.get(id);
    if (order === NONE) return 'unknown_order';
    const level = this.orderLevel[order]!;
    const lots = this.orderLots[order]!;
    this.levelLots[level]! -= lots;
    this.removeOrder(order, id, level);
    return 'ok';
  }

  /** Empties the book (keeps the pools' capacity). */
  clear(): void {
    this.ids.clear();
    this.orderIds = [];
    this.freeOrder = NONE;
    this.usedOrders = 0;
    this.freeLevel = NONE;
    this.usedLevels = 0;
    this.bidLadder.clear();
    this.askLadder.clear();
    this.mutations++;
  }

  has(id: OrderId): boolean {
    return this.ids.get(id) !== NONE;
  }

  /** The order's remaining size in lots, or undefined when it is not resting. */
  orderLotsOf(id: OrderId): number | undefined {
    const order = this.ids.get(id);
    return order === NONE ? undefined : this.orderLots[order];
  }

  /** The tag the order was added with, or undefined when it is not resting. */
  tagOf(id: OrderId): number | undefined {
    const order = this.ids.get(id);
    return order === NONE ? undefined : this.orderTag[order];
  }

  /** The order's price in ticks, or undefined when it is not resting. */
  orderPriceOf(id: OrderId): number | undefined {
    const order = this.ids.get(id);
    return order === NONE ? undefined : this.levelPrice[this.orderLevel[order]!];
  }

  orderSideOf(id: OrderId): BookSide | undefined {
    const order = this.ids.get(id);
    if (order === NONE) return undefined;
    return this.levelSide[this.orderLevel[order]!] === BID ? 'bid' : 'ask';
  }

  /** What is ahead of the order in its level's queue; undefined when it is not resting. */
  queuePosition(id: OrderId): QueuePosition<number> | undefined {
    const order = this.ids.get(id);
    if (order === NONE) return undefined;
    let ordersAhead = 0;
    let sizeAhead = 0;
    for (let o = this.orderPrev[order]!; o !== NONE; o = this.orderPrev[o]!) {
      ordersAhead++;
      sizeAhead += this.orderLots[o]!;
    }
    return { ordersAhead, sizeAhead };
  }

  /** Best price in ticks, or undefined when the side is empty. */
  bestPrice(side: BookSide): number | undefined {
    const slot = this.ladder(side).bestSlot();
    return slot === NONE ? undefined : this.levelPrice[slot];
  }

  /** Total lots at the best price (0 when the side is empty). */
  bestLots(side: BookSide): number {
    const slot = this.ladder(side).bestSlot();
    return slot === NONE ? 0 : this.levelLots[slot]!;
  }

  levelCount(side: BookSide): number {
    return this.ladder(side).length;
  }

  /** The price of the level `depth` places from the top (0 = best), or undefined past the last level. */
  priceAt(side: BookSide, depth: number): number | undefined {
    const slot = this.slotAtDepth(side, depth);
    return slot === NONE ? undefined : this.levelPrice[slot];
  }

  /** The total lots of the level `depth` places from the top (0 past the last level). */
  lotsAt(side: BookSide, depth: number): number {
    const slot = this.slotAtDepth(side, depth);
    return slot === NONE ? 0 : this.levelLots[slot]!;
  }

  /** Total lots resting at `price` (0 when no level is there). */
  levelLotsAt(side: BookSide, price: number): number {
    const slot = this.levelSlot(side, price);
    return slot === NONE ? 0 : this.levelLots[slot]!;
  }

  /** The level at `price`, or undefined. */
  level(side: BookSide, price: number): TickLevel | undefined {
    const slot = this.levelSlot(side, price);
    return slot === NONE ? undefined : this.tickLevel(slot);
  }

  /** Up to `levels` levels per side, best first. */
  depth(levels: number): { bids: TickLevel[]; asks: TickLevel[] } {
    if (!Number.isInteger(levels) || levels < 0) {
      throw new InvalidBookArgumentError('depth', levels, 'must be a non-negative integer');
    }
    return { bids: this.sideDepth(this.bidLadder, levels), asks: this.sideDepth(this.askLadder, levels) };
  }

  /** Levels best first, read live; changing the book mid-walk throws `BookModifiedDuringIterationError`. */
  levels(side: BookSide): Iterable<TickLevel> {
    const ladder = this.ladder(side);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the generator needs the book, not the iterable
    const book = this;
    return {
      *[Symbol.iterator](): Iterator<TickLevel> {
        const version = book.mutations;
        for (let i = ladder.length - 1; ; i--) {
          if (book.mutations !== version) throw new BookModifiedDuringIterationError(book.symbol, side);
          if (i < 0) return;
          yield book.tickLevel(ladder.slotAt(i));
        }
      },
    };
  }

  /** The orders resting at `price`, front of the queue first (empty when no level is there). */
  ordersAt(side: BookSide, price: number): TickOrder[] {
    const slot = this.levelSlot(side, price);
    const out: TickOrder[] = [];
    if (slot === NONE) return out;
    for (let o = this.levelHead[slot]!; o !== NONE; o = this.orderNext[o]!) {
      out.push({ id: this.orderIds[o]!, lots: this.orderLots[o]! });
    }
    return out;
  }

  /** The id at the front of the queue at `price` (the best price when omitted), or undefined. */
  frontOrder(side: BookSide, price?: number): OrderId | undefined {
    const slot = price === undefined ? this.ladder(side).bestSlot() : this.levelSlot(side, price);
    return slot === NONE ? undefined : this.orderIds[this.levelHead[slot]!];
  }

  /** The id at the back of the queue at `price` (the last to fill there), or undefined when no level is there. */
  backOrder(side: BookSide, price: number): OrderId | undefined {
    const slot = this.levelSlot(side, price);
    return slot === NONE ? undefined : this.orderIds[this.levelTail[slot]!];
  }

  // ---- Matching hooks: walk the queues and fill the front order without id lookups or allocation.
  // A handle is an order's slot in the pool; it stays valid only until the book next changes.

  /** The handle of a resting order, or -1 when it is not resting. */
  handleOf(id: OrderId): number {
    return this.ids.get(id);
  }

  /** The handle of the order at the front of the level `depth` places from the top (0 = best), or -1. */
  queueHead(side: BookSide, depth = 0): number {
    const ladder = this.ladder(side);
    if (depth === 0) {
      const level = ladder.bestSlot();
      return level === NONE ? NONE : this.levelHead[level]!;
    }
    const level = this.slotAtDepth(side, depth);
    return level === NONE ? NONE : this.levelHead[level]!;
  }

  /** The handle of the order behind `handle` in its level's queue, or -1 at the back. */
  queueNext(handle: number): number {
    return this.orderNext[handle]!;
  }

  handleId(handle: number): OrderId {
    return this.orderIds[handle]!;
  }

  handleLots(handle: number): number {
    return this.orderLots[handle]!;
  }

  handlePrice(handle: number): number {
    return this.levelPrice[this.orderLevel[handle]!]!;
  }

  handleSide(handle: number): BookSide {
    return this.levelSide[this.orderLevel[handle]!] === BID ? 'bid' : 'ask';
  }

  handleTag(handle: number): number {
    return this.orderTag[handle]!;
  }

  /**
   * Fills `lots` of the order at the front of the best level of `side` (what a taker does to the
   * book): it keeps its place while anything is left and leaves the book at 0. Throws when the side
   * is empty or `lots` is not in [1, the front order's size].
   */
  executeHead(side: BookSide, lots: number): void {
    const level = this.ladder(side).bestSlot();
    if (level === NONE) throw new InvalidBookArgumentError('book side', side, 'has no order to execute');
    checkPositive(lots, 'size');
    const order = this.levelHead[level]!;
    const remaining = this.orderLots[order]! - lots;
    if (remaining < 0) throw new InvalidBookArgumentError('size', lots, `exceeds the ${this.orderLots[order]} lots of the front order`);
    this.levelLots[level]! -= lots;
    if (remaining === 0) {
      this.removeOrder(order, this.orderIds[order]!, level);
    } else {
      this.orderLots[order] = remaining;
      this.changed(level, this.levelLots[level]!);
    }
  }

  private reduce(id: OrderId, lots: number): L3Status {
    checkId(id);
    checkPositive(lots, 'size');
    const order = this.ids.get(id);
    if (order === NONE) return 'unknown_order';
    const remaining = this.orderLots[order]! - lots;
    if (remaining < 0) return 'exceeds_order_size';
    const level = this.orderLevel[order]!;
    this.levelLots[level]! -= lots;
    if (remaining === 0) {
      this.removeOrder(order, id, level);
    } else {
      this.orderLots[order] = remaining;
      this.changed(level, this.levelLots[level]!);
    }
    return 'ok';
  }

  /** Unlinks an order whose size the caller already took off its level, and drops an emptied level. */
  private removeOrder(order: number, id: OrderId, level: number): void {
    const prev = this.orderPrev[order]!;
    const next = this.orderNext[order]!;
    if (prev === NONE) this.levelHead[level] = next;
    else this.orderNext[prev] = next;
    if (next === NONE) this.levelTail[level] = prev;
    else this.orderPrev[next] = prev;
    this.ids.delete(id);
    // Recycle the slot; the id stays in orderIds until overwritten (ids are never read from free slots).
    this.orderNext[order] = this.freeOrder;
    this.freeOrder = order;
    this.changed(level, this.levelLots[level]!);
    if (--this.levelOrders[level]! === 0) {
      const bid = this.levelSide[level] === BID;
      const ladder = bid ? this.bidLadder : this.askLadder;
      const price = this.levelPrice[level]!;
      const index = ladder.find(bid ? price : -price);
      ladder.removeAt(index);
      this.levelHead[level] = this.freeLevel;
      this.freeLevel = level;
    }
  }

  private changed(level: number, lots: number): void {
    this.mutations++;
    this.lastSide = this.levelSide[level] === BID ? 'bid' : 'ask';
    this.lastPrice = this.levelPrice[level]!;
    this.lastLevelLots = lots;
  }

  private allocOrder(): number {
    let order = this.freeOrder;
    if (order !== NONE) {
      this.freeOrder = this.orderNext[order]!;
      return order;
    }
    if (this.usedOrders === this.orderLots.length) this.growOrders();
    order = this.usedOrders++;
    return order;
  }

  private allocLevel(price: number, side: number): number {
    let level = this.freeLevel;
    if (level !== NONE) {
      this.freeLevel = this.levelHead[level]!;
    } else {
      if (this.usedLevels === this.levelLots.length) this.growLevels();
      level = this.usedLevels++;
    }
    this.levelPrice[level] = price;
    this.levelLots[level] = 0;
    this.levelOrders[level] = 0;
    this.levelHead[level] = NONE;
    this.levelTail[level] = NONE;
    this.levelSide[level] = side;
    return level;
  }

  private growOrders(): void {
    const n = this.orderLots.length * 2;
    this.orderLots = grown(this.orderLots, new Float64Array(n));
    this.orderTag = grown(this.orderTag, new Int32Array(n));
    this.orderLevel = grown(this.orderLevel, new Int32Array(n));
    this.orderPrev = grown(this.orderPrev, new Int32Array(n));
    this.orderNext = grown(this.orderNext, new Int32Array(n));
  }

  private growLevels(): void {
    const n = this.levelLots.length * 2;
    this.levelPrice = grown(this.levelPrice, new Float64Array(n));
    this.levelLots = grown(this.levelLots, new Float64Array(n));
    this.levelOrders = grown(this.levelOrders, new Int32Array(n));
    this.levelHead = grown(this.levelHead, new Int32Array(n));
    this.levelTail = grown(this.levelTail, new Int32Array(n));
    this.levelSide = grown(this.levelSide, new Uint8Array(n));
  }

  private ladder(side: BookSide): TickLadder {
    return sideIsBid(side) ? this.bidLadder : this.askLadder;
  }

  private levelSlot(side: BookSide, price: number): number {
    const bid = sideIsBid(side);
    if (typeof price !== 'number') throw new InvalidBookArgumentError('price', price, 'must be a number of ticks');
    const ladder = bid ? this.bidLadder : this.askLadder;
    const index = ladder.find(bid ? price : -price);
    return index >= 0 ? ladder.slotAt(index) : NONE;
  }

  private slotAtDepth(side: BookSide, depth: number): number {
    const ladder = this.ladder(side);
    if (!Number.isInteger(depth) || depth < 0) throw new InvalidBookArgumentError('depth', depth, 'must be a non-negative integer');
    return depth < ladder.length ? ladder.slotAt(ladder.length - 1 - depth) : NONE;
  }

  private sideDepth(ladder: TickLadder, levels: number): TickLevel[] {
    const out: TickLevel[] = [];
    for (let i = ladder.length - 1; i >= 0 && out.length < levels; i--) out.push(this.tickLevel(ladder.slotAt(i)));
    return out;
  }

  private tickLevel(slot: number): TickLevel {
    return { price: this.levelPrice[slot]!, lots: this.levelLots[slot]!, orders: this.levelOrders[slot]! };
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function capacity(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 30) {
    throw new InvalidBookArgumentError(name, value, 'must be an integer in [1, 2^30]');
  }
  return Math.max(4, value);
}

function sideIsBid(side: BookSide): boolean {
  if (side === 'bid') return true;
  if (side === 'ask') return false;
  throw new InvalidBookArgumentError('book side', side, "expected 'bid' or 'ask'");
}

function checkId(id: OrderId): void {
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id)) throw new InvalidBookArgumentError('order id', id, 'a numeric id must be a safe integer');
  } else if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidBookArgumentError('order id', id, 'must be a safe integer or a non-empty string');
  }
}

/** Prices and sizes in ticks/lots: positive safe integers, or the sums could silently round. */
function checkPositive(value: number, what: 'price' | 'size'): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidBookArgumentError(what, value, `must be a positive integer number of ${what === 'price' ? 'ticks' : 'lots'}`);
  }
  if (value > Number.MAX_SAFE_INTEGER) throw new TickOverflowError(what === 'price' ? 'price (ticks)' : 'size (lots)', String(value));
}
