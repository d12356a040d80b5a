/** Something to do at a point of event time: an order reaching the venue, a report reaching the strategies. */
export interface Scheduled {
  readonly atNs: bigint;
  readonly seq: number;
  readonly run: () => void;
  /** A timer that need not fire once the data has ended (a parent order's wake-up), unlike an order on its way. */
  readonly weak: boolean;
}

/**
 * A min-heap of work in event time, ordered by time and then by when it was scheduled, so that two
 * things due at the same nanosecond happen in the order they were sent (deterministically).
 */
export class Scheduler {
  private readonly heap: Scheduled[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** When the next item is due, or undefined. */
  peek(): bigint | undefined {
    return this.heap[0]?.atNs;
  }

  /** The next item itself, or undefined. */
  peekItem(): Scheduled | undefined {
    return this.heap[0];
  }

  at(atNs: bigint, run: () => void, weak = false): void {
    const item: Scheduled = { atNs, seq: this.seq++, run, weak };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!earlier(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Removes and returns the next item. */
  pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && earlier(h[l]!, h[m]!)) m = l;
        if (r < h.length && earlier(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function earlier(a: Scheduled, b: Scheduled): boolean {
  return a.atNs < b.atNs || (a.atNs === b.atNs && a.seq < b.seq);
}
