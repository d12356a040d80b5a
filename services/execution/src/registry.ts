import type { Decimal } from '@meridian/domain';
import type { ManagedOrder, OrderEvent, OrderTransition } from '@meridian/orders';
import { SettledIds } from '@meridian/portfolio';

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

/**
 * The orders of this shard by client order id, and callers waiting for one to change.
 *
 * It holds the working orders and the ones settled (filled, cancelled, rejected, expired) within
 * the last one to two sweeps of `forgetSettled`: a long-running service must not hold every order
 * it ever handled. Every event applied to an order passes through `apply`, so the registry sees
 * each order settle and keeps the working ones apart.
 */
export class OrderRegistry {
  private readonly entries = new Map<string, OrderEntry>();
  /** The entries not terminal, in the order they were added: `open()` visits these, not every order remembered. */
  private readonly working = new Map<string, OrderEntry>();
  /**
   * Orders whose last request has an unknown outcome (timeout, dropped connection): settled by
   * looking them up, never by guessing. Kept apart so the reconciliation timer and the gauge
   * visit only these, not every order the shard ever had.
   */
  private readonly doubtful = new Set<OrderEntry>();
  private readonly settled = new SettledIds();
  /**
   * Per approval subject, the highest stream sequence of an approval handled (added, or found
   * known). Both readers of approvals (the stream followed from the start and the durable
   * consumer, one message in flight) read a subject in sequence order, so an approval at or below
   * this whose order is not here was here once and has been forgotten: a redelivery of a settled
   * order, which must never be placed again. One number per symbol instead of every id.
   */
  private readonly approvalsSeen = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  get(clientOrderId: string): OrderEntry | undefined {
    return this.entries.get(clientOrderId);
  }

  add(entry: OrderEntry): void {
    const id = entry.order.clientOrderId;
    this.entries.set(id, entry);
    if (entry.order.isTerminal) this.settled.mark(id);
    else this.working.set(id, entry);
  }

  /**
   * Applies one event to an order (throws what `ManagedOrder.apply` throws). An order it settles
   * leaves the working set and its retention starts.
   */
  apply(order: ManagedOrder, event: OrderEvent): OrderTransition | undefined {
    const transition = order.apply(event);
    const id = order.clientOrderId;
    if (order.isTerminal && this.working.get(id)?.order === order) {
      this.working.delete(id);
      this.settled.mark(id);
    }
    return transition;
  }

  values(): IterableIterator<OrderEntry> {
    return this.entries.values();
  }

  /** Orders remembered: working, or settled within the retention. */
  get size(): number {
    return this.entries.size;
  }

  /** Orders not in a terminal state (the working set; the state is checked too, should an event ever bypass `apply`). */
  open(symbol?: string): OrderEntry[] {
    return [...this.working.values()].filter((e) => !e.order.isTerminal && (symbol === undefined || e.order.terms.symbol === symbol));
  }

  /** An approval at `sequence` on `subject` was handled (its order added, or known already). */
  approvalSeen(subject: string, sequence: number): void {
    if (sequence > (this.approvalsSeen.get(subject) ?? 0)) this.approvalsSeen.set(subject, sequence);
  }

  /** Whether an approval whose order is not here was handled before: its order settled and was forgotten. */
  wasForgotten(subject: string, sequence: number): boolean {
    return sequence <= (this.approvalsSeen.get(subject) ?? 0);
  }

  /**
   * Forgets the orders settled before the previous sweep (so between one and two sweeps after they
   * settled), except one still in doubt or that `keep` holds: those are looked at again next time.
   * `onForget` is told each order forgotten (the paper venue forgets the same ones). Returns how
   * many were forgotten.
   */
  forgetSettled(keep: (entry: OrderEntry) => boolean, onForget?: (entry: OrderEntry) => void): number {
    let forgotten = 0;
    for (const id of this.settled.sweep()) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      if (this.doubtful.has(entry) || keep(entry)) {
        this.settled.mark(id);
        continue;
      }
      this.entries.delete(id);
      forgotten++;
      onForget?.(entry);
    }
    return forgotten;
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
