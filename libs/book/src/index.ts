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
export { InvalidBookArgumentError, BookModifiedDuringIterationError, TickOverflowError } from './errors';
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
