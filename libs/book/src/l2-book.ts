import { Decimal } from '@meridian/domain';
import { BookModifiedDuringIterationError, InvalidBookArgumentError } from './errors';
import { SortedLevels } from './sorted-levels';
import type { ApplyFailureReason, ApplyResult, BookLevels, BookSide, Level } from './types';

export interface L2BookOptions {
  /**
   * Accept a best bid equal to the best ask. Off by default: on a single venue equal prices would
   * have matched, so a locked book means a missed update. Aggregated feeds may need it on.
   */
  readonly allowLocked?: boolean;
}

const OK: ApplyResult = Object.freeze({ ok: true });

function failure(reason: ApplyFailureReason, detail: string): ApplyResult {
  return { ok: false, reason, detail };
}

/** Why a level is unusable, or undefined when it is fine. */
function levelProblem(level: Level): string | undefined {
  if (!(level?.price instanceof Decimal) || !(level.size instanceof Decimal)) return 'price and size must be Decimal';
  if (!level.price.isPositive()) return `price ${level.price} must be positive`;
  if (level.size.isNegative()) return `size ${level.size} at price ${level.price} must not be negative`;
  return undefined;
}

/** Our own frozen copy: callers may reuse or mutate the objects they passed in (a frozen one cannot change). */
function ownLevel(level: Level): Level {
  return Object.isFrozen(level) ? level : Object.freeze({ price: level.price, size: level.size });
}

/**
 * A level-2 order book for one symbol, kept in step with a venue feed by sequence number.
 *
 * The book never holds a state that failed validation: a rejected snapshot or delta leaves the
 * last consistent levels in place (so they can still be displayed) and, except for a stale
 * delta, marks the book unsynced until the next snapshot. Consumers that act on prices (the paper
 * venue) should check `synced` first.
 */
export class L2Book implements BookLevels {
  private readonly bidLevels = new SortedLevels(true);
  private readonly askLevels = new SortedLevels(false);
  private currentSeq = 0n;
  private isSynced = false;
  private hadSnapshot = false;
  private readonly allowLocked: boolean;
  private readonly undoSides: SortedLevels[] = [];
  private readonly undoPrices: Decimal[] = [];
  private readonly undoPrevious: (Level | undefined)[] = [];

  constructor(
    readonly symbol: string,
    options: L2BookOptions = {},
  ) {
    this.allowLocked = options.allowLocked ?? false;
  }

  get synced(): boolean {
    return this.isSynced;
  }

  /** The sequence number of the last snapshot or delta applied (0n before any). */
  get seq(): bigint {
    return this.currentSeq;
  }

  /**
   * Replaces the whole book. Levels must have a positive price, a non-negative size and distinct
   * prices per side; size 0 levels are dropped. Any sequence number is accepted, because a snapshot
   * is how a venue that restarted its numbering resynchronises us.
   */
  applySnapshot(seq: bigint, bids: readonly Level[], asks: readonly Level[]): ApplyResult {
    this.checkSeq(seq);
    const bidResult = this.prepareSnapshotSide('bid', bids);
    if (typeof bidResult === 'string') return this.unsync('invalid_level', bidResult);
    const askResult = this.prepareSnapshotSide('ask', asks);
    if (typeof askResult === 'string') return this.unsync('invalid_level', askResult);
    const crossed = this.crossing(bidResult[0], askResult[0]);
    if (crossed) return this.unsync('crossed', `snapshot seq ${seq}: ${crossed}`);
    this.bidLevels.adoptBestFirst(bidResult);
    this.askLevels.adoptBestFirst(askResult);
    this.currentSeq = seq;
    this.isSynced = true;
    this.hadSnapshot = true;
    return OK;
  }

  /**
   * Applies absolute level changes (size 0 removes the level). Requires `seq === this.seq + 1n`.
   * The delta is applied all or nothing: one bad level or a crossed result leaves the book as it was.
   */
  applyDelta(seq: bigint, bids: readonly Level[], asks: readonly Level[]): ApplyResult {
    this.checkSeq(seq);
    if (!this.isSynced) {
      const why = this.hadSnapshot ? 'lost sync, waiting for a snapshot' : 'no snapshot yet';
      return failure('not_synced', `book ${this.symbol}: delta seq ${seq} refused: ${why}`);
    }
    if (seq <= this.currentSeq) {
      return failure('stale', `book ${this.symbol}: delta seq ${seq} is not after current seq ${this.currentSeq}`);
    }
    if (seq !== this.currentSeq + 1n) {
      const missing = seq - this.currentSeq - 1n;
      return this.unsync('gap', `delta seq ${seq} after seq ${this.currentSeq}: ${missing} update(s) missing`);
    }
    const invalid = this.deltaProblem('bid', bids) ?? this.deltaProblem('ask', asks);
    if (invalid) return this.unsync('invalid_level', `delta seq ${seq}: ${invalid}`);

    // Undo log in reusable parallel arrays (no per-delta allocation): only a crossing result reads it.
    let undoCount = 0;
    for (let s = 0; s < 2; s++) {
      const side = s === 0 ? this.bidLevels : this.askLevels;
      const changes = s === 0 ? bids : asks;
      for (let i = 0; i < changes.length; i++) {
        const change = changes[i]!;
        const removing = change.size.isZero();
        const previous = removing ? side.remove(change.price) : side.set(ownLevel(change));
        if (previous !== undefined || !removing) {
          this.undoSides[undoCount] = side;
          this.undoPrices[undoCount] = change.price;
          this.undoPrevious[undoCount] = previous;
          undoCount++;
        }
      }
    }

    const crossed = this.crossing(this.bidLevels.best(), this.askLevels.best());
    if (crossed) {
      // Put the last consistent book back, newest change first, so the undo sees each prior state.
      for (let i = undoCount - 1; i >= 0; i--) {
        const side = this.undoSides[i]!;
        const previous = this.undoPrevious[i];
        if (previous === undefined) side.remove(this.undoPrices[i]!);
        else side.set(previous);
      }
      this.clearUndo(undoCount);
      return this.unsync('crossed', `delta seq ${seq}: ${crossed}`);
    }
    this.clearUndo(undoCount);
    this.currentSeq = seq;
    return OK;
  }

  bestBid(): Level | undefined {
    return this.bidLevels.best();
  }

  bestAsk(): Level | undefined {
    return this.askLevels.best();
  }

  /**
   * (best bid + best ask) / 2. Halving adds at most one fraction digit, so the default result is
   * exact; `maxScale` caps the digits (half-even) for consumers that want a fixed precision.
   */
  mid(maxScale?: number): Decimal | undefined {
    if (maxScale !== undefined && (!Number.isInteger(maxScale) || maxScale < 0)) {
      throw new InvalidBookArgumentError('maxScale', maxScale, 'must be a non-negative integer');
    }
    const bid = this.bidLevels.best();
    const ask = this.askLevels.best();
    if (bid === undefined || ask === undefined) return undefined;
    const sum = bid.price.add(ask.price);
    const exactScale = sum.scale + 1;
    return sum.div(2n, maxScale === undefined ? exactScale : Math.min(exactScale, maxScale), 'half-even');
  }

  spread(): Decimal | undefined {
    const bid = this.bidLevels.best();
    const ask = this.askLevels.best();
    if (bid === undefined || ask === undefined) return undefined;
    return ask.price.sub(bid.price);
  }

  /** Up to `levels` levels per side, best first. */
  depth(levels: number): { bids: Level[]; asks: Level[] } {
    if (!Number.isInteger(levels) || levels < 0) {
      throw new InvalidBookArgumentError('depth', levels, 'must be a non-negative integer');
    }
    return { bids: this.bidLevels.slice(levels), asks: this.askLevels.slice(levels) };
  }

  levelCount(side: BookSide): number {
    return this.sideLevels(side).length;
  }

  /** The level at `price` on `side`, if any. */
  level(side: BookSide, price: Decimal): Level | undefined {
    return this.sideLevels(side).get(price);
  }

  /**
   * Levels best first, read straight from the book. Changing the book while iterating throws
   * `BookModifiedDuringIterationError` rather than silently skipping or repeating a level.
   */
  levels(side: BookSide): Iterable<Level> {
    const levels = this.sideLevels(side);
    const symbol = this.symbol;
    return {
      *[Symbol.iterator](): Iterator<Level> {
        const version = levels.version;
        for (let i = 0; ; i++) {
          if (levels.version !== version) throw new BookModifiedDuringIterationError(symbol, side);
          const level = levels.at(i);
          if (level === undefined) return;
          yield level;
        }
      },
    };
  }

  /** The level `depth` places from the top of `side` (0 = best), or undefined past the last: a walk by index, with no iterator. */
  levelAt(side: BookSide, depth: number): Level | undefined {
    return this.sideLevels(side).at(depth);
  }

  private sideLevels(side: BookSide): SortedLevels {
    if (side === 'bid') return this.bidLevels;
    if (side === 'ask') return this.askLevels;
    throw new InvalidBookArgumentError('book side', side, "expected 'bid' or 'ask'");
  }

  /** Drops the undo log's references so replaced levels can be collected. */
  private clearUndo(count: number): void {
    for (let i = 0; i < count; i++) {
      this.undoPrices[i] = Decimal.ZERO;
      this.undoPrevious[i] = undefined;
    }
  }

  private checkSeq(seq: bigint): void {
    if (typeof seq !== 'bigint') throw new InvalidBookArgumentError('seq', seq, 'must be a bigint');
  }

  private unsync(reason: ApplyFailureReason, detail: string): ApplyResult {
    this.isSynced = false;
    return failure(reason, `book ${this.symbol}: ${detail}`);
  }

  /** Describes how the two best levels cross, or undefined when they do not. */
  private crossing(bid: Level | undefined, ask: Level | undefined): string | undefined {
    if (bid === undefined || ask === undefined) return undefined;
    const c = bid.price.cmp(ask.price);
    if (c > 0) return `best bid ${bid.price} is above best ask ${ask.price}`;
    if (c === 0 && !this.allowLocked) return `best bid ${bid.price} equals best ask ${ask.price} (locked)`;
    return undefined;
  }

  /** Validated, sorted, zero-free levels (a new array, best first), or a description of the first bad one. */
  private prepareSnapshotSide(side: BookSide, levels: readonly Level[]): Level[] | string {
    const sorter = side === 'bid' ? this.bidLevels : this.askLevels;
    const copies: Level[] = [];
    // Venues send snapshots best first: such a side is kept as it is, with no sort and no duplicate check (strictly ordered prices are distinct).
    let ordered = true;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const problem = levelProblem(level);
      if (problem) return `snapshot ${side} level ${i}: ${problem}`;
      if (ordered && i > 0 && sorter.compare(copies[i - 1]!.price, level.price) >= 0) ordered = false;
      copies.push(ownLevel(level));
    }
    if (!ordered) copies.sort((a, b) => sorter.compare(a.price, b.price));
    const kept: Level[] = [];
    for (let i = 0; i < copies.length; i++) {
      const level = copies[i]!;
      if (!ordered && i > 0 && level.price.eq(copies[i - 1]!.price)) return `snapshot ${side} price ${level.price} appears twice`;
      if (!level.size.isZero()) kept.push(level);
    }
    return kept;
  }

  private deltaProblem(side: BookSide, levels: readonly Level[]): string | undefined {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const problem = levelProblem(level);
      if (problem) return `${side} level ${i}: ${problem}`;
    }
    // Two absolute sizes for one price in one message is ambiguous: refuse rather than guess.
    // Deltas are short, so pairwise comparison beats building a set of keys.
    if (levels.length > 1) {
      if (levels.length <= 16) {
        for (let i = 1; i < levels.length; i++) {
          for (let j = 0; j < i; j++) {
            if (levels[i]!.price.eq(levels[j]!.price)) return `${side} price ${levels[i]!.price} appears twice`;
          }
        }
      } else {
        // Decimals are normalised, so equal prices have equal strings.
        const seen = new Set<string>();
        for (const level of levels) {
          const key = level.price.toString();
          if (seen.has(key)) return `${side} price ${key} appears twice`;
          seen.add(key);
        }
      }
    }
    return undefined;
  }
}
