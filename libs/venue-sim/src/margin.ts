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
  const marks = new Map<string, Decimal | undefined>();
  const mark = (currency: string): Decimal | undefined => {
    if (currency === quote) return Decimal.ONE;
    if (!marks.has(currency)) marks.set(currency, markOf(currency) ?? (currency === effect.base ? effect.price : undefined));
    return marks.get(currency);
  };
  let equity = Decimal.ZERO;
  const totals = new Map<string, Decimal>();
  for (const currency of account.currencies()) {
    const total = account.total(currency);
    totals.set(currency, total);
    const m = mark(currency);
    if (m !== undefined) equity = equity.add(total.mul(m));
  }
  const working = account.working.get(quote);
  // What one currency adds to the gross exposure with `p` open on it (nothing for an unmarked one).
  const exposure = (currency: string, p: { buy: Decimal; sell: Decimal } | undefined): Decimal => {
    const m = mark(currency);
    if (m === undefined) return Decimal.ZERO;
    const total = totals.get(currency) ?? Decimal.ZERO;
    const long = p === undefined ? total.abs() : total.add(p.buy).abs();
    const short = p === undefined ? total.abs() : total.sub(p.sell).abs();
    return Decimal.max(long, short).mul(m);
  };
  // The order changes only its base currency's term: the others are summed once for before and after
  // (exact sums, so the order of the terms does not matter).
  let others = Decimal.ZERO;
  for (const currency of totals.keys()) {
    if (currency === quote || currency === effect.base) continue;
    others = others.add(exposure(currency, working?.get(currency)));
  }
  if (working !== undefined) {
    for (const [currency, p] of working) {
      if (currency === quote || currency === effect.base || totals.has(currency)) continue;
      others = others.add(exposure(currency, p));
    }
  }
  const before = working?.get(effect.base);
  const grossBefore = effect.base === quote ? others : others.add(exposure(effect.base, before));
  const p = before ?? { buy: Decimal.ZERO, sell: Decimal.ZERO };
  // An amend replaces the order's open quantity with the new one.
  const replaced = replacing !== undefined && replacing.market.instrument.quoteCurrency === quote ? replacing.remaining : Decimal.ZERO;
  const after = effect.side === 'BUY' ? { buy: p.buy.sub(replaced).add(effect.quantity), sell: p.sell } : { buy: p.buy, sell: p.sell.sub(replaced).add(effect.quantity) };
  const grossAfter = effect.base === quote ? others : others.add(exposure(effect.base, after));
  const buyingPower = equity.mul(account.leverage);
  return { ok: grossAfter.lte(buyingPower) || grossAfter.lte(grossBefore), equity, buyingPower, grossBefore, grossAfter };
}
