// The result every consumer reads (research tools, the CLI).
export { BACKTEST_RESULT_VERSION } from './result';
export type {
  BacktestResult,
  BacktestMetrics,
  EquityPoint,
  OrderRecord,
  FillRecord,
  RoundTrip,
  RiskOutcome,
  TradeStatistics,
  SymbolSummary,
  RunCounts,
  ParentRecord,
} from './result';

// Running a backtest.
export { runBacktest, DEFAULT_PROGRESS_EVERY } from './run';
export type { BacktestRun } from './run';
export { resolveConfig, configToJson, DEFAULT_MIN_ANNUALISED_DAYS } from './config';
export { CONFIG_JSON_KEYS, configFromJson } from './config-json';
export type { BacktestConfig, BreakerSettings, VenueConfig, RiskConfig, LatencySpec, SyntheticBookConfig, ResolvedConfig } from './config';
export type { RiskEventRecord } from './post-trade';
export { BACKTEST_ACCOUNT } from './venue-side';

// Market events and their sources.
export { eventToJson, eventFromJson } from './events';
export type { MarketEvent, MarketEventKind, BarEvent, TradeEvent, QuoteEvent, BookEvent } from './events';
export { arraySource, chunked } from './sources/source';
export type { EventSource } from './sources/source';
export { mergeSources } from './sources/merge';
export { csvSource, parseTime } from './sources/csv';
export type { CsvSourceOptions, CsvBarsOptions, CsvTradesOptions, CsvQuotesOptions, CsvBookOptions, CsvTime, TimeUnit } from './sources/csv';
export { jsonlSource, eventsToJsonl } from './sources/jsonl';
export { lobsterSource } from './sources/lobster';
export type { LobsterSourceOptions } from './sources/lobster';
export { postgresBarSource, postgresTradeSource } from './sources/postgres';
export { syntheticBars } from './sources/synthetic';
export type { SyntheticBarsOptions } from './sources/synthetic';
export type { PostgresSeries } from './sources/postgres';

// Strategies.
export type { Strategy, StrategyContext, IntentRequest, ParentRequest, OrderUpdate } from './strategy';
export { MomentumStrategy, COORDINATOR_DEFAULTS } from './strategies/momentum';
export type { MomentumStrategyOptions } from './strategies/momentum';

// Metrics and round trips, as pure functions.
export {
  computeMetrics,
  periodReturns,
  sampleStd,
  volatility,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
  annualisedReturn,
  drawdowns,
  tradeStatistics,
  YEAR_MS,
} from './metrics';
export type { MetricsInput, DrawdownFigures } from './metrics';
export { RoundTripBuilder } from './round-trips';

export { BacktestError, BacktestConfigError, EventFormatError, EventOrderError, UnknownSymbolEventError, InvalidIntentError, ModelError } from './errors';
export { ModelStrategy } from './strategies/model';
export type { ScoreModel, BarScoreModel, BarScorer, ModelStrategyOptions } from './strategies/model';
export { OnnxScoreModel } from './strategies/onnx-model';
export { LinearScoreModel, fitLinearScoreModel, choleskySolve } from './strategies/linear-model';
export type { LinearModelParams, LinearFitOptions } from './strategies/linear-model';
export { BacktestEngine } from './engine';
export type { BacktestProgress, ProgressReporter } from './engine';
export { RiskGate } from './risk-gate';
