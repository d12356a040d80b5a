import { L2Book } from '@meridian/book';
import type { ApplyFailureReason, ApplyResult, Level } from '@meridian/book';
import type { NormalizedBookUpdate, RejectReason } from './types';

/**
 * An adapter's local copy of one venue book, and the numbering of what it emits.
 *
 * The adapter applies the venue's snapshot and deltas here first: the book refuses crossed or
 * invalid states, venue checksums are computed on it, and only updates it accepted are emitted,
 * each with the next number of one contiguous sequence that survives resyncs (a resync is simply
 * a snapshot with the next number), so downstream books never see a venue's numbering quirks.
 */
export class SymbolBook {
  private local: L2Book;
  private emitted = 0n;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly emit: (update: NormalizedBookUpdate) => void,
  ) {
    this.local = new L2Book(symbol);
  }

  /** The local book, for checksums and tests. */
  get book(): L2Book {
    return this.local;
  }

  get synced(): boolean {
    return this.local.synced;
  }

  /** Replaces the book and emits the snapshot; on refusal nothing is emitted and the book is unsynced. */
  snapshot(bids: readonly Level[], asks: readonly Level[], tsNs: bigint, receivedTsNs: bigint): ApplyResult {
    const seq = this.emitted + 1n;
    const r = this.local.applySnapshot(seq, bids, asks);
    if (r.ok) {
      this.emitted = seq;
      this.emit({ venue: this.venue, symbol: this.symbol, seq, snapshot: true, bids, asks, tsNs, receivedTsNs });
    }
    return r;
  }

  /** Applies absolute level changes all or nothing and emits them; refused when unsynced, crossed or invalid. */
  delta(bids: readonly Level[], asks: readonly Level[], tsNs: bigint, receivedTsNs: bigint): ApplyResult {
    const seq = this.emitted + 1n;
    const r = this.local.applyDelta(seq, bids, asks);
    if (r.ok) {
      this.emitted = seq;
      this.emit({ venue: this.venue, symbol: this.symbol, seq, snapshot: false, bids, asks, tsNs, receivedTsNs });
    }
    return r;
  }

  /** Forget the book (a gap or a mismatch): deltas are refused until the next snapshot. */
  invalidate(): void {
    // A new book is exactly "no snapshot yet"; the emitted numbering carries on.
    this.local = new L2Book(this.symbol);
  }
}

/** The counted rejection reason for a book refusal. */
export function rejectReasonFor(reason: ApplyFailureReason): RejectReason {
  switch (reason) {
    case 'crossed':
      return 'crossed';
    case 'stale':
      return 'stale';
    case 'gap':
    case 'not_synced':
      return 'out_of_order';
    case 'invalid_level':
      return 'schema';
  }
}
