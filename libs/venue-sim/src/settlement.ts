import { Decimal } from '@meridian/domain';
import type { FillEvent } from '@meridian/book';
import type { Account } from './account';
import { feeBound, fillFee } from './fees';
import type { SimMarket } from './market';
import type { OrderRecord } from './order-record';
import type { SimFill, SimOrderStatus, SimUpdate } from './types';

/**
 * Moves money for fills and order ends, exactly: every amount an account gives, another account
 * (the counterparty, the house for mirrored liquidity, the fee account for fees) receives, so each
 * currency's sum over the venue's accounts never changes. Also keeps each order's hold equal to
 * what it still needs in a cash account:
 *
 * - buy with a limit price: price × remaining + `feeReserve` (at most `feeBound` of the remaining
 *   notional); a fill at a better price releases the improvement at once;
 * - buy without one (market, triggered stop market): the sweep estimate, paid down by each fill,
 *   the rest released when the order ends;
 * - sell: the remaining quantity of the base currency.
 */
export class Settlement {
  private nextTradeSeq: bigint;

  constructor(
    private readonly house: Account,
    private readonly feeAccount: Account,
    private readonly emit: (account: Account, update: SimUpdate) => void,
    firstTradeId = 1n,
  ) {
    this.nextTradeSeq = firstTradeId;
  }

  /** Settles one engine fill. `price` is the fill price (the engine's, or with slippage for our taker). */
  fill(market: SimMarket, ev: FillEvent, price: Decimal, nowNs: bigint): void {
    const taker = market.owners.get(ev.takerOrderId);
    const maker = market.owners.get(ev.makerOrderId);
    const { baseCurrency: base, quoteCurrency: quote } = market.instrument;
    const quantity = ev.quantity;
    const notional = price.mul(quantity);
    const takerBuys = ev.takerSide === 'BUY';
    if (taker === undefined) this.houseSide(base, quote, takerBuys, quantity, notional);
    else this.settleSide(taker, 'taker', price, quantity, notional, nowNs);
    if (maker === undefined) this.houseSide(base, quote, !takerBuys, quantity, notional);
    else this.settleSide(maker, 'maker', price, quantity, notional, nowNs);
  }

  /** Mirrored liquidity's side of a fill (or an external print's): the house is the counterparty, without fees. */
  private houseSide(base: string, quote: string, buy: boolean, quantity: Decimal, notional: Decimal): void {
    this.house.credit(base, buy ? quantity : quantity.neg());
    this.house.credit(quote, buy ? notional.neg() : notional);
  }

  private settleSide(order: OrderRecord, liquidity: 'maker' | 'taker', price: Decimal, quantity: Decimal, notional: Decimal, nowNs: bigint): void {
    const account = order.account;
    const { baseCurrency: base, quoteCurrency: quote } = order.market.instrument;
    const schedule = account.fees;
    const before = liquidity === 'maker' ? order.makerNotional : order.takerNotional;
    const after = before.add(notional);
    const fee = fillFee(liquidity === 'maker' ? schedule.maker : schedule.taker, before, after, schedule.scale);
    if (liquidity === 'maker') order.makerNotional = after;
    else order.takerNotional = after;
    const charged = fee.isPositive() ? fee : Decimal.ZERO;
    const cash = account.mode === 'cash';
    if (order.side === 'BUY') {
      if (cash && order.price !== undefined) {
        const pay = notional.add(charged);
        const improvement = order.price.sub(price).mul(quantity);
        account.payFromHold(quote, pay);
        account.release(quote, improvement);
        order.hold = order.hold.sub(pay).sub(improvement);
        order.feeReserve = order.feeReserve.sub(charged);
        if (fee.isNegative()) account.credit(quote, fee.neg());
      } else if (cash) {
        const pay = notional.add(fee);
        const fromHold = Decimal.min(Decimal.max(pay, Decimal.ZERO), order.hold);
        account.payFromHold(quote, fromHold);
        account.credit(quote, fromHold.sub(pay));
        order.hold = order.hold.sub(fromHold);
      } else {
        account.credit(quote, notional.add(fee).neg());
      }
      account.credit(base, quantity);
    } else {
      if (cash) {
        account.payFromHold(base, quantity);
        order.hold = order.hold.sub(quantity);
      } else {
        account.credit(base, quantity.neg());
      }
      account.credit(quote, notional.sub(fee));
    }
    this.feeAccount.credit(quote, fee);

    account.addWorking(quote, base, order.side, quantity.neg());
    order.filledQuantity = order.filledQuantity.add(quantity);
    order.filledNotional = order.filledNotional.add(notional);
    order.fees = order.fees.add(fee);
    const complete = order.filledQuantity.eq(order.quantity);
    order.status = complete ? 'filled' : 'partially_filled';
    order.touch(nowNs);
    const fill: SimFill = Object.freeze({
      tradeId: (this.nextTradeSeq++).toString(),
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      account: account.id,
      symbol: order.market.symbol,
      side: order.side,
      price,
      quantity,
      fee,
      feeCurrency: quote,
      liquidity,
      tsNs: nowNs,
    });
    account.recordFill(fill);
    order.fillCount++;
    if (complete) this.close(order);
    this.emit(account, { kind: 'fill', fill, order: order.snapshot() });
  }

  /** Ends an open order (cancelled, expired) and tells its account. */
  end(order: OrderRecord, status: SimOrderStatus, reason: string, nowNs: bigint): void {
    order.status = status;
    order.reason = reason;
    order.touch(nowNs);
    this.close(order);
    this.emit(order.account, { kind: 'order', order: order.snapshot() });
  }

  /** An order left the book: release what it still holds and forget it as open. */
  private close(order: OrderRecord): void {
    const { baseCurrency, quoteCurrency } = order.market.instrument;
    order.account.addWorking(quoteCurrency, baseCurrency, order.side, order.remaining.neg());
    order.account.release(order.holdCurrency, order.hold);
    order.hold = Decimal.ZERO;
    order.feeReserve = Decimal.ZERO;
    order.account.open.delete(order);
    if (order.engineId !== undefined) order.market.owners.delete(order.engineId);
    order.market.stops.remove(order);
  }

  /** Sets a cash order's hold to what `price` × `remaining` needs (limit buys: plus the fee bound; sells: the quantity). */
  holdFor(order: OrderRecord, price: Decimal | undefined, remaining: Decimal): { hold: Decimal; feeReserve: Decimal } {
    if (order.account.mode !== 'cash') return { hold: Decimal.ZERO, feeReserve: Decimal.ZERO };
    if (order.side === 'SELL') return { hold: remaining, feeReserve: Decimal.ZERO };
    const notional = price!.mul(remaining);
    const feeReserve = feeBound(notional, order.account.fees);
    return { hold: notional.add(feeReserve), feeReserve };
  }

  /** Moves the order's hold to `target` (reserving more or releasing the excess). */
  retarget(order: OrderRecord, target: { hold: Decimal; feeReserve: Decimal }): void {
    const delta = target.hold.sub(order.hold);
    if (delta.isPositive()) order.account.reserve(order.holdCurrency, delta);
    else order.account.release(order.holdCurrency, delta.neg());
    order.hold = target.hold;
    order.feeReserve = target.feeReserve;
  }
}
