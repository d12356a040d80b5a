import type { Decimal } from '@meridian/domain';

/** One price level: the total size resting at `price`. */
export interface Level {
  readonly price: Decimal;
  readonly size: Decimal;
}

export type BookSide = 'bid' | 'ask';

/**
 * What reading a level-2 book's prices needs: `L2Book` is one; a simulator holding levels it built
 * itself (sorted, positive, distinct by construction) can hand them over as one without a copy.
 */
export interface BookLevels {
  /** Whether the levels are the market's current book (a consumer acting on prices checks it). */
  readonly synced: boolean;
  bestBid(): Level | undefined;
  bestAsk(): Level | undefined;
  /** The level `depth` places from the top of `side` (0 = best), or undefined past the last. */
  levelAt(side: BookSide, depth: number): Level | undefined;
}

export type ApplyFailureReason = 'gap' | 'stale' | 'not_synced' | 'crossed' | 'invalid_level';

export type ApplyResult = { ok: true } | { ok: false; reason: ApplyFailureReason; detail: string };

/** The order id of an L3 book: a venue's numeric id (LOBSTER, ITCH) or a string client order id. */
export type OrderId = number | string;

/**
 * The outcome of an L3 book operation. Anything but `ok` left the book unchanged. These are feed
 * conditions the caller counts (an order resting from before the recording started shows up as
 * `unknown_order`), not bugs, so they are results, never exceptions; bad arguments throw.
 *
 * - `unknown_order`: cancel/delete/execute of an id the book does not hold.
 * - `duplicate_order`: add of an id the book already holds.
 * - `crossed`: add at or through the opposite best price (a matching engine matches first and adds
 *   only the rest; a locked add is allowed with `allowLocked`).
 * - `exceeds_order_size`: cancel or execute of more than the order's remaining size.
 */
export type L3Status = 'ok' | 'unknown_order' | 'duplicate_order' | 'crossed' | 'exceeds_order_size';

/** One level of an integer-tick book: price in ticks, total size in lots, and how many orders rest there. */
export interface TickLevel {
  readonly price: number;
  readonly lots: number;
  readonly orders: number;
}

/** A resting order of an integer-tick book, as listed by `ordersAt` (queue order). */
export interface TickOrder {
  readonly id: OrderId;
  readonly lots: number;
}

/** A resting order's place in its level's queue: what executes before it at its price. */
export interface QueuePosition<Size> {
  /** Orders ahead of it at its price level (0 = front of the queue). */
  readonly ordersAhead: number;
  /** Their total remaining size. */
  readonly sizeAhead: Size;
}
