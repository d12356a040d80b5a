import type { Decimal } from '@meridian/domain';
import type { ManagedOrder } from '@meridian/orders';

/** One order this shard executes, with what the service knows beyond its state. */
export interface OrderEntry {
  readonly order: ManagedOrder;
  readonly referencePrice: Decimal | undefined;
  /** A request whose outcome is unknown (timeout, dropped connection): settled by looking the order up, never by guessing. */
  inDoubt: boolean;
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

  get inDoubtCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.inDoubt) n += 1;
    return n;
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
