import { EventOrderError } from '../errors';
import type { MarketEvent } from '../events';
import type { EventSource } from './source';

interface Cursor {
  readonly index: number;
  readonly source: EventSource;
  readonly next: () => Promise<IteratorResult<readonly MarketEvent[]>> | IteratorResult<readonly MarketEvent[]>;
  chunk: readonly MarketEvent[];
  pos: number;
  /** Events taken from this source so far (for errors). */
  taken: number;
  lastNs: bigint;
}

function iteratorOf(source: EventSource): Cursor['next'] {
  const chunks = source.chunks();
  if (Symbol.asyncIterator in chunks) {
    const it = (chunks as AsyncIterable<readonly MarketEvent[]>)[Symbol.asyncIterator]();
    return () => it.next();
  }
  const it = (chunks as Iterable<readonly MarketEvent[]>)[Symbol.iterator]();
  return () => it.next();
}

/** Loads the cursor's next non-empty chunk; false when the source is done. */
async function refill(c: Cursor): Promise<boolean> {
  for (;;) {
    const r = await c.next();
    if (r.done) return false;
    if (r.value.length > 0) {
      c.chunk = r.value;
      c.pos = 0;
      return true;
    }
  }
}

/** Heap order: time, then the source's place in the list, so equal times keep a fixed order. */
function before(a: Cursor, b: Cursor): boolean {
  const ta = a.chunk[a.pos]!.tsNs;
  const tb = b.chunk[b.pos]!.tsNs;
  return ta < tb || (ta === tb && a.index < b.index);
}

/**
 * Merges sources into one stream in time order, in chunks of up to `chunkSize`. Ties are broken
 * deterministically: by the source's position in `sources`, then by the order within the source
 * (its sequence), so the same inputs always give the same stream. Each source must be in time
 * order itself (`EventOrderError` names the first event that is not). A k-way merge over a binary
 * heap of cursors: O(log k) per event, one `await` per source chunk.
 */
export async function* mergeSources(sources: readonly EventSource[], chunkSize = 4096): AsyncGenerator<MarketEvent[]> {
  const heap: Cursor[] = [];
  const push = (c: Cursor): void => {
    heap.push(c);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  if (sources.length === 1) {
    yield* single(sources[0]!);
    return;
  }
  for (let index = 0; index < sources.length; index++) {
    const source = sources[index]!;
    const c: Cursor = { index, source, next: iteratorOf(source), chunk: [], pos: 0, taken: 0, lastNs: -1n };
    if (await refill(c)) push(c);
  }
  let out: MarketEvent[] = [];
  while (heap.length > 0) {
    const c = heap[0]!;
    const event = c.chunk[c.pos]!;
    if (event.tsNs < c.lastNs) throw new EventOrderError(c.source.name, c.taken, event.tsNs, c.lastNs);
    c.lastNs = event.tsNs;
    c.taken++;
    out.push(event);
    c.pos++;
    if (c.pos >= c.chunk.length) {
      if (out.length > 0) {
        // Hand over what is ready before waiting for this source's next chunk.
        yield out;
        out = [];
      }
      if (!(await refill(c))) {
        // c is the root: the last leaf takes its place (unless c was the only cursor).
        const last = heap.pop()!;
        if (heap.length > 0) heap[0] = last;
      }
    }
    if (heap.length > 1) siftDown();
    if (out.length >= chunkSize) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** One source needs no heap: its chunks pass through, checked for time order. */
async function* single(source: EventSource): AsyncGenerator<MarketEvent[]> {
  let lastNs = -1n;
  let taken = 0;
  const next = iteratorOf(source);
  for (;;) {
    const r = await next();
    if (r.done) return;
    const chunk = r.value;
    for (let i = 0; i < chunk.length; i++) {
      const t = chunk[i]!.tsNs;
      if (t < lastNs) throw new EventOrderError(source.name, taken + i, t, lastNs);
      lastNs = t;
    }
    taken += chunk.length;
    if (chunk.length > 0) yield chunk as MarketEvent[];
  }
}
