import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L2Book } from '@meridian/book';
import type { FeedSink, NormalizedBookUpdate, NormalizedTrade, Rejection } from '../src';
import { OkxPublicFeed, RecordingWriter, formatRecordingLine, openRecordedReplay, parseRecordingLine, readRecording, secondsToNanos, summariseRecording } from '../src';
import { ReplayServer } from '../src/replay/replay-server';
import { sharedDataPath, waitFor } from '@meridian/testkit';

const DATA = sharedDataPath('crypto_ws', 'cryptofeed_sample_data');
const OKX_BOOKS = join(DATA, 'OKX_books_20220513.jsonl');
const BINANCE_WS = join(DATA, 'BINANCE.ws.1.0');

/** A sink that rebuilds every book from what the feed emitted, as the order-book service would. */
function collectingSink() {
  const books = new Map<string, L2Book>();
  const updates = new Map<string, number>();
  const trades: NormalizedTrade[] = [];
  const rejections: Rejection[] = [];
  const problems: string[] = [];
  const sink: FeedSink = {
    trade: (t) => trades.push(t),
    book: (u: NormalizedBookUpdate) => {
      const book = books.get(u.symbol) ?? new L2Book(u.symbol);
      books.set(u.symbol, book);
      updates.set(u.symbol, (updates.get(u.symbol) ?? 0) + 1);
      const r = u.snapshot ? book.applySnapshot(u.seq, u.bids, u.asks) : book.applyDelta(u.seq, u.bids, u.asks);
      if (!r.ok) problems.push(r.detail);
    },
    bar: () => undefined,
    reject: (r) => rejections.push(r),
    state: () => undefined,
  };
  return { sink, books, updates, trades, rejections, problems };
}

test('recording lines of every format parse to entries, with exact nanosecond times', () => {
  expect(secondsToNanos('1652459224.5300605')).toBe(1_652_459_224_530_060_500n);
  expect(secondsToNanos('1633998512')).toBe(1_633_998_512_000_000_000n);
  expect(parseRecordingLine('wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5300605', undefined)).toEqual({
    kind: 'connect',
    url: 'wss://ws.okx.com:8443/ws/v5/public',
    tsNs: 1_652_459_224_530_060_500n,
  });
  expect(parseRecordingLine('1633998512.5: {"a":1}', 'wss://x')).toEqual({ kind: 'received', url: 'wss://x', tsNs: 1_633_998_512_500_000_000n, text: '{"a":1}' });
  expect(parseRecordingLine('wss://x <- 1.25: {"op":"subscribe"}', undefined)).toMatchObject({ kind: 'sent', text: '{"op":"subscribe"}' });
  expect(parseRecordingLine('https://api.binance.com/api/v3/depth?symbol=A -> 2: {"lastUpdateId":1}', undefined)).toMatchObject({ kind: 'http', text: '{"lastUpdateId":1}' });
  expect(parseRecordingLine('{"recv_ts":1652459225.5073643,"msg":{"x":"1"}}', undefined)).toEqual({
    kind: 'received',
    url: undefined,
    tsNs: 1_652_459_225_507_364_300n,
    text: '{"x":"1"}',
  });
  const own = { kind: 'received' as const, url: 'wss://a', tsNs: 5n, text: '{"b":2}' };
  expect(parseRecordingLine(formatRecordingLine(own), undefined)).toEqual(own);
  expect(() => parseRecordingLine('garbage line', undefined)).toThrow(/not a recording line/);
  expect(() => parseRecordingLine('{"dir":"in"}', undefined)).toThrow(/ts_ns/);
});

test('plays a recording at its recorded pace, or as fast as possible', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const path = join(dir, 'okx.jsonl');
  const frame = (i: number, action: string, bids: string[][]) =>
    JSON.stringify({ arg: { channel: 'books', instId: 'BTC-USDT' }, action, data: [{ asks: [['101', '1', '0', '1']], bids, ts: String(1_700_000_000_000 + i), checksum: 0 }] });
  const lines = [
    formatRecordingLine({ kind: 'connect', url: 'wss://ws.okx.com:8443/ws/v5/public', tsNs: 0n }),
    ...[0, 1, 2, 3].map((i) =>
      formatRecordingLine({ kind: 'received', url: undefined, tsNs: 1_000_000_000n + BigInt(i) * 100_000_000n, text: frame(i, i === 0 ? 'snapshot' : 'update', [[`99.${i}`, '1', '0', '1']]) }),
    ),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  for (const [speed, atLeast, atMost] of [
    [1, 280, 2_000],
    [0, 0, 250],
  ] as const) {
    const c = collectingSink();
    const feed = await openRecordedReplay(path, { speed });
    expect(feed.symbols).toEqual(['BTC-USDT']);
    const started = performance.now();
    await feed.start(c.sink);
    await feed.whenFinished();
    const took = performance.now() - started;
    await feed.stop();
    expect(took).toBeGreaterThanOrEqual(atLeast);
    expect(took).toBeLessThan(atMost);
    expect(c.updates.get('BTC-USDT')).toBe(4);
    expect(c.rejections).toEqual([]);
    expect(c.books.get('BTC-USDT')!.depth(10).bids.map((l) => l.price.toString())).toEqual(['99.3', '99.2', '99.1', '99']);
    expect(feed.status().every((s) => s.state === 'finished')).toBe(true);
  }
});

const withOkx = existsSync(OKX_BOOKS) ? test : test.skip;
if (!existsSync(OKX_BOOKS)) console.warn(`skipping the OKX replay: ${OKX_BOOKS} is absent (see ../shared/data/MANIFEST.md)`);

withOkx('the real OKX recording replays through the OKX adapter: 290 checksummed frames, no rejection', async () => {
  const c = collectingSink();
  const feed = await openRecordedReplay(OKX_BOOKS, { speed: 0 });
  expect([...feed.symbols].sort()).toEqual(['BTC-USD-220527', 'BTC-USDT', 'UNI-USD-SWAP']);
  await feed.start(c.sink);
  await feed.whenFinished();
  await feed.stop();
  // Every frame carries a non-zero checksum: one mismatch would be a rejection and a missing update.
  expect(c.rejections).toEqual([]);
  expect(c.problems).toEqual([]);
  expect(Object.fromEntries(c.updates)).toEqual({ 'BTC-USDT': 98, 'BTC-USD-220527': 99, 'UNI-USD-SWAP': 93 });
  for (const book of c.books.values()) expect(book.synced).toBe(true);
});

const withBinance = existsSync(BINANCE_WS) ? test : test.skip;
if (!existsSync(BINANCE_WS)) console.warn(`skipping the Binance replay: ${BINANCE_WS} is absent (see ../shared/data/MANIFEST.md)`);

withBinance('the real Binance session replays with its recorded REST snapshots: no gap, no crossed book', async () => {
  const c = collectingSink();
  // The REST snapshots sit in the sibling .http file: merge both into one recording.
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const merged = join(dir, 'binance.ws');
  writeFileSync(merged, `${readFileSync(BINANCE_WS, 'utf8').trimEnd()}\n${readFileSync(join(DATA, 'BINANCE.http.0.0'), 'utf8')}`);
  const feed = await openRecordedReplay(merged, { speed: 0 });
  expect([...feed.symbols].sort()).toEqual(['BLZETH', 'LRCBTC', 'NKNUSDT', 'RUNEEUR']);
  await feed.start(c.sink);
  await feed.whenFinished();
  await feed.stop();
  expect(c.rejections.filter((r) => r.reason !== 'stale')).toEqual([]);
  expect(c.problems).toEqual([]);
  for (const book of c.books.values()) expect(book.synced).toBe(true);
  const total = [...c.updates.values()].reduce((a, b) => a + b, 0);
  // One snapshot per symbol, then the 172 diff events the documented procedure applies (MANIFEST.md).
  expect(total).toBe(4 + 172);
});

test('a session recorded by a live adapter replays through the same adapter to the same books', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'));
  const source = join(dir, 'source.jsonl');
  const frame = (i: number, action: string, bid: string) =>
    JSON.stringify({ arg: { channel: 'books', instId: 'ETH-USDT' }, action, data: [{ asks: [['3001', '2', '0', '1']], bids: [[bid, '1', '0', '1']], ts: String(1_700_000_000_000 + i), checksum: 0 }] });
  const trade = (i: number) => JSON.stringify({ arg: { channel: 'trades', instId: 'ETH-USDT' }, data: [{ instId: 'ETH-USDT', tradeId: String(i), px: '3000.5', sz: '0.1', side: 'buy', ts: String(1_700_000_000_000 + i) }] });
  const frames = [frame(0, 'snapshot', '2999'), trade(1), frame(2, 'update', '2999.5'), trade(3), frame(4, 'update', '3000')];
  writeFileSync(source, `${[formatRecordingLine({ kind: 'connect', url: 'wss://ws.okx.com:8443/ws/v5/public', tsNs: 0n }), ...frames.map((text, i) => formatRecordingLine({ kind: 'received', url: undefined, tsNs: BigInt(i + 1) * 1_000_000n, text }))].join('\n')}\n`);

  // "Live": the OKX adapter against a venue (here the replay server), recording what it sees.
  const recordedPath = join(dir, 'recorded.jsonl');
  const writer = new RecordingWriter(recordedPath);
  const summary = await summariseRecording(source);
  const venue = await ReplayServer.start({ entries: () => readRecording(source, () => undefined), http: [], speed: 0, handshakeMessages: 0, onFinished: () => undefined });
  const live = collectingSink();
  const feed = new OkxPublicFeed({ instruments: summary.instruments.map((instId) => ({ instId })), wsUrl: venue.wsUrl, restSnapshots: false, recorder: writer });
  await feed.start(live.sink);
  await waitFor('the live session', () => (live.updates.get('ETH-USDT') ?? 0) === 3 && live.trades.length === 2);
  await feed.stop();
  await venue.close();
  await writer.close();
  const lines = readFileSync(recordedPath, 'utf8').trimEnd().split('\n').map((l) => parseRecordingLine(l, undefined));
  expect(lines.map((e) => e!.kind)).toEqual(['connect', 'sent', 'received', 'received', 'received', 'received', 'received']);

  // The recording plays back through the same adapter to the same result.
  const replayed = collectingSink();
  const replay = await openRecordedReplay(recordedPath, { speed: 0 });
  await replay.start(replayed.sink);
  await replay.whenFinished();
  await replay.stop();
  expect(replayed.rejections).toEqual([]);
  expect(replayed.trades.map((t) => t.tradeId)).toEqual(live.trades.map((t) => t.tradeId));
  expect(replayed.books.get('ETH-USDT')!.depth(5)).toEqual(live.books.get('ETH-USDT')!.depth(5));
});
