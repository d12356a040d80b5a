/**
 * What the order-rate check reads of one scope's approvals (a symbol, a strategy or the account).
 * Times are milliseconds on the caller's clock.
 */
export interface RateWindowView {
  /** The time of the k-th most recent approval (k = 1 is the latest), or undefined if there were fewer than k. */
  recent(k: number): number | undefined;
  /** Approvals at times after `sinceMs`. */
  countSince(sinceMs: number): number;
}

/**
 * An exact sliding-window counter: the times of the approvals of the last `horizonMs`, oldest
 * first, in a ring that grows as needed. `record` is O(1) amortised (older entries are dropped as
 * newer ones arrive, and a time earlier than the latest, as when state is rebuilt from streams
 * read side by side, is inserted in place); `recent` is O(1), `countSince` O(log n). The check
 * never mutates it: the caller records an approval once it is decided.
 */
export class OrderRateWindow implements RateWindowView {
  private times: number[] = [];
  private head = 0;

  /** `horizonMs`: how long an approval is remembered, the longest window that will be asked about. */
  constructor(private horizon: number) {}

  get horizonMs(): number {
    return this.horizon;
  }

  /**
   * Remembers approvals for `horizonMs` from now on if that is longer (a limits change that widens
   * the window). Approvals already dropped stay dropped: for one new window after the change, the
   * count may miss approvals older than the old horizon.
   */
  widen(horizonMs: number): void {
    if (horizonMs > this.horizon) this.horizon = horizonMs;
  }

  get size(): number {
    return this.times.length - this.head;
  }

  record(atMs: number): void {
    const t = this.times;
    // Older than the horizon behind the latest: it would be dropped at once (history being replayed).
    if (t.length > this.head && atMs <= t[t.length - 1]! - this.horizon) return;
    if (t.length === this.head || t[t.length - 1]! <= atMs) t.push(atMs);
    else {
      let i = t.length;
      while (i > this.head && t[i - 1]! > atMs) i--;
      t.splice(i, 0, atMs);
    }
    const latest = t[t.length - 1]!;
    while (this.head < t.length && t[this.head]! <= latest - this.horizon) this.head++;
    if (this.head > 64 && this.head * 2 > t.length) {
      this.times = t.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets one approval recorded at `atMs` (an approval that was never sent); false if none. */
  unrecord(atMs: number): boolean {
    const t = this.times;
    for (let i = t.length - 1; i >= this.head; i--) {
      if (t[i] === atMs) {
        t.splice(i, 1);
        return true;
      }
      if (t[i]! < atMs) break;
    }
    return false;
  }

  recent(k: number): number | undefined {
    const i = this.times.length - k;
    return k >= 1 && i >= this.head ? this.times[i] : undefined;
  }

  countSince(sinceMs: number): number {
    // First index after sinceMs, by bisection.
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! > sinceMs) hi = mid;
      else lo = mid + 1;
    }
    return this.times.length - lo;
  }
}
