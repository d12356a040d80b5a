import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';

interface Entry {
  side?: Side;
  quantity?: Decimal;
  filled: Decimal;
  closed: boolean;
}

/**
 * Orders of one symbol that may still fill: what pre-trade checks and sizing must count besides
 * the filled position.
 *
 * Events may arrive in any order (an order, its fills and its end come from different streams
 * when state is rebuilt by replay), so each order accumulates what is known of it and the
 * totals are derived: remaining = quantity - filled, for orders neither closed nor complete.
 */
export class WorkingOrders {
  private readonly entries = new Map<string, Entry>();

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { filled: Decimal.ZERO, closed: false };
      this.entries.set(id, e);
    }
    return e;
  }

  /** An order that may fill up to `quantity`. Repeats are harmless. */
  open(id: string, side: Side, quantity: Decimal): void {
    const e = this.entry(id);
    e.side = side;
    e.quantity = quantity;
  }

  fill(id: string, quantity: Decimal): void {
    const e = this.entry(id);
    e.filled = e.filled.add(quantity);
  }

  /** Rejected, cancelled or expired: whatever did not fill never will. */
  close(id: string): void {
    this.entry(id).closed = true;
  }

  /** True once an order is known by any event. */
  knows(id: string): boolean {
    return this.entries.has(id);
  }

  isOpen(id: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && this.remainingOf(e).isPositive();
  }

  private remainingOf(e: Entry): Decimal {
    if (e.closed || e.quantity === undefined) return Decimal.ZERO;
    const r = e.quantity.sub(e.filled);
    return r.isPositive() ? r : Decimal.ZERO;
  }

  /** Unfilled quantity of open orders per side. */
  totals(): { buy: Decimal; sell: Decimal; count: number } {
    let buy = Decimal.ZERO;
    let sell = Decimal.ZERO;
    let count = 0;
    for (const e of this.entries.values()) {
      const r = this.remainingOf(e);
      if (!r.isPositive()) continue;
      count += 1;
      if (e.side === 'BUY') buy = buy.add(r);
      else sell = sell.add(r);
    }
    return { buy, sell, count };
  }

  /** Buys minus sells still working: what the position becomes if everything fills. */
  signed(): Decimal {
    const t = this.totals();
    return t.buy.sub(t.sell);
  }
}
