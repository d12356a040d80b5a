import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { SettledIds } from './settled-ids';

interface Entry {
  side?: Side;
  quantity?: Decimal;
  filled: Decimal;
  closed: boolean;
  /** The unfilled quantity this entry adds to the totals now (0 once closed or complete). */
  counted: Decimal;
}

/**
 * Orders of one symbol that may still fill: what pre-trade checks and sizing must count besides
 * the filled position.
 *
 * Events may arrive in any order (an order, its fills and its end come from different streams
 * when state is rebuilt by replay), so each order accumulates what is known of it and the
 * totals are derived: remaining = quantity - filled, for orders neither closed nor complete.
 * The totals are kept as running sums, each event replacing its order's share exactly, so reading
 * them costs the same however many orders the symbol has seen (a strategy reads them on every
 * signal; a backtest sends many thousands of orders per symbol).
 */
export class WorkingOrders {
  private readonly entries = new Map<string, Entry>();
  /** Settled orders awaiting a sweep: kept from the first `forgetSettled` on (an owner that never sweeps, a backtest, pays nothing). */
  private settled: SettledIds | undefined;
  private buy = Decimal.ZERO;
  private sell = Decimal.ZERO;
  private count = 0;

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { filled: Decimal.ZERO, closed: false, counted: Decimal.ZERO };
      this.entries.set(id, e);
    }
    return e;
  }

  /** An order that may fill up to `quantity`. Repeats are harmless. */
  open(id: string, side: Side, quantity: Decimal): void {
    const e = this.entry(id);
    this.uncount(e);
    e.side = side;
    e.quantity = quantity;
    this.recount(id, e);
  }

  fill(id: string, quantity: Decimal): void {
    const e = this.entry(id);
    this.uncount(e);
    e.filled = e.filled.add(quantity);
    this.recount(id, e);
  }

  /** Rejected, cancelled or expired: whatever did not fill never will. */
  close(id: string): void {
    const e = this.entry(id);
    this.uncount(e);
    e.closed = true;
    this.recount(id, e);
  }

  /**
   * Forgets the orders that settled (closed, filled in full, or known only by a fill or an end)
   * before the previous call and have stayed so; returns how many. Call it on a timer of the
   * retention: an order is forgotten between one and two intervals after it settles. Totals do
   * not change (a settled order counts nothing). An event for a forgotten order starts it anew:
   * a late `open` of it would count as working again, so the retention must outlast any event
   * still on its way (replays finish before the first call). The first call only starts the
   * tracking (nothing is kept for an owner that never calls it): what settled before it goes at
   * the second.
   */
  forgetSettled(): number {
    if (this.settled === undefined) {
      this.settled = SettledIds.startedFrom(this.entries, isSettled);
      return 0;
    }
    return this.settled.forgetFrom(this.entries, isSettled);
  }

  /** Orders known, open or settled and not yet forgotten. */
  get tracked(): number {
    return this.entries.size;
  }

  /** True once an order is known by any event. */
  knows(id: string): boolean {
    return this.entries.has(id);
  }

  isOpen(id: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && e.counted.isPositive();
  }

  private remainingOf(e: Entry): Decimal {
    if (e.closed || e.quantity === undefined) return Decimal.ZERO;
    const r = e.quantity.sub(e.filled);
    return r.isPositive() ? r : Decimal.ZERO;
  }

  /** Takes the entry's share out of the totals (before it changes). */
  private uncount(e: Entry): void {
    if (!e.counted.isPositive()) return;
    if (e.side === 'BUY') this.buy = this.buy.sub(e.counted);
    else this.sell = this.sell.sub(e.counted);
    this.count -= 1;
    e.counted = Decimal.ZERO;
  }

  /** Puts the entry's share (after it changed) into the totals. */
  private recount(id: string, e: Entry): void {
    const r = this.remainingOf(e);
    e.counted = r;
    if (!r.isPositive()) {
      this.settled?.mark(id);
      return;
    }
    if (e.side === 'BUY') this.buy = this.buy.add(r);
    else this.sell = this.sell.add(r);
    this.count += 1;
  }

  /** Unfilled quantity of open orders per side. */
  totals(): { buy: Decimal; sell: Decimal; count: number } {
    return { buy: this.buy, sell: this.sell, count: this.count };
  }

  /** How many orders are open (cheaper than `totals().count`). */
  get openCount(): number {
    return this.count;
  }

  /** Buys minus sells still working: what the position becomes if everything fills. */
  signed(): Decimal {
    return this.buy.sub(this.sell);
  }
}

/** Counts nothing working: closed, filled in full, or known only by a fill or an end. */
const isSettled = (e: { readonly counted: Decimal }): boolean => !e.counted.isPositive();
