import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { WebSocketServer } from 'ws';
import { Bus, provisionTopology } from '@meridian/bus';
import { Bar, BookUpdateBatch, IngestionServiceClient, TradeBatch } from '@meridian/proto';
import type { GetFeedStatusResponse } from '@meridian/proto';
import { assertBuilt, createTestEnvironment, ServiceProcess, sharedDataPath, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';

// The ingestion service as a real process: a live source (a local server speaking OKX v5) and a
// replay (a LOBSTER file), each published into real JetStream and read back from the streams.
jest.setTimeout(60_000);

const PACKAGE_DIR = join(__dirname, '..');
const GOOG = sharedDataPath('lobster', 'GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv');

let env: TestEnvironment;
let bus: Bus;

beforeAll(async () => {
  assertBuilt(PACKAGE_DIR, '@meridian/ingestion');
  env = await createTestEnvironment('ingsvc');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'ingestion-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'GOOG'], venues: ['paper'] }]);
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

function baseEnv(source: string): Record<string, string> {
  return { ...env.env, MARKET_SOURCE: source, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'info', BAR_INTERVALS: '1s,1m', BAR_GRACE_MS: '0' };
}

function feedStatus(svc: ServiceProcess): Promise<GetFeedStatusResponse> {
  const client = new IngestionServiceClient(svc.grpcAddress, credentials.createInsecure());
  return new Promise((resolve, reject) => client.getFeedStatus({}, (err, res) => (err ? reject(err) : resolve(res!))));
}

test('okx:BTC-USDT reads a server speaking OKX v5, publishes books and trades, and counts a bad frame by reason', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const now = Date.now();
  const push = (channel: string, data: unknown[]) => JSON.stringify({ arg: { channel, instId: 'BTC-USDT' }, data });
  wss.on('connection', (socket) =>
    socket.on('message', (raw) => {
      const text = raw.toString();
      if (text === 'ping') return socket.send('pong');
      if (!text.includes('"subscribe"')) return;
      socket.send(JSON.stringify({ event: 'subscribe', arg: { channel: 'books5', instId: 'BTC-USDT' } }));
      socket.send(push('books5', [{ asks: [['60001.5', '2', '0', '1']], bids: [['60000.1', '3', '0', '2']], ts: String(now), checksum: 0 }]));
      socket.send(push('trades', [{ instId: 'BTC-USDT', tradeId: '7', px: '60001.5', sz: '0.25', side: 'buy', ts: String(now) }]));
      socket.send(push('trades', [{ instId: 'BTC-USDT', tradeId: '8', px: 'NaN', sz: '0.25', side: 'buy', ts: String(now) }]));
      socket.send(push('trades', [{ instId: 'BTC-USDT', tradeId: '9', px: '60000.1', sz: '1', side: 'sell', ts: String(now + 1) }]));
    }),
  );
  const trades: string[] = [];
  const books: string[] = [];
  await bus.follow('MARKET', bus.subjects.marketData('okx', 'BTC-USDT', 'trades'), TradeBatch, (b) => void trades.push(...b.trades.map((t) => `${t.tradeId}@${t.price}x${t.size}`)), { deliver: 'all' });
  await bus.follow('MARKET', bus.subjects.marketData('okx', 'BTC-USDT', 'book'), BookUpdateBatch, (b) => void books.push(...b.updates.map((u) => `${u.snapshot ? 'S' : 'D'}${u.seq} ${u.bids[0]?.price}/${u.asks[0]?.price}`)), { deliver: 'all' });

  const recordFile = join(mkdtempSync(join(tmpdir(), 'ingestion-')), 'okx.jsonl');
  const svc = await ServiceProcess.start(
    PACKAGE_DIR,
    { ...baseEnv('okx:BTC-USDT'), OKX_WS_URL: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, OKX_BOOK_CHANNEL: 'books5', MARKET_RECORD_FILE: recordFile },
    { name: 'ingestion' },
  );
  try {
    await waitFor('two trades and a book', () => trades.length === 2 && books.length === 1);
    expect(trades).toEqual(['7@60001.5x0.25', '9@60000.1x1']);
    expect(books).toEqual(['S1 60000.1/60001.5']);
    expect(await svc.metric('meridian_md_rejected_messages_total', { venue: 'okx', reason: 'non_finite' })).toBe(1);
    const rejectionLog = JSON.parse(svc.logs.find((l) => l.includes('market data rejected'))!) as Record<string, string>;
    expect(rejectionLog).toMatchObject({ venue: 'okx', symbol: 'BTC-USDT', reason: 'non_finite', detail: 'data[0].px: "NaN" is not a finite decimal' });
    expect(rejectionLog.raw).toContain('"tradeId":"8"');
    const status = await feedStatus(svc);
    expect(status.feeds).toEqual([expect.objectContaining({ venue: 'okx', symbol: 'BTC-USDT', source: 'okx', state: 'live', trades: 2n, rejected: 1n, lastPrice: '60000.1' })]);
  } finally {
    expect(await svc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
  // MARKET_RECORD_FILE kept the raw session, replayable with MARKET_SOURCE=replay:<file>.
  const recorded = readFileSync(recordFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { dir: string; frame?: string });
  expect(recorded.map((e) => e.dir)).toEqual(['connect', 'out', 'in', 'in', 'in', 'in', 'in']);
  expect(recorded.find((e) => e.frame?.includes('"NaN"'))).toBeDefined();
});

const withGoog = existsSync(GOOG) ? test : test.skip;
if (!existsSync(GOOG)) console.warn(`skipping the LOBSTER replay through the service: ${GOOG} is absent (see ../shared/data/MANIFEST.md)`);

withGoog('replay:<LOBSTER file> publishes every execution as a trade and bars over the recorded times, then reports finished', async () => {
  let trades = 0;
  const bars: Bar[] = [];
  await bus.follow('MARKET', bus.subjects.marketData('nasdaq', 'GOOG', 'trades'), TradeBatch, (b) => void (trades += b.trades.length), { deliver: 'all' });
  await bus.follow('MARKET', bus.subjects.bars('nasdaq', 'GOOG', '1m'), Bar, (b) => void bars.push(b), { deliver: 'all' });
  const svc = await ServiceProcess.start(PACKAGE_DIR, { ...baseEnv(`replay:${GOOG}`), REPLAY_SPEED: '0' }, { name: 'ingestion', waitReady: false });
  try {
    await waitFor('the replay finished', async () => (await feedStatus(svc)).feeds[0]?.state === 'finished', 30_000);
    const status = (await feedStatus(svc)).feeds[0]!;
    expect(status).toMatchObject({ venue: 'nasdaq', symbol: 'GOOG', rejected: 0n });
    await waitFor('every trade in the stream', () => trades === Number(status.trades));
    expect(trades).toBeGreaterThan(1_000);
    // 09:30 to 10:19 New York time: fifty 1-minute bars closed by the replay's own clock.
    await waitFor('the minute bars', () => bars.length >= 49);
    const first = bars[0]!;
    expect(new Date(Number(first.startTsNs / 1_000_000n)).toISOString()).toBe('2012-06-21T13:30:00.000Z');
    expect(bars.map((b) => b.startTsNs - first.startTsNs)).toEqual(bars.map((_, i) => BigInt(i) * 60_000_000_000n));
  } finally {
    expect(await svc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }
});
