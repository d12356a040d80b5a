export { ParamSpace, paramsKey, MAX_GRID_SIZE } from './space';
export type { ParamDef, ParamValue, Params, SpaceSpec } from './space';
export { createSampler } from './samplers';
export { GridSampler } from './samplers/grid';
export { RandomSampler } from './samplers/random';
export { TpeSampler, TPE_DEFAULTS } from './samplers/tpe';
export type { Sampler, SamplerSpec, SampleRequest, TpeOptions } from './samplers/sampler';
export { better, bestTrial } from './trial';
export type { Direction, ObjectiveResult, EquityPoint, TradeRecord, TrialContext, TrialRecord, TrialState } from './trial';
export { InlineEvaluator } from './evaluator';
export type { Evaluator, ObjectiveFunction } from './evaluator';
export type { EvalOutcome } from './outcome';
export { WorkerPool, defaultWorkerCount, resolveObjectiveModule } from './pool';
export type { ObjectiveRef, WorkerPoolOptions } from './pool';
export { runStudy, normaliseSampler } from './study';
export type { StudyOptions, StudyProgress, StudyResult } from './study';
export { MemoryStudyStore, checkSameStudy } from './study-store';
export type { StudyStore, StudyDefinition, StoredStudy } from './study-store';
export { PgStudyStore } from './pg-study-store';
export { walkForwardWindows } from './windows';
export type { WindowSpec, WalkWindow, TimeRange } from './windows';
export { walkForward } from './walk-forward';
export type { WalkForwardOptions, WalkForwardResult, WalkForwardData, WalkForwardProgress, WindowResult } from './walk-forward';
export { parseEquity, drawdowns, summariseCurve } from './equity';
export type { CurveSummary, DrawdownPoint, ParsedPoint } from './equity';
export { renderReport } from './report/render';
export { buildReportData, monthlyReturns, paramHeatmap, thin } from './report/data';
export type { ReportInput, ReportData, MonthlyReturns, ParamHeatmap, Series } from './report/data';
export {
  ResearchError,
  InvalidSpaceError,
  InvalidOptionError,
  StudyMismatchError,
  StudyBusyError,
  ObjectiveLoadError,
  PoolClosedError,
  NoCompletedTrialError,
  WalkForwardEvaluationError,
  InvalidReportInputError,
} from './errors';
