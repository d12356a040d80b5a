import type { Side } from '@meridian/domain';
import { CANCEL_REASONS, MATCH_EVENT_TYPES, ORDER_TYPES, REJECT_REASONS, REQUEST_KINDS } from './matching-types';
import type {
  CancelReason,
  ClientOrderId,
  MatchEvent,
  MatchEventType,
  OrderType,
  RejectReason,
  RequestKind,
  TickMatchEvent,
} from './matching-types';

// Event kinds, as indexes into MATCH_EVENT_TYPES.
export const EV_ACCEPTED = 0;
export const EV_RESTED = 1;
export const EV_FILL = 2;
export const EV_CANCELLED = 3;
export const EV_REJECTED = 4;
export const EV_TRIGGERED = 5;
export const EV_AMENDED = 6;

const SIDES: readonly Side[] = ['BUY', 'SELL'];

/**
 * The events of one engine call, in order, held in typed-array columns that are reused from call
 * to call: producing them allocates nothing (the tick engine's hot path stays free of garbage),
 * and a consumer that wants objects calls `event(i)` / `toArray()`.
 *
 * Column use per kind (unused columns hold stale values):
 *
 * | kind | orderId | makerId | price | quantity | remaining | makerRemaining | filled | makerFilled | stopPrice | code |
 * | accepted | id | | limit price (NaN: none) | total | | | | | stop price (NaN: none) | order type |
 * | rested | id | | price | | remaining | | filled | | | |
 * | fill | taker | maker | price | quantity | taker's | maker's | taker's | maker's | | |
 * | cancelled | id | | | cancelled | | | filled | | | cancel reason |
 * | rejected | id | | | | | | | | | reject reason (request kind in `code2`) |
 * | triggered | id | | last trade price | | | | | | stop price | |
 * | amended | id | | price | total | remaining | | filled | | | 0 kept, 1 lost |
 */
export class MatchEventBuffer {
  private count = 0;
  private kinds: Uint8Array;
  private sides: Uint8Array;
  private codes: Uint8Array;
  private codes2: Uint8Array;
  private ids: Float64Array;
  private makerIds: Float64Array;
  private prices: Float64Array;
  private quantities: Float64Array;
  private remainings: Float64Array;
  private makerRemainings: Float64Array;
  private filleds: Float64Array;
  private makerFilleds: Float64Array;
  private stopPrices: Float64Array;
  // Only accepted and rejected events write these.
  private readonly messages: string[] = [];
  private readonly clientIds: (ClientOrderId | undefined)[] = [];

  constructor(initialCapacity = 64) {
    const n = Math.max(4, initialCapacity | 0);
    this.kinds = new Uint8Array(n);
    this.sides = new Uint8Array(n);
    this.codes = new Uint8Array(n);
    this.codes2 = new Uint8Array(n);
    this.ids = new Float64Array(n);
    this.makerIds = new Float64Array(n);
    this.prices = new Float64Array(n);
    this.quantities = new Float64Array(n);
    this.remainings = new Float64Array(n);
    this.makerRemainings = new Float64Array(n);
    this.filleds = new Float64Array(n);
    this.makerFilleds = new Float64Array(n);
    this.stopPrices = new Float64Array(n);
  }

  /** Events of the last call. */
  get length(): number {
    return this.count;
  }

  type(i: number): MatchEventType {
    return MATCH_EVENT_TYPES[this.kinds[i]!]!;
  }

  /** Numeric kind: the index of `type(i)` in `MATCH_EVENT_TYPES`. */
  kindCode(i: number): number {
    return this.kinds[i]!;
  }

  /** The order the event is about (the taker of a fill). */
  orderId(i: number): number {
    return this.ids[i]!;
  }

  makerOrderId(i: number): number {
    return this.makerIds[i]!;
  }

  side(i: number): Side {
    return SIDES[this.sides[i]!]!;
  }

  price(i: number): number {
    return this.prices[i]!;
  }

  quantity(i: number): number {
    return this.quantities[i]!;
  }

  remaining(i: number): number {
    return this.remainings[i]!;
  }

  makerRemaining(i: number): number {
    return this.makerRemainings[i]!;
  }

  filled(i: number): number {
    return this.filleds[i]!;
  }

  makerFilled(i: number): number {
    return this.makerFilleds[i]!;
  }

  /** The materialised event, in ticks and lots. */
  event(i: number): TickMatchEvent {
    return this.eventAs(i, same, same);
  }

  /**
   * The materialised event with its prices and quantities converted by `price` (ticks) and
   * `quantity` (lots), e.g. to Decimals on a `TickScale`.
   */
  eventAs<N>(i: number, price: (ticks: number) => N, quantity: (lots: number) => N): MatchEvent<N> {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`event index ${i} is outside [0, ${this.count})`);
    const orderId = this.ids[i]!;
    const side = SIDES[this.sides[i]!]!;
    switch (this.kinds[i]) {
      case EV_ACCEPTED: {
        const limit = this.prices[i]!;
        const stop = this.stopPrices[i]!;
        return {
          type: 'accepted',
          orderId,
          clientOrderId: this.clientIds[i],
          side,
          orderType: ORDER_TYPES[this.codes[i]!] as OrderType,
          quantity: quantity(this.quantities[i]!),
          price: Number.isNaN(limit) ? undefined : price(limit),
          stopPrice: Number.isNaN(stop) ? undefined : price(stop),
        };
      }
      case EV_RESTED:
        return { type: 'rested', orderId, side, price: price(this.prices[i]!), remaining: quantity(this.remainings[i]!), filled: quantity(this.filleds[i]!) };
      case EV_FILL:
        return {
          type: 'fill',
          takerOrderId: orderId,
          makerOrderId: this.makerIds[i]!,
          takerSide: side,
          price: price(this.prices[i]!),
          quantity: quantity(this.quantities[i]!),
          takerRemaining: quantity(this.remainings[i]!),
          makerRemaining: quantity(this.makerRemainings[i]!),
          takerFilled: quantity(this.filleds[i]!),
          makerFilled: quantity(this.makerFilleds[i]!),
        };
      case EV_CANCELLED:
        return {
          type: 'cancelled',
          orderId,
          side,
          quantity: quantity(this.quantities[i]!),
          filled: quantity(this.filleds[i]!),
          reason: CANCEL_REASONS[this.codes[i]!] as CancelReason,
        };
      case EV_REJECTED:
        return {
          type: 'rejected',
          orderId,
          clientOrderId: this.clientIds[i],
          request: REQUEST_KINDS[this.codes2[i]!] as RequestKind,
          reason: REJECT_REASONS[this.codes[i]!] as RejectReason,
          message: this.messages[i]!,
        };
      case EV_TRIGGERED:
        return { type: 'triggered', orderId, side, stopPrice: price(this.stopPrices[i]!), lastTradePrice: price(this.prices[i]!) };
      default:
        return {
          type: 'amended',
          orderId,
          side,
          price: price(this.prices[i]!),
          quantity: quantity(this.quantities[i]!),
          remaining: quantity(this.remainings[i]!),
          filled: quantity(this.filleds[i]!),
          priority: this.codes[i] === 0 ? 'kept' : 'lost',
        };
    }
  }

  toArray(): TickMatchEvent[] {
    const out: TickMatchEvent[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.event(i));
    return out;
  }

  // ---- Writers, for the engine.

  clear(): void {
    this.count = 0;
  }

  accepted(id: number, clientOrderId: ClientOrderId | undefined, side: number, type: number, quantity: number, price: number, stopPrice: number): void {
    const i = this.next(EV_ACCEPTED, id, side);
    this.codes[i] = type;
    this.quantities[i] = quantity;
    this.prices[i] = price;
    this.stopPrices[i] = stopPrice;
    this.clientIds[i] = clientOrderId;
  }

  rested(id: number, side: number, price: number, remaining: number, filled: number): void {
    const i = this.next(EV_RESTED, id, side);
    this.prices[i] = price;
    this.remainings[i] = remaining;
    this.filleds[i] = filled;
  }

  fill(
    taker: number,
    maker: number,
    takerSide: number,
    price: number,
    quantity: number,
    takerRemaining: number,
    makerRemaining: number,
    takerFilled: number,
    makerFilled: number,
  ): void {
    const i = this.next(EV_FILL, taker, takerSide);
    this.makerIds[i] = maker;
    this.prices[i] = price;
    this.quantities[i] = quantity;
    this.remainings[i] = takerRemaining;
    this.makerRemainings[i] = makerRemaining;
    this.filleds[i] = takerFilled;
    this.makerFilleds[i] = makerFilled;
  }

  cancelled(id: number, side: number, quantity: number, filled: number, reason: number): void {
    const i = this.next(EV_CANCELLED, id, side);
    this.quantities[i] = quantity;
    this.filleds[i] = filled;
    this.codes[i] = reason;
  }

  rejected(id: number, clientOrderId: ClientOrderId | undefined, request: number, reason: number, message: string): void {
    const i = this.next(EV_REJECTED, id, 0);
    this.codes[i] = reason;
    this.codes2[i] = request;
    this.messages[i] = message;
    this.clientIds[i] = clientOrderId;
  }

  triggered(id: number, side: number, stopPrice: number, lastTradePrice: number): void {
    const i = this.next(EV_TRIGGERED, id, side);
    this.stopPrices[i] = stopPrice;
    this.prices[i] = lastTradePrice;
  }

  amended(id: number, side: number, price: number, quantity: number, remaining: number, filled: number, lost: boolean): void {
    const i = this.next(EV_AMENDED, id, side);
    this.prices[i] = price;
    this.quantities[i] = quantity;
    this.remainings[i] = remaining;
    this.filleds[i] = filled;
    this.codes[i] = lost ? 1 : 0;
  }

  /** Code of the reject reason / cancel reason / order type stored with event `i`. */
  code(i: number): number {
    return this.codes[i]!;
  }

  stopPrice(i: number): number {
    return this.stopPrices[i]!;
  }

  private next(kind: number, id: number, side: number): number {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.ids[i] = id;
    this.sides[i] = side;
    return i;
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    this.kinds = grown(this.kinds, new Uint8Array(n));
    this.sides = grown(this.sides, new Uint8Array(n));
    this.codes = grown(this.codes, new Uint8Array(n));
    this.codes2 = grown(this.codes2, new Uint8Array(n));
    this.ids = grown(this.ids, new Float64Array(n));
    this.makerIds = grown(this.makerIds, new Float64Array(n));
    this.prices = grown(this.prices, new Float64Array(n));
    this.quantities = grown(this.quantities, new Float64Array(n));
    this.remainings = grown(this.remainings, new Float64Array(n));
    this.makerRemainings = grown(this.makerRemainings, new Float64Array(n));
    this.filleds = grown(this.filleds, new Float64Array(n));
    this.makerFilleds = grown(this.makerFilleds, new Float64Array(n));
    this.stopPrices = grown(this.stopPrices, new Float64Array(n));
  }
}

function same(value: number): number {
  return value;
}

function grown<T extends Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
