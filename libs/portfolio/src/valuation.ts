import { Decimal } from '@meridian/domain';
import type { CostMethod } from './cost-method';
import type { FillInput } from './ledger';
import { Portfolio } from './portfolio';

/** P&L and the exposure of the filled positions, exact, in quote currency. */
export interface PnlFigures {
  equity: Decimal;
  realized: Decimal;
  unrealized: Decimal;
  fees: Decimal;
  gross: Decimal;
  net: Decimal;
}

/**
 * Values a portfolio at the marks: unrealized P&L, gross (Σ |position| × mark) and net
 * (Σ position × mark) exposure of its positions, and its equity (realized − fees + unrealized). A
 * symbol without a mark is valued at `fallback` (its last fill price), as the loss limits value it.
 */
export function valuePortfolio(portfolio: Portfolio, markOf: (symbol: string) => Decimal | undefined, fallback: (symbol: string) => Decimal | undefined): PnlFigures {
  let realized = Decimal.ZERO;
  let unrealized = Decimal.ZERO;
  let fees = Decimal.ZERO;
  let gross = Decimal.ZERO;
  let net = Decimal.ZERO;
  for (const s of portfolio.positions()) {
    realized = realized.add(s.realizedPnl);
    fees = fees.add(s.fees);
    if (s.quantity.isZero()) continue;
    const mark = markOf(s.symbol) ?? fallback(s.symbol);
    if (mark === undefined) continue;
    unrealized = unrealized.add(portfolio.position(s.symbol).unrealizedPnl(mark));
    const value = s.quantity.mul(mark);
    gross = gross.add(value.abs());
    net = net.add(value);
  }
  return { equity: realized.sub(fees).add(unrealized), realized, unrealized, fees, gross, net };
}

/**
 * Positions per strategy: each strategy's fills (`ExecutionReport.strategy`; empty for none) in
 * their own ledgers per symbol, under the service's cost method. The account's positions are kept
 * apart (one ledger per symbol over every strategy), so under WAC or FIFO the strategies' realized
 * P&L need not add up to the account's (a buy of one strategy and a sell of another close nothing
 * for either, but net for the account); their equities do add up, exactly.
 */
export class StrategyBook {
  private readonly portfolios = new Map<string, Portfolio>();

  constructor(private readonly costMethod: CostMethod) {}

  applyFill(strategy: string, symbol: string, fill: FillInput): void {
    let p = this.portfolios.get(strategy);
    if (p === undefined) this.portfolios.set(strategy, (p = new Portfolio({ costMethod: this.costMethod })));
    p.applyFill(symbol, fill);
  }

  /** Every strategy that has filled, sorted, with its figures at the marks. */
  value(markOf: (symbol: string) => Decimal | undefined, fallback: (symbol: string) => Decimal | undefined): { strategy: string; figures: PnlFigures }[] {
    return [...this.portfolios.keys()].sort().map((strategy) => ({ strategy, figures: valuePortfolio(this.portfolios.get(strategy)!, markOf, fallback) }));
  }
}
