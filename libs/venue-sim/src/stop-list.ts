import type { Decimal } from '@meridian/domain';
import type { OrderRecord } from './order-record';

/**
 * Held stop orders of one symbol, in trigger order: buy stops by ascending stop price, sell stops by
 * descending, older first at equal prices (the matching engine's order). The venue holds them
 * itself rather than in the engine, because the price that triggers them is the external market's
 * last trade as well as ours, and because a cash account's triggered stop must be paid for when it
 * triggers, before it reaches the engine.
 */
export class StopList {
  private readonly buys: OrderRecord[] = [];
  private readonly sells: OrderRecord[] = [];

  get size(): number {
    return this.buys.length + this.sells.length;
  }

  add(order: OrderRecord): void {
    const list = order.side === 'BUY' ? this.buys : this.sells;
    const buy = order.side === 'BUY';
    const stop = order.stopPrice!;
    // Insert after every order that triggers no later (stable: older first at equal prices).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = list[mid]!.stopPrice!.cmp(stop);
      if (buy ? c <= 0 : c >= 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, order);
  }

  has(order: OrderRecord): boolean {
    return (order.side === 'BUY' ? this.buys : this.sells).includes(order);
  }

  remove(order: OrderRecord): boolean {
    const list = order.side === 'BUY' ? this.buys : this.sells;
    const i = list.indexOf(order);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Removes and returns the stops `last` triggers: buys (stop ≤ last) first, then sells (stop ≥ last), each in trigger order. */
  takeTriggered(last: Decimal): OrderRecord[] {
    let b = 0;
    while (b < this.buys.length && this.buys[b]!.stopPrice!.lte(last)) b++;
    let s = 0;
    while (s < this.sells.length && this.sells[s]!.stopPrice!.gte(last)) s++;
    if (b === 0 && s === 0) return [];
    return [...this.buys.splice(0, b), ...this.sells.splice(0, s)];
  }
}
