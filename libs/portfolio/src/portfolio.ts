import { Decimal } from '@meridian/domain';
import { InvalidPortfolioSymbolError, InvalidPositionSnapshotError } from './errors';
import { newLedger, restoreLedger } from './cost-method';
import type { CostMethod, Ledger } from './cost-method';
import type { FillInput, PositionSnapshot } from './ledger';

export interface PortfolioOptions {
  /** WAC (weighted-average cost, the default), FIFO or LIFO. */
  costMethod?: CostMethod;
}

/** Positions across symbols, one ledger each, all under one cost method. */
export class Portfolio {
  private readonly ledgers = new Map<string, Ledger>();
  readonly costMethod: CostMethod;

  constructor(options: PortfolioOptions = {}) {
    this.costMethod = options.costMethod ?? 'WAC';
  }

  applyFill(symbol: string, fill: FillInput): { realizedPnl: Decimal } {
    return this.position(symbol).applyFill(fill);
  }

  /** The ledger for `symbol`, created flat on first use. */
  position(symbol: string): Ledger {
    let ledger = this.ledgers.get(symbol);
    if (ledger === undefined) {
      if (typeof symbol !== 'string' || symbol === '') throw new InvalidPortfolioSymbolError(symbol);
      ledger = newLedger(symbol, this.costMethod);
      this.ledgers.set(symbol, ledger);
    }
    return ledger;
  }

  has(symbol: string): boolean {
    return this.ledgers.has(symbol);
  }

  /** Snapshots of every position seen, flat ones included, sorted by symbol (code-unit order, locale-independent). */
  positions(): PositionSnapshot[] {
    return [...this.ledgers.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((symbol) => this.ledgers.get(symbol)!.snapshot());
  }

  /** Sum of realized P&L over all symbols, gross of fees. */
  realizedPnl(): Decimal {
    return Decimal.sum([...this.ledgers.values()].map((l) => l.realizedPnl));
  }

  fees(): Decimal {
    return Decimal.sum([...this.ledgers.values()].map((l) => l.fees));
  }

  static restore(snapshots: readonly PositionSnapshot[], options: PortfolioOptions = {}): Portfolio {
    const portfolio = new Portfolio(options);
    for (const s of snapshots) {
      const ledger = restoreLedger(s, portfolio.costMethod);
      // Two records for one symbol would silently drop one position.
      if (portfolio.ledgers.has(ledger.symbol)) {
        throw new InvalidPositionSnapshotError(ledger.symbol, 'symbol', ledger.symbol, 'appears in more than one snapshot');
      }
      portfolio.ledgers.set(ledger.symbol, ledger);
    }
    return portfolio;
  }
}
