import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GetBookResponse, StreamBookRequest, StreamBookResponse } from '@meridian/proto';
import type { Logger } from '@meridian/runtime';
import type { BookKeeper } from './book-keeper';
import { ServiceStoppingError } from './errors';
import type { OrderBookMetrics } from './metrics';

export type StreamBookCall = ServerWritableStream<StreamBookRequest, StreamBookResponse>;

/**
 * One StreamBook call: the book now, then the book again after each change, at most once per
 * `minIntervalMs`.
 *
 * Nothing queues per change. A change only marks the subscription dirty; when the interval has
 * passed and the client has taken what was written (grpc-js `write` returned true, or `drain`
 * came), the book is rendered as it is at that moment. So a slow client costs one pending flag,
 * skips intermediate states and always gets the latest one. A change below the requested depth
 * (same levels, synced flag unchanged) sends nothing: the client would see the same book.
 */
class BookSubscription {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private awaitingDrain = false;
  private lastSentAtMs = 0;
  private lastSent: string | undefined;
  private closed = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly call: StreamBookCall,
    private readonly keeper: BookKeeper,
    private readonly depth: number,
    private readonly minIntervalMs: number,
    private readonly owner: BookStreams,
  ) {}

  open(): void {
    if (this.call.cancelled) {
      this.close();
      return;
    }
    this.unsubscribe = this.keeper.onChange(() => this.changed());
    this.call.on('cancelled', () => this.close());
    this.call.on('error', (err: Error) => {
      this.owner.logger.debug({ venue: this.keeper.venue, symbol: this.keeper.symbol, err }, 'StreamBook call failed');
      this.close();
    });
    this.send();
  }

  /** The service is stopping: end the call with status OK. */
  end(): void {
    if (this.closed) return;
    this.close();
    this.call.end();
  }

  private changed(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || !this.dirty || this.timer !== undefined || this.awaitingDrain) return;
    const wait = Math.max(0, this.lastSentAtMs + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait);
  }

  private send(): void {
    if (this.closed) return;
    this.dirty = false;
    const book = this.keeper.view(this.depth);
    const seen = visibleState(book);
    if (seen === this.lastSent) return;
    this.lastSent = seen;
    this.lastSentAtMs = Date.now();
    this.owner.metrics.streamMessages.inc();
    if (!this.call.write({ book })) {
      this.awaitingDrain = true;
      this.call.once('drain', () => {
        this.awaitingDrain = false;
        this.schedule();
      });
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.owner.closed(this);
  }
}

/** What a StreamBook client sees change: the levels at its depth and whether the book is synced. */
function visibleState(book: GetBookResponse): string {
  return JSON.stringify([book.synced, book.bids, book.asks]);
}

/** The open StreamBook calls of this replica. */
export class BookStreams {
  private readonly open = new Set<BookSubscription>();
  private stopping = false;

  constructor(
    readonly metrics: OrderBookMetrics,
    readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  subscribe(call: StreamBookCall, keeper: BookKeeper, depth: number, minIntervalMs: number): void {
    // A call arriving while the server drains would otherwise hold the shutdown until it is forced.
    if (this.stopping) throw new ServiceStoppingError();
    const subscription = new BookSubscription(call, keeper, depth, minIntervalMs, this);
    this.open.add(subscription);
    this.metrics.streamSubscribers.set(this.open.size);
    subscription.open();
  }

  /** Ends every call cleanly (status OK): the service is stopping. */
  endAll(): void {
    this.stopping = true;
    for (const s of [...this.open]) s.end();
  }

  /** @internal called by a subscription once it is over. */
  closed(subscription: BookSubscription): void {
    this.open.delete(subscription);
    this.metrics.streamSubscribers.set(this.open.size);
  }
}
