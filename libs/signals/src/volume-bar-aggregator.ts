import { Decimal } from '@meridian/domain';
import type { VolumeBarInterval } from './bar-interval';
import { checkTimestamp, checkTrade, emptyStats } from './bar-types';
import type { BarAggregator, BarAggregatorStats, BarTrade, ExactBar } from './bar-types';

interface OpenVolumeBar {
  readonly startTsNs: bigint;
  readonly open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** The latest trade timestamp in the bar. */
  lastTsNs: bigint;
  volume: Decimal;
  notional: Decimal;
  count: number;
}

/**
 * Exact volume bars: each bar holds exactly `interval.size` of volume.
 *
 * A trade that overshoots the bar is split: the part that fills the bar goes into it, the rest
 * into the next bar(s) at the same price, so one large print can fill several bars. A split trade
 * counts once in the trade count of every bar it contributes to. Bars follow arrival order (volume
 * bars are defined by the sequence of trades, so a late trade is not moved back into a bar already
 * emitted, and there are no revisions); a trade older than its predecessor is counted in
 * `stats.lateTrades` and folded into the open bar all the same.
 *
 * Timestamps: a bar covers [start, end) with start = its first trade's time and end = its last
 * trade's time + 1 ns, nudged so that every bar starts at or after the previous one's end and
 * lasts at least 1 ns. Bars filled at the same nanosecond (a split print) thus get consecutive
 * nanoseconds, and start times stay strictly increasing, which is what keys a stored series.
 * `advanceTo` emits nothing (volume bars do not close on time), and `flush` does not emit the
 * partial bar: it is not a volume bar yet (`partial()` shows it).
 */
export class VolumeBarAggregator implements BarAggregator {
  private readonly counters = emptyStats();
  private bar: OpenVolumeBar | undefined;
  /** End of the last emitted bar; the next one starts no earlier. */
  private prevEndTsNs: bigint | undefined;
  private lastTradeTsNs: bigint | undefined;

  constructor(readonly interval: VolumeBarInterval) {}

  get stats(): Readonly<BarAggregatorStats> {
    return this.counters;
  }

  addTrade(trade: BarTrade): ExactBar[] {
    checkTrade(trade);
    const out: ExactBar[] = [];
    if (this.lastTradeTsNs !== undefined && trade.tsNs < this.lastTradeTsNs) this.counters.lateTrades += 1;
    else this.lastTradeTsNs = trade.tsNs;
    this.counters.trades += 1;
    const size = this.interval.size;
    let remaining = trade.size;
    while (remaining.isPositive()) {
      const bar = (this.bar ??= this.openBar(trade));
      const room = size.sub(bar.volume);
      const part = remaining.lt(room) ? remaining : room;
      this.fold(bar, trade, part);
      remaining = remaining.sub(part);
      if (bar.volume.eq(size)) {
        out.push(this.close(bar));
        this.bar = undefined;
      }
    }
    return out;
  }

  advanceTo(tsNs: bigint): ExactBar[] {
    checkTimestamp('clock', tsNs);
    return [];
  }

  flush(): ExactBar[] {
    return [];
  }

  /** The bar being filled, as it would look if it closed now; undefined when none is open. */
  partial(): ExactBar | undefined {
    return this.bar === undefined ? undefined : this.view(this.bar);
  }

  private openBar(trade: BarTrade): OpenVolumeBar {
    const start = this.prevEndTsNs !== undefined && this.prevEndTsNs > trade.tsNs ? this.prevEndTsNs : trade.tsNs;
    return {
      startTsNs: start,
      open: trade.price,
      high: trade.price,
      low: trade.price,
      close: trade.price,
      lastTsNs: trade.tsNs,
      volume: Decimal.ZERO,
      notional: Decimal.ZERO,
      count: 0,
    };
  }

  private fold(bar: OpenVolumeBar, trade: BarTrade, part: Decimal): void {
    if (trade.price.gt(bar.high)) bar.high = trade.price;
    if (trade.price.lt(bar.low)) bar.low = trade.price;
    bar.close = trade.price;
    if (trade.tsNs > bar.lastTsNs) bar.lastTsNs = trade.tsNs;
    bar.volume = bar.volume.add(part);
    bar.notional = bar.notional.add(trade.price.mul(part));
    bar.count += 1;
  }

  private close(bar: OpenVolumeBar): ExactBar {
    const view = this.view(bar);
    this.prevEndTsNs = view.endTsNs;
    return view;
  }

  private view(bar: OpenVolumeBar): ExactBar {
    const end = bar.lastTsNs + 1n > bar.startTsNs ? bar.lastTsNs + 1n : bar.startTsNs + 1n;
    return {
      interval: this.interval.token,
      startTsNs: bar.startTsNs,
      endTsNs: end,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      notional: bar.notional,
      tradeCount: bar.count,
      revision: 0,
    };
  }
}
