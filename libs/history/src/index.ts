export { BarStore, DEFAULT_BAR_QUERY_LIMIT, MAX_BAR_QUERY_LIMIT, DEFAULT_COPY_THRESHOLD } from './bar-store';
export { TradeStore } from './trade-store';
export type { StoredTrade, TradeQuery } from './trade-store';
export type { BarQuery, BarSeries, BarWriteResult, BulkMethod, StoredBar } from './types';
export { HistoryError, InvalidHistoryQueryError, HistoryWriteError } from './errors';
