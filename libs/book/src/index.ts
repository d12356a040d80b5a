export { L2Book } from './l2-book';
export type { L2BookOptions } from './l2-book';
export { L3Book } from './l3-book';
export type { L3BookOptions, RestingOrder } from './l3-book';
export { L3TickBook } from './l3-tick-book';
export type { L3TickBookOptions } from './l3-tick-book';
export { TickScale } from './tick-scale';
export { sweep, SWEEP_AVERAGE_PRICE_SCALE } from './sweep';
export type { SweepFill, SweepResult } from './sweep';
export type {
  BookLevels,
  Level,
  BookSide,
  ApplyResult,
  ApplyFailureReason,
  OrderId,
  L3Status,
  TickLevel,
  TickOrder,
  QueuePosition,
} from './types';
export { InvalidBookArgumentError, BookModifiedDuringIterationError, TickOverflowError, MatchingInvariantError } from './errors';
export { MatchingEngine } from './matching-engine';
export type { MatchingEngineOptions, L3BookView } from './matching-engine';
export { TickMatchingEngine } from './tick-matching-engine';
export type { TickMatchingEngineOptions } from './tick-matching-engine';
export { MatchEventBuffer } from './match-event-buffer';
export {
  ORDER_TYPES,
  TIMES_IN_FORCE,
  STP_MODES,
  REJECT_REASONS,
  CANCEL_REASONS,
  REQUEST_KINDS,
  MATCH_EVENT_TYPES,
} from './matching-types';
export type {
  OrderType,
  TimeInForce,
  StpMode,
  EngineOrderId,
  ClientOrderId,
  OwnerId,
  LimitOrderRequest,
  MarketOrderRequest,
  StopOrderRequest,
  StopLimitOrderRequest,
  OrderRequest,
  TickOrderRequest,
  AmendRequest,
  RejectReason,
  CancelReason,
  RequestKind,
  AmendPriority,
  AcceptedEvent,
  RestedEvent,
  FillEvent,
  CancelledEvent,
  RejectedEvent,
  TriggeredEvent,
  AmendedEvent,
  MatchEvent,
  MatchEventType,
  TickMatchEvent,
  EngineOrder,
} from './matching-types';
export {
  LOBSTER_PRICE_SCALE,
  LOBSTER_TICK_SIZE,
  LOBSTER_EMPTY_ASK_PRICE,
  LOBSTER_EMPTY_BID_PRICE,
  LOBSTER_MESSAGE_COLUMNS,
  LobsterFormatError,
  lobsterPrice,
  parseLobsterMessage,
  parseLobsterBookRow,
  readLines,
  readLobsterMessages,
  readLobsterBookRows,
} from './lobster';
export type { LobsterEventType, LobsterEventKind, LobsterMessage, LobsterLevel, LobsterBookRow } from './lobster';
export { applyLobsterMessage } from './lobster-replay';
export type { LobsterReplayOutcome } from './lobster-replay';
