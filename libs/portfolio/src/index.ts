export { PositionLedger, AVERAGE_PRICE_SCALE } from './position-ledger';
export type { FillInput, PositionSnapshot } from './position-ledger';
export { Portfolio } from './portfolio';
export { InvalidFillError, InvalidPositionSnapshotError, InvalidPortfolioSymbolError } from './errors';
export { WorkingOrders } from './working-orders';
