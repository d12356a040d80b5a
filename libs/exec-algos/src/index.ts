export { ParentOrder, AVERAGE_PRICE_SCALE } from './parent-order';
export { validateParentOrder, DEFAULT_MAX_CHILD_REJECTS, DEFAULT_RETRY_INTERVAL_NS, DEFAULT_TWAP_JITTER } from './parent-spec';
export type { ValidatedParent, ValidatedAlgo } from './parent-spec';
export { twapSchedule, vwapSchedule, sliceAt, sliceCount } from './schedule';
export type { Schedule, TwapScheduleOptions } from './schedule';
export { buildVolumeProfile, validateVolumeProfile, NS_PER_DAY, DEFAULT_PROFILE_SCALE } from './volume-profile';
export type { ProfileBar, VolumeProfileOptions } from './volume-profile';
export { InvalidParentOrderError, InvalidAlgoInputError, UnknownChildOrderError, ChildUpdateConflictError, AlgoInvariantError } from './errors';
export type {
  AlgoKind,
  ChildStyle,
  TwapParams,
  VwapParams,
  IcebergParams,
  PovParams,
  AlgoParams,
  ParentOrderSpec,
  ChildOrderType,
  ChildTimeInForce,
  ChildOrder,
  FinishReason,
  FailReason,
  AlgoAction,
  MarketUpdate,
  ChildUpdateKind,
  ChildUpdate,
  ParentStatus,
  CloseCause,
  ChildState,
  ChildSnapshot,
  SliceSnapshot,
  ParentOutcome,
  ParentSnapshot,
  ParentProgress,
  RestoreInput,
} from './types';
