import { Decimal } from '@meridian/domain';
import type { Level } from '@meridian/book';
import { FEE_ACCOUNT, SimulatedVenue, feeBound } from '../src';
import type { FeeSchedule, SimFill, SimInstrument, SimOrder, SimResult, SimUpdate, SimulatedVenueOptions } from '../src';

export const d = (v: string): Decimal => Decimal.parse(v);

/** Levels from [price, size] string pairs. */
export function lv(...pairs: [string, string][]): Level[] {
  return pairs.map(([price, size]) => ({ price: d(price), size: d(size) }));
}

/** Levels as [price, size] strings, for readable checks. */
export function show(levels: Iterable<Level>): [string, string][] {
  return [...levels].map((l) => [l.price.toString(), l.size.toString()]);
}

export const BTC: SimInstrument = { symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.001'), minNotional: d('5') };
export const AAPL: SimInstrument = { symbol: 'AAPL', baseCurrency: 'AAPL', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: d('1') };
export const FEES: FeeSchedule = { maker: d('0.001'), taker: d('0.002'), scale: 8 };

/** A venue on a fixed clock (1, 2, 3, ... ns per call), so outputs are comparable across runs. */
export function venue(options: Partial<SimulatedVenueOptions> = {}): SimulatedVenue {
  let t = 0n;
  return new SimulatedVenue({ instruments: [BTC, AAPL], fees: FEES, clock: () => ++t, ...options });
}

export function ok<T>(result: SimResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.rejection.code}: ${result.rejection.message}`);
  return result.value;
}

export function rejection<T>(result: SimResult<T>): { code: string; message: string } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.rejection;
}

/** Balances of an account as { currency: [total, available, hold] } strings. */
export function bal(v: SimulatedVenue, account: string): Record<string, [string, string, string]> {
  const out: Record<string, [string, string, string]> = {};
  for (const b of v.balances(account)) out[b.currency] = [b.total.toString(), b.available.toString(), b.hold.toString()];
  return out;
}

export function updates(v: SimulatedVenue, account: string): SimUpdate[] {
  const out: SimUpdate[] = [];
  v.subscribe(account, (u) => out.push(u));
  return out;
}

/** An update as a short line: `order <id> <status>` or `fill <id> <qty>@<price> <liquidity> fee <fee> -> <status>`. */
export function line(u: SimUpdate): string {
  if (u.kind === 'order') return `order ${u.order.orderId} ${u.order.status}${u.order.reason === undefined ? '' : ` ${u.order.reason}`}`;
  return `fill ${u.fill.orderId} ${u.fill.quantity}@${u.fill.price} ${u.fill.liquidity} fee ${u.fill.fee} -> ${u.order.status}`;
}

/** The mirrored (house) size at a level. */
export function houseAt(v: SimulatedVenue, symbol: string, side: 'bid' | 'ask', price: string): string {
  return Decimal.sum(v.queueAt(symbol, side, d(price)).filter((e) => e.house).map((e) => e.size)).toString();
}

/** The queue at a level as `H<size>` (house) and `O<orderId>:<size>` (ours), front first. */
export function queue(v: SimulatedVenue, symbol: string, side: 'bid' | 'ask', price: string): string[] {
  return v.queueAt(symbol, side, d(price)).map((e) => (e.house ? `H${e.size}` : `O${e.orderId}:${e.size}`));
}

/**
 * Checks every invariant the venue promises, from its public surface only:
 * - each balance is exact: total = available + hold, hold ≥ 0; cash accounts never go below 0;
 * - each currency's sum over all accounts (house and fee accounts included) equals the deposits;
 * - the fee account holds exactly the fees of every fill;
 * - each order's fills add up to its filled quantity, notional and fees;
 * - holds: a cash account with no open orders holds nothing; sells hold exactly their remaining
 *   quantity; limit buys hold between price × remaining and the fee-bounded price × quantity;
 * - every open non-stop order rests in the engine with its remaining quantity;
 * - and whatever `SimulatedVenue.audit()` checks from the inside.
 */
export function checkInvariants(v: SimulatedVenue, deposits: Map<string, Decimal>, cashAccounts: readonly string[], fees: FeeSchedule = FEES): void {
  // The venue's own audit first: holds and open quantities against its orders, orders against the engine.
  v.audit();
  const sums = new Map<string, Decimal>();
  for (const id of v.accountIds()) {
    for (const b of v.balances(id)) {
      for (const x of [b.total, b.available, b.hold]) if (!(x instanceof Decimal)) throw new Error(`${id} ${b.currency}: not a Decimal`);
      if (!b.total.eq(b.available.add(b.hold))) throw new Error(`${id} ${b.currency}: total ${b.total} != ${b.available} + ${b.hold}`);
      if (b.hold.isNegative()) throw new Error(`${id} ${b.currency}: negative hold ${b.hold}`);
      if (cashAccounts.includes(id) && b.available.isNegative()) throw new Error(`cash account ${id} ${b.currency}: negative available ${b.available}`);
      sums.set(b.currency, (sums.get(b.currency) ?? Decimal.ZERO).add(b.total));
    }
  }
  for (const currency of new Set([...sums.keys(), ...deposits.keys()])) {
    const sum = sums.get(currency) ?? Decimal.ZERO;
    const deposited = deposits.get(currency) ?? Decimal.ZERO;
    if (!sum.eq(deposited)) throw new Error(`${currency}: the accounts hold ${sum} in all, ${deposited} was deposited`);
  }
  const feesByCurrency = new Map<string, Decimal>();
  for (const id of v.accountIds()) {
    if (id.startsWith('@')) continue;
    const fills = v.fills(id);
    const byOrder = new Map<string, SimFill[]>();
    for (const f of fills) {
      feesByCurrency.set(f.feeCurrency, (feesByCurrency.get(f.feeCurrency) ?? Decimal.ZERO).add(f.fee));
      byOrder.set(f.orderId, [...(byOrder.get(f.orderId) ?? []), f]);
    }
    for (const o of v.orders(id)) checkOrder(o, byOrder.get(o.orderId) ?? []);
    const open = v.openOrders(id);
    if (cashAccounts.includes(id)) checkHolds(v, id, open, fees);
    for (const o of open) {
      // An open stop market order is a held one (triggered, it executes at once and ends).
      if (o.type === 'stop') continue;
      const entry = v.queueAt(o.symbol, o.side === 'BUY' ? 'bid' : 'ask', o.price!).find((e) => e.orderId === o.orderId);
      // A stop-limit order not in the queue is still held.
      if (entry === undefined && o.type === 'stop_limit') continue;
      if (entry === undefined) throw new Error(`open order ${o.orderId} does not rest at ${o.price}`);
      if (!entry.size.eq(o.quantity.sub(o.filledQuantity))) throw new Error(`order ${o.orderId} rests with ${entry.size}, has ${o.quantity.sub(o.filledQuantity)} left`);
    }
  }
  for (const b of v.balances(FEE_ACCOUNT)) {
    const expected = feesByCurrency.get(b.currency) ?? Decimal.ZERO;
    if (!b.total.eq(expected)) throw new Error(`fee account ${b.currency} ${b.total}, the fills' fees add up to ${expected}`);
  }
}

function checkOrder(o: SimOrder, fills: SimFill[]): void {
  const qty = Decimal.sum(fills.map((f) => f.quantity));
  const notional = Decimal.sum(fills.map((f) => f.price.mul(f.quantity)));
  const fees = Decimal.sum(fills.map((f) => f.fee));
  if (!qty.eq(o.filledQuantity) || !notional.eq(o.filledNotional) || !fees.eq(o.fees)) {
    throw new Error(`order ${o.orderId}: filled ${o.filledQuantity}/${o.filledNotional}/${o.fees}, fills add up to ${qty}/${notional}/${fees}`);
  }
  if (o.filledQuantity.gt(o.quantity)) throw new Error(`order ${o.orderId} overfilled: ${o.filledQuantity} > ${o.quantity}`);
  if (o.status === 'filled' && !o.filledQuantity.eq(o.quantity)) throw new Error(`order ${o.orderId} filled with ${o.filledQuantity} of ${o.quantity}`);
}

/** `fees`: the most expensive schedule of the cash accounts, so the upper bound holds for each. */
function checkHolds(v: SimulatedVenue, account: string, open: SimOrder[], fees: FeeSchedule): void {
  const min = new Map<string, Decimal>();
  const max = new Map<string, Decimal>();
  const add = (m: Map<string, Decimal>, c: string, x: Decimal): void => {
    m.set(c, (m.get(c) ?? Decimal.ZERO).add(x));
  };
  const instruments = v.instruments;
  for (const o of open) {
    const inst = instruments.get(o.symbol)!;
    const remaining = o.quantity.sub(o.filledQuantity);
    if (o.side === 'SELL') {
      add(min, inst.baseCurrency, remaining);
      add(max, inst.baseCurrency, remaining);
    } else if (o.price !== undefined) {
      add(min, inst.quoteCurrency, o.price.mul(remaining));
      add(max, inst.quoteCurrency, o.price.mul(o.quantity).add(feeBound(o.price.mul(o.quantity), fees)));
    } else {
      // A held stop market buy holds its reservation at the stop price.
      add(min, inst.quoteCurrency, o.stopPrice!.mul(remaining));
      add(max, inst.quoteCurrency, o.stopPrice!.mul(o.quantity).add(feeBound(o.stopPrice!.mul(o.quantity), fees)));
    }
  }
  for (const b of v.balances(account)) {
    const lo = min.get(b.currency) ?? Decimal.ZERO;
    const hi = max.get(b.currency) ?? Decimal.ZERO;
    if (b.hold.lt(lo) || b.hold.gt(hi)) throw new Error(`account ${account} holds ${b.hold} ${b.currency}; its open orders need between ${lo} and ${hi}`);
  }
}
