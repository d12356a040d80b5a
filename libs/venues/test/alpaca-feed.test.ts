import { waitFor } from '@meridian/testkit';
import { AlpacaMarketDataFeed } from '../src';
import type { AlpacaMarketDataFeedOptions } from '../src';
import { AlpacaTestServer } from './support/alpaca-server';
import { RecordingSink } from './support/binance-sink';

const KEY = 'PKTESTKEY0123456789AB';
const SECRET = 'sEcReT-abcdefghijklmnopqrstuvwxyz0123456789';
const FAST = { initialMs: 10, maxMs: 40, factor: 2 };
const CONFIG_RETRY = { initialMs: 500, maxMs: 1_000 };

let server: AlpacaTestServer;
let feed: AlpacaMarketDataFeed | undefined;
let sink: RecordingSink;

beforeEach(async () => {
  server = await AlpacaTestServer.start({ key: KEY, secret: SECRET });
  sink = new RecordingSink();
});

afterEach(async () => {
  await feed?.stop();
  feed = undefined;
  await server.close();
  // Whatever a test did, the credentials never reached the sink or the status.
  expect(sink.everything()).not.toContain(KEY);
  expect(sink.everything()).not.toContain(SECRET);
});

async function startFeed(extra: Partial<AlpacaMarketDataFeedOptions> = {}): Promise<AlpacaMarketDataFeed> {
  feed = new AlpacaMarketDataFeed({
    market: 'stocks',
    key: KEY,
    secret: SECRET,
    symbols: ['AAPL', 'BRK-B'],
    baseUrl: server.baseUrl,
    backoff: FAST,
    configRetry: CONFIG_RETRY,
    ...extra,
  });
  await feed.start(sink);
  return feed;
}

const live = () => feed!.status().every((s) => s.state === 'live');
const statusOf = (symbol: string) => feed!.status().find((s) => s.symbol === symbol)!;

test('connected → auth → subscribe with Alpaca symbols → live', async () => {
  await startFeed();
  await waitFor('live', live);
  const c = server.connections[0]!;
  expect(c.path).toBe('/v2/iex');
  expect(c.received).toEqual([
    { action: 'auth', key: KEY, secret: SECRET },
    { action: 'subscribe', trades: ['AAPL', 'BRK.B'], quotes: ['AAPL', 'BRK.B'], bars: ['AAPL', 'BRK.B'] },
  ]);
  expect(sink.states.filter((s) => s.symbol === 'BRK-B').map((s) => s.state)).toEqual(['syncing', 'live']);
  expect(statusOf('BRK-B')).toMatchObject({ venue: 'alpaca', source: 'alpaca', reconnects: 0, rejected: 0 });
});

test('crypto: the v1beta3 path, BTC/USD subscriptions, taker side, and sizes in exponent form read exactly', async () => {
  await startFeed({ market: 'crypto', symbols: ['BTC-USD'], channels: { bars: false } });
  await waitFor('live', live);
  expect(server.connections[0]!.path).toBe('/v1beta3/crypto/us');
  expect(feed!.status()[0]).toMatchObject({ venue: 'alpaca', source: 'alpaca-crypto', symbol: 'BTC-USD' });
  expect(server.connections[0]!.received[1]).toEqual({ action: 'subscribe', trades: ['BTC/USD'], quotes: ['BTC/USD'] });
  server.send([
    { T: 't', S: 'BTC/USD', p: 64123.5, s: 1.2e-7, t: '2024-03-05T14:30:00.123456789Z', i: 4117, tks: 'S' },
    { T: 't', S: 'BTC/USD', p: 64124, s: 0.0025, t: '2024-03-05T14:30:00.2Z', i: 4118, tks: 'B' },
  ]);
  await waitFor('two trades', () => sink.trades.length === 2);
  expect(sink.trades.map((t) => [t.symbol, t.tradeId, t.price.toString(), t.size.toString(), t.aggressor, t.tsNs])).toEqual([
    ['BTC-USD', '4117', '64123.5', '0.00000012', 'SELL', 1_709_649_000_123_456_789n],
    ['BTC-USD', '4118', '64124', '0.0025', 'BUY', 1_709_649_000_200_000_000n],
  ]);
});

test('trades, quotes (one-level book snapshots) and bars are decoded exactly, nanoseconds included', async () => {
  await startFeed();
  await waitFor('live', live);
  server.send([
    { T: 't', S: 'AAPL', i: 52983525029461, x: 'V', p: 182.48, s: 100, c: ['@'], z: 'C', t: '2024-03-05T14:30:00.123456789Z' },
    { T: 'q', S: 'BRK.B', bx: 'N', bp: 405.12, bs: 3, ax: 'P', ap: 405.2, as: 1, c: ['R'], z: 'A', t: '2024-03-05T14:30:00.000000001Z' },
    { T: 'q', S: 'BRK.B', bx: 'N', bp: 405.15, bs: 2, ax: 'P', ap: 0, as: 0, c: ['R'], z: 'A', t: '2024-03-05T14:30:00.000000002Z' },
    { T: 'b', S: 'AAPL', o: 182.1, h: 182.9, l: 181.95, c: 182.48, v: 123456, t: '2024-03-05T14:30:00Z', n: 1234, vw: 182.4 },
  ]);
  await waitFor('everything', () => sink.trades.length === 1 && sink.books.length === 2 && sink.bars.length === 1);

  const t = sink.trades[0]!;
  expect([t.venue, t.symbol, t.tradeId, t.price.toString(), t.size.toString(), t.aggressor, t.tsNs]).toEqual([
    'alpaca',
    'AAPL',
    'V:52983525029461',
    '182.48',
    '100',
    undefined, // stock trades do not say who took liquidity
    1_709_649_000_123_456_789n,
  ]);
  const [q1, q2] = sink.books;
  expect(q1).toMatchObject({ symbol: 'BRK-B', seq: 1n, snapshot: true, tsNs: 1_709_649_000_000_000_001n });
  expect(q1!.bids.map((l) => `${l.price} x ${l.size}`)).toEqual(['405.12 x 3']);
  expect(q1!.asks.map((l) => `${l.price} x ${l.size}`)).toEqual(['405.2 x 1']);
  // No ask quoted: the book keeps only the bid.
  expect(q2).toMatchObject({ seq: 2n, snapshot: true, asks: [], tsNs: 1_709_649_000_000_000_002n });
  const book = feed!.localBook('BRK-B')!.book;
  expect([book.bestBid()?.price.toString(), book.bestAsk()]).toEqual(['405.15', undefined]);
  const b = sink.bars[0]!;
  expect([b.symbol, b.interval, b.closed, b.startTsNs, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString()]).toEqual([
    'AAPL',
    '1m',
    true,
    1_709_649_000_000_000_000n,
    '182.1',
    '182.9',
    '181.95',
    '182.48',
    '123456',
  ]);
  expect(statusOf('AAPL')).toMatchObject({ trades: 1, bookUpdates: 0, lastEventTsNs: 1_709_649_000_123_456_789n });
  expect(statusOf('BRK-B')).toMatchObject({ trades: 0, bookUpdates: 2, rejected: 0 });
});

test('a dropped connection re-authenticates and resubscribes', async () => {
  await startFeed();
  await waitFor('live', live);
  server.dropAll();
  await waitFor('live again on a second connection', () => server.connections.length === 2 && server.connections[1]!.received.length === 2 && live());
  expect(server.connections[1]!.received).toEqual(server.connections[0]!.received);
  expect(sink.states.filter((s) => s.symbol === 'AAPL').map((s) => s.state)).toEqual(['syncing', 'live', 'connecting', 'syncing', 'live']);
  expect(statusOf('AAPL').reconnects).toBe(1);
  server.send([{ T: 't', S: 'AAPL', i: 1, x: 'V', p: 1, s: 1, t: '2024-03-05T14:30:00Z' }]);
  await waitFor('data on the new connection', () => sink.trades.length === 1);
});

describe('documented errors', () => {
  /** Configuration errors: the feed stops, says why, and waits `configRetry` before trying again. */
  test.each([
    [402, 'auth', 'auth failed', /check the API key and secret/],
    [406, 'auth', 'connection limit exceeded', /another client holds/],
    [405, 'subscribe', 'symbol limit exceeded', /subscribe to fewer symbols/],
    [409, 'subscribe', 'insufficient subscription', /plan does not include this feed/],
  ] as const)('%d (%s: %s) is a configuration error: slow retry, and the state says why', async (code, stage, msg, advice) => {
    const error = [{ T: 'error', code, msg }];
    if (stage === 'auth') server.authReply = (n) => (n === 0 ? error : undefined);
    else server.subscribeReply = (n) => (n === 0 ? error : undefined);
    await startFeed();
    await waitFor('the configuration pause', () => feed!.configProblem !== undefined);
    expect(feed!.configProblem).toMatch(new RegExp(`Alpaca error ${code} \\(${msg}\\)`));
    expect(feed!.configProblem).toMatch(advice);
    const pause = sink.states.filter((s) => s.symbol === 'AAPL').at(-1)!;
    expect(pause.state).toBe('failed');
    expect(pause.detail).toMatch(new RegExp(`${code} .*next attempt in \\d+ ms`));
    expect(sink.rejectionsBy('venue_error').map((r) => r.detail)).toEqual([`Alpaca error ${code} (${msg}): ${msg}`]);

    // Reconnects would come within 40 ms; a configuration error waits 0.8-1.2 × 500 ms.
    await waitFor('the retry', () => server.connections.length === 2 && live(), 5_000);
    const gap = server.connections[1]!.openedAtMs - server.connections[0]!.openedAtMs;
    expect(gap).toBeGreaterThanOrEqual(390);
    expect(feed!.configProblem).toBeUndefined();
    expect(statusOf('AAPL').reconnects).toBe(1);
  });

  test('a wrong secret is refused with 402 and retried slowly, growing, without ever going live', async () => {
    feed = new AlpacaMarketDataFeed({ market: 'stocks', key: KEY, secret: `${SECRET}-wrong`, symbols: ['AAPL'], baseUrl: server.baseUrl, backoff: FAST, configRetry: { initialMs: 100, maxMs: 200 } });
    await feed.start(sink);
    await waitFor('three attempts', () => server.connections.length >= 3, 5_000);
    expect(server.connections.every((c) => !c.authenticated)).toBe(true);
    expect(feed.status()[0]!.state).not.toBe('live');
    const [a, b, c] = server.connections.map((x) => x.openedAtMs);
    expect(b! - a!).toBeGreaterThanOrEqual(75);
    expect(c! - b!).toBeGreaterThanOrEqual(155); // doubled
    expect(sink.everything()).not.toContain(`${SECRET}-wrong`);
  });

  test.each([
    [401, 'subscribe', 'not authenticated'],
    [404, 'auth', 'auth timeout'],
    [407, 'stream', 'slow client'],
    [500, 'auth', 'internal error'],
  ] as const)('%d (%s: %s) reconnects at once and recovers', async (code, stage, msg) => {
    const error = [{ T: 'error', code, msg }];
    if (stage === 'auth') server.authReply = (n) => (n === 0 ? error : undefined);
    if (stage === 'subscribe') server.subscribeReply = (n) => (n === 0 ? error : undefined);
    await startFeed();
    if (stage === 'stream') {
      await waitFor('live', live);
      server.send(error);
    }
    await waitFor('live on a second connection', () => server.connections.length === 2 && live());
    expect(server.connections[1]!.openedAtMs - server.connections[0]!.openedAtMs).toBeLessThan(400);
    expect(feed!.configProblem).toBeUndefined();
    expect(sink.rejectionsBy('venue_error')).toHaveLength(1);
    expect(statusOf('AAPL').reconnects).toBe(1);
  });

  test('403 already authenticated is harmless: counted, no reconnect', async () => {
    await startFeed();
    await waitFor('live', live);
    server.send([{ T: 'error', code: 403, msg: 'already authenticated' }]);
    server.send([{ T: 't', S: 'AAPL', i: 7, x: 'V', p: 10, s: 5, t: '2024-03-05T14:30:00Z' }]);
    await waitFor('the trade after it', () => sink.trades.length === 1);
    expect(sink.rejectionsBy('venue_error')).toHaveLength(1);
    expect(server.connections).toHaveLength(1);
    expect(live()).toBe(true);
  });
});

test('credentials never appear in rejections, states or status, even when the server echoes them', async () => {
  server.authReply = (n) =>
    n === 0
      ? [
          { T: 'zz', echo: `${KEY}:${SECRET}` },
          { T: 'error', code: 402, msg: `auth failed for key ${KEY} with secret ${SECRET}` },
        ]
      : undefined;
  await startFeed();
  await waitFor('the configuration pause', () => feed!.configProblem !== undefined);
  expect(sink.rejectionsBy('schema')).toHaveLength(1);
  const seen = sink.everything() + JSON.stringify(feed!.status(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + feed!.configProblem;
  expect(seen).toContain('auth failed for key [redacted] with secret [redacted]');
  expect(seen).not.toContain(KEY);
  expect(seen).not.toContain(SECRET);
  // Nor in what the feed object shows when logged whole, nor in configuration errors.
  const { inspect } = await import('node:util');
  expect(inspect(feed, { depth: 5 })).not.toContain(SECRET);
  expect(() => new AlpacaMarketDataFeed({ market: 'stocks', key: '  ', secret: SECRET, symbols: ['AAPL'] })).toThrow(/feed option key=.*must be a non-empty string/);
  let refused: Error | undefined;
  try {
    new AlpacaMarketDataFeed({ market: 'stocks', key: KEY, secret: ' ', symbols: ['AAPL'] });
  } catch (err) {
    refused = err as Error;
  }
  expect(refused?.message).toMatch(/feed option secret="<a string of 1 blank character\(s\)>"/);
  expect(refused?.message).not.toContain(KEY);
});

test('malformed messages are counted by reason; good messages beside them still go through', async () => {
  await startFeed();
  await waitFor('live', live);
  server.sendRaw('not json');
  server.sendRaw('{"T":"t"}'); // not an array
  server.send([
    5,
    { T: 'zz' },
    { T: 't', S: 'MSFT', i: 1, x: 'V', p: 1, s: 1, t: '2024-03-05T14:30:00Z' }, // not subscribed
    { T: 't', S: 'AAPL', i: 2, x: 'V', p: 'x', s: 1, t: '2024-03-05T14:30:00Z' },
    { T: 't', S: 'AAPL', i: 3, x: 'V', p: 1, s: 1, t: '2024-13-05T14:30:00Z' },
    { T: 't', S: 'AAPL', i: 4, x: 'V', p: 1, s: 0, t: '2024-03-05T14:30:00Z' },
    { T: 'q', S: 'BRK.B', bp: 10.5, bs: 1, ap: 10.4, as: 1, t: '2024-03-05T14:30:00Z' }, // crossed
    { T: 'q', S: 'BRK.B', bp: 10.5, bs: -1, ap: 10.6, as: 1, t: '2024-03-05T14:30:00Z' },
    { T: 'b', S: 'AAPL', o: 10, h: 9, l: 8, c: 9, v: 1, t: '2024-03-05T14:30:00Z' }, // high below open
    { T: 't', S: 'AAPL', i: 5, x: 'V', p: 1.25, s: 10, t: '2024-03-05T14:30:00Z' }, // good
    { T: 's', S: 'AAPL', sc: 'H' }, // a status message: tolerated, not subscribed
  ]);
  await waitFor('the good trade', () => sink.trades.length === 1);
  await waitFor('all rejections', () => sink.rejections.length === 11, 2_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(sink.rejections.map((r) => [r.reason, r.detail]))}`);
  });
  expect(sink.reasons()).toEqual({ schema: 7, unknown_symbol: 1, non_positive: 2, crossed: 1 });
  expect(statusOf('AAPL').rejected).toBe(4);
  expect(statusOf('BRK-B').rejected).toBe(2);
  expect(sink.rejections.find((r) => r.reason === 'crossed')).toMatchObject({ symbol: 'BRK-B' });
  expect(sink.rejections.find((r) => r.detail.includes('2024-13-05'))).toMatchObject({ symbol: 'AAPL', reason: 'schema' });
  expect(sink.rejections.find((r) => r.reason === 'unknown_symbol')!.raw).toContain('"MSFT"');
  expect(sink.trades[0]!.price.toString()).toBe('1.25');
  expect(live()).toBe(true);
});
