import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Account } from './account';
import type { OrderRecord } from './order-record';

/** An order's effect on a margin account: `quantity` more of `base` bought or sold, at about `price`. */
export interface MarginEffect {
  readonly base: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal;
}

export interface MarginVerdict {
  readonly ok: boolean;
  readonly equity: Decimal;
  readonly buyingPower: Decimal;
  readonly grossBefore: Decimal;
  readonly grossAfter: Decimal;
}

/**
 * Buying power of a margin account, valued in `quote` (the currency of the order's instrument):
 *
 * - equity = Σ balance × mark over currencies, the quote currency at 1, others at the venue's mid
 *   (or last trade) of their instrument against `quote`; currencies with no such mark are left out;
 * - gross exposure = Σ over the other currencies of max(|balance + open buys|, |balance − open sells|)
 *   × mark: the largest position the account can end up with if every open order on it fills;
 * - an order is accepted when the gross exposure with it stays within equity × leverage, or when it
 *   does not increase the gross exposure (closing a position is always allowed).
 */
export function checkMargin(
  account: Account,
  quote: string,
  markOf: (currency: string) => Decimal | undefined,
  effect: MarginEffect,
  replacing?: OrderRecord,
): MarginVerdict {
  const base = effect.base;
  const working = account.working.get(quote);
  // One pass over the holdings, each currency marked once: equity, and the gross exposure of every
  // currency but the order's base (exact sums, so the order of the terms does not matter). The
  // order changes only its base currency's term, computed before and after it below; the base is
  // marked even without a market mark, at the order's own price.
  const baseMark = base === quote ? Decimal.ONE : (markOf(base) ?? effect.price);
  let equity = Decimal.ZERO;
  let others = Decimal.ZERO;
  let baseTotal = Decimal.ZERO;
  const holdings = account.balancesByCurrency;
  for (const [currency, h] of holdings) {
    const total = h.available.add(h.hold);
    const m = currency === quote ? Decimal.ONE : currency === base ? baseMark : markOf(currency);
    if (m !== undefined) equity = equity.add(total.mul(m));
    if (currency === base) baseTotal = total;
    else if (currency !== quote && m !== undefined) others = others.add(exposure(total, working?.get(currency), m));
  }
  if (working !== undefined) {
    for (const [currency, p] of working) {
      if (currency === quote || currency === base || holdings.has(currency)) continue;
      const m = markOf(currency);
      if (m !== undefined) others = others.add(exposure(Decimal.ZERO, p, m));
    }
  }
  const before = working?.get(base);
  const grossBefore = base === quote ? others : others.add(exposure(baseTotal, before, baseMark));
  const p = before ?? { buy: Decimal.ZERO, sell: Decimal.ZERO };
  // An amend replaces the order's open quantity with the new one.
  const replaced = replacing !== undefined && replacing.market.instrument.quoteCurrency === quote ? replacing.remaining : Decimal.ZERO;
  const after = effect.side === 'BUY' ? { buy: p.buy.sub(replaced).add(effect.quantity), sell: p.sell } : { buy: p.buy, sell: p.sell.sub(replaced).add(effect.quantity) };
  const grossAfter = base === quote ? others : others.add(exposure(baseTotal, after, baseMark));
  const buyingPower = equity.mul(account.leverage);
  return { ok: grossAfter.lte(buyingPower) || grossAfter.lte(grossBefore), equity, buyingPower, grossBefore, grossAfter };
}

/** What one currency adds to the gross exposure, holding `total` with `p` open on it, at mark `m`. */
function exposure(total: Decimal, p: { buy: Decimal; sell: Decimal } | undefined, m: Decimal): Decimal {
  const long = p === undefined ? total.abs() : total.add(p.buy).abs();
  const short = p === undefined ? total.abs() : total.sub(p.sell).abs();
  return Decimal.max(long, short).mul(m);
}
