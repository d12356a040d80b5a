import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '@meridian/runtime';

/** Every metric of the order-book service, created once (names get the `meridian_` prefix). */
export class OrderBookMetrics {
  readonly updates: Counter<'result'>;
  readonly bookSynced: Gauge<'venue' | 'symbol'>;
  readonly booksInSync: Gauge;
  readonly bboPublished: Counter;
  readonly bboPublishFailures: Counter;
  readonly updateToBboSeconds: Histogram;
  readonly checkpoints: Counter<'result'>;
  readonly resumes: Counter<'from'>;
  readonly streamSubscribers: Gauge;
  readonly streamMessages: Counter;

  constructor(metrics: Metrics) {
    this.updates = metrics.counter({ name: 'book_updates_total', help: 'Book updates by result', labelNames: ['result'] });
    this.bookSynced = metrics.gauge({ name: 'book_synced', help: '1 while a book is in sync', labelNames: ['venue', 'symbol'] });
    this.booksInSync = metrics.gauge({ name: 'books_in_sync', help: 'Books of this replica that are in sync' });
    this.bboPublished = metrics.counter({ name: 'bbo_published_total', help: 'BBO changes published' });
    this.bboPublishFailures = metrics.counter({ name: 'bbo_publish_failures_total', help: 'BBO publishes that failed (retried at the next change)' });
    this.updateToBboSeconds = metrics.histogram({
      name: 'book_update_to_bbo_seconds',
      help: "From the update's received_ts_ns (ingestion received it from the venue) to the BBO it moved being acknowledged by JetStream",
    });
    this.checkpoints = metrics.counter({
      name: 'book_checkpoints_total',
      help: 'Whole-book checkpoints to the BOOKS stream by result (published, failed)',
      labelNames: ['result'],
    });
    this.resumes = metrics.counter({
      name: 'book_resumes_total',
      help: 'Where books started at start-up (checkpoint, venue_snapshot, now)',
      labelNames: ['from'],
    });
    this.streamSubscribers = metrics.gauge({ name: 'stream_book_subscribers', help: 'Open StreamBook calls' });
    this.streamMessages = metrics.counter({ name: 'stream_book_messages_total', help: 'Messages written to StreamBook calls' });
  }
}
