import type { Decimal } from '@meridian/domain';
import type { ManagedOrder } from '@meridian/orders';

/** One order this shard executes, with what the service knows beyond its state. */
export interface OrderEntry {
  readonly order: ManagedOrder;
  readonly referencePrice: Decimal | undefined;
  /** A placement is in flight or done in this process. */
  sent: boolean;
  /** When the last placement was sent (ns), 0 before. */
  sentNs: bigint;
  /** When risk approved it (ns), for the approved → ack latency. */
  readonly approvedNs: bigint;
}

/** The orders of this shard by client order id, and callers waiting for one to change. */
export class OrderRegistry {
  private readonly entries = new Map<string, OrderEntry>();
  /**
   * Orders whose last request has an unknown outcome (timeout, dropped connection): settled by
   * looking them up, never by guessing. Kept apart so the reconciliation timer and the gauge
   * visit only these, not every order the shard ever had.
   */
  private readonly doubtful = new Set<OrderEntry>();
  private readonly waiters = new Map<string, Set<() => void>>();

  get(clientOrderId: string): OrderEntry | undefined {
    return this.entries.get(clientOrderId);
  }

  add(entry: OrderEntry): void {
    this.entries.set(entry.order.clientOrderId, entry);
  }

  values(): IterableIterator<OrderEntry> {
    return this.entries.values();
  }

  /** Orders not in a terminal state. */
  open(symbol?: string): OrderEntry[] {
    return [...this.entries.values()].filter((e) => !e.order.isTerminal && (symbol === undefined || e.order.terms.symbol === symbol));
  }

  isInDoubt(entry: OrderEntry): boolean {
    return this.doubtful.has(entry);
  }

  setInDoubt(entry: OrderEntry, inDoubt: boolean): void {
    if (inDoubt) this.doubtful.add(entry);
    else this.doubtful.delete(entry);
  }

  /** A copy: settling an order while iterating removes it. */
  inDoubt(): OrderEntry[] {
    return [...this.doubtful];
  }

  get inDoubtCount(): number {
    return this.doubtful.size;
  }

  /** Wakes whoever waits on this order (a transition, or a risk rejection). */
  notify(clientOrderId: string): void {
    const set = this.waiters.get(clientOrderId);
    if (set) for (const wake of [...set]) wake();
  }

  /** Resolves true once `done()` holds (checked now and at each notify), false after `timeoutMs`. */
  waitFor(clientOrderId: string, done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let set = this.waiters.get(clientOrderId);
      if (!set) this.waiters.set(clientOrderId, (set = new Set()));
      const finish = (result: boolean) => {
        clearTimeout(timer);
        set!.delete(check);
        if (set!.size === 0) this.waiters.delete(clientOrderId);
        resolve(result);
      };
      const check = () => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      set.add(check);
    });
  }
}
