import type { Bus, ConsumerHandle, Delivery } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { Bbo, BookUpdateBatch } from '@meridian/proto';
import type { Logger } from '@meridian/runtime';
import type { BatchOutcome, BookKeeper } from './book-keeper';
import type { OrderBookMetrics } from './metrics';
import type { ResumePlan } from './resume';

/** Refusals that are part of normal operation (before the first snapshot, replays) and not worth a warning. */
const QUIET_RESULTS = new Set(['snapshot', 'delta', 'not_synced', 'stale']);

/**
 * Feeds one book from `md.<venue>.<symbol>.book` and publishes its BBO on
 * `md.<venue>.<symbol>.bbo` when it changes. While it replays the stream after a start, the BBO
 * is held back: subscribers get the state the replay ends in, not every historical one.
 */
export class BookFeed {
  private handle: ConsumerHandle | undefined;
  private live = false;
  /** BBO publishes in order, one at a time, whether triggered by a message or by catching up. */
  private publishing: Promise<void> = Promise.resolve();
  private markCaughtUp!: () => void;
  /** Resolves once the replay reached the stream's end as it was when following began. */
  readonly caughtUp = new Promise<void>((resolve) => (this.markCaughtUp = resolve));

  constructor(
    readonly keeper: BookKeeper,
    private readonly bus: Bus,
    private readonly metrics: OrderBookMetrics,
    private readonly logger: Logger,
  ) {}

  private get labels() {
    return { venue: this.keeper.venue, symbol: this.keeper.symbol };
  }

  async start(plan: ResumePlan): Promise<void> {
    this.metrics.resumes.inc({ from: plan.from });
    this.syncGauges(false);
    this.logger.info(
      { ...this.labels, from: plan.from, startSeq: plan.startSeq, bookSeq: this.keeper.seq.toString(), reason: plan.reason },
      'following book updates',
    );
    this.handle = await this.bus.follow(
      'MARKET',
      this.bus.subjects.marketData(this.keeper.venue, this.keeper.symbol, 'book'),
      BookUpdateBatch,
      (batch, delivery) => this.onBatch(batch, delivery),
      { deliver: { startSeq: plan.startSeq }, onCaughtUp: () => this.onCaughtUp() },
    );
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    await this.publishing;
  }

  private async onBatch(batch: BookUpdateBatch, delivery: Delivery): Promise<void> {
    const wasSynced = this.keeper.synced;
    const outcome = this.keeper.applyBatch(batch, delivery.streamSequence);
    this.count(outcome, delivery);
    this.syncGauges(wasSynced);
    if (this.live) await this.enqueueBbo(outcome.receivedTsNs);
  }

  private onCaughtUp(): void {
    this.live = true;
    this.markCaughtUp();
    this.logger.info({ ...this.labels, bookSeq: this.keeper.seq.toString(), synced: this.keeper.synced }, 'book caught up with the stream');
    // The state the replay ended in; no latency to report, the messages were old.
    void this.enqueueBbo(0n);
  }

  private enqueueBbo(receivedTsNs: bigint): Promise<void> {
    this.publishing = this.publishing.then(() => this.publishBbo(receivedTsNs));
    return this.publishing;
  }

  private async publishBbo(receivedTsNs: bigint): Promise<void> {
    const bbo = this.keeper.takeBboChange();
    if (bbo === undefined) return;
    try {
      await this.bus.publish(this.bus.subjects.marketData(this.keeper.venue, this.keeper.symbol, 'bbo'), Bbo, bbo);
      this.metrics.bboPublished.inc();
      if (receivedTsNs > 0n) this.metrics.updateToBboSeconds.observe(Number(nowNanos() - receivedTsNs) / 1e9);
    } catch (err) {
      this.keeper.bboNotPublished();
      this.metrics.bboPublishFailures.inc();
      this.logger.warn({ ...this.labels, err }, 'BBO not published; it is published again after the next book message');
    }
  }

  private count(outcome: BatchOutcome, delivery: Delivery): void {
    for (const u of outcome.updates) {
      this.metrics.updates.inc({ result: u.result });
      if (!QUIET_RESULTS.has(u.result)) {
        this.logger.warn(
          { ...this.labels, seq: u.seq.toString(), streamSeq: delivery.streamSequence, result: u.result, detail: u.detail },
          'book update refused; the book waits for a snapshot',
        );
      }
    }
  }

  private syncGauges(wasSynced: boolean): void {
    const synced = this.keeper.synced;
    this.metrics.bookSynced.set(this.labels, synced ? 1 : 0);
    if (synced !== wasSynced) this.metrics.booksInSync.inc(synced ? 1 : -1);
  }
}
