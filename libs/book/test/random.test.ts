import { Decimal } from '@meridian/domain';
import { L2Book, sweep } from '../src';
import type { ApplyResult, BookSide, Level } from '../src';
import { prng, show } from './helpers';

/** The obvious model: a map from price string to size, sorted only when asked. */
class ReferenceBook {
  readonly bids = new Map<string, Decimal>();
  readonly asks = new Map<string, Decimal>();

  clone(): ReferenceBook {
    const c = new ReferenceBook();
    for (const [k, v] of this.bids) c.bids.set(k, v);
    for (const [k, v] of this.asks) c.asks.set(k, v);
    return c;
  }

  apply(bids: Level[], asks: Level[]): void {
    for (const [map, levels] of [[this.bids, bids], [this.asks, asks]] as const) {
      for (const l of levels) {
        if (l.size.isZero()) map.delete(l.price.toString());
        else map.set(l.price.toString(), l.size);
      }
    }
  }

  sorted(side: BookSide): [string, string][] {
    const map = side === 'bid' ? this.bids : this.asks;
    const entries = [...map].map(([p, s]) => ({ price: Decimal.parse(p), size: s }));
    entries.sort((a, b) => (side === 'bid' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
    return entries.map((e) => [e.price.toString(), e.size.toString()]);
  }

  crossed(): boolean {
    const bid = this.sorted('bid')[0];
    const ask = this.sorted('ask')[0];
    return bid !== undefined && ask !== undefined && Decimal.parse(bid[0]).gte(ask[0]);
  }

  levels(side: BookSide): Level[] {
    return this.sorted(side).map(([p, s]) => ({ price: Decimal.parse(p), size: Decimal.parse(s) }));
  }
}

// Three seeds: the sorted-array internals changed (best level last, allocation-free comparisons).
test.each([20240611, 3, 99])('5,000 random snapshots and deltas (seed %i) agree with a reference map', (seed) => {
  const rand = prng(seed);
  const int = (n: number): number => Math.floor(rand() * n);

  // Prices on a 0.25 grid so updates often hit existing levels; sometimes written with trailing
  // zeros, which must still key the same level. A few stray prices reach across the spread.
  const price = (side: BookSide): Decimal => {
    const stray = rand() < 0.03;
    const quarters = side === 'bid' ? (stray ? 399 + int(6) : 360 + int(40)) : stray ? 396 + int(6) : 401 + int(40);
    const text = (quarters / 4).toFixed(rand() < 0.2 ? 4 : 2);
    return Decimal.parse(text);
  };
  const size = (): Decimal => (rand() < 0.25 ? Decimal.ZERO : Decimal.fromUnits(BigInt(1 + int(1e9)), int(9)));
  const changes = (side: BookSide, count: number): Level[] => {
    const out: Level[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const p = price(side);
      if (seen.has(p.toString())) continue;
      seen.add(p.toString());
      out.push({ price: p, size: size() });
    }
    return out;
  };

  const book = new L2Book('RAND');
  // A stray price can cross the opening book: draw again until it does not.
  let ref = new ReferenceBook();
  do {
    ref = new ReferenceBook();
    ref.apply(changes('bid', 30), changes('ask', 30));
  } while (ref.crossed());
  let seq = 1000n;
  expect(book.applySnapshot(seq, ref.levels('bid'), ref.levels('ask')).ok).toBe(true);

  const outcomes: Record<string, number> = {};
  const count = (r: ApplyResult): void => {
    const key = r.ok ? 'ok' : r.reason;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };

  for (let step = 0; step < 5000; step++) {
    const roll = rand();
    if (roll < 0.01) {
      // Stale: ignored, book unchanged and still synced.
      const r = book.applyDelta(seq - BigInt(int(3)), changes('bid', 3), []);
      count(r);
      expect(r.ok ? 'ok' : r.reason).toBe('stale');
      expect(book.synced).toBe(true);
    } else if (roll < 0.02) {
      // Gap: unsynced; resync from the reference with a snapshot at a new seq.
      const r = book.applyDelta(seq + 2n + BigInt(int(5)), changes('bid', 3), []);
      count(r);
      expect(r.ok ? 'ok' : r.reason).toBe('gap');
      expect(book.synced).toBe(false);
      expect(book.applyDelta(seq + 1n, [], []).ok).toBe(false);
      seq += 10n;
      expect(book.applySnapshot(seq, ref.levels('bid'), ref.levels('ask')).ok).toBe(true);
    } else {
      const bids = changes('bid', 1 + int(4));
      const asks = changes('ask', 1 + int(4));
      const next = ref.clone();
      next.apply(bids, asks);
      seq += 1n;
      const r = book.applyDelta(seq, bids, asks);
      count(r);
      if (next.crossed()) {
        expect(r.ok ? 'ok' : r.reason).toBe('crossed');
        expect(book.synced).toBe(false);
        expect(book.seq).toBe(seq - 1n);
        // The book kept its last consistent state, which is the reference before this delta.
        expect(show(book.levels('bid'))).toEqual(ref.sorted('bid'));
        expect(show(book.levels('ask'))).toEqual(ref.sorted('ask'));
        // Resync at this seq from a reference with the crossing levels cleared out.
        const bestAsk = ref.levels('ask')[0]?.price;
        const keepBid = (l: Level): boolean => bestAsk === undefined || l.price.lt(bestAsk);
        const bidsOnly = next.levels('bid').filter(keepBid);
        ref = new ReferenceBook();
        ref.apply(bidsOnly, next.levels('ask').filter((l) => bidsOnly[0] === undefined || l.price.gt(bidsOnly[0].price)));
        expect(ref.crossed()).toBe(false);
        expect(book.applySnapshot(seq, ref.levels('bid'), ref.levels('ask')).ok).toBe(true);
      } else {
        expect(r).toEqual({ ok: true });
        ref = next;
      }
    }
    expect(book.seq).toBe(seq);
    expect(book.synced).toBe(true);
    const bids = ref.sorted('bid');
    const asks = ref.sorted('ask');
    expect(show(book.levels('bid'))).toEqual(bids);
    expect(show(book.levels('ask'))).toEqual(asks);
    expect(book.levelCount('bid')).toBe(bids.length);
    expect(book.levelCount('ask')).toBe(asks.length);
    if (step % 250 === 0) {
      // A full sweep fills exactly the side's total size.
      const total = Decimal.sum(ref.levels('ask').map((l) => l.size));
      if (total.isPositive()) expect(sweep(book, 'BUY', total).remainingQuantity.isZero()).toBe(true);
    }
  }

  expect(outcomes.ok).toBeGreaterThan(4000);
  expect(outcomes.stale).toBeGreaterThan(10);
  expect(outcomes.gap).toBeGreaterThan(10);
  expect(outcomes.crossed).toBeGreaterThan(10);
});
