import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Account } from './account';
import type { SimMarket } from './market';
import type { SimOrder, SimOrderStatus, SimOrderType, SimTimeInForce } from './types';

/** Digits of `SimOrder.averagePrice`. */
export const AVERAGE_PRICE_SCALE = 12;

const DONE: ReadonlySet<SimOrderStatus> = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/**
 * The venue's mutable record of one order: what `SimOrder` shows, plus what the venue needs to
 * settle it (the engine order id, the funds it holds, its running notional per liquidity kind for
 * the fees). `snapshot()` is the immutable view handed out, rebuilt only after a change.
 */
export class OrderRecord {
  status: SimOrderStatus = 'new';
  quantity: Decimal;
  price: Decimal | undefined;
  filledQuantity = Decimal.ZERO;
  filledNotional = Decimal.ZERO;
  fees = Decimal.ZERO;
  reason: string | undefined = undefined;
  updatedNs: bigint;
  /** The engine's id while the order is in the engine (resting, or being matched); undefined for a held stop. */
  engineId: number | undefined = undefined;
  /** A stop order whose stop price was reached: it is (or was) in the engine as a market or limit order. */
  triggered = false;
  /** Funds reserved for this order in `holdCurrency` (cash accounts). */
  hold = Decimal.ZERO;
  /** The part of `hold` that covers future fees (cash buys with a limit price); see `feeBound`. */
  feeReserve = Decimal.ZERO;
  makerNotional = Decimal.ZERO;
  takerNotional = Decimal.ZERO;
  /** Adverse ticks for this order's taker fills against mirrored liquidity, drawn when it last entered the engine. */
  slippageTicks = 0;
  /** How many entries of the account's `fills` are this order's: what forgetting it drops from there. */
  fillCount = 0;
  /** Forgotten by `SimulatedVenue.forgetDone`: its entry in the account's `orders` waits for the next compaction. */
  forgotten = false;
  /** The venue's id: `seq` as a decimal string. */
  readonly orderId: string;
  private cached: SimOrder | undefined;

  constructor(
    readonly seq: bigint,
    readonly account: Account,
    readonly market: SimMarket,
    readonly clientOrderId: string,
    readonly side: Side,
    readonly type: SimOrderType,
    readonly timeInForce: SimTimeInForce,
    readonly postOnly: boolean,
    quantity: Decimal,
    price: Decimal | undefined,
    readonly stopPrice: Decimal | undefined,
    readonly createdNs: bigint,
    readonly holdCurrency: string,
  ) {
    this.orderId = seq.toString();
    this.quantity = quantity;
    this.price = price;
    this.updatedNs = createdNs;
  }


  get remaining(): Decimal {
    return this.quantity.sub(this.filledQuantity);
  }

  get done(): boolean {
    return DONE.has(this.status);
  }

  /** A stop order waiting for its stop price, off the engine. */
  get heldStop(): boolean {
    return (this.type === 'stop' || this.type === 'stop_limit') && !this.triggered && !this.done;
  }

  touch(nowNs: bigint): void {
    this.updatedNs = nowNs;
    this.cached = undefined;
  }

  snapshot(): SimOrder {
    if (this.cached !== undefined) return this.cached;
    const filled = this.filledQuantity;
    this.cached = Object.freeze({
      orderId: this.orderId,
      clientOrderId: this.clientOrderId,
      account: this.account.id,
      symbol: this.market.symbol,
      side: this.side,
      type: this.type,
      timeInForce: this.timeInForce,
      postOnly: this.postOnly,
      quantity: this.quantity,
      price: this.price,
      stopPrice: this.stopPrice,
      status: this.status,
      filledQuantity: filled,
      filledNotional: this.filledNotional,
      averagePrice: filled.isZero() ? undefined : this.filledNotional.div(filled, AVERAGE_PRICE_SCALE, 'half-even'),
      fees: this.fees,
      feeCurrency: this.market.instrument.quoteCurrency,
      reason: this.reason,
      createdNs: this.createdNs,
      updatedNs: this.updatedNs,
    });
    return this.cached;
  }
}
