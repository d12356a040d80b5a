import type { L3TickBook } from './l3-tick-book';
import type { LobsterMessage } from './lobster';
import type { L3Status } from './types';

/** What replaying one LOBSTER message did: an L3 status, or `no_book_change` for types 5, 6 and 7. */
export type LobsterReplayOutcome = L3Status | 'no_book_change';

/**
 * Applies a LOBSTER message to an order-level book whose tick is LOBSTER's price unit
 * (`LOBSTER_TICK_SIZE`, $0.0001) and whose lot is one share: 1 adds, 2 cancels part, 3 deletes,
 * 4 executes; hidden executions (5), cross trades (6) and halts (7) leave the visible book alone.
 * Orders resting from before the file starts come back as `unknown_order`, for the caller to count.
 */
export function applyLobsterMessage(book: L3TickBook, message: LobsterMessage): LobsterReplayOutcome {
  switch (message.type) {
    case 1:
      return book.add(message.orderId, message.side, message.price, message.size);
    case 2:
      return book.cancel(message.orderId, message.size);
    case 3:
      return book.delete(message.orderId);
    case 4:
      return book.execute(message.orderId, message.size);
    default:
      return 'no_book_change';
  }
}
