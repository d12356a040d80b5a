import type { Bus } from '@meridian/bus';
import { BookSnapshot } from '@meridian/proto';
import type { Logger } from '@meridian/runtime';
import type { BookKeeper } from './book-keeper';
import type { OrderBookMetrics } from './metrics';

/**
 * Every `intervalMs`, publishes the whole book of each synced book that changed as a
 * `BookSnapshot` on `book.<venue>.<symbol>.snapshot` (BOOKS stream, last value per subject).
 * A restarted replica loads it and follows the stream from its `market_stream_seq + 1`.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private roundRunning = false;

  constructor(
    private readonly keepers: readonly BookKeeper[],
    private readonly bus: Bus,
    private readonly intervalMs: number,
    private readonly metrics: OrderBookMetrics,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      // A slow server delays the next round rather than stacking rounds up.
      if (!this.roundRunning) this.round = this.checkpointAll();
    }, this.intervalMs);
  }

  /** Stops the timer and takes a last checkpoint, so a graceful restart replays nothing. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    await this.checkpointAll();
  }

  private async checkpointAll(): Promise<void> {
    this.roundRunning = true;
    try {
      for (const keeper of this.keepers) {
        const snapshot = keeper.pendingCheckpoint();
        if (snapshot !== undefined) await this.publish(keeper, snapshot);
      }
    } finally {
      this.roundRunning = false;
    }
  }

  private async publish(keeper: BookKeeper, snapshot: BookSnapshot): Promise<void> {
    try {
      await this.bus.publish(this.bus.subjects.bookSnapshot(keeper.venue, keeper.symbol), BookSnapshot, snapshot);
      keeper.checkpointed(snapshot);
      this.metrics.checkpoints.inc({ result: 'published' });
    } catch (err) {
      // The next round tries again with a newer book; until then a restart replays a little more.
      this.metrics.checkpoints.inc({ result: 'failed' });
      this.logger.warn(
        { venue: keeper.venue, symbol: keeper.symbol, marketStreamSeq: snapshot.marketStreamSeq.toString(), err },
        'book checkpoint not published',
      );
    }
  }
}
