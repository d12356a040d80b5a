import { DomainError } from '@meridian/domain';

/**
 * A caller passed an argument the book cannot act on (a depth, a scale, a side, a sweep size).
 * Feed problems are not errors: `applySnapshot`/`applyDelta` report them as an `ApplyResult`,
 * because a gap or a crossed update is an expected event on a live feed, not a bug.
 */
export class InvalidBookArgumentError extends DomainError {
  constructor(
    readonly argument: string,
    readonly input: unknown,
    reason: string,
  ) {
    super('BOOK_INVALID_ARGUMENT', `invalid ${argument} ${JSON.stringify(String(input))}: ${reason}`);
  }
}

/** The book changed while `levels()` was being iterated, so the walk could skip or repeat a level. */
export class BookModifiedDuringIterationError extends DomainError {
  constructor(readonly symbol: string, side: string) {
    super('BOOK_MODIFIED_DURING_ITERATION', `book ${symbol} ${side} side changed while its levels were being iterated`);
  }
}

/**
 * An integer-tick book refused a value it could not hold exactly: a price, size or level total
 * beyond `Number.MAX_SAFE_INTEGER` ticks or lots. Choose a coarser tick or lot size for the book.
 */
export class TickOverflowError extends DomainError {
  constructor(
    readonly quantity: string,
    readonly value: string,
  ) {
    super('BOOK_TICK_OVERFLOW', `${quantity} ${value} is beyond the exact integer range (2^53 - 1) of an integer-tick book`);
  }
}

/**
 * The matching engine found its own state inconsistent (e.g. the book refused an order the engine had
 * just matched down to a non-crossing price). A bug, never an order problem: orders are refused with
 * `rejected` events, not exceptions.
 */
export class MatchingInvariantError extends DomainError {
  constructor(detail: string) {
    super('BOOK_MATCHING_INVARIANT', `matching engine invariant broken: ${detail}`);
  }
}
