import { LotLedger } from './lot-ledger';
import { PositionLedger } from './position-ledger';
import type { PositionSnapshot } from './ledger';

/**
 * How a position's cost is tracked, and so what a close realizes: weighted-average cost (the
 * default; what the recorder stores), or the open lots closed first-in-first-out or
 * last-in-first-out. Quantity, fees and realized + unrealized − fees are the same under all three;
 * only the split between realized and unrealized differs.
 */
export type CostMethod = 'WAC' | 'FIFO' | 'LIFO';

export const COST_METHODS: readonly CostMethod[] = ['WAC', 'FIFO', 'LIFO'];

/** A position under any cost method. */
export type Ledger = PositionLedger | LotLedger;

export function newLedger(symbol: string, method: CostMethod): Ledger {
  return method === 'WAC' ? new PositionLedger(symbol) : new LotLedger(symbol, method);
}

export function restoreLedger(snapshot: PositionSnapshot, method: CostMethod): Ledger {
  return method === 'WAC' ? PositionLedger.restore(snapshot) : LotLedger.restore(snapshot, method);
}
