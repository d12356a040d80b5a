import { Decimal } from '@meridian/domain';
import { InvalidOrderTermsError, InvalidOrderTransitionError } from './errors';
import type { OrderEvent, OrderSnapshot, OrderState, OrderTerms, OrderTransition } from './types';

const TERMINAL: ReadonlySet<OrderState> = new Set(['filled', 'cancelled', 'rejected', 'expired']);
const WORKING: ReadonlySet<OrderState> = new Set(['acked', 'partially_filled']);

/** Average prices are exact to this many fraction digits (the fills' notional stays exact). */
export const AVERAGE_PRICE_SCALE = 12;

export function isTerminalState(state: OrderState): boolean {
  return TERMINAL.has(state);
}

/**
 * One order and the only code that changes its state. `apply` either makes exactly one
 * transition, or returns undefined for an event that changes nothing by design (the same fill
 * seen twice, an ack arriving after the order already filled), or throws
 * `InvalidOrderTransitionError` for an event the state does not allow — a fill after a cancel, a
 * fill beyond the quantity — leaving the order as it was. Venues differ in what they push first;
 * the machine accepts every order of events a correct venue can produce and nothing else.
 */
export class ManagedOrder {
  private stateValue: OrderState = 'new';
  private venueOrderIdValue: string | undefined;
  private quantityValue: Decimal;
  private limitPriceValue: Decimal | undefined;
  private filled = Decimal.ZERO;
  private notional = Decimal.ZERO;
  private feesValue = Decimal.ZERO;
  private readonly tradeIds = new Set<string>();
  private reasonValue: string | undefined;
  private updatedNs: bigint;
  private sequence = 0;

  constructor(
    readonly terms: OrderTerms,
    readonly createdNs: bigint,
  ) {
    const id = terms.clientOrderId;
    if (typeof id !== 'string' || id.length === 0) throw new InvalidOrderTermsError(String(id), 'clientOrderId', id, 'must be a non-empty string');
    if (!(terms.quantity instanceof Decimal) || !terms.quantity.isPositive()) throw new InvalidOrderTermsError(id, 'quantity', terms.quantity, 'must be positive');
    const priced = terms.kind === 'limit' || terms.kind === 'stop_limit';
    if (priced && !(terms.limitPrice instanceof Decimal && terms.limitPrice.isPositive())) {
      throw new InvalidOrderTermsError(id, 'limitPrice', terms.limitPrice, `must be positive for a ${terms.kind} order`);
    }
    if (!priced && terms.limitPrice !== undefined) throw new InvalidOrderTermsError(id, 'limitPrice', terms.limitPrice, `is not allowed on a ${terms.kind} order`);
    const stopped = terms.kind === 'stop' || terms.kind === 'stop_limit';
    if (stopped && !(terms.stopPrice instanceof Decimal && terms.stopPrice.isPositive())) {
      throw new InvalidOrderTermsError(id, 'stopPrice', terms.stopPrice, `must be positive for a ${terms.kind} order`);
    }
    if (!stopped && terms.stopPrice !== undefined) throw new InvalidOrderTermsError(id, 'stopPrice', terms.stopPrice, `is not allowed on a ${terms.kind} order`);
    this.quantityValue = terms.quantity;
    this.limitPriceValue = terms.limitPrice;
    this.updatedNs = createdNs;
  }

  get clientOrderId(): string {
    return this.terms.clientOrderId;
  }

  get state(): OrderState {
    return this.stateValue;
  }

  get isTerminal(): boolean {
    return TERMINAL.has(this.stateValue);
  }

  get leavesQuantity(): Decimal {
    return this.isTerminal ? Decimal.ZERO : this.quantityValue.sub(this.filled);
  }

  get filledQuantity(): Decimal {
    return this.filled;
  }

  get venueOrderId(): string | undefined {
    return this.venueOrderIdValue;
  }

  /** Whether this fill (by the venue's trade id) was already applied. */
  hasFill(tradeId: string): boolean {
    return this.tradeIds.has(tradeId);
  }

  apply(event: OrderEvent): OrderTransition | undefined {
    const from = this.stateValue;
    switch (event.type) {
      case 'ack':
        if (from === 'new') {
          this.venueOrderIdValue = event.venueOrderId;
          return this.move(from, 'acked', event);
        }
        if (from === 'rejected') return this.refuse(event, 'the venue rejected the order');
        // Already working or done: venues may push a fill before the placement's answer arrives.
        this.venueOrderIdValue ??= event.venueOrderId;
        return undefined;
      case 'reject':
        if (from === 'new') {
          this.reasonValue = event.reason;
          return this.move(from, 'rejected', event);
        }
        if (from === 'rejected') return undefined;
        return this.refuse(event, 'only an order the venue has not accepted can be rejected');
      case 'fill': {
        if (this.tradeIds.has(event.tradeId)) return undefined;
        if (from !== 'new' && !WORKING.has(from)) return this.refuse(event, `a ${from} order cannot fill`);
        if (!event.quantity.isPositive()) return this.refuse(event, `fill quantity ${event.quantity} must be positive`);
        if (!event.price.isPositive()) return this.refuse(event, `fill price ${event.price} must be positive`);
        const filled = this.filled.add(event.quantity);
        if (filled.gt(this.quantityValue)) {
          return this.refuse(event, `fill of ${event.quantity} would make ${filled} filled of ${this.quantityValue}`);
        }
        this.tradeIds.add(event.tradeId);
        this.filled = filled;
        this.notional = this.notional.add(event.price.mul(event.quantity));
        this.feesValue = this.feesValue.add(event.fee);
        if (event.venueOrderId !== undefined) this.venueOrderIdValue ??= event.venueOrderId;
        return this.move(from, filled.eq(this.quantityValue) ? 'filled' : 'partially_filled', event);
      }
      case 'cancel':
      case 'expire': {
        const to: OrderState = event.type === 'cancel' ? 'cancelled' : 'expired';
        if (from === to) return undefined;
        if (from !== 'new' && !WORKING.has(from)) return this.refuse(event, `a ${from} order cannot be ${to}`);
        this.reasonValue = event.reason;
        return this.move(from, to, event);
      }
      case 'amend': {
        if (!WORKING.has(from)) return this.refuse(event, `only a working order can be amended, not a ${from} one`);
        if (event.quantity === undefined && event.limitPrice === undefined) return this.refuse(event, 'changes neither quantity nor price');
        if (event.quantity !== undefined && !event.quantity.gt(this.filled)) {
          return this.refuse(event, `new quantity ${event.quantity} must exceed the ${this.filled} already filled`);
        }
        if (event.limitPrice !== undefined) {
          if (this.limitPriceValue === undefined) return this.refuse(event, `a ${this.terms.kind} order has no limit price to change`);
          if (!event.limitPrice.isPositive()) return this.refuse(event, `limit price ${event.limitPrice} must be positive`);
        }
        if (event.quantity !== undefined) this.quantityValue = event.quantity;
        if (event.limitPrice !== undefined) this.limitPriceValue = event.limitPrice;
        return this.move(from, from, event);
      }
    }
  }

  snapshot(): OrderSnapshot {
    return {
      terms: this.terms,
      state: this.stateValue,
      venueOrderId: this.venueOrderIdValue,
      quantity: this.quantityValue,
      limitPrice: this.limitPriceValue,
      filledQuantity: this.filled,
      leavesQuantity: this.leavesQuantity,
      filledNotional: this.notional,
      averagePrice: this.filled.isZero() ? undefined : this.notional.div(this.filled, AVERAGE_PRICE_SCALE),
      fees: this.feesValue,
      fillCount: this.tradeIds.size,
      reason: this.reasonValue,
      createdNs: this.createdNs,
      updatedNs: this.updatedNs,
      transitions: this.sequence,
    };
  }

  private move(from: OrderState, to: OrderState, event: OrderEvent): OrderTransition {
    this.stateValue = to;
    this.updatedNs = event.tsNs > this.updatedNs ? event.tsNs : this.updatedNs;
    this.sequence += 1;
    return { clientOrderId: this.terms.clientOrderId, from, to, event, sequence: this.sequence };
  }

  private refuse(event: OrderEvent, reason: string): never {
    throw new InvalidOrderTransitionError(this.terms.clientOrderId, this.stateValue, event.type, reason);
  }
}
