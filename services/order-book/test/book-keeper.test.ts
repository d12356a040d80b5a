import { seededRandom } from '@meridian/testkit';
import type { BookUpdate, BookUpdateBatch, PriceLevel } from '@meridian/proto';
import { BookKeeper } from '../src/book-keeper';

// The keeper's decisions without NATS: a checkpoint plus the messages after it rebuild exactly
// the book an uninterrupted keeper has, whatever the feed did (gaps, snapshots mid-batch).

function randomFeed(seed: number, batches: number): BookUpdateBatch[] {
  const rnd = seededRandom(seed);
  const out: BookUpdateBatch[] = [];
  let seq = 1n;
  const level = (lo: number): PriceLevel => ({ price: (lo + Math.floor(rnd() * 100) / 10).toFixed(1), size: String(Math.floor(rnd() * 4)) });
  const side = (lo: number, n: number) => {
    const byPrice = new Map<string, PriceLevel>();
    for (let i = 0; i < n; i++) {
      const l = level(lo);
      byPrice.set(l.price, l);
    }
    return [...byPrice.values()];
  };
  for (let b = 0; b < batches; b++) {
    const updates: BookUpdate[] = [];
    const count = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < count; i++) {
      const r = rnd();
      if (r < 0.03) seq += 1n; // a lost message: a gap
      const snapshot = b === 0 || r > 0.95;
      // Bids in [90, 99.9], asks in [100.1, 110]: never crossed.
      updates.push({
        venue: 'sim',
        symbol: 'BTC-USDT',
        seq: seq++,
        snapshot,
        bids: side(90, snapshot ? 10 : 2),
        asks: side(100.1, snapshot ? 10 : 2),
        tsNs: BigInt(b),
        receivedTsNs: BigInt(b),
      });
    }
    out.push({ updates });
  }
  return out;
}

test.each([1, 2, 3, 4, 5])('a restored checkpoint plus the following messages equals the uninterrupted book (seed %i)', (seed) => {
  const feed = randomFeed(seed, 400);
  const uninterrupted = new BookKeeper('sim', 'BTC-USDT');
  const rnd = seededRandom(seed * 7919);
  let resumed: BookKeeper | undefined;
  let checkpoints = 0;
  feed.forEach((batch, i) => {
    const streamSeq = 10 + i * 3; // other subjects share the stream
    uninterrupted.applyBatch(batch, streamSeq);
    resumed?.applyBatch(batch, streamSeq);
    if (rnd() < 0.05) {
      const checkpoint = uninterrupted.pendingCheckpoint();
      // Each batch is a new message: a synced book always has a checkpoint due, an unsynced one never.
      expect(checkpoint !== undefined).toBe(uninterrupted.synced);
      if (checkpoint === undefined) return;
      expect(checkpoint.marketStreamSeq).toBe(BigInt(streamSeq));
      uninterrupted.checkpointed(checkpoint);
      // A restart right here: a new keeper loads the checkpoint and takes the messages after it.
      resumed = new BookKeeper('sim', 'BTC-USDT');
      expect(resumed.restore(checkpoint)).toEqual({ ok: true });
      checkpoints += 1;
    }
    if (resumed) expect(resumed.view(1000)).toEqual(uninterrupted.view(1000));
  });
  expect(checkpoints).toBeGreaterThan(0);
});

test('an unsynced book is never checkpointed, and a checkpoint is taken once per change', () => {
  const keeper = new BookKeeper('sim', 'BTC-USDT');
  const update = (seq: bigint, snapshot: boolean, bid: string): BookUpdateBatch => ({
    updates: [{ venue: 'sim', symbol: 'BTC-USDT', seq, snapshot, bids: [{ price: bid, size: '1' }], asks: [{ price: '101', size: '1' }], tsNs: 1n, receivedTsNs: 1n }],
  });
  keeper.applyBatch(update(5n, false, '100'), 1);
  expect(keeper.pendingCheckpoint()).toBeUndefined();
  keeper.applyBatch(update(6n, true, '100'), 2);
  const first = keeper.pendingCheckpoint()!;
  expect(first).toMatchObject({ seq: 6n, marketStreamSeq: 2n, bids: [{ price: '100', size: '1' }] });
  keeper.checkpointed(first);
  expect(keeper.pendingCheckpoint()).toBeUndefined();
  keeper.applyBatch(update(8n, false, '99'), 3); // gap
  expect(keeper.synced).toBe(false);
  expect(keeper.pendingCheckpoint()).toBeUndefined();
});

test('the BBO is due once per change of the best levels, again after a failed publish, never while unsynced', () => {
  const keeper = new BookKeeper('sim', 'ETH-USDT');
  const batch = (seq: bigint, snapshot: boolean, bids: PriceLevel[], asks: PriceLevel[] = []): BookUpdateBatch => ({
    updates: [{ venue: 'sim', symbol: 'ETH-USDT', seq, snapshot, bids, asks, tsNs: 1n, receivedTsNs: 1n }],
  });
  expect(keeper.takeBboChange()).toBeUndefined();
  keeper.applyBatch(batch(1n, true, [{ price: '10', size: '1' }, { price: '9', size: '1' }], [{ price: '11', size: '1' }]), 1);
  expect(keeper.takeBboChange()).toMatchObject({ seq: 1n, bid: { price: '10', size: '1' }, ask: { price: '11', size: '1' } });
  expect(keeper.takeBboChange()).toBeUndefined();
  keeper.applyBatch(batch(2n, false, [{ price: '9', size: '5' }]), 2); // below the best bid
  expect(keeper.takeBboChange()).toBeUndefined();
  keeper.applyBatch(batch(3n, false, [{ price: '10', size: '2' }]), 3);
  expect(keeper.takeBboChange()).toMatchObject({ seq: 3n, bid: { price: '10', size: '2' } });
  keeper.bboNotPublished();
  expect(keeper.takeBboChange()).toMatchObject({ seq: 3n });
  keeper.applyBatch(batch(9n, false, [{ price: '10.5', size: '1' }]), 4); // gap
  expect(keeper.takeBboChange()).toBeUndefined();
});

test('an undecodable level skips its update; the next delta finds the gap', () => {
  const keeper = new BookKeeper('sim', 'SOL-USDT');
  const u = (seq: bigint, snapshot: boolean, price: string): BookUpdate => ({
    venue: 'sim', symbol: 'SOL-USDT', seq, snapshot, bids: [{ price, size: '1' }], asks: [{ price: '200', size: '1' }], tsNs: 1n, receivedTsNs: 1n,
  });
  const outcome = keeper.applyBatch({ updates: [u(1n, true, '100'), u(2n, false, 'abc'), u(3n, false, '101')] }, 1);
  expect(outcome.updates.map((x) => x.result)).toEqual(['snapshot', 'undecodable', 'gap']);
  expect(outcome.updates[1]!.detail).toMatch(/bids\[0\]/);
  expect(keeper.synced).toBe(false);
  expect(keeper.view(5).bids).toEqual([{ price: '100', size: '1' }]);
});

test('a checkpoint of another book is refused', () => {
  const keeper = new BookKeeper('sim', 'BTC-USDT');
  const r = keeper.restore({ venue: 'sim', symbol: 'ETH-USDT', seq: 1n, marketStreamSeq: 1n, bids: [], asks: [], tsNs: 0n });
  expect(r).toMatchObject({ ok: false, detail: expect.stringContaining('sim/ETH-USDT') });
  expect(keeper.synced).toBe(false);
});
