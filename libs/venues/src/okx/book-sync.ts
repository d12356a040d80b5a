import type { Decimal } from '@meridian/domain';
import type { SymbolBook } from '../symbol-book';
import { rejectReasonFor } from '../symbol-book';
import type { RejectReason } from '../types';
import { OKX_CHECKSUM_DEPTH, okxChecksum } from './checksum';
import type { LevelText } from './checksum';
import type { OkxBookData, OkxLevel } from './protocol';

/** What the feed must do after the sync machine saw an input. */
export interface BookSyncStep {
  /** Counted rejections, in order. */
  readonly rejections: { readonly reason: RejectReason; readonly detail: string }[];
  /** Set when the book was dropped: the symbol is `resyncing`, for this reason. */
  resync?: string;
  /**
   * How to get the next snapshot: fetch it over REST (`rest_snapshot`, after `retryAfterBackoff`
   * when the last one was older than the stream), or unsubscribe and subscribe the channel again
   * so the venue sends a WebSocket snapshot (`resubscribe`).
   */
  request?: 'rest_snapshot' | 'resubscribe';
  retryAfterBackoff?: string;
  /** The book became synced. */
  live?: boolean;
}

export type BookSyncPhase = 'awaiting' | 'fetching' | 'live';

export interface BookSyncOptions {
  /** Get snapshots over REST and align the buffered deltas by seqId (true), or only take WebSocket snapshots. */
  readonly restSnapshots: boolean;
  /** Deltas kept while a REST snapshot is on its way; the oldest go first (they are the ones a snapshot makes stale). */
  readonly maxBufferedDeltas: number;
}

interface Buffered {
  readonly data: OkxBookData;
  readonly receivedTsNs: bigint;
}

/** Keeps each level's venue text by normalised price; the decoded level is its own text. */
function rememberSide(texts: Map<string, LevelText>, levels: readonly OkxLevel[]): void {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.size.isZero()) texts.delete(level.price.toString());
    else texts.set(level.price.toString(), level);
  }
}

/** How a frame names itself in a rejection; built only when there is one to report. */
function seqText(d: OkxBookData): string {
  return `seqId ${d.seqId ?? '-'} prevSeqId ${d.prevSeqId ?? '-'}`;
}

function emptyStep(): BookSyncStep {
  return { rejections: [] };
}

/** Levels best first, zero sizes dropped: how the venue's book looks from a snapshot. */
function bestFirst(levels: readonly OkxLevel[], descending: boolean): OkxLevel[] {
  const sorted = levels.filter((l) => !l.size.isZero());
  sorted.sort((a, b) => (descending ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  return sorted;
}

/**
 * The synchronisation of one OKX `books` channel (400 levels, snapshot then deltas), as OKX
 * documents it since the WebSocket snapshot and the checksum were deprecated, while still
 * taking a WebSocket snapshot where the venue sends one. Pure: no sockets, no timers; the feed
 * feeds it frames and REST answers and carries out the `BookSyncStep` it returns.
 *
 * - `awaiting`: no book. Deltas with a seqId are buffered, and the first one asks for a REST
 *   snapshot (asking only once a delta arrived means the snapshot is never older than the
 *   buffer's start, and costs nothing where the venue still sends a WebSocket snapshot first).
 * - `fetching`: buffering until the REST snapshot (seqId S) arrives. Buffered deltas with
 *   seqId <= S are dropped; the first one kept must have prevSeqId <= S < seqId, otherwise the
 *   snapshot is older than the stream and is fetched again. Then the book is live.
 * - `live`: each delta must have prevSeqId == the previous seqId. That also accepts OKX's
 *   no-change heartbeat (prevSeqId == seqId, empty sides) and its sequence reset after
 *   maintenance (seqId < prevSeqId, the chain still holding). Frames without seqId (recorded
 *   before OKX had it) cannot be chained: there the checksum is the only check.
 * - A WebSocket snapshot (`action: "snapshot"`) replaces the book in any phase and the chain
 *   continues from its seqId.
 * - A non-zero checksum is verified on the book as it would be after the frame, before anything
 *   is emitted; 0 or absent (OKX's deprecation) is never a failure.
 * - A gap, a checksum mismatch or a refused update drops the book and resyncs: over REST once
 *   the venue has shown seqIds, otherwise by resubscribing for a WebSocket snapshot.
 */
export class OkxBookSync {
  private phaseValue: BookSyncPhase = 'awaiting';
  private epochValue = 0;
  private buffer: Buffered[] = [];
  /** seqId of the last applied frame; undefined when the chain is unknown (no seqIds). */
  private lastSeqId: bigint | undefined;
  /** seqId of the REST snapshot until the first delta after it is applied. */
  private restSeqId: bigint | undefined;
  /** Once a frame carried a seqId the venue is known to chain, and REST snapshots can be aligned. */
  private venueChains = false;
  private verified = 0;
  /** The venue's text of each level, by normalised price, for the checksum. */
  private readonly texts = { bid: new Map<string, LevelText>(), ask: new Map<string, LevelText>() };

  constructor(
    readonly book: SymbolBook,
    private readonly options: BookSyncOptions,
  ) {}

  get phase(): BookSyncPhase {
    return this.phaseValue;
  }

  /** Changes on every restart; a REST answer for an older epoch is ignored. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Non-zero checksums verified so far. */
  get checksumsVerified(): number {
    return this.verified;
  }

  get bufferedDeltas(): number {
    return this.buffer.length;
  }

  /** A new subscription (a connect, a resubscribe): forget the book and wait for a snapshot. */
  restart(): void {
    this.epochValue++;
    this.phaseValue = 'awaiting';
    this.buffer = [];
    this.lastSeqId = undefined;
    this.restSeqId = undefined;
    this.texts.bid.clear();
    this.texts.ask.clear();
    this.book.invalidate();
  }

  /** A frame of this channel was rejected before it got here: the book missed an update. */
  lost(detail: string): BookSyncStep {
    const step = emptyStep();
    if (this.phaseValue === 'awaiting') return step; // nothing held that the lost frame could break
    this.resync(step, undefined, `a ${detail}`);
    return step;
  }

  /** `action: "snapshot"` on the WebSocket. */
  onSnapshot(data: OkxBookData, receivedTsNs: bigint): BookSyncStep {
    const step = emptyStep();
    if (data.seqId !== undefined) this.venueChains = true;
    // Whatever was buffered or being fetched belongs to an older subscription.
    this.restart();
    const bids = bestFirst(data.bids, true);
    const asks = bestFirst(data.asks, false);
    if (!this.checksumHolds(step, data, bids, asks, 'snapshot')) return step;
    if (!this.applySnapshot(step, data, receivedTsNs)) return step;
    this.lastSeqId = data.seqId;
    return step;
  }

  /** `action: "update"` on the WebSocket. */
  onDelta(data: OkxBookData, receivedTsNs: bigint): BookSyncStep {
    const step = emptyStep();
    if (data.seqId !== undefined) this.venueChains = true;
    if (this.phaseValue === 'live') {
      this.applyLive(step, data, receivedTsNs);
      return step;
    }
    // No book yet. Without a seqId (or without REST) a delta cannot be aligned to a REST
    // snapshot: it is the tail of an older subscription, and a WebSocket snapshot will come.
    if (!this.options.restSnapshots || data.seqId === undefined) return step;
    this.buffer.push({ data, receivedTsNs });
    if (this.buffer.length > this.options.maxBufferedDeltas) this.buffer.shift();
    if (this.phaseValue === 'awaiting') {
      this.phaseValue = 'fetching';
      step.request = 'rest_snapshot';
    }
    return step;
  }

  /** The REST snapshot asked for in `epoch`. */
  onRestSnapshot(epoch: number, data: OkxBookData, receivedTsNs: bigint): BookSyncStep {
    const step = emptyStep();
    if (epoch !== this.epochValue || this.phaseValue !== 'fetching') return step; // superseded
    const snapshotSeq = data.seqId;
    if (snapshotSeq === undefined) {
      step.request = 'rest_snapshot';
      step.retryAfterBackoff = 'the REST snapshot has no seqId';
      return step;
    }
    const first = this.buffer.find((b) => b.data.seqId !== undefined && b.data.seqId > snapshotSeq);
    if (first?.data.prevSeqId !== undefined && first.data.prevSeqId > snapshotSeq) {
      // Updates between the snapshot and the buffer are missing: the snapshot is behind the stream.
      step.request = 'rest_snapshot';
      step.retryAfterBackoff = `REST snapshot seqId ${snapshotSeq} is older than the buffered delta with prevSeqId ${first.data.prevSeqId}`;
      return step;
    }
    if (!this.applySnapshot(step, data, receivedTsNs)) return step;
    this.lastSeqId = snapshotSeq;
    this.restSeqId = snapshotSeq;
    const pending = this.buffer;
    this.buffer = [];
    for (const b of pending) {
      this.applyLive(step, b.data, b.receivedTsNs);
      if (step.resync !== undefined) break;
    }
    return step;
  }

  private applySnapshot(step: BookSyncStep, data: OkxBookData, receivedTsNs: bigint): boolean {
    const r = this.book.snapshot(data.bids, data.asks, data.tsNs, receivedTsNs);
    if (!r.ok) {
      this.resync(step, rejectReasonFor(r.reason), r.detail);
      return false;
    }
    this.texts.bid.clear();
    this.texts.ask.clear();
    this.remember(data);
    this.phaseValue = 'live';
    step.live = true;
    return true;
  }

  private applyLive(step: BookSyncStep, d: OkxBookData, receivedTsNs: bigint): void {
    if (this.restSeqId !== undefined) {
      // The first delta after a REST snapshot with seqId S: drop what S already holds, then
      // require prevSeqId <= S < seqId.
      const s = this.restSeqId;
      if (d.seqId === undefined || d.prevSeqId === undefined) {
        this.resync(step, 'schema', `delta without seqId/prevSeqId after REST snapshot seqId ${s}`);
        return;
      }
      if (d.seqId < d.prevSeqId) {
        this.resync(step, 'out_of_order', `sequence reset (${seqText(d)}) before the first delta after REST snapshot seqId ${s}`);
        return;
      }
      if (d.seqId <= s) return; // already in the snapshot
      if (d.prevSeqId > s) {
        this.resync(step, 'out_of_order', `first delta after REST snapshot seqId ${s} has ${seqText(d)}: updates in between are missing`);
        return;
      }
    } else if (this.lastSeqId !== undefined) {
      if (d.seqId === undefined || d.prevSeqId === undefined) {
        this.resync(step, 'schema', `delta without seqId/prevSeqId after seqId ${this.lastSeqId}`);
        return;
      }
      if (d.prevSeqId !== this.lastSeqId) {
        this.resync(step, 'out_of_order', `delta ${seqText(d)} does not continue seqId ${this.lastSeqId}`);
        return;
      }
    }
    if (d.checksum !== undefined && d.checksum !== 0) {
      const bids = this.prospectiveTop('bid', d.bids);
      const asks = this.prospectiveTop('ask', d.asks);
      if (!this.checksumHolds(step, d, bids, asks, `delta ${seqText(d)}`)) return;
    }
    if (d.bids.length > 0 || d.asks.length > 0) {
      const r = this.book.delta(d.bids, d.asks, d.tsNs, receivedTsNs);
      if (!r.ok) {
        this.resync(step, rejectReasonFor(r.reason), `${r.detail} (${seqText(d)})`);
        return;
      }
      this.remember(d);
    } // else OKX's heartbeat: no change, nothing to emit
    this.restSeqId = undefined;
    this.lastSeqId = d.seqId;
  }

  private checksumHolds(step: BookSyncStep, d: OkxBookData, bids: readonly LevelText[], asks: readonly LevelText[], what: string): boolean {
    if (d.checksum === undefined || d.checksum === 0) return true;
    const computed = okxChecksum(bids, asks);
    if (computed === d.checksum) {
      this.verified++;
      return true;
    }
    this.resync(step, 'checksum', `${what}: venue checksum ${d.checksum} != ${computed} computed on the book`);
    return false;
  }

  /** The best 25 levels of one side as they would be after `changes`, with the venue's text. */
  private prospectiveTop(side: 'bid' | 'ask', changes: readonly OkxLevel[]): LevelText[] {
    // k changes can lift at most k levels from below the top 25 into it.
    const window = this.book.book.depth(OKX_CHECKSUM_DEPTH + changes.length)[side === 'bid' ? 'bids' : 'asks'];
    const texts = this.texts[side];
    const merged = new Map<string, { price: Decimal; text: LevelText }>();
    for (const level of window) {
      const key = level.price.toString();
      merged.set(key, { price: level.price, text: texts.get(key) ?? { px: key, sz: level.size.toString() } });
    }
    for (const change of changes) {
      const key = change.price.toString();
      if (change.size.isZero()) merged.delete(key);
      else merged.set(key, { price: change.price, text: { px: change.px, sz: change.sz } });
    }
    const levels = [...merged.values()];
    levels.sort((a, b) => (side === 'bid' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
    return levels.slice(0, OKX_CHECKSUM_DEPTH).map((l) => l.text);
  }

  private remember(d: OkxBookData): void {
    rememberSide(this.texts.bid, d.bids);
    rememberSide(this.texts.ask, d.asks);
  }

  /** Drops the book and says how to get the next snapshot; `reason` undefined when already counted. */
  private resync(step: BookSyncStep, reason: RejectReason | undefined, detail: string): void {
    if (reason !== undefined) step.rejections.push({ reason, detail });
    step.resync = detail;
    step.live = false;
    this.restart();
    if (!this.options.restSnapshots || !this.venueChains) step.request = 'resubscribe';
    else delete step.request; // the next delta asks for the REST snapshot
  }
}
