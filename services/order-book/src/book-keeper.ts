import { L2Book } from '@meridian/book';
import type { ApplyFailureReason, ApplyResult } from '@meridian/book';
import { nowNanos } from '@meridian/domain';
import type { Bbo, BookSnapshot, BookUpdate, BookUpdateBatch, GetBookResponse } from '@meridian/proto';
import { UndecodableLevelError } from './errors';
import { levelToWire, levelsFromWire, levelsToWire } from './wire';

/** How one update of a batch fared: what `meridian_book_updates_total{result}` counts. */
export type UpdateResult = 'snapshot' | 'delta' | ApplyFailureReason | 'undecodable';

export interface UpdateOutcome {
  readonly seq: bigint;
  readonly result: UpdateResult;
  readonly detail?: string;
}

export interface BatchOutcome {
  readonly updates: readonly UpdateOutcome[];
  /** The levels, the sequence or the sync state moved (stream subscribers should hear of it). */
  readonly changed: boolean;
  /** `received_ts_ns` of the last update applied, 0n when none was: where the BBO latency starts. */
  readonly receivedTsNs: bigint;
}

/**
 * The book of one (venue, symbol) and everything decided about it: which updates apply, which
 * BBO and which checkpoint are due for publishing, what a reader sees. It does no I/O, so the
 * decisions are the same whether the messages come live, from a replay after a restart, or from
 * a test.
 *
 * A batch is applied synchronously and entirely, so every state a reader or a checkpoint sees
 * lies on a message boundary: the checkpoint's `market_stream_seq` is exactly the last message
 * folded into its levels.
 */
export class BookKeeper {
  private readonly book: L2Book;
  private tsNs = 0n;
  private lastStreamSeq = 0;
  private checkpointedStreamSeq = 0;
  private publishedBbo: string | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly venue: string,
    readonly symbol: string,
  ) {
    this.book = new L2Book(symbol);
  }

  get synced(): boolean {
    return this.book.synced;
  }

  /** The venue sequence of the last update applied. */
  get seq(): bigint {
    return this.book.seq;
  }

  /** The MARKET stream sequence of the last book message folded in (0 before any). */
  get streamSeq(): number {
    return this.lastStreamSeq;
  }

  /**
   * Loads a checkpoint taken by a previous run: its levels, venue sequence and stream sequence.
   * The caller then follows the stream from `market_stream_seq + 1`.
   */
  restore(checkpoint: BookSnapshot): ApplyResult {
    if (checkpoint.venue !== this.venue || checkpoint.symbol !== this.symbol) {
      return {
        ok: false,
        reason: 'invalid_level',
        detail: `checkpoint is of ${checkpoint.venue}/${checkpoint.symbol}, not ${this.venue}/${this.symbol}`,
      };
    }
    let result: ApplyResult;
    try {
      result = this.book.applySnapshot(checkpoint.seq, levelsFromWire('bids', checkpoint.bids), levelsFromWire('asks', checkpoint.asks));
    } catch (err) {
      if (!(err instanceof UndecodableLevelError)) throw err;
      return { ok: false, reason: 'invalid_level', detail: err.message };
    }
    if (result.ok) {
      this.tsNs = checkpoint.tsNs;
      this.lastStreamSeq = Number(checkpoint.marketStreamSeq);
      this.checkpointedStreamSeq = this.lastStreamSeq;
      this.notify();
    }
    return result;
  }

  /** Folds one book message (stream sequence `streamSeq`) into the book, update by update. */
  applyBatch(batch: BookUpdateBatch, streamSeq: number): BatchOutcome {
    const wasSynced = this.book.synced;
    const before = this.book.seq;
    let changed = false;
    let receivedTsNs = 0n;
    const updates: UpdateOutcome[] = [];
    for (const u of batch.updates) {
      const outcome = this.applyUpdate(u);
      updates.push(outcome);
      if (outcome.result === 'snapshot' || outcome.result === 'delta') {
        changed = true;
        this.tsNs = u.tsNs;
        receivedTsNs = u.receivedTsNs;
      }
    }
    this.lastStreamSeq = streamSeq;
    changed ||= wasSynced !== this.book.synced || before !== this.book.seq;
    if (changed) this.notify();
    return { updates, changed, receivedTsNs };
  }

  private applyUpdate(u: BookUpdate): UpdateOutcome {
    let bids;
    let asks;
    try {
      bids = levelsFromWire('bids', u.bids);
      asks = levelsFromWire('asks', u.asks);
    } catch (err) {
      // Skipped rather than guessed at: a skipped delta shows up as a gap at the next delta.
      if (!(err instanceof UndecodableLevelError)) throw err;
      return { seq: u.seq, result: 'undecodable', detail: err.message };
    }
    const r = u.snapshot ? this.book.applySnapshot(u.seq, bids, asks) : this.book.applyDelta(u.seq, bids, asks);
    if (r.ok) return { seq: u.seq, result: u.snapshot ? 'snapshot' : 'delta' };
    return { seq: u.seq, result: r.reason, detail: r.detail };
  }

  /** What GetBook and StreamBook answer: `depth` levels per side, best first. */
  view(depth: number): GetBookResponse {
    const d = this.book.depth(depth);
    return {
      venue: this.venue,
      symbol: this.symbol,
      seq: this.book.seq,
      synced: this.book.synced,
      bids: levelsToWire(d.bids),
      asks: levelsToWire(d.asks),
      tsNs: this.tsNs,
    };
  }

  /**
   * The BBO to publish when the book is synced and its best levels differ from the last BBO
   * taken; undefined otherwise. Taking it counts it as published: call `bboNotPublished` if the
   * publish then fails, so the next look publishes it again.
   */
  takeBboChange(): Bbo | undefined {
    if (!this.book.synced) return undefined;
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    const signature = `${bid?.price}:${bid?.size}|${ask?.price}:${ask?.size}`;
    if (signature === this.publishedBbo) return undefined;
    this.publishedBbo = signature;
    return { venue: this.venue, symbol: this.symbol, seq: this.book.seq, bid: levelToWire(bid), ask: levelToWire(ask), tsNs: nowNanos() };
  }

  bboNotPublished(): void {
    this.publishedBbo = undefined;
  }

  /**
   * The whole book as a checkpoint when it is synced and has folded in messages since the last
   * checkpoint; undefined otherwise. An unsynced book is never checkpointed: the last synced
   * checkpoint plus the stream after it rebuild the same unsynced state.
   */
  pendingCheckpoint(): BookSnapshot | undefined {
    if (!this.book.synced || this.lastStreamSeq === this.checkpointedStreamSeq) return undefined;
    const levels = Math.max(this.book.levelCount('bid'), this.book.levelCount('ask'));
    const whole = this.book.depth(levels);
    return {
      venue: this.venue,
      symbol: this.symbol,
      seq: this.book.seq,
      marketStreamSeq: BigInt(this.lastStreamSeq),
      bids: levelsToWire(whole.bids),
      asks: levelsToWire(whole.asks),
      tsNs: this.tsNs,
    };
  }

  /** A checkpoint from `pendingCheckpoint` reached the BOOKS stream. */
  checkpointed(snapshot: BookSnapshot): void {
    this.checkpointedStreamSeq = Math.max(this.checkpointedStreamSeq, Number(snapshot.marketStreamSeq));
  }

  /** Calls `listener` (synchronously, so keep it cheap) after every change; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
