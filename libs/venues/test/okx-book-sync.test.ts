import { OkxBookSync, SymbolBook, decodeOkxBookData } from '../src';
import type { BookSyncStep, OkxBookData } from '../src';
import { OKCOIN_2023, OKX_2022, RecordingSink, RefBook, booksFrame, present, readLines, restBook } from './support/okx-frames';
import type { BookFields } from './support/okx-frames';

/** The machine under test, the downstream book it feeds, and shorthand for its inputs. */
function setup(options: { restSnapshots?: boolean; maxBufferedDeltas?: number } = {}) {
  const sink = new RecordingSink();
  const book = new SymbolBook('okx', 'BTC-USDT', (u) => sink.book(u));
  const sync = new OkxBookSync(book, { restSnapshots: options.restSnapshots ?? true, maxBufferedDeltas: options.maxBufferedDeltas ?? 1000 });
  const data = (action: 'snapshot' | 'update', f: BookFields): OkxBookData =>
    decodeOkxBookData((booksFrame('BTC-USDT', action, f) as { data: unknown[] }).data[0], 'data[0]', action === 'snapshot' ? 'snapshot' : 'delta');
  const rest = (f: BookFields & { seqId: number }): OkxBookData => decodeOkxBookData((restBook(f) as { data: unknown[] }).data[0], 'data[0]', 'snapshot');
  return {
    sink,
    sync,
    snapshot: (f: BookFields) => sync.onSnapshot(data('snapshot', f), 1n),
    delta: (f: BookFields) => sync.onDelta(data('update', f), 1n),
    rest: (epoch: number, f: BookFields & { seqId: number }) => sync.onRestSnapshot(epoch, rest(f), 1n),
  };
}

const quiet = (step: BookSyncStep) => ({ rejections: step.rejections.map((r) => r.reason), resync: step.resync !== undefined, request: step.request, live: step.live === true });

test('WebSocket snapshot, then the prevSeqId chain; non-zero checksums verified, 0 accepted', () => {
  const t = setup();
  const ref = new RefBook([['100', '1'], ['99', '2']], [['101', '1'], ['102', '3']]);
  expect(quiet(t.snapshot({ bids: [['100', '1'], ['99', '2']], asks: [['101', '1'], ['102', '3']], seqId: 10, prevSeqId: -1, checksum: ref.checksum() }))).toEqual({
    rejections: [],
    resync: false,
    request: undefined,
    live: true,
  });
  ref.apply([['100', '0']], [['101', '2']]);
  expect(t.delta({ bids: [['100', '0']], asks: [['101', '2']], seqId: 11, prevSeqId: 10, checksum: ref.checksum() }).rejections).toEqual([]);
  ref.apply([['99.5', '4']], []);
  expect(t.delta({ bids: [['99.5', '4']], seqId: 12, prevSeqId: 11, checksum: 0 }).rejections).toEqual([]);
  expect(t.sync.checksumsVerified).toBe(2);
  expect(t.sink.matches('BTC-USDT', ref)).toBe(true);
  expect(t.sink.updates.map((u) => [u.seq, u.snapshot])).toEqual([
    [1n, true],
    [2n, false],
    [3n, false],
  ]);
});

test("OKX's no-change heartbeat (prevSeqId == seqId) and a sequence reset after maintenance keep the chain", () => {
  const t = setup();
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 500 });
  expect(quiet(t.delta({ seqId: 500, prevSeqId: 500 })).rejections).toEqual([]); // heartbeat
  expect(t.sink.updates).toHaveLength(1); // nothing emitted for it
  expect(quiet(t.delta({ bids: [['100', '2']], seqId: 3, prevSeqId: 500 })).rejections).toEqual([]); // reset lower
  expect(quiet(t.delta({ bids: [['100', '3']], seqId: 4, prevSeqId: 3 })).rejections).toEqual([]);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@3'], asks: ['101@1'] });
});

test('REST race: deltas before the snapshot are buffered, those the snapshot holds are dropped, the first one must straddle it', () => {
  const t = setup();
  // The venue sends no WebSocket snapshot: the first delta asks for the REST snapshot.
  expect(quiet(t.delta({ bids: [['99', '1']], seqId: 100, prevSeqId: 98 })).request).toBe('rest_snapshot');
  expect(t.sync.phase).toBe('fetching');
  expect(quiet(t.delta({ bids: [['98', '1']], seqId: 103, prevSeqId: 100 })).request).toBeUndefined(); // asked only once
  t.delta({ asks: [['105', '1']], seqId: 105, prevSeqId: 103 });
  expect(t.sync.bufferedDeltas).toBe(3);
  // The snapshot holds everything up to seqId 103.
  const step = t.rest(t.sync.epoch, { bids: [['100', '1'], ['99', '1'], ['98', '1']], asks: [['101', '1']], seqId: 103 });
  expect(quiet(step)).toEqual({ rejections: [], resync: false, request: undefined, live: true });
  // 100 and 103 were dropped (the snapshot holds them), 105 applied (103 <= 103 < 105); the chain goes on from 105.
  expect(quiet(t.delta({ asks: [['101', '0']], seqId: 106, prevSeqId: 105 })).rejections).toEqual([]);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@1', '99@1', '98@1'], asks: ['105@1'] });
  expect(t.sink.downstreamErrors).toEqual([]);
});

test('the first delta after a REST snapshot may arrive later, and must satisfy prevSeqId <= snapshot < seqId', () => {
  const t = setup();
  t.delta({ seqId: 50, prevSeqId: 49 });
  t.rest(t.sync.epoch, { bids: [['100', '1']], asks: [['101', '1']], seqId: 60 }); // newer than the whole buffer
  expect(t.sync.phase).toBe('live');
  expect(t.delta({ bids: [['100', '5']], seqId: 58, prevSeqId: 50 }).rejections).toEqual([]); // still inside the snapshot
  expect(t.delta({ bids: [['100', '2']], seqId: 62, prevSeqId: 58 }).rejections).toEqual([]); // 58 <= 60 < 62
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@2'], asks: ['101@1'] });

  const u = setup();
  u.delta({ seqId: 50, prevSeqId: 49 });
  u.rest(u.sync.epoch, { bids: [['100', '1']], asks: [['101', '1']], seqId: 60 });
  const gap = u.delta({ bids: [['100', '2']], seqId: 70, prevSeqId: 65 }); // 61..65 never seen
  expect(quiet(gap)).toEqual({ rejections: ['out_of_order'], resync: true, request: undefined, live: false });
  expect(gap.rejections[0]!.detail).toMatch(/snapshot seqId 60 .*prevSeqId 65/);
});

test('a REST snapshot older than the buffered stream is fetched again; a superseded answer is ignored', () => {
  const t = setup();
  t.delta({ bids: [['99', '1']], seqId: 200, prevSeqId: 190 });
  const old = t.rest(t.sync.epoch, { bids: [['100', '1']], asks: [['101', '1']], seqId: 180 });
  expect(quiet(old)).toEqual({ rejections: [], resync: false, request: 'rest_snapshot', live: false });
  expect(old.retryAfterBackoff).toMatch(/seqId 180 is older .* prevSeqId 190/);
  expect(t.sink.updates).toEqual([]); // nothing emitted from the stale snapshot
  const stale = t.sync.epoch - 1;
  expect(quiet(t.rest(stale, { bids: [['100', '1']], asks: [['101', '1']], seqId: 200 }))).toEqual({ rejections: [], resync: false, request: undefined, live: false });
  expect(quiet(t.rest(t.sync.epoch, { bids: [['100', '1']], asks: [['101', '1']], seqId: 195 })).live).toBe(true);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@1', '99@1'], asks: ['101@1'] });
});

test('a WebSocket snapshot that arrives while the REST snapshot is on its way wins, and the REST answer is ignored', () => {
  const t = setup();
  t.delta({ seqId: 5, prevSeqId: 4 });
  const epoch = t.sync.epoch;
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 7 });
  expect(t.sync.phase).toBe('live');
  expect(quiet(t.rest(epoch, { bids: [['1', '1']], asks: [['2', '1']], seqId: 9 })).live).toBe(false);
  expect(t.delta({ bids: [['100', '2']], seqId: 8, prevSeqId: 7 }).rejections).toEqual([]);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@2'], asks: ['101@1'] });
});

test('a gap drops the book and resyncs over REST; a checksum mismatch does too; the book is right afterwards', () => {
  const t = setup();
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 1 });
  const gap = t.delta({ bids: [['100', '2']], seqId: 5, prevSeqId: 3 });
  expect(quiet(gap)).toEqual({ rejections: ['out_of_order'], resync: true, request: undefined, live: false });
  expect(gap.rejections[0]!.detail).toBe('delta seqId 5 prevSeqId 3 does not continue seqId 1');
  expect(t.sync.phase).toBe('awaiting');
  expect(quiet(t.delta({ bids: [['100', '3']], seqId: 6, prevSeqId: 5 })).request).toBe('rest_snapshot');
  t.rest(t.sync.epoch, { bids: [['100', '3']], asks: [['101', '1']], seqId: 6 });
  expect(t.sync.phase).toBe('live');

  const ref = new RefBook([['100', '3']], [['101', '1']]).apply([['99', '1']], []);
  const bad = t.delta({ bids: [['99', '1']], seqId: 7, prevSeqId: 6, checksum: ref.checksum() + 1 });
  expect(quiet(bad)).toEqual({ rejections: ['checksum'], resync: true, request: undefined, live: false });
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@3'], asks: ['101@1'] }); // the bad delta never went out
  t.delta({ bids: [['99', '1']], seqId: 8, prevSeqId: 7 });
  t.rest(t.sync.epoch, { bids: [['100', '3'], ['99', '1']], asks: [['101', '1']], seqId: 8 });
  expect(t.sink.matches('BTC-USDT', ref)).toBe(true);
  expect(t.sink.downstreamErrors).toEqual([]);
});

test('without seqIds (frames recorded before OKX had them) a mismatch resyncs by resubscribing; stray deltas wait for the snapshot', () => {
  const t = setup();
  const ref = new RefBook([['100', '1']], [['101', '1']]);
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], checksum: ref.checksum() });
  ref.apply([], [['101', '0'], ['102', '1']]);
  expect(t.delta({ asks: [['101', '0'], ['102', '1']], checksum: ref.checksum() }).rejections).toEqual([]);
  const bad = t.delta({ asks: [['103', '1']], checksum: 12345 });
  expect(quiet(bad)).toEqual({ rejections: ['checksum'], resync: true, request: 'resubscribe', live: false });
  expect(quiet(t.delta({ asks: [['104', '1']], checksum: 1 }))).toEqual({ rejections: [], resync: false, request: undefined, live: false });
  expect(quiet(t.snapshot({ bids: [['100', '1']], asks: [['102', '1']] })).live).toBe(true);
});

test('with REST snapshots off, deltas before a WebSocket snapshot are dropped and a gap resubscribes', () => {
  const t = setup({ restSnapshots: false });
  expect(quiet(t.delta({ seqId: 5, prevSeqId: 4 })).request).toBeUndefined();
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 9 });
  expect(quiet(t.delta({ seqId: 12, prevSeqId: 11 }))).toEqual({ rejections: ['out_of_order'], resync: true, request: 'resubscribe', live: false });
});

test('a crossed update is refused, counted as crossed, and resyncs; a lost frame resyncs only when something was held', () => {
  const t = setup();
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 1 });
  const crossed = t.delta({ bids: [['102', '1']], seqId: 2, prevSeqId: 1 });
  expect(quiet(crossed)).toEqual({ rejections: ['crossed'], resync: true, request: undefined, live: false });
  expect(quiet(t.sync.lost('non_finite rejection'))).toEqual({ rejections: [], resync: false, request: undefined, live: false });
  t.snapshot({ bids: [['100', '1']], asks: [['101', '1']], seqId: 3 });
  expect(quiet(t.sync.lost('non_finite rejection'))).toEqual({ rejections: [], resync: true, request: undefined, live: false });
});

test('the buffer keeps the newest deltas when it overflows', () => {
  const t = setup({ maxBufferedDeltas: 2 });
  t.delta({ seqId: 1, prevSeqId: 0 });
  t.delta({ seqId: 2, prevSeqId: 1 });
  t.delta({ bids: [['99', '1']], seqId: 3, prevSeqId: 2 });
  expect(t.sync.bufferedDeltas).toBe(2);
  expect(quiet(t.rest(t.sync.epoch, { bids: [['100', '1']], asks: [['101', '1']], seqId: 2 })).live).toBe(true);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100@1', '99@1'], asks: ['101@1'] });
});

// Real recordings: the 2022 OKX frames (no seqId, non-zero checksums) and the Okcoin pair.

const maybe2022 = present(OKX_2022) ? test : test.skip;

maybe2022('all 290 checksummed OKX books frames of 2022-05-13 verify through the sync, and a corrupted one is caught', () => {
  const sink = new RecordingSink();
  const syncs = new Map<string, OkxBookSync>();
  let frames = 0;
  const rejections: string[] = [];
  const frameList = readLines(OKX_2022).map((l) => (JSON.parse(l) as { msg: { arg: { instId: string }; action: string; data: unknown[] } }).msg);
  for (const msg of frameList) {
    const instId = msg.arg.instId;
    let sync = syncs.get(instId);
    if (!sync) syncs.set(instId, (sync = new OkxBookSync(new SymbolBook('okx', instId, (u) => sink.book(u)), { restSnapshots: true, maxBufferedDeltas: 100 })));
    const data = decodeOkxBookData(msg.data[0], 'data[0]', msg.action === 'snapshot' ? 'snapshot' : 'delta');
    expect(data.seqId).toBeUndefined();
    expect(data.checksum).not.toBe(0);
    const step = msg.action === 'snapshot' ? sync.onSnapshot(data, 1n) : sync.onDelta(data, 1n);
    rejections.push(...step.rejections.map((r) => `${instId}: ${r.detail}`));
    frames++;
  }
  expect(rejections).toEqual([]);
  expect(frames).toBe(290);
  expect([...syncs].map(([id, s]) => [id, s.checksumsVerified]).sort()).toEqual([
    ['BTC-USD-220527', 99],
    ['BTC-USDT', 98],
    ['UNI-USD-SWAP', 93],
  ]);
  expect(sink.updates).toHaveLength(290);
  expect(sink.downstreamErrors).toEqual([]);

  // The same frames with one size changed by one digit: the checksum no longer holds.
  const sync = new OkxBookSync(new SymbolBook('okx', 'BTC-USDT', () => undefined), { restSnapshots: true, maxBufferedDeltas: 100 });
  const btc = frameList.filter((m) => m.arg.instId === 'BTC-USDT');
  sync.onSnapshot(decodeOkxBookData(btc[0]!.data[0], 'data[0]', 'snapshot'), 1n);
  const d = JSON.parse(JSON.stringify(btc[1]!.data[0])) as { bids: string[][]; asks: string[][] };
  const level = (d.bids[0] ?? d.asks[0])!;
  level[1] = `${level[1]}1`;
  const step = sync.onDelta(decodeOkxBookData(d, 'data[0]', 'delta'), 1n);
  expect(step.rejections.map((r) => r.reason)).toEqual(['checksum']);
  expect(step.request).toBe('resubscribe'); // no seqIds in 2022: only a WebSocket snapshot can resync
});

const maybeOkcoin = present(OKCOIN_2023) ? test : test.skip;

maybeOkcoin('the real Okcoin snapshot and update (2023-07-10) verify', () => {
  const [snapshot, update] = readLines(OKCOIN_2023).map((l) => JSON.parse(l) as { data: unknown[] });
  const sink = new RecordingSink();
  const sync = new OkxBookSync(new SymbolBook('okcoin', 'BTC-USD', (u) => sink.book(u)), { restSnapshots: true, maxBufferedDeltas: 100 });
  expect(sync.onSnapshot(decodeOkxBookData(snapshot!.data[0], 'data[0]', 'snapshot'), 1n).rejections).toEqual([]);
  expect(sync.onDelta(decodeOkxBookData(update!.data[0], 'data[0]', 'delta'), 1n).rejections).toEqual([]);
  expect(sync.checksumsVerified).toBe(2);
  expect(sink.books.get('BTC-USD')!.bestAsk()!.price.toString()).toBe('30382.61'); // 30382.6 was deleted
  expect(sink.books.get('BTC-USD')!.levelCount('bid')).toBe(266);
});
