// Building blocks of the rolling-window indicators; internal to the package (not exported by index.ts).

/**
 * Compensated (Neumaier) running sum: a plain `sum += x; sum -= old` drifts over millions of
 * updates, and the drift never washes out of a rolling window.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }

  reset(): void {
    this.sum = 0;
    this.compensation = 0;
  }
}

/** Fixed-capacity FIFO; `push` hands back the value it evicts once full. */
export class RingBuffer {
  private readonly items: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  push(x: number): number | undefined {
    const evicted = this.full ? this.items[this.next] : undefined;
    this.items[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
    return evicted;
  }
}
