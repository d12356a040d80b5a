import { seededRandom, waitFor } from '@meridian/testkit';
import { OkxPublicFeed, TokenBucket, parseOkxFeedOptions } from '../src';
import type { OkxFeedOptions, OkxInstrumentOptions } from '../src';
import { OKX_2022, RecordingSink, RefBook, booksFrame, present, readLines, restBook, shallowFrame } from './support/okx-frames';
import type { L } from './support/okx-frames';
import { OkxTestServer } from './support/okx-server';

const FAST = { initialMs: 20, maxMs: 80, factor: 2 };
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function setup(instruments: (string | OkxInstrumentOptions)[], extra: Partial<OkxFeedOptions> = {}) {
  const server = await OkxTestServer.start();
  closers.push(() => server.close());
  const sink = new RecordingSink();
  const warnings: string[] = [];
  const feed = new OkxPublicFeed({
    instruments,
    wsUrl: server.wsUrl,
    restUrl: server.restUrl,
    backoff: FAST,
    restBackoff: FAST,
    heartbeat: { idleMs: 10_000, timeoutMs: 2_000 },
    random: seededRandom(42),
    onWarning: (m) => warnings.push(m),
    ...extra,
  });
  await feed.start(sink);
  closers.push(() => feed.stop());
  const status = (symbol: string) => {
    const s = feed.status().find((x) => x.symbol === symbol);
    if (!s) throw new Error(`no status for ${symbol}`);
    return s;
  };
  const subscribed = (key: string, connection = 0) =>
    waitFor(`subscription ${key} on connection ${connection}`, () => server.connections[connection]?.subscriptions.has(key));
  return { server, sink, feed, warnings, status, subscribed };
}

/** The venue's book and its seqId, which scripts move forward and the client must end up with. */
class Venue {
  readonly book: RefBook;
  seqId: number;

  constructor(bids: L[], asks: L[], seqId: number) {
    this.book = new RefBook(bids, asks);
    this.seqId = seqId;
  }

  /** The next update: applies it to the venue's book and returns its frame (checksum 0 unless asked). */
  update(instId: string, bids: L[], asks: L[], options: { checksum?: 'real' | 'wrong' } = {}): object {
    const prevSeqId = this.seqId;
    this.seqId += 1;
    this.book.apply(bids, asks);
    const real = this.book.checksum();
    const checksum = options.checksum === 'real' ? real : options.checksum === 'wrong' ? real ^ 1 : 0;
    return booksFrame(instId, 'update', { bids, asks, seqId: this.seqId, prevSeqId, checksum });
  }

  snapshotFrame(instId: string, withChecksum = true): object {
    return booksFrame(instId, 'snapshot', {
      bids: this.book.level('bid'),
      asks: this.book.level('ask'),
      seqId: this.seqId,
      prevSeqId: -1,
      checksum: withChecksum ? this.book.checksum() : 0,
    });
  }

  rest(): object {
    return restBook({ bids: this.book.level('bid'), asks: this.book.level('ask'), seqId: this.seqId });
  }
}

test('REST race: deltas before and after the snapshot seqId; the stale ones are dropped and the book is exact', async () => {
  const t = await setup(['BTC-USDT']);
  await t.subscribed('books:BTC-USDT');
  const venue = new Venue([['100', '1'], ['99', '2']], [['101', '1']], 98);
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let snapshotAt: object | undefined;
  t.server.restBooks = async () => {
    await answered;
    return { body: snapshotAt! };
  };
  const c = t.server.last;
  c.send(venue.update('BTC-USDT', [['98', '1']], [])); // 98 -> 99
  await waitFor('the REST request', () => t.server.restRequests.length === 1);
  c.send(venue.update('BTC-USDT', [['99', '3']], [])); // -> 100
  snapshotAt = venue.rest(); // the snapshot holds up to seqId 100
  c.send(venue.update('BTC-USDT', [], [['102', '5']])); // -> 101, after the snapshot
  await waitFor('three buffered deltas', () => t.feed.bookDiagnostics('BTC-USDT')?.bufferedDeltas === 3);
  expect(t.status('BTC-USDT').state).toBe('syncing');
  answer();
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  c.send(venue.update('BTC-USDT', [['100', '0']], [])); // -> 102
  c.send(booksFrame('BTC-USDT', 'update', { seqId: venue.seqId, prevSeqId: venue.seqId, checksum: 0 })); // heartbeat
  c.send(venue.update('BTC-USDT', [['97', '4']], [], { checksum: 'real' })); // -> 103
  await waitFor('the venue book', () => t.sink.matches('BTC-USDT', venue.book));

  expect(t.server.restRequests).toEqual([{ instId: 'BTC-USDT', sz: '400' }]);
  expect(t.sink.rejections).toEqual([]);
  expect(t.sink.downstreamErrors).toEqual([]);
  // snapshot + the one buffered delta after it + two live deltas; the heartbeat emits nothing
  expect(t.sink.updates.map((u) => u.snapshot)).toEqual([true, false, false, false]);
  expect(t.status('BTC-USDT')).toMatchObject({ state: 'live', rejected: 0, resyncs: 0, bookUpdates: 4, reconnects: 0 });
  expect(t.feed.bookDiagnostics('BTC-USDT')?.checksumsVerified).toBe(1);
});

test('WebSocket snapshot with checksums; a gap and a checksum mismatch each resync over REST and the book is right again', async () => {
  const t = await setup(['BTC-USDT']);
  const venue = new Venue([['100', '1'], ['99.5', '2']], [['101', '1'], ['101.25', '0.10']], 10);
  t.server.onSubscribe = (c, arg) => arg.channel === 'books' && c.send(venue.snapshotFrame('BTC-USDT'));
  t.server.restBooks = () => ({ body: venue.rest() });
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  const c = t.server.last;
  c.send(venue.update('BTC-USDT', [['100', '0.50']], [], { checksum: 'real' }));
  c.send(venue.update('BTC-USDT', [], [['101', '0']], { checksum: 'real' }));
  c.send(venue.update('BTC-USDT', [['99', '7']], [])); // checksum 0: nothing to verify, accepted
  await waitFor('the venue book', () => t.sink.matches('BTC-USDT', venue.book));
  expect(t.feed.bookDiagnostics('BTC-USDT')?.checksumsVerified).toBe(3); // snapshot + 2 ("0.10" and "0.50" hashed as sent)
  expect(t.server.restRequests).toEqual([]); // the WebSocket snapshot sufficed

  // A gap: the venue's update 14 never reaches the client.
  venue.update('BTC-USDT', [['98', '1']], []);
  c.send(venue.update('BTC-USDT', [['97', '1']], []));
  await waitFor('resyncing', () => t.status('BTC-USDT').state === 'resyncing');
  c.send(venue.update('BTC-USDT', [['96', '1']], [])); // asks for the REST snapshot
  await waitFor('live again', () => t.status('BTC-USDT').state === 'live');
  c.send(venue.update('BTC-USDT', [], [['103', '2']], { checksum: 'real' }));
  await waitFor('the venue book after the gap', () => t.sink.matches('BTC-USDT', venue.book));

  // A checksum mismatch: the client's book would differ from the venue's.
  c.send(venue.update('BTC-USDT', [['100', '9']], [], { checksum: 'wrong' }));
  await waitFor('resyncing after the mismatch', () => t.status('BTC-USDT').state === 'resyncing');
  c.send(venue.update('BTC-USDT', [['95', '1']], []));
  await waitFor('the venue book after the mismatch', () => t.status('BTC-USDT').state === 'live' && t.sink.matches('BTC-USDT', venue.book));

  expect(t.sink.reasons()).toEqual({ out_of_order: 1, checksum: 1 });
  expect(t.sink.rejections[0]!.detail).toMatch(/prevSeqId 14 does not continue seqId 13/);
  expect(t.sink.rejections[0]!.raw).toContain('"seqId":15');
  expect(t.status('BTC-USDT')).toMatchObject({ state: 'live', rejected: 2, resyncs: 2 });
  expect(t.server.restRequests).toHaveLength(2);
  expect(t.sink.downstreamErrors).toEqual([]);
});

test('a server-side disconnect: reconnect with backoff, resubscribe, and the book is correct again', async () => {
  const t = await setup(['BTC-USDT', { instId: 'ETH-USDT', book: 'none' }]);
  const venue = new Venue([['100', '1']], [['101', '1']], 1);
  t.server.onSubscribe = (c, arg) => arg.channel === 'books' && c.send(venue.snapshotFrame('BTC-USDT'));
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  t.server.last.send(venue.update('BTC-USDT', [['100', '2']], []));
  await waitFor('the first book', () => t.sink.matches('BTC-USDT', venue.book));

  const droppedAt = Date.now();
  t.server.last.socket.terminate();
  venue.update('BTC-USDT', [], [['101', '0'], ['102', '3']]); // happens while the client is away
  await t.subscribed('books:BTC-USDT', 1);
  expect(Date.now() - droppedAt).toBeLessThan(2_000);
  expect(t.server.connections[1]!.subscriptions).toEqual(new Set(['books:BTC-USDT', 'trades:BTC-USDT', 'trades:ETH-USDT']));
  await waitFor('live after reconnecting', () => t.status('BTC-USDT').state === 'live');
  t.server.last.send(venue.update('BTC-USDT', [['99', '1']], [], { checksum: 'real' }));
  await waitFor('the venue book after reconnecting', () => t.sink.matches('BTC-USDT', venue.book));

  expect(t.status('BTC-USDT')).toMatchObject({ state: 'live', reconnects: 1, rejected: 0, resyncs: 0 });
  expect(t.status('ETH-USDT')).toMatchObject({ state: 'live', reconnects: 1 });
  const states = t.sink.states.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state);
  expect(states).toEqual(['syncing', 'live', 'connecting', 'syncing', 'live']);
  expect(t.sink.downstreamErrors).toEqual([]); // the new snapshot continued the emitted sequence
});

test('an idle link: the client sends the text ping, swallows the pong, and reconnects when pongs stop', async () => {
  const t = await setup([{ instId: 'BTC-USDT', book: 'none' }], { heartbeat: { idleMs: 100, timeoutMs: 200 } });
  await t.subscribed('trades:BTC-USDT');
  await waitFor('two pings', () => t.server.connections[0]!.received.filter((m) => m === 'ping').length >= 2);
  expect(t.sink.rejections).toEqual([]); // "pong" is not a frame to decode
  expect(t.status('BTC-USDT').reconnects).toBe(0);
  t.server.answerPings = false;
  await t.subscribed('trades:BTC-USDT', 1);
  expect(t.status('BTC-USDT').reconnects).toBe(1);
});

test('error events are counted venue_error (attributed when they name an instrument); a service-upgrade notice reconnects', async () => {
  const t = await setup(['BTC-USDT', 'BTC-USDT-SWAP']);
  await t.subscribed('books:BTC-USDT-SWAP');
  const c = t.server.last;
  c.send({ event: 'error', code: '60018', msg: "Wrong URL or channel:books, instId:BTC-USDT-SWAP doesn't exist.", connId: 'a' });
  c.send({ event: 'error', code: '60012', msg: 'Invalid request', connId: 'a' });
  c.send({ event: 'channel-conn-count', channel: 'books', connCount: '2', connId: 'a' }); // information only
  c.send({ event: 'login-ish', code: '0' }); // not an event OKX documents
  await waitFor('three rejections', () => t.sink.rejections.length === 3);
  expect(t.sink.rejections.map((r) => [r.reason, r.symbol])).toEqual([
    ['venue_error', 'BTC-USDT-SWAP'],
    ['venue_error', undefined],
    ['schema', undefined],
  ]);
  expect(t.sink.rejections[0]!.detail).toBe("code 60018: Wrong URL or channel:books, instId:BTC-USDT-SWAP doesn't exist.");
  expect(t.status('BTC-USDT-SWAP').rejected).toBe(1);
  expect(t.status('BTC-USDT').rejected).toBe(0);

  c.send({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: 'a' });
  await t.subscribed('books:BTC-USDT', 1);
  expect(t.warnings.some((w) => w.includes('64008'))).toBe(true);
  expect(t.status('BTC-USDT').reconnects).toBe(1);
});

test('malformed frames: each is one rejection counted by reason with the field and value, and the feed carries on', async () => {
  const t = await setup(['BTC-USDT', { instId: 'ETH-USDT', book: 'none' }]);
  const venue = new Venue([['100', '1']], [['101', '1']], 1);
  t.server.onSubscribe = (c, arg) => arg.channel === 'books' && c.send(venue.snapshotFrame('BTC-USDT'));
  t.server.restBooks = () => ({ body: venue.rest() });
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  const c = t.server.last;
  const trade = (fields: Record<string, unknown>, instId = 'ETH-USDT') => ({
    arg: { channel: 'trades', instId },
    data: [{ instId, tradeId: '1', px: '2000.5', sz: '0.1', side: 'buy', ts: '1700000000000', ...fields }],
  });
  c.send('{"arg": {"channel": "trades", "instId"');
  c.send(trade({ px: undefined }));
  c.send(trade({ px: 'NaN' }));
  c.send(trade({ sz: '-1' }));
  c.send(trade({ side: 'up' }));
  c.send(trade({}, 'DOGE-USDT'));
  c.send({ arg: { channel: 'tickers', instId: 'ETH-USDT' }, data: [{}] });
  // A books delta with an unreadable price: rejected, and the book (which missed it) resyncs.
  const bad = venue.update('BTC-USDT', [['NaN', '1']], []) as { data: { bids: string[][] }[] };
  venue.book.apply([['NaN', '0']], []);
  c.send(bad);
  await waitFor('resyncing', () => t.status('BTC-USDT').state === 'resyncing');
  c.send(venue.update('BTC-USDT', [['99', '1']], []));
  c.send(trade({ tradeId: '2' }));
  await waitFor('the good trade', () => t.sink.trades.length === 1);
  await waitFor('the book again', () => t.status('BTC-USDT').state === 'live' && t.sink.matches('BTC-USDT', venue.book));

  expect(t.sink.reasons()).toEqual({ schema: 4, non_finite: 2, non_positive: 1, unknown_symbol: 1 });
  const details = t.sink.rejections.map((r) => [r.reason, r.symbol, r.detail]);
  expect(details).toEqual([
    ['schema', undefined, expect.stringMatching(/^not JSON/)],
    ['schema', 'ETH-USDT', 'data[0].px: expected a decimal string or number, got nothing'],
    ['non_finite', 'ETH-USDT', 'data[0].px: "NaN" is not a finite decimal'],
    ['non_positive', 'ETH-USDT', 'data[0].sz: -1 must be positive'],
    ['schema', 'ETH-USDT', 'data[0].side: "up" is neither "buy" nor "sell"'],
    ['unknown_symbol', undefined, 'instId "DOGE-USDT" (channel trades) is not an instrument of this feed'],
    ['schema', 'ETH-USDT', 'channel "tickers" was not subscribed for ETH-USDT'],
    ['non_finite', 'BTC-USDT', 'data[0].bids[0] price: "NaN" is not a finite decimal'],
  ]);
  expect(t.status('ETH-USDT')).toMatchObject({ rejected: 5, trades: 1, state: 'live' });
  expect(t.status('BTC-USDT')).toMatchObject({ rejected: 1, resyncs: 1, state: 'live' });
  expect(t.sink.trades[0]).toMatchObject({ venue: 'okx', symbol: 'ETH-USDT', tradeId: '2', aggressor: 'BUY', tsNs: 1_700_000_000_000_000_000n });
  expect(t.sink.trades[0]!.price.toString()).toBe('2000.5');
});

test('trades, candles, books5 and bbo-tbt are normalised; each shallow push replaces the book', async () => {
  const t = await setup([
    { instId: 'BTC-USDT', book: 'books5', candles: ['1m', '1H'] },
    { instId: 'ETH-USDT', book: 'bbo-tbt', trades: false },
  ]);
  await t.subscribed('bbo-tbt:ETH-USDT');
  const ops = t.server.last.received.map((m) => JSON.parse(m) as unknown);
  expect(ops).toEqual([
    {
      op: 'subscribe',
      args: [
        { channel: 'books5', instId: 'BTC-USDT' },
        { channel: 'trades', instId: 'BTC-USDT' },
        { channel: 'candle1m', instId: 'BTC-USDT' },
        { channel: 'candle1H', instId: 'BTC-USDT' },
        { channel: 'bbo-tbt', instId: 'ETH-USDT' },
      ],
    },
  ]);
  const c = t.server.last;
  c.send({
    arg: { channel: 'trades', instId: 'BTC-USDT' },
    data: [
      { instId: 'BTC-USDT', tradeId: '130639474', px: '42219.9', sz: '0.12060306', side: 'buy', ts: '1630048897897', count: '3' },
      { instId: 'BTC-USDT', tradeId: '130639475', px: '42219.8', sz: '0.5', side: 'sell', ts: '1630048897898', count: '1' },
    ],
  });
  c.send({ arg: { channel: 'candle1H', instId: 'BTC-USDT' }, data: [['1597026000000', '8533.02', '8553.74', '8527.17', '8548.26', '45247', '529.58', '4520000', '0']] });
  c.send({ arg: { channel: 'candle1m', instId: 'BTC-USDT' }, data: [['1597026360000', '8548.26', '8549', '8548', '8548.5', '12.5', '0.1', '100', '1']] });
  c.send(shallowFrame('books5', 'BTC-USDT', { bids: [['100', '1'], ['99', '2']], asks: [['101', '1']], seqId: 5 }));
  c.send(shallowFrame('books5', 'BTC-USDT', { bids: [['100.5', '1']], asks: [['101', '3'], ['102', '1']], seqId: 6 }));
  c.send(shallowFrame('bbo-tbt', 'ETH-USDT', { bids: [['2000', '4']], asks: [['2000.01', '1']], seqId: 1 }));
  await waitFor('everything', () => t.sink.updates.length === 3 && t.sink.bars.length === 2 && t.sink.trades.length === 2);

  expect(t.sink.trades.map((x) => [x.tradeId, x.price.toString(), x.size.toString(), x.aggressor, x.tsNs])).toEqual([
    ['130639474', '42219.9', '0.12060306', 'BUY', 1630048897897_000_000n],
    ['130639475', '42219.8', '0.5', 'SELL', 1630048897898_000_000n],
  ]);
  expect(t.sink.bars.map((b) => [b.interval, b.startTsNs, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString(), b.closed])).toEqual([
    ['1h', 1597026000000_000_000n, '8533.02', '8553.74', '8527.17', '8548.26', '45247', false],
    ['1m', 1597026360000_000_000n, '8548.26', '8549', '8548', '8548.5', '12.5', true],
  ]);
  expect(t.sink.updates.every((u) => u.snapshot)).toBe(true);
  expect(t.sink.levels('BTC-USDT')).toEqual({ bids: ['100.5@1'], asks: ['101@3', '102@1'] });
  expect(t.sink.levels('ETH-USDT')).toEqual({ bids: ['2000@4'], asks: ['2000.01@1'] });
  expect(t.status('BTC-USDT')).toMatchObject({ state: 'live', bookUpdates: 2, trades: 2, rejected: 0 });
  expect(t.status('ETH-USDT')).toMatchObject({ state: 'live', bookUpdates: 1, rejected: 0 });
});

test('the REST snapshot is retried with backoff through an HTTP error, a venue error code and a bad body', async () => {
  const t = await setup(['BTC-USDT'], { restTimeoutMs: 2_000 });
  const venue = new Venue([['100', '1']], [['101', '1']], 1);
  const replies = [
    { status: 500, body: 'oops' },
    { body: { code: '50011', msg: 'Too Many Requests', data: [] } },
    { body: { code: '0', msg: '', data: [{ bids: [], asks: [], ts: '1' }] } }, // no seqId: cannot be aligned
  ];
  t.server.restBooks = () => replies.shift() ?? { body: venue.rest() };
  await t.subscribed('books:BTC-USDT');
  t.server.last.send(venue.update('BTC-USDT', [['99', '1']], []));
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  expect(t.server.restRequests).toHaveLength(4);
  expect(t.warnings).toEqual([
    expect.stringMatching(/HTTP 500: oops; retrying in \d+ ms/),
    expect.stringMatching(/code "50011": "Too Many Requests"; retrying/),
    expect.stringMatching(/seqId: missing, so deltas cannot be aligned/),
  ]);
  expect(t.sink.matches('BTC-USDT', venue.book)).toBe(true);
  expect(t.status('BTC-USDT').rejected).toBe(0);
});

test('frames without seqId: a checksum mismatch resubscribes for a new WebSocket snapshot', async () => {
  const t = await setup(['BTC-USDT']);
  const book = new RefBook([['100', '1']], [['101', '1']]);
  const snapshot = () => booksFrame('BTC-USDT', 'snapshot', { bids: book.level('bid'), asks: book.level('ask'), checksum: book.checksum() });
  t.server.onSubscribe = (c, arg) => arg.channel === 'books' && c.send(snapshot());
  await waitFor('live', () => t.status('BTC-USDT').state === 'live');
  book.apply([['99', '1']], []);
  t.server.last.send(booksFrame('BTC-USDT', 'update', { bids: [['99', '1']], checksum: book.checksum() ^ 8 }));
  await waitFor('a new subscription', () => t.server.last.received.filter((m) => m.includes('"op":"subscribe"')).length === 2);
  expect(JSON.parse(t.server.last.received[1]!)).toEqual({ op: 'unsubscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
  await waitFor('live again', () => t.status('BTC-USDT').state === 'live' && t.sink.matches('BTC-USDT', book));
  expect(t.sink.reasons()).toEqual({ checksum: 1 });
  expect(t.status('BTC-USDT')).toMatchObject({ resyncs: 1, reconnects: 0 });
  expect(t.server.restRequests).toEqual([]);
});

const maybe2022 = present(OKX_2022) ? test : test.skip;

maybe2022('the 290 real OKX books frames of 2022-05-13, played by the local server, verify and build the books', async () => {
  const ids = ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'];
  const t = await setup(ids.map((instId) => ({ instId, trades: false })));
  for (const id of ids) await t.subscribed(`books:${id}`);
  const frames = readLines(OKX_2022).map((l) => JSON.stringify((JSON.parse(l) as { msg: unknown }).msg));
  expect(frames).toHaveLength(290);
  for (const f of frames) t.server.last.send(f);
  await waitFor('290 book updates', () => t.sink.updates.length === 290 || t.sink.rejections.length > 0);
  expect(t.sink.rejections).toEqual([]);
  expect(ids.map((id) => t.feed.bookDiagnostics(id)?.checksumsVerified)).toEqual([98, 99, 93]);
  expect(t.feed.status().map((s) => [s.symbol, s.state, s.bookUpdates])).toEqual([
    ['BTC-USDT', 'live', 98],
    ['BTC-USD-220527', 'live', 99],
    ['UNI-USD-SWAP', 'live', 93],
  ]);
  expect(t.sink.downstreamErrors).toEqual([]);
  for (const id of ids) expect(t.sink.books.get(id)!.synced).toBe(true);
});

test('stop() closes the feed: every symbol reports stopped', async () => {
  const t = await setup(['BTC-USDT']);
  await t.subscribed('books:BTC-USDT');
  await t.feed.stop();
  expect(t.feed.status().map((s) => s.state)).toEqual(['stopped']);
  await waitFor('the server sees the close', () => t.server.last.socket.readyState === t.server.last.socket.CLOSED);
});

test('configuration is checked at construction and errors name the key', () => {
  const base = { instruments: ['BTC-USDT'] };
  expect(() => parseOkxFeedOptions({ instruments: [] })).toThrow(/instruments/);
  expect(() => parseOkxFeedOptions({ instruments: [{ instId: 'BTC-USDT', candles: ['1D'] }] })).toThrow(/instruments\[0\]\.candles="1D"/);
  expect(() => parseOkxFeedOptions({ instruments: [{ instId: 'BTC-USDT', book: 'books50-l2-tbt' as 'books' }] })).toThrow(/instruments\[0\]\.book/);
  expect(() => parseOkxFeedOptions({ instruments: ['BTC-USDT', 'btc-usdt'] })).toThrow(/same platform symbol BTC-USDT/);
  expect(() => parseOkxFeedOptions({ ...base, wsUrl: 'http://x' })).toThrow(/wsUrl/);
  expect(() => parseOkxFeedOptions({ ...base, restDepth: 401 })).toThrow(/restDepth/);
  const c = parseOkxFeedOptions({ instruments: ['BTC-USDT', { instId: 'ETH-USDT', book: 'bbo-tbt', candles: ['1Dutc'] }] });
  expect(c.instruments.map((i) => [i.symbol, i.book, i.trades, [...i.candles]])).toEqual([
    ['BTC-USDT', 'books', true, []],
    ['ETH-USDT', 'bbo-tbt', true, [['1Dutc', '1d']]],
  ]);
  expect([c.wsUrl, c.restUrl, c.restRateLimit, c.heartbeat]).toEqual([
    'wss://ws.okx.com:8443/ws/v5/public',
    'https://www.okx.com',
    { requests: 40, intervalMs: 2_000 },
    { idleMs: 25_000, timeoutMs: 4_000 },
  ]);
});

test('the REST token bucket allows 40 requests at once, then one per 50 ms (40 per 2 s)', () => {
  let now = 0;
  const bucket = new TokenBucket(40, 2_000, () => now);
  for (let i = 0; i < 40; i++) expect(bucket.tryTake()).toBe(0);
  expect(bucket.tryTake()).toBe(50);
  now += 49;
  expect(bucket.tryTake()).toBe(1);
  now += 1;
  expect(bucket.tryTake()).toBe(0);
  now += 10_000;
  for (let i = 0; i < 40; i++) expect(bucket.tryTake()).toBe(0);
  expect(bucket.tryTake()).toBeGreaterThan(0);
});
