import type { Bar as WireBar } from '@meridian/proto';
import type { Bar } from '@meridian/signals';

/** The model's floating-point view of a wire bar (statistics, not money), or undefined when unreadable. */
export function modelBarOf(b: WireBar): Bar | undefined {
  const [open, high, low, close, volume] = [b.open, b.high, b.low, b.close, b.volume].map(Number) as [number, number, number, number, number];
  if (!(open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0 && high >= low)) return undefined;
  return {
    startMs: Number(b.startTsNs / 1_000_000n),
    endMs: Number(b.endTsNs / 1_000_000n),
    open,
    high,
    low,
    close,
    volume,
    trades: Number(b.tradeCount),
  };
}

/** The last `capacity` bars of a symbol, oldest first: what a model loaded later (or a new version) warms up from. */
export class BarHistory {
  private readonly bars: Bar[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.bars.length;
  }

  get last(): Bar | undefined {
    return this.bars.length === 0 ? undefined : this.bars[(this.start + this.bars.length - 1) % this.capacity];
  }

  push(bar: Bar): void {
    if (this.bars.length < this.capacity) this.bars.push(bar);
    else {
      this.bars[this.start] = bar;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  *[Symbol.iterator](): IterableIterator<Bar> {
    for (let i = 0; i < this.bars.length; i++) yield this.bars[(this.start + i) % this.bars.length]!;
  }
}
