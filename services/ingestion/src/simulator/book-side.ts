/** One price level of the simulator's book, in whole ticks and whole lots. */
export interface Level {
  tick: number;
  lots: number;
}

/**
 * One side of the simulator's book, best level first (bids descending, asks ascending), with the
 * sizes each touched level had before the current event so that the event's delta can be built.
 * Depth is small (tens of levels), so sorted arrays with linear search are the fastest choice.
 */
export class BookSide {
  readonly levels: Level[] = [];
  /** tick → lots before the first change in the current event (0 = level did not exist). */
  private readonly before = new Map<number, number>();

  constructor(readonly isBid: boolean) {}

  get length(): number {
    return this.levels.length;
  }

  /** True if `a` is strictly better (nearer the touch) than `b` on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  best(): Level | undefined {
    return this.levels[0];
  }

  worst(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** Lots at `tick`, 0 if there is no such level. */
  lotsAt(tick: number): number {
    for (const l of this.levels) {
      if (l.tick === tick) return l.lots;
      if (this.better(tick, l.tick)) return 0;
    }
    return 0;
  }

  private remember(tick: number, lots: number): void {
    if (!this.before.has(tick)) this.before.set(tick, lots);
  }

  /** Adds `lots` at `tick`, creating the level if needed. */
  add(tick: number, lots: number): void {
    let i = 0;
    for (; i < this.levels.length; i++) {
      const l = this.levels[i]!;
      if (l.tick === tick) {
        this.remember(tick, l.lots);
        l.lots += lots;
        return;
      }
      if (this.better(tick, l.tick)) break;
    }
    this.remember(tick, 0);
    this.levels.splice(i, 0, { tick, lots });
  }

  /** Takes `lots` (at most the level's size) off the level at index `i`, removing it when emptied. */
  reduceAt(i: number, lots: number): void {
    const l = this.levels[i];
    if (!l) return;
    this.remember(l.tick, l.lots);
    l.lots -= Math.min(lots, l.lots);
    if (l.lots <= 0) this.levels.splice(i, 1);
  }

  removeAt(i: number): void {
    const l = this.levels[i];
    if (l) this.reduceAt(i, l.lots);
  }

  /** The levels whose size differs from the start of the event, best first, with their new lots (0 = removed); resets the record. */
  takeChanges(): Level[] {
    const out: Level[] = [];
    for (const [tick, was] of this.before) {
      const now = this.lotsAt(tick);
      if (now !== was) out.push({ tick, lots: now });
    }
    this.before.clear();
    out.sort((x, y) => (this.isBid ? y.tick - x.tick : x.tick - y.tick));
    return out;
  }
}
