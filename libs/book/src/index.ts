export { L2Book } from './l2-book';
export type { L2BookOptions } from './l2-book';
export { sweep, SWEEP_AVERAGE_PRICE_SCALE } from './sweep';
export type { SweepFill, SweepResult } from './sweep';
export type { Level, BookSide, ApplyResult, ApplyFailureReason } from './types';
export { InvalidBookArgumentError, BookModifiedDuringIterationError } from './errors';
