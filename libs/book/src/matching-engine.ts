import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError } from './errors';
import { DecimalCache } from './decimal-cache';
import { L3Book } from './l3-book';
import { ORDER_TYPES } from './matching-types';
import type {
  AmendRequest,
  ClientOrderId,
  EngineOrder,
  EngineOrderId,
  MatchEvent,
  OrderRequest,
  StpMode,
  TickOrderRequest,
} from './matching-types';
import { NotionalFloor, ceilUnits, decimalLots, decimalTicks } from './order-rules';
import type { Rejection } from './order-rules';
import { TickMatchingEngine } from './tick-matching-engine';
import { TickScale } from './tick-scale';

/** The trading rules of the symbol; a domain `Instrument` has all of them. */
export interface MatchingEngineOptions {
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  /** Smallest order quantity (default: one lot). Rounded up to whole lots. */
  readonly minQuantity?: Decimal;
  /** Smallest price × quantity of an order with a price (default: none). */
  readonly minNotional?: Decimal;
  /** Self-trade prevention mode of orders that do not name one (default `none`). */
  readonly stpMode?: StpMode;
  readonly initialOrderCapacity?: number;
  readonly initialLevelCapacity?: number;
}

/** The read side of the engine's book as Decimals (`L3Book` without its mutators). */
export type L3BookView = Pick<
  L3Book,
  'symbol' | 'scale' | 'orderCount' | 'has' | 'order' | 'queuePosition' | 'bestBid' | 'bestAsk' | 'spread' | 'levelCount' | 'level' | 'depth' | 'levels' | 'ordersAt'
>;

/**
 * The matching engine with the platform's exact Decimal prices and quantities: requests and events
 * in `Decimal`, converted at the edge by the engine's `TickScale`; the matching itself is done by
 * `core`, a `TickMatchingEngine` on integer ticks and lots (hot paths such as a backtest can drive
 * `core` directly and skip the conversions).
 *
 * Each call returns the events it caused, in order. A price off the tick grid or a quantity off the
 * lot grid is rejected (PRICE_NOT_TICK_MULTIPLE, QUANTITY_NOT_LOT_MULTIPLE) like any other rule.
 */
export class MatchingEngine {
  readonly core: TickMatchingEngine;
  readonly scale: TickScale;
  /** The resting orders, read-only, as Decimals. */
  readonly book: L3BookView;
  private readonly decimals: DecimalCache;

  constructor(
    readonly symbol: string,
    options: MatchingEngineOptions,
  ) {
    if (options === undefined || options === null) {
      throw new InvalidBookArgumentError('MatchingEngine options', options, 'tickSize and lotSize are required');
    }
    this.scale = new TickScale(options.tickSize, options.lotSize);
    this.decimals = new DecimalCache(this.scale);
    const minQuantity = options.minQuantity === undefined ? 1n : ceilUnits(decimal(options.minQuantity, 'minQuantity'), options.lotSize);
    if (minQuantity > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InvalidBookArgumentError('minQuantity', options.minQuantity, 'is beyond 2^53 - 1 lots');
    }
    this.core = new TickMatchingEngine(symbol, {
      minQuantity: Math.max(1, Number(minQuantity)),
      minNotional: options.minNotional === undefined ? 0n : NotionalFloor.fromDecimal(decimal(options.minNotional, 'minNotional'), this.scale).units,
      stpMode: options.stpMode,
      scale: this.scale,
      initialOrderCapacity: options.initialOrderCapacity,
      initialLevelCapacity: options.initialLevelCapacity,
    });
    this.book = new L3Book(symbol, { tickSize: options.tickSize, lotSize: options.lotSize }, this.core.book);
  }

  /** The price of the last trade, or undefined before the first one. */
  get lastTradePrice(): Decimal | undefined {
    const last = this.core.lastTradePrice;
    return last === undefined ? undefined : this.decimals.price(last);
  }

  /** Submits a new order; the first event is its `accepted` or `rejected` (with its order id). */
  submit(order: OrderRequest): MatchEvent[] {
    if (order === null || typeof order !== 'object') throw new InvalidBookArgumentError('order', order, 'must be an order request object');
    if (!ORDER_TYPES.includes(order.type)) {
      throw new InvalidBookArgumentError('order type', order.type, "expected 'limit', 'market', 'stop' or 'stop_limit'");
    }
    if (order.side !== 'BUY' && order.side !== 'SELL') throw new InvalidBookArgumentError('side', order.side, "expected 'BUY' or 'SELL'");
    const lots = decimalLots(this.scale, decimal(order.quantity, 'quantity'));
    if (typeof lots !== 'number') return this.rejectedOrder(order.clientOrderId, lots);
    let price: number | undefined;
    let stopPrice: number | undefined;
    if (order.type === 'limit' || order.type === 'stop_limit') {
      const ticks = decimalTicks(this.scale, decimal(order.price, 'price'), 'price');
      if (typeof ticks !== 'number') return this.rejectedOrder(order.clientOrderId, ticks);
      price = ticks;
    }
    if (order.type === 'stop' || order.type === 'stop_limit') {
      const ticks = decimalTicks(this.scale, decimal(order.stopPrice, 'stopPrice'), 'stop price');
      if (typeof ticks !== 'number') return this.rejectedOrder(order.clientOrderId, ticks);
      stopPrice = ticks;
    }
    // A field the order type does not have (a market order's price) goes through as is: the core refuses it.
    const tick = { ...order, quantity: lots } as Record<string, unknown>;
    if (price !== undefined) tick.price = price;
    if (stopPrice !== undefined) tick.stopPrice = stopPrice;
    this.core.submit(tick as unknown as TickOrderRequest);
    return this.drain();
  }

  /** Cancels a resting order or a held stop. */
  cancel(orderId: EngineOrderId): MatchEvent[] {
    this.core.cancel(orderId);
    return this.drain();
  }

  /** Cancel-replace of a resting order (see `TickMatchingEngine.amend` for the priority rules). */
  amend(orderId: EngineOrderId, change: AmendRequest): MatchEvent[] {
    if (change === null || typeof change !== 'object') throw new InvalidBookArgumentError('amend', change, 'must be an object with price and/or quantity');
    let rejection: Rejection | undefined;
    let quantity: number | undefined;
    let price: number | undefined;
    if (change.quantity !== undefined) {
      const lots = decimalLots(this.scale, decimal(change.quantity, 'quantity'));
      if (typeof lots === 'number') quantity = lots;
      else rejection = lots;
    }
    if (change.price !== undefined && rejection === undefined) {
      const ticks = decimalTicks(this.scale, decimal(change.price, 'price'), 'price');
      if (typeof ticks === 'number') price = ticks;
      else rejection = ticks;
    }
    const live = this.core.order(orderId);
    if (rejection !== undefined && live !== undefined && live.status === 'resting') {
      this.core.rejectRequest(orderId, 'amend', rejection.reason, rejection.message);
    } else if (rejection !== undefined) {
      // Not resting: let the core give its answer (UNKNOWN_ORDER or ORDER_NOT_AMENDABLE), which it
      // decides before looking at the values.
      this.core.amend(orderId, { quantity: 1 });
    } else {
      this.core.amend(orderId, { price, quantity });
    }
    return this.drain();
  }

  /** A live order (resting or a held stop), or undefined. */
  order(orderId: EngineOrderId): EngineOrder | undefined {
    const order = this.core.order(orderId);
    return order === undefined ? undefined : this.toDecimalOrder(order);
  }

  /** Held stop orders in trigger order. */
  heldStops(): EngineOrder[] {
    return this.core.heldStops().map((o) => this.toDecimalOrder(o));
  }

  orderIdOf(clientOrderId: ClientOrderId): EngineOrderId | undefined {
    return this.core.orderIdOf(clientOrderId);
  }

  private rejectedOrder(clientOrderId: ClientOrderId | undefined, rejection: Rejection): MatchEvent[] {
    this.core.rejectOrder(clientOrderId, rejection.reason, rejection.message);
    return this.drain();
  }

  private drain(): MatchEvent[] {
    const events = this.core.events;
    const out: MatchEvent[] = [];
    for (let i = 0; i < events.length; i++) out.push(events.eventAs(i, this.decimals.price, this.decimals.quantity));
    return out;
  }

  private toDecimalOrder(o: EngineOrder<number>): EngineOrder {
    const { price, quantity } = this.decimals;
    return {
      ...o,
      price: o.price === undefined ? undefined : price(o.price),
      stopPrice: o.stopPrice === undefined ? undefined : price(o.stopPrice),
      quantity: quantity(o.quantity),
      remaining: quantity(o.remaining),
      filled: quantity(o.filled),
    };
  }
}

function decimal(value: unknown, name: string): Decimal {
  if (!(value instanceof Decimal)) throw new InvalidBookArgumentError(name, value, 'must be a Decimal');
  return value;
}
