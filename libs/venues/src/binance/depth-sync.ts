import type { Level } from '@meridian/book';
import { FeedConfigError } from '../errors';

/** One `depthUpdate` event, decoded: update ids and absolute level sizes (0 removes). */
export interface DepthEvent {
  /** `U`: the first update id in the event. */
  readonly firstUpdateId: bigint;
  /** `u`: the last update id in the event. */
  readonly finalUpdateId: bigint;
  /** `pu`: the previous event's `u` (USDⓈ-M futures only). */
  readonly previousFinalUpdateId: bigint | undefined;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  /** Event time `E`, ns. */
  readonly tsNs: bigint;
  readonly receivedTsNs: bigint;
}

/** A REST depth snapshot, decoded. */
export interface DepthSnapshot {
  readonly lastUpdateId: bigint;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  /** Exchange time when the venue gives one (futures `E`), else when the response arrived. */
  readonly tsNs: bigint;
  readonly receivedTsNs: bigint;
}

/**
 * How events chain: `spot` (and Binance.US) requires `U == previous u + 1`; `futures` (USDⓈ-M)
 * requires `pu == previous u`, because futures update ids are not contiguous between events.
 */
export type DepthChaining = 'spot' | 'futures';

/** What the caller must do, in order. */
export type DepthSyncAction =
  /** Fetch a (new) REST snapshot and hand it to `onSnapshot`. */
  | { readonly kind: 'fetch_snapshot'; readonly reason: string }
  /** Replace the local book with this snapshot. */
  | { readonly kind: 'snapshot'; readonly snapshot: DepthSnapshot }
  /** Apply this event to the local book. */
  | { readonly kind: 'delta'; readonly event: DepthEvent }
  /**
   * The local book is no longer valid: drop it. `gap`: an event does not continue the previous
   * one (counted as `out_of_order`); `stale_snapshot`: the snapshot already applied turned out to
   * be older than the stream it must join. A `fetch_snapshot` follows.
   */
  | { readonly kind: 'drop_book'; readonly cause: 'gap' | 'stale_snapshot'; readonly detail: string };

export type DepthSyncState = 'buffering' | 'live';

export interface DepthSyncCounters {
  /** Events applied to the book (`delta` actions). */
  applied: number;
  /** Events dropped because the snapshot already contains them (`u` at or before `lastUpdateId`). */
  discarded: number;
  /** Chain breaks (`drop_book` with cause `gap`). */
  gaps: number;
  /** Snapshots refused or dropped as older than the stream. */
  staleSnapshots: number;
  /** Buffered events dropped because the buffer was full while waiting for a snapshot. */
  overflowed: number;
}

export interface DepthSynchroniserOptions {
  readonly chaining?: DepthChaining;
  /** Events kept while waiting for a snapshot; the oldest go first (a later snapshot still joins). */
  readonly maxBuffered?: number;
}

/**
 * Binance's documented procedure for a correct local order book from the diff-depth stream and a
 * REST snapshot, as a pure state machine: events and snapshots go in, actions come out, and the
 * caller does the I/O. Keeping it free of sockets and clocks is what lets the same code be
 * checked against recorded sessions and scripted races.
 *
 * 1. Buffer events; the first one asks for a snapshot.
 * 2. A snapshot older than the first buffered event (`lastUpdateId + 1 < U`, spot) cannot be
 *    joined: fetch again, keep buffering. Binance's text says "lastUpdateId < U"; the boundary
 *    `lastUpdateId + 1 == U` is the contiguous case, which its own first-event rule
 *    (`U <= lastUpdateId + 1 <= u`) accepts, so we do not refetch for it.
 * 3. Drop buffered events the snapshot already contains (`u <= lastUpdateId`; futures:
 *    `u < lastUpdateId`, as its documentation says), apply the snapshot, then the rest.
 * 4. The first applied event must straddle the snapshot (spot `U <= lastUpdateId + 1 <= u`,
 *    futures `U <= lastUpdateId <= u`); every later one must continue the previous one
 *    (spot `U == u' + 1`, futures `pu == u'`). Anything else drops the book and starts over,
 *    keeping the offending event as the first of the new buffer.
 */
export class DepthSynchroniser {
  private mode: DepthSyncState = 'buffering';
  private buffer: DepthEvent[] = [];
  /** The `u` of the last applied event, or the snapshot's `lastUpdateId` before the first. */
  private lastUpdateId = 0n;
  private awaitingFirst = false;
  readonly chaining: DepthChaining;
  private readonly maxBuffered: number;
  readonly counters: DepthSyncCounters = { applied: 0, discarded: 0, gaps: 0, staleSnapshots: 0, overflowed: 0 };

  constructor(options: DepthSynchroniserOptions = {}) {
    this.chaining = options.chaining ?? 'spot';
    this.maxBuffered = options.maxBuffered ?? 10_000;
    if (!(Number.isInteger(this.maxBuffered) && this.maxBuffered > 0)) {
      throw new FeedConfigError('maxBuffered', options.maxBuffered, 'must be a positive integer');
    }
  }

  get state(): DepthSyncState {
    return this.mode;
  }

  /** The update id the book stands at (meaningful when live). */
  get updateId(): bigint {
    return this.lastUpdateId;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * Forget everything and wait for events again (a new connection, or the book refused an
   * update). Returns a `fetch_snapshot` when `fetchNow` is set, for callers that cannot wait for
   * the next event (the book was refused while the stream is quiet).
   */
  restart(fetchNow = false, reason = 'restart'): DepthSyncAction[] {
    this.mode = 'buffering';
    this.buffer = [];
    this.awaitingFirst = false;
    return fetchNow ? [{ kind: 'fetch_snapshot', reason }] : [];
  }

  onEvent(event: DepthEvent): DepthSyncAction[] {
    if (this.mode === 'buffering') {
      this.buffer.push(event);
      if (this.buffer.length > this.maxBuffered) {
        this.buffer.shift();
        this.counters.overflowed++;
      }
      return this.buffer.length === 1 ? [{ kind: 'fetch_snapshot', reason: `first event U=${event.firstUpdateId} buffered` }] : [];
    }
    const actions: DepthSyncAction[] = [];
    this.applyLive(event, actions);
    return actions;
  }

  onSnapshot(snapshot: DepthSnapshot): DepthSyncAction[] {
    if (this.mode !== 'buffering') {
      // A late answer to a request made before the book went live: the live book is newer.
      return [];
    }
    const L = snapshot.lastUpdateId;
    const first = this.buffer[0];
    if (first !== undefined && this.snapshotTooOld(L, first)) {
      this.counters.staleSnapshots++;
      return [
        {
          kind: 'fetch_snapshot',
          reason: `snapshot lastUpdateId=${L} is older than the first buffered event U=${first.firstUpdateId}`,
        },
      ];
    }
    const pending = this.buffer;
    this.buffer = [];
    this.mode = 'live';
    this.lastUpdateId = L;
    this.awaitingFirst = true;
    const actions: DepthSyncAction[] = [{ kind: 'snapshot', snapshot }];
    for (let i = 0; i < pending.length; i++) {
      if (!this.applyLive(pending[i]!, actions)) {
        // The chain broke inside the buffer: the rest waits for the next snapshot behind the breaking event.
        this.buffer.push(...pending.slice(i + 1));
        break;
      }
    }
    return actions;
  }

  private snapshotTooOld(L: bigint, first: DepthEvent): boolean {
    return this.chaining === 'spot' ? L + 1n < first.firstUpdateId : L < first.firstUpdateId;
  }

  private alreadyInSnapshot(event: DepthEvent): boolean {
    // Futures documents "drop u < lastUpdateId" before the first event, then the chain decides.
    if (this.chaining === 'futures' && this.awaitingFirst) return event.finalUpdateId < this.lastUpdateId;
    return event.finalUpdateId <= this.lastUpdateId;
  }

  /** Applies or discards one event while live; false when it broke the chain (back to buffering). */
  private applyLive(event: DepthEvent, actions: DepthSyncAction[]): boolean {
    if (this.alreadyInSnapshot(event)) {
      this.counters.discarded++;
      return true;
    }
    const problem = this.awaitingFirst ? this.firstEventProblem(event) : this.chainProblem(event);
    if (problem !== undefined) {
      const cause = this.awaitingFirst ? 'stale_snapshot' : 'gap';
      if (cause === 'gap') this.counters.gaps++;
      else this.counters.staleSnapshots++;
      this.mode = 'buffering';
      this.awaitingFirst = false;
      this.buffer = [event];
      actions.push({ kind: 'drop_book', cause, detail: problem });
      actions.push({ kind: 'fetch_snapshot', reason: problem });
      return false;
    }
    this.awaitingFirst = false;
    this.lastUpdateId = event.finalUpdateId;
    this.counters.applied++;
    actions.push({ kind: 'delta', event });
    return true;
  }

  private firstEventProblem(e: DepthEvent): string | undefined {
    const L = this.lastUpdateId;
    const ok = this.chaining === 'spot' ? e.firstUpdateId <= L + 1n && L + 1n <= e.finalUpdateId : e.firstUpdateId <= L && L <= e.finalUpdateId;
    if (ok) return undefined;
    const rule = this.chaining === 'spot' ? 'U <= lastUpdateId+1 <= u' : 'U <= lastUpdateId <= u';
    return `first event U=${e.firstUpdateId} u=${e.finalUpdateId} does not straddle snapshot lastUpdateId=${L} (${rule})`;
  }

  private chainProblem(e: DepthEvent): string | undefined {
    const prev = this.lastUpdateId;
    if (this.chaining === 'spot') {
      if (e.firstUpdateId === prev + 1n) return undefined;
      return `event U=${e.firstUpdateId} u=${e.finalUpdateId} does not follow previous u=${prev} (expected U=${prev + 1n})`;
    }
    if (e.previousFinalUpdateId === prev) return undefined;
    return `event pu=${e.previousFinalUpdateId ?? 'missing'} u=${e.finalUpdateId} does not follow previous u=${prev}`;
  }
}
