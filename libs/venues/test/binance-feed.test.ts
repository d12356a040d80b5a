import { waitFor } from '@meridian/testkit';
import { BinanceSpotFeed } from '../src';
import type { BinanceSpotFeedOptions, SymbolBook } from '../src';
import { BinanceTestServer, deferred, depthSnapshot, depthUpdate } from './support/binance-server';
import type { DepthReply } from './support/binance-server';
import { RecordingSink } from './support/binance-sink';

const FAST = { initialMs: 10, maxMs: 40, factor: 2 };

let server: BinanceTestServer;
let feed: BinanceSpotFeed | undefined;
let sink: RecordingSink;

beforeEach(async () => {
  server = await BinanceTestServer.start();
  sink = new RecordingSink();
});

afterEach(async () => {
  await feed?.stop();
  feed = undefined;
  await server.close();
});

async function startFeed(extra: Partial<BinanceSpotFeedOptions> = {}): Promise<BinanceSpotFeed> {
  feed = new BinanceSpotFeed({
    symbols: ['BTC-USDT', 'ETH-USDT'],
    wsUrl: server.wsUrl,
    restUrl: server.restUrl,
    backoff: FAST,
    restBackoff: FAST,
    ...extra,
  });
  await feed.start(sink);
  await waitFor('the feed to connect', () => server.current !== undefined && sink.states.some((s) => s.state === 'syncing'));
  return feed;
}

/** The book as text, best first: `bids | asks`, each level `price x size`. */
function levels(book: SymbolBook | undefined): string {
  const d = book!.book.depth(10);
  const side = (ls: { price: { toString(): string }; size: { toString(): string } }[]) => ls.map((l) => `${l.price} x ${l.size}`).join(', ');
  return `${side(d.bids)} | ${side(d.asks)}`;
}

function statusOf(symbol: string) {
  return feed!.status().find((s) => s.symbol === symbol)!;
}

test('subscribes with the combined-stream URL and Binance symbols for the configured platform symbols', async () => {
  await startFeed({ venueSymbols: { 'ETH-USDT': 'ETHUSDT' }, klineIntervals: ['1m'], trades: 'trade' });
  expect(server.connections[0]!.path).toBe('/stream');
  expect(server.connections[0]!.streams).toEqual([
    'btcusdt@depth@100ms',
    'btcusdt@trade',
    'btcusdt@kline_1m',
    'ethusdt@depth@100ms',
    'ethusdt@trade',
    'ethusdt@kline_1m',
  ]);
  expect(() => new BinanceSpotFeed({ symbols: ['BTC-USDT'], venueSymbols: { 'XRP-USDT': 'XRPUSDT' } })).toThrow(/venueSymbols.XRP-USDT/);
  expect(() => new BinanceSpotFeed({ symbols: ['BTC USDT!'] })).toThrow(/is not a symbol/);
  // Venue spellings are accepted and reported in the platform form.
  expect(new BinanceSpotFeed({ symbols: ['btc/usdt', 'ETHUSDT'] }).symbols).toEqual(['BTC-USDT', 'ETHUSDT']);
  expect(() => new BinanceSpotFeed({ symbols: ['BTC-USDT'], depthLimit: 6000 })).toThrow(/depthLimit/);
});

test('the documented race: events before the snapshot are dropped, the straddling one and everything after are applied', async () => {
  const answer = deferred<DepthReply>();
  server.onDepth = () => answer.promise;
  await startFeed();
  // 101..103 is already inside the snapshot (its bid 98 must never reach the book).
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 101, 103, [['98.00', '7']]));
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 104, 106, [['100.00', '2.000']], [['101.00', '1']]));
  await waitFor('the snapshot request', () => server.depthRequests.length === 1);
  expect(server.depthRequests[0]).toMatchObject({ symbol: 'BTCUSDT', limit: 1000 });
  expect(sink.booksFor('BTC-USDT')).toEqual([]); // nothing leaves before the book is synced
  answer.resolve({ body: depthSnapshot(105, [['100.00', '5'], ['99.00', '1']], [['101.00', '3'], ['102.00', '1']]) });
  await waitFor('the book to go live', () => sink.lastState('BTC-USDT') === 'live');
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 107, 107, [], [['101.00', '0'], ['102.00', '4']]));
  await waitFor('three book updates', () => sink.booksFor('BTC-USDT').length === 3);

  expect(levels(feed!.localBook('BTC-USDT'))).toBe('100 x 2, 99 x 1 | 102 x 4');
  const updates = sink.booksFor('BTC-USDT');
  expect(updates.map((u) => [u.seq, u.snapshot])).toEqual([
    [1n, true],
    [2n, false],
    [3n, false],
  ]);
  expect(updates[1]!.tsNs).toBe((1_700_000_000_000n + 106n) * 1_000_000n);
  expect(feed!.depthSync('BTC-USDT')!.counters).toEqual({ applied: 2, discarded: 1, gaps: 0, staleSnapshots: 0, overflowed: 0 });
  expect(statusOf('BTC-USDT')).toMatchObject({ state: 'live', bookUpdates: 3, rejected: 0, resyncs: 0, reconnects: 0 });
  expect(statusOf('ETH-USDT')).toMatchObject({ state: 'syncing', bookUpdates: 0 }); // no ETH event yet, so no request
  expect(server.depthRequestsFor('ETHUSDT')).toEqual([]);
});

test('a snapshot older than the first buffered event is fetched again', async () => {
  server.onDepth = (_symbol, n) =>
    n === 0
      ? { body: depthSnapshot(50, [['99.00', '1']], [['102.00', '1']]) }
      : { body: depthSnapshot(104, [['100.00', '1']], [['101.00', '1']]) };
  await startFeed();
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 101, 103, [['99.50', '1']]));
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 104, 106, [['100.00', '3']]));
  await waitFor('the book at update 106', () => feed!.depthSync('BTC-USDT')!.updateId === 106n && sink.lastState('BTC-USDT') === 'live');
  expect(server.depthRequestsFor('BTCUSDT')).toHaveLength(2);
  expect(feed!.depthSync('BTC-USDT')!.counters).toMatchObject({ staleSnapshots: 1, applied: 1, discarded: 1, gaps: 0 });
  expect(levels(feed!.localBook('BTC-USDT'))).toBe('100 x 3 | 101 x 1');
  // The stale snapshot never reached the sink: one snapshot, one delta.
  expect(sink.booksFor('BTC-USDT').map((u) => u.snapshot)).toEqual([true, false]);
});

test('a gap is counted as out_of_order, drops the book, and a new snapshot brings it back right', async () => {
  server.onDepth = (_symbol, n) =>
    n === 0
      ? { body: depthSnapshot(100, [['100.00', '1']], [['101.00', '1']]) }
      : { body: depthSnapshot(111, [['100.00', '9'], ['99.50', '2']], [['100.50', '4']]) };
  await startFeed();
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 101, 102, [['100.00', '2']]));
  await waitFor('live', () => sink.lastState('BTC-USDT') === 'live' && sink.booksFor('BTC-USDT').length === 2);
  // 103..109 never arrives.
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 110, 111, [['100.00', '8']]));
  await waitFor('the resync', () => sink.states.filter((s) => s.symbol === 'BTC-USDT' && s.state === 'live').length === 2);
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 112, 112, [['99.50', '0']], [['100.50', '5']]));
  await waitFor('the delta after the resync', () => sink.booksFor('BTC-USDT').length === 4);

  expect(levels(feed!.localBook('BTC-USDT'))).toBe('100 x 9 | 100.5 x 5');
  const gap = sink.rejectionsBy('out_of_order');
  expect(gap).toHaveLength(1);
  expect(gap[0]).toMatchObject({ venue: 'binance', symbol: 'BTC-USDT' });
  expect(gap[0]!.detail).toMatch(/U=110 .*previous u=102/);
  expect(sink.states.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state)).toEqual(['syncing', 'live', 'resyncing', 'live']);
  // One contiguous sequence across the resync: the new snapshot simply takes the next number.
  expect(sink.booksFor('BTC-USDT').map((u) => `${u.seq}${u.snapshot ? 's' : ''}`)).toEqual(['1s', '2', '3s', '4']);
  expect(statusOf('BTC-USDT')).toMatchObject({ state: 'live', resyncs: 1, rejected: 1, bookUpdates: 4 });
  expect(feed!.depthSync('BTC-USDT')!.counters).toMatchObject({ gaps: 1, discarded: 1, applied: 2 });
});

test('a dropped connection reconnects, resubscribes and resyncs from a new snapshot', async () => {
  server.onDepth = (_symbol, n) =>
    n === 0
      ? { body: depthSnapshot(200, [['10.00', '1']], [['11.00', '1']]) }
      : { body: depthSnapshot(500, [['12.00', '3']], [['13.00', '3']]) };
  await startFeed();
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 201, 201, [['10.50', '1']]));
  await waitFor('live on the first connection', () => sink.booksFor('BTC-USDT').length === 2);

  server.dropAll();
  await waitFor('the second connection', () => server.connections.length === 2 && server.current !== undefined);
  expect(server.connections[1]!.streams).toEqual(server.connections[0]!.streams);
  await waitFor('syncing again', () => sink.lastState('BTC-USDT') === 'syncing');
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 499, 501, [['12.50', '1']]));
  await waitFor('live on the second connection', () => sink.booksFor('BTC-USDT').length === 4);

  expect(levels(feed!.localBook('BTC-USDT'))).toBe('12.5 x 1, 12 x 3 | 13 x 3');
  expect(server.depthRequestsFor('BTCUSDT')).toHaveLength(2);
  expect(sink.states.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state)).toEqual(['syncing', 'live', 'connecting', 'syncing', 'live']);
  expect(sink.booksFor('BTC-USDT').map((u) => `${u.seq}${u.snapshot ? 's' : ''}`)).toEqual(['1s', '2', '3s', '4']);
  expect(statusOf('BTC-USDT')).toMatchObject({ reconnects: 1, resyncs: 0, rejected: 0 });
  expect(statusOf('ETH-USDT')).toMatchObject({ reconnects: 1 });
});

test('reconnects on its own before Binance would close the connection at 24 h', async () => {
  await startFeed({ maxConnectionAgeMs: 200 });
  // The server sees the new connection before the feed has opened it and counted the reconnect.
  await waitFor('a reconnect after the age limit', () => server.connections.length >= 2 && statusOf('BTC-USDT').reconnects >= 1, 5_000);
});

test('HTTP 429 on the snapshot: counted, and no request goes out before Retry-After has passed', async () => {
  server.onDepth = (_symbol, n) =>
    n === 0
      ? { status: 429, headers: { 'Retry-After': '1' }, body: { code: -1003, msg: 'Too many requests; current limit of IP is 6000 per minute.' } }
      : { body: depthSnapshot(10, [['1.00', '1']], [['2.00', '1']]) };
  await startFeed();
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 11, 12, [['1.50', '1']]));
  await waitFor('live after the rate limit', () => sink.lastState('BTC-USDT') === 'live', 5_000);
  const [first, second] = server.depthRequestsFor('BTCUSDT');
  expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(990);
  const limited = sink.rejectionsBy('venue_error');
  expect(limited).toHaveLength(1);
  expect(limited[0]).toMatchObject({ symbol: 'BTC-USDT' });
  expect(limited[0]!.detail).toMatch(/HTTP 429 .*-1003.*retrying after 1000 ms/);
  expect(statusOf('BTC-USDT')).toMatchObject({ rejected: 1, bookUpdates: 2 });
  expect(levels(feed!.localBook('BTC-USDT'))).toBe('1.5 x 1, 1 x 1 | 2 x 1');
});

test('trades (m = buyer is maker, so the seller was the aggressor) and klines with their closed flag', async () => {
  await startFeed();
  server.send('btcusdt@trade', { e: 'trade', E: 1700000000001, s: 'BTCUSDT', t: 12345, p: '43000.10', q: '0.00100000', T: 1700000000000, m: true, M: true });
  server.send('btcusdt@trade', { e: 'trade', E: 1700000000002, s: 'BTCUSDT', t: 12346, p: '43000.20', q: '0.5', T: 1700000000001, m: false, M: true });
  const kline = (x: boolean, c: string) => ({
    e: 'kline',
    E: 1700000059999,
    s: 'ETHUSDT',
    k: { t: 1699999980000, T: 1700000039999, s: 'ETHUSDT', i: '1m', f: 1, L: 9, o: '2000.0', c, h: '2001.5', l: '1999.0', v: '12.345', n: 9, x, q: '0', V: '0', Q: '0', B: '0' },
  });
  server.send('ethusdt@kline_1m', kline(false, '2001.0'));
  server.send('ethusdt@kline_1m', kline(true, '2001.25'));
  await waitFor('two trades and two bars', () => sink.trades.length === 2 && sink.bars.length === 2);

  expect(sink.trades.map((t) => ({ ...t, price: t.price.toString(), size: t.size.toString(), receivedTsNs: typeof t.receivedTsNs }))).toEqual([
    { venue: 'binance', symbol: 'BTC-USDT', tradeId: '12345', price: '43000.1', size: '0.001', aggressor: 'SELL', tsNs: 1_700_000_000_000_000_000n, receivedTsNs: 'bigint' },
    { venue: 'binance', symbol: 'BTC-USDT', tradeId: '12346', price: '43000.2', size: '0.5', aggressor: 'BUY', tsNs: 1_700_000_000_001_000_000n, receivedTsNs: 'bigint' },
  ]);
  expect(sink.bars.map((b) => [b.symbol, b.interval, b.startTsNs, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString(), b.closed])).toEqual([
    ['ETH-USDT', '1m', 1_699_999_980_000_000_000n, '2000', '2001.5', '1999', '2001', '12.345', false],
    ['ETH-USDT', '1m', 1_699_999_980_000_000_000n, '2000', '2001.5', '1999', '2001.25', '12.345', true],
  ]);
  expect(statusOf('BTC-USDT')).toMatchObject({ trades: 2, lastEventTsNs: 1_700_000_000_001_000_000n });
});

test('malformed frames are counted by reason, attributed to a symbol where possible, and the feed carries on', async () => {
  server.onDepth = () => ({ body: depthSnapshot(1, [['1.00', '1']], [['2.00', '1']]) });
  await startFeed();
  server.sendRaw('this is not json');
  server.sendRaw('[1,2,3]');
  server.send('xrpusdt@depth@100ms', depthUpdate('XRPUSDT', 1, 2));
  server.send('btcusdt@depth@100ms', { e: 'depthUpdate', E: 1, s: 'BTCUSDT', u: 5, b: [], a: [] }); // no U
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 3, 4, [['abc', '1']]));
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 3, 4, [['1.00', '-1']]));
  server.send('btcusdt@depth@100ms', depthUpdate('ETHUSDT', 3, 4)); // data for another symbol on BTC's stream
  server.send('btcusdt@trade', { e: 'trade', s: 'BTCUSDT', t: 1, p: 'NaN', q: '1', T: 1, m: true });
  server.send('btcusdt@trade', { e: 'trade', s: 'BTCUSDT', t: 1, p: '1', q: '0', T: 1, m: true });
  server.send('ethusdt@trade', { e: 'trade', s: 'ETHUSDT', t: 1, p: '1', q: '1', T: 1 }); // no m
  server.send('ethusdt@depth@100ms', 42);
  server.sendRaw(JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }));
  server.send('btcusdt@depth@100ms', depthUpdate('BTCUSDT', 2, 3, [['1.50', '1']])); // a good one after all that
  await waitFor('the good event applied', () => sink.booksFor('BTC-USDT').length === 2);

  expect(sink.reasons()).toEqual({ schema: 7, unknown_symbol: 1, non_positive: 2, non_finite: 1, venue_error: 1 });
  expect(statusOf('BTC-USDT').rejected).toBe(6);
  expect(statusOf('ETH-USDT').rejected).toBe(2);
  const unattributed = sink.rejections.filter((r) => r.symbol === undefined);
  expect(unattributed.map((r) => r.reason).sort()).toEqual(['schema', 'schema', 'unknown_symbol', 'venue_error']);
  const missingU = sink.rejections.find((r) => r.detail.includes('depthUpdate U'));
  expect(missingU).toMatchObject({ symbol: 'BTC-USDT', reason: 'schema' });
  expect(missingU!.raw).toContain('"u":5');
  expect(sink.rejections.find((r) => r.detail.includes('"abc"'))).toMatchObject({ symbol: 'BTC-USDT', reason: 'schema' });
  expect(sink.rejections.find((r) => r.detail.includes('xrpusdt'))).toMatchObject({ reason: 'unknown_symbol' });
  expect(statusOf('BTC-USDT').state).toBe('live');
});

test('stop() ends the feed: state stopped, nothing reaches the sink afterwards', async () => {
  await startFeed();
  await feed!.stop();
  expect(feed!.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  const before = sink.everything();
  await new Promise((r) => setTimeout(r, 50));
  expect(server.connections.every((c) => c.socket.readyState !== 1)).toBe(true);
  expect(sink.everything()).toBe(before);
});
