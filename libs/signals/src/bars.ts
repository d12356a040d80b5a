import { InvalidSignalInputError, requireFinite, requirePeriod } from './errors';

/** One time bar: trades with `startMs <= ts < endMs`. */
export interface Bar {
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades: number;
}

interface OpenBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

/**
 * Aggregates trades into epoch-aligned bars of `intervalMs`.
 *
 * Intervals without trades are emitted as flat bars (volume 0 at the previous close) rather than
 * skipped, so a consumer counting bars always counts time, and returns over a gap are not mistaken
 * for returns over one interval. A gap of N intervals emits N bars at once: feed it timestamps from
 * one clock.
 */
export class TimeBarBuilder {
  readonly intervalMs: number;
  private lateCount = 0;
  /** Start of the bar trades currently land in; undefined before the first trade. */
  private barStart: number | undefined;
  /** Undefined while the current interval has no trade yet. */
  private bar: OpenBar | undefined;
  private lastClose: number | undefined;

  constructor(intervalMs: number) {
    this.intervalMs = requirePeriod('TimeBarBuilder intervalMs', intervalMs);
  }

  /** Trades older than the current bar: already-emitted bars are never revised. */
  get lateTrades(): number {
    return this.lateCount;
  }

  /** Start of the bar now being built, undefined before the first trade. */
  get currentBarStartMs(): number | undefined {
    return this.barStart;
  }

  /** Adds one trade; returns the bars it closes, oldest first (usually none or one). */
  addTrade(priceNum: number, sizeNum: number, tsMs: number): Bar[] {
    requireFinite('trade price', priceNum);
    requireFinite('trade size', sizeNum);
    requireFinite('trade timestamp', tsMs);
    if (priceNum <= 0) throw new InvalidSignalInputError('trade price', priceNum, 'must be positive');
    if (sizeNum < 0) throw new InvalidSignalInputError('trade size', sizeNum, 'must not be negative');

    if (this.barStart !== undefined && tsMs < this.barStart) {
      this.lateCount += 1;
      return [];
    }
    const closed = this.closeBefore(this.alignedStart(tsMs));
    const bar = this.bar;
    if (bar === undefined) {
      this.bar = { open: priceNum, high: priceNum, low: priceNum, close: priceNum, volume: sizeNum, trades: 1 };
    } else {
      if (priceNum > bar.high) bar.high = priceNum;
      if (priceNum < bar.low) bar.low = priceNum;
      bar.close = priceNum;
      bar.volume += sizeNum;
      bar.trades += 1;
    }
    return closed;
  }

  /**
   * Closes every bar that ends at or before `nowMs`, so a quiet market still produces bars when
   * driven by a clock. Does nothing before the first trade: there is no price to be flat at.
   */
  closeUntil(nowMs: number): Bar[] {
    requireFinite('close time', nowMs);
    if (this.barStart === undefined || nowMs < this.barStart + this.intervalMs) return [];
    return this.closeBefore(this.alignedStart(nowMs));
  }

  private alignedStart(tsMs: number): number {
    return Math.floor(tsMs / this.intervalMs) * this.intervalMs;
  }

  /** Emits the current bar and flat fillers up to `start`, then makes `start` the current bar. */
  private closeBefore(start: number): Bar[] {
    const closed: Bar[] = [];
    let barStart = this.barStart;
    if (barStart === undefined) {
      this.barStart = start;
      return closed;
    }
    while (barStart < start) {
      const endMs: number = barStart + this.intervalMs;
      const bar = this.bar;
      if (bar !== undefined) {
        closed.push({ startMs: barStart, endMs, ...bar });
        this.lastClose = bar.close;
        this.bar = undefined;
      } else if (this.lastClose !== undefined) {
        const p = this.lastClose;
        closed.push({ startMs: barStart, endMs, open: p, high: p, low: p, close: p, volume: 0, trades: 0 });
      }
      barStart = endMs;
    }
    this.barStart = barStart;
    return closed;
  }
}
