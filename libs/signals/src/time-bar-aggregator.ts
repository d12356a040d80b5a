import { Decimal } from '@meridian/domain';
import type { TimeBarInterval } from './bar-interval';
import { checkTimestamp, checkTrade, emptyStats, resolveBarOptions } from './bar-types';
import type { BarAggregator, BarAggregatorOptions, BarAggregatorStats, BarTrade, ExactBar, ResolvedBarOptions } from './bar-types';

/** One bar of the series while it is open or still correctable. */
interface Slot {
  /** Bar index: the bar covers [k × interval, (k + 1) × interval). */
  readonly k: bigint;
  /** An empty bar shows the previous close on all four. */
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** Timestamps of the trades that set open and close (meaningful when count > 0). */
  openTs: bigint;
  closeTs: bigint;
  volume: Decimal;
  notional: Decimal;
  count: number;
  revision: number;
  emitted: boolean;
}

/** floor(a / b) for b > 0; bigint division truncates toward zero. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * Exact time bars aligned to the epoch (a 5m bar starts at a multiple of 5 minutes since
 * 1970-01-01T00:00Z).
 *
 * The clock is the newest time seen, from trades or `advanceTo`. A bar is emitted (revision 0)
 * once the clock reaches its end + grace; until then late trades simply join it. After that a
 * trade for it is still folded in, and the bar emitted again with revision + 1, while the clock is
 * before end + grace + late retention; older trades are counted and dropped. Open is the trade
 * with the earliest timestamp and close the one with the latest (ties: the earlier and the later
 * to arrive), so the result does not depend on arrival order within what is accepted.
 *
 * The series starts at the first accepted trade's bar and has no holes: intervals without trades
 * are emitted as empty bars at the previous close. A jump of the clock emits at most
 * `maxEmptyBarsPerJump` empty bars after the last bar held; the rest of the gap is skipped (counted
 * in `stats.skippedEmptyBars`), the bars held so far are forgotten (no more corrections), and the
 * series resumes at the first bar not yet closed, still at the previous close. Trades before the
 * series start, or inside a skipped gap, are too late.
 */
export class TimeBarAggregator implements BarAggregator {
  private readonly opts: ResolvedBarOptions;
  private readonly ns: bigint;
  private readonly counters = emptyStats();
  /** The newest time seen; undefined before the first trade or tick. */
  private clock: bigint | undefined;
  /** First bar of the current series; trades before it are too late. Undefined before the first trade. */
  private floorK: bigint | undefined;
  /** Contiguous bars headK, headK + 1, …: the correctable closed ones, then the open ones. */
  private slots: Slot[] = [];
  private headK = 0n;
  /** The first bar not emitted yet. */
  private nextEmitK = 0n;
  /** Close of the last bar of the series, for empty bars after a skip forgot the slots. */
  private lastClose: Decimal | undefined;

  constructor(
    readonly interval: TimeBarInterval,
    options: BarAggregatorOptions = {},
  ) {
    this.opts = resolveBarOptions(options);
    this.ns = interval.ns;
  }

  get stats(): Readonly<BarAggregatorStats> {
    return this.counters;
  }

  addTrade(trade: BarTrade): ExactBar[] {
    checkTrade(trade);
    const out: ExactBar[] = [];
    const k = floorDiv(trade.tsNs, this.ns);
    if (!this.correctable(k) || (this.floorK !== undefined && k < this.floorK)) {
      this.counters.tooLateTrades += 1;
      return out;
    }
    if (this.floorK === undefined) {
      this.floorK = this.headK = this.nextEmitK = k;
    }
    if (this.clock === undefined || trade.tsNs > this.clock) {
      this.clock = trade.tsNs;
      this.emitClosed(out);
    }
    const slot = this.slotFor(k, trade);
    this.counters.trades += 1;
    if (slot.emitted) {
      slot.revision += 1;
      this.counters.lateTrades += 1;
      this.counters.revisions += 1;
      out.push(this.view(slot));
    }
    this.propagateClose(slot, out);
    // The first trade's bar may already be closed by a clock that ran ahead of it.
    this.emitClosed(out);
    this.prune();
    return out;
  }

  advanceTo(tsNs: bigint): ExactBar[] {
    checkTimestamp('clock', tsNs);
    const out: ExactBar[] = [];
    if (this.clock === undefined || tsNs > this.clock) {
      this.clock = tsNs;
      this.emitClosed(out);
      this.prune();
    }
    return out;
  }

  flush(): ExactBar[] {
    const out: ExactBar[] = [];
    for (const slot of this.slots) {
      if (!slot.emitted) this.emit(slot, out);
    }
    if (this.slots.length > 0) this.nextEmitK = this.tailK() + 1n;
    return out;
  }

  private end(k: bigint): bigint {
    return (k + 1n) * this.ns;
  }

  private correctable(k: bigint): boolean {
    return this.clock === undefined || this.end(k) + this.opts.graceNs + this.opts.lateRetentionNs > this.clock;
  }

  private tailK(): bigint {
    return this.headK + BigInt(this.slots.length) - 1n;
  }

  private tailClose(): Decimal | undefined {
    return this.slots.length > 0 ? this.slots[this.slots.length - 1]!.close : this.lastClose;
  }

  /** The slot of bar k, creating it and the empty bars before it; the trade is folded in. */
  private slotFor(k: bigint, trade: BarTrade): Slot {
    if (this.slots.length === 0 && this.lastClose === undefined) {
      // The series' first bar: nothing before it to be flat at.
      const slot = this.newSlot(k, trade.price);
      this.fold(slot, trade);
      this.slots.push(slot);
      return slot;
    }
    this.materialiseThrough(k);
    const slot = this.slots[Number(k - this.headK)]!;
    this.fold(slot, trade);
    return slot;
  }

  private newSlot(k: bigint, flat: Decimal): Slot {
    return {
      k,
      open: flat,
      high: flat,
      low: flat,
      close: flat,
      openTs: 0n,
      closeTs: 0n,
      volume: Decimal.ZERO,
      notional: Decimal.ZERO,
      count: 0,
      revision: 0,
      emitted: false,
    };
  }

  /** Appends empty bars at the previous close up to bar k. */
  private materialiseThrough(k: bigint): void {
    for (let next = this.tailK() + 1n; next <= k; next++) {
      const flat = this.tailClose();
      if (flat === undefined) throw new Error('unreachable: an empty bar before the first trade');
      this.slots.push(this.newSlot(next, flat));
    }
  }

  private fold(slot: Slot, trade: BarTrade): void {
    const { price, size, tsNs } = trade;
    const notional = price.mul(size);
    if (slot.count === 0) {
      slot.open = slot.high = slot.low = slot.close = price;
      slot.openTs = slot.closeTs = tsNs;
      slot.volume = size;
      slot.notional = notional;
      slot.count = 1;
      return;
    }
    if (tsNs < slot.openTs) {
      slot.open = price;
      slot.openTs = tsNs;
    }
    if (tsNs >= slot.closeTs) {
      slot.close = price;
      slot.closeTs = tsNs;
    }
    if (price.gt(slot.high)) slot.high = price;
    if (price.lt(slot.low)) slot.low = price;
    slot.volume = slot.volume.add(size);
    slot.notional = slot.notional.add(notional);
    slot.count += 1;
  }

  /** Empty bars after a bar whose close changed show the new close; emitted ones are revised. */
  private propagateClose(from: Slot, out: ExactBar[]): void {
    const close = from.close;
    for (let i = Number(from.k - this.headK) + 1; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.count > 0 || slot.close.eq(close)) return;
      slot.open = slot.high = slot.low = slot.close = close;
      if (slot.emitted) {
        slot.revision += 1;
        this.counters.revisions += 1;
        out.push(this.view(slot));
      }
    }
  }

  /** Emits every bar whose end + grace the clock has reached, filling gaps with empty bars. */
  private emitClosed(out: ExactBar[]): void {
    if (this.floorK === undefined || this.clock === undefined) return;
    const last = floorDiv(this.clock - this.opts.graceNs, this.ns) - 1n;
    if (last < this.nextEmitK) return;
    const tail = this.tailK();
    for (let k = this.nextEmitK; k <= last && k <= tail; k++) this.emit(this.slots[Number(k - this.headK)]!, out);
    if (last > tail && this.tailClose() !== undefined) {
      const missing = last - tail;
      const cap = BigInt(this.opts.maxEmptyBarsPerJump);
      const fill = missing <= cap ? missing : cap;
      const from = this.slots.length;
      this.materialiseThrough(tail + fill);
      for (let i = from; i < this.slots.length; i++) this.emit(this.slots[i]!, out);
      if (missing > cap) {
        this.counters.skippedEmptyBars += Number(missing - cap);
        this.lastClose = this.tailClose();
        this.slots = [];
        this.floorK = this.headK = last + 1n;
      }
    }
    this.nextEmitK = last + 1n;
  }

  private emit(slot: Slot, out: ExactBar[]): void {
    slot.emitted = true;
    out.push(this.view(slot));
  }

  /** Forgets emitted bars that can no longer be corrected. */
  private prune(): void {
    let n = 0;
    while (n < this.slots.length && this.slots[n]!.emitted && !this.correctable(this.slots[n]!.k)) n++;
    // Forgetting every bar: remember the last close, which the next empty bar shows.
    if (n === this.slots.length && n > 0) {
      this.lastClose = this.slots[n - 1]!.close;
    }
    if (n > 0) {
      this.slots.splice(0, n);
      this.headK += BigInt(n);
    }
  }

  private view(slot: Slot): ExactBar {
    return {
      interval: this.interval.token,
      startTsNs: slot.k * this.ns,
      endTsNs: this.end(slot.k),
      open: slot.open,
      high: slot.high,
      low: slot.low,
      close: slot.close,
      volume: slot.volume,
      notional: slot.notional,
      tradeCount: slot.count,
      revision: slot.revision,
    };
  }
}
