import type { ClientOrderId } from './matching-types';

/** A stop or stop-limit order waiting off the book, in ticks and lots. */
export interface HeldStop {
  readonly id: number;
  readonly bid: boolean;
  /** Index in ORDER_TYPES: stop or stop_limit. */
  readonly type: number;
  readonly stopPrice: number;
  /** Limit price in ticks; NaN for a stop (market) order. */
  readonly price: number;
  readonly quantity: number;
  /** Index in TIMES_IN_FORCE. */
  readonly tif: number;
  readonly owner: number;
  readonly stp: number;
  readonly clientOrderId: ClientOrderId | undefined;
}

/**
 * Held stop orders in trigger order. A buy stop triggers when the last trade price is at or above
 * its stop price, a sell stop when it is at or below. Buy stops are kept by ascending stop price and
 * sell stops by descending stop price (the order in which a moving price reaches them), ties in
 * arrival order (order id), so the triggered ones are always a prefix of their side's list.
 *
 * Plain sorted arrays: stops are few next to resting orders and never on the per-fill path.
 */
export class StopBook {
  private readonly buys: HeldStop[] = [];
  private readonly sells: HeldStop[] = [];
  private readonly byId = new Map<number, HeldStop>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): HeldStop | undefined {
    return this.byId.get(id);
  }

  add(stop: HeldStop): void {
    const list = stop.bid ? this.buys : this.sells;
    // After every entry that triggers no later than this one (same stop price: earlier ids first).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = list[mid]!;
      const before = stop.bid ? other.stopPrice <= stop.stopPrice : other.stopPrice >= stop.stopPrice;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, stop);
    this.byId.set(stop.id, stop);
  }

  remove(id: number): HeldStop | undefined {
    const stop = this.byId.get(id);
    if (stop === undefined) return undefined;
    const list = stop.bid ? this.buys : this.sells;
    list.splice(list.indexOf(stop), 1);
    this.byId.delete(id);
    return stop;
  }

  /**
   * Removes the stops that `lastTradePrice` triggers and appends them to `out` in trigger order:
   * buy stops by ascending stop price, then sell stops by descending stop price, arrival order
   * within a price. (Both sides can only trigger together before the first trade, when stops on
   * either side of the market were accepted without a reference price.) Returns how many.
   */
  takeTriggered(lastTradePrice: number, out: HeldStop[]): number {
    let n = 0;
    while (n < this.buys.length && this.buys[n]!.stopPrice <= lastTradePrice) n++;
    let m = 0;
    while (m < this.sells.length && this.sells[m]!.stopPrice >= lastTradePrice) m++;
    if (n + m === 0) return 0;
    for (const stop of this.buys.splice(0, n)) this.take(stop, out);
    for (const stop of this.sells.splice(0, m)) this.take(stop, out);
    return n + m;
  }

  /** Held stops in trigger order: buys, then sells. */
  list(): HeldStop[] {
    return [...this.buys, ...this.sells];
  }

  private take(stop: HeldStop, out: HeldStop[]): void {
    this.byId.delete(stop.id);
    out.push(stop);
  }
}
