import type { VenueOrderState } from '../types';

const TERMINAL = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/** How many closed orders and fill ids are remembered to drop late duplicates. */
const MEMORY = 100_000;

/**
 * What the adapter has told its listeners about each order, so that a push repeated after a
 * reconnect, or an older state arriving after a newer one (a REST answer racing a push), is
 * not reported again or backwards: fills are reported once per trade id, and an order state only
 * when it moves forward (more filled, or later, and never out of a final state).
 */
export class OrderTracker {
  private readonly orders = new Map<string, { instId: string; state: VenueOrderState }>();
  private readonly fills = new Set<string>();
  private lastMs: number | undefined;

  /** Unix ms of the newest order update or fill reported, if any. */
  get lastEventMs(): number | undefined {
    return this.lastMs;
  }

  private touch(updatedNs: bigint): void {
    const ms = Number(updatedNs / 1_000_000n);
    if (this.lastMs === undefined || ms > this.lastMs) this.lastMs = ms;
  }

  /** True (and remembered) if `state` moves the order forward; false for a repeat or a step back. */
  advance(instId: string, state: VenueOrderState): boolean {
    const known = this.orders.get(state.venueOrderId);
    if (known !== undefined) {
      const prior = known.state;
      if (TERMINAL.has(prior.status)) return false;
      const more = state.filledQuantity.cmp(prior.filledQuantity);
      if (more < 0) return false;
      // The end of an order is news whatever its timestamp says (our own acknowledgement is stamped by our clock).
      if (more === 0 && !TERMINAL.has(state.status)) {
        if (state.updatedNs < prior.updatedNs) return false;
        if (state.status === prior.status && state.quantity.eq(prior.quantity) && samePrice(state, prior)) return false;
      }
    }
    this.remember(instId, state);
    return true;
  }

  /** Records a state without the forward check (the order after a fill that is being reported). */
  remember(instId: string, state: VenueOrderState): void {
    const known = this.orders.get(state.venueOrderId);
    // A final state is never replaced by an older open one, whatever path it came by.
    if (known !== undefined && TERMINAL.has(known.state.status) && !TERMINAL.has(state.status)) return;
    this.orders.delete(state.venueOrderId);
    this.orders.set(state.venueOrderId, { instId, state });
    this.touch(state.updatedNs);
    this.trim();
  }

  /** True the first time a trade id is seen (per instrument: OKX's trade ids are unique per instrument). */
  firstFill(instId: string, tradeId: string, tsNs: bigint): boolean {
    const key = `${instId}|${tradeId}`;
    if (this.fills.has(key)) return false;
    this.fills.add(key);
    this.touch(tsNs);
    if (this.fills.size > MEMORY) {
      const oldest = this.fills.values().next().value;
      if (oldest !== undefined) this.fills.delete(oldest);
    }
    return true;
  }

  state(venueOrderId: string): VenueOrderState | undefined {
    return this.orders.get(venueOrderId)?.state;
  }

  /** Orders last known open, with their instrument. */
  open(): { instId: string; state: VenueOrderState }[] {
    return [...this.orders.values()].filter((o) => !TERMINAL.has(o.state.status));
  }

  private trim(): void {
    if (this.orders.size <= MEMORY) return;
    for (const [id, o] of this.orders) {
      if (this.orders.size <= MEMORY) break;
      if (TERMINAL.has(o.state.status)) this.orders.delete(id);
    }
  }
}

function samePrice(a: VenueOrderState, b: VenueOrderState): boolean {
  if (a.limitPrice === undefined || b.limitPrice === undefined) return a.limitPrice === b.limitPrice;
  return a.limitPrice.eq(b.limitPrice);
}
