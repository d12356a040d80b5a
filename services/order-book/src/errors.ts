import { PlatformError } from '@meridian/domain';
import { Status, grpcError } from '@meridian/runtime';
import type { ServiceError } from '@grpc/grpc-js';

/** Base of the order-book service's errors: a stable code and a message naming the value. */
export class OrderBookError extends PlatformError {}

/** A request for a (venue, symbol) this replica does not keep: another shard owns it, or nobody does. */
export class BookNotInShardError extends OrderBookError {
  constructor(venue: string, symbol: string, venues: readonly string[], symbols: readonly string[]) {
    super(
      'ORDER_BOOK_NOT_IN_SHARD',
      `no book for venue ${JSON.stringify(venue)} symbol ${JSON.stringify(symbol)} on this shard (venues: ${venues.join(', ')}; symbols: ${symbols.join(', ')})`,
    );
  }
}

/** A request field outside what the RPC accepts. */
export class InvalidBookRequestError extends OrderBookError {
  constructor(field: string, value: unknown, reason: string) {
    super('ORDER_BOOK_INVALID_REQUEST', `invalid ${field} ${JSON.stringify(value)}: ${reason}`);
  }
}

/** A level of a book message whose price or size is not a decimal: the update cannot be applied. */
export class UndecodableLevelError extends OrderBookError {
  constructor(side: 'bids' | 'asks', index: number, cause: unknown) {
    super('ORDER_BOOK_UNDECODABLE_LEVEL', `${side}[${index}]: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A StreamBook call that arrives while the service shuts down. */
export class ServiceStoppingError extends OrderBookError {
  constructor() {
    super('ORDER_BOOK_STOPPING', 'the order-book replica is shutting down; retry on another replica');
  }
}

/** Where a book resumes could not be decided (a stream missing, NATS unreachable). */
export class BookResumeError extends OrderBookError {
  constructor(venue: string, symbol: string, cause: unknown) {
    super(
      'ORDER_BOOK_RESUME',
      `cannot decide where the book of ${venue}/${symbol} resumes: ${(cause as Error)?.message ?? String(cause)} (are the MARKET and BOOKS streams provisioned? \`npm run bootstrap\`)`,
      { cause },
    );
  }
}

/** The gRPC status an error answers with; anything unexpected is INTERNAL with its message. */
export function toGrpcError(err: unknown): ServiceError {
  if (err instanceof BookNotInShardError) return grpcError(Status.NOT_FOUND, err.message);
  if (err instanceof InvalidBookRequestError) return grpcError(Status.INVALID_ARGUMENT, err.message);
  if (err instanceof ServiceStoppingError) return grpcError(Status.UNAVAILABLE, err.message);
  return grpcError(Status.INTERNAL, (err as Error)?.message ?? String(err));
}
