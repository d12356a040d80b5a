import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError } from './errors';
import { L3TickBook } from './l3-tick-book';
import type { L3TickBookOptions } from './l3-tick-book';
import { TickScale } from './tick-scale';
import type { BookSide, L3Status, Level, OrderId, QueuePosition, TickLevel } from './types';

export interface L3BookOptions extends L3TickBookOptions {
  /** Price increment of one tick (e.g. `Decimal.parse('0.01')`). */
  readonly tickSize: Decimal;
  /** Size increment of one lot (e.g. `Decimal.ONE` for shares). */
  readonly lotSize: Decimal;
}

/** A resting order as the Decimal API shows it. */
export interface RestingOrder {
  readonly id: OrderId;
  readonly side: BookSide;
  readonly price: Decimal;
  readonly size: Decimal;
}

/**
 * A level-3 (order-by-order) book with the platform's exact Decimal prices and sizes: add, partial
 * cancel, delete and execute orders; read the aggregated L2 view (best bid/ask, levels, depth) and
 * the price-time queue of each level.
 *
 * Decimals are converted at the edge by the book's `TickScale` and the work is done by `core`, an
 * `L3TickBook` on integer ticks and lots. Hot paths (replay, matching, backtests) can use `core`
 * and `scale` directly and skip the Decimal conversions.
 */
export class L3Book {
  readonly core: L3TickBook;
  readonly scale: TickScale;

  /**
   * `core` puts this Decimal API over an existing integer-tick book (the matching engine's, for a
   * Decimal view of it) instead of a new one; `options` then only supply the tick and lot size.
   */
  constructor(
    readonly symbol: string,
    options: L3BookOptions,
    core?: L3TickBook,
  ) {
    if (options === undefined || options === null) {
      throw new InvalidBookArgumentError('L3Book options', options, 'tickSize and lotSize are required');
    }
    this.scale = new TickScale(options.tickSize, options.lotSize);
    this.core = core ?? new L3TickBook(symbol, options);
  }

  get orderCount(): number {
    return this.core.orderCount;
  }

  add(id: OrderId, side: BookSide, price: Decimal, size: Decimal): L3Status {
    return this.core.add(id, side, this.scale.toTicks(price), this.scale.toLots(size));
  }

  /** Partial cancel: reduces the order by `size`, keeping its queue position; cancelling all of it removes it. */
  cancel(id: OrderId, size: Decimal): L3Status {
    return this.core.cancel(id, this.scale.toLots(size));
  }

  /** Execution against a resting order: reduces it by `size`; a fully executed order leaves the book. */
  execute(id: OrderId, size: Decimal): L3Status {
    return this.core.execute(id, this.scale.toLots(size));
  }

  delete(id: OrderId): L3Status {
    return this.core.delete(id);
  }

  has(id: OrderId): boolean {
    return this.core.has(id);
  }

  order(id: OrderId): RestingOrder | undefined {
    const lots = this.core.orderLotsOf(id);
    if (lots === undefined) return undefined;
    return {
      id,
      side: this.core.orderSideOf(id)!,
      price: this.scale.fromTicks(this.core.orderPriceOf(id)!),
      size: this.scale.fromLots(lots),
    };
  }

  queuePosition(id: OrderId): QueuePosition<Decimal> | undefined {
    const position = this.core.queuePosition(id);
    if (position === undefined) return undefined;
    return { ordersAhead: position.ordersAhead, sizeAhead: this.scale.fromLots(position.sizeAhead) };
  }

  bestBid(): Level | undefined {
    return this.bestLevel('bid');
  }

  bestAsk(): Level | undefined {
    return this.bestLevel('ask');
  }

  spread(): Decimal | undefined {
    const bid = this.core.bestPrice('bid');
    const ask = this.core.bestPrice('ask');
    return bid === undefined || ask === undefined ? undefined : this.scale.fromTicks(ask).sub(this.scale.fromTicks(bid));
  }

  levelCount(side: BookSide): number {
    return this.core.levelCount(side);
  }

  /** The level at `price`, if any; a price off the tick grid simply has no level. */
  level(side: BookSide, price: Decimal): Level | undefined {
    const ticks = this.ticksIfOnGrid(price);
    if (ticks === undefined) return undefined;
    const level = this.core.level(side, ticks);
    return level === undefined ? undefined : this.toLevel(level);
  }

  /** Up to `levels` levels per side, best first. */
  depth(levels: number): { bids: Level[]; asks: Level[] } {
    const { bids, asks } = this.core.depth(levels);
    return { bids: bids.map((l) => this.toLevel(l)), asks: asks.map((l) => this.toLevel(l)) };
  }

  /** Levels best first, read live; changing the book mid-walk throws `BookModifiedDuringIterationError`. */
  levels(side: BookSide): Iterable<Level> {
    const inner = this.core.levels(side);
    const toLevel = (l: TickLevel): Level => this.toLevel(l);
    return {
      *[Symbol.iterator](): Iterator<Level> {
        for (const level of inner) yield toLevel(level);
      },
    };
  }

  /** The orders at `price` in queue order (front first); empty when no level is there. */
  ordersAt(side: BookSide, price: Decimal): { id: OrderId; size: Decimal }[] {
    const ticks = this.ticksIfOnGrid(price);
    if (ticks === undefined) return [];
    return this.core.ordersAt(side, ticks).map((o) => ({ id: o.id, size: this.scale.fromLots(o.lots) }));
  }

  private bestLevel(side: BookSide): Level | undefined {
    const price = this.core.bestPrice(side);
    if (price === undefined) return undefined;
    return Object.freeze({ price: this.scale.fromTicks(price), size: this.scale.fromLots(this.core.bestLots(side)) });
  }

  private toLevel(level: TickLevel): Level {
    return Object.freeze({ price: this.scale.fromTicks(level.price), size: this.scale.fromLots(level.lots) });
  }

  private ticksIfOnGrid(price: Decimal): number | undefined {
    if (!(price instanceof Decimal)) throw new InvalidBookArgumentError('price', price, 'must be a Decimal');
    if (!price.isPositive() || !price.isMultipleOf(this.scale.tickSize)) return undefined;
    return this.scale.toTicks(price);
  }
}
