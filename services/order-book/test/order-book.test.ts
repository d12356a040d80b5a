import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status as Status } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { Bbo, BookSnapshot, OrderBookServiceClient } from '@meridian/proto';
import { ServiceProcess, assertBuilt, deleteNamespaceStreams, testServers, uniqueNamespace, waitFor } from '@meridian/testkit';
import { BookStreamReader, failureOf, getBook } from './grpc-calls';
import { VenueFeed } from './venue-feed';
import type { Lv } from './venue-feed';

// The order-book service as a real process against real NATS JetStream: this file plays the
// venue (BookUpdateBatch messages on md.sim.<symbol>.book), reads the service through gRPC, the
// BBO subject and the BOOKS stream, and kills and restarts it. The tests run in order and share
// the process and the streams.
jest.setTimeout(90_000);

const PACKAGE_DIR = join(__dirname, '..');
const VENUE = 'sim';
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
const CHECKPOINT_MS = 100;

let natsUrl: string;
let namespace: string;
let bus: Bus;
let svc: ServiceProcess;
let client: OrderBookServiceClient;
const allLogs: string[] = [];
const bbos = new Map<string, Bbo[]>(SYMBOLS.map((s) => [s, []]));
let btc: VenueFeed;
let eth: VenueFeed;
let sol: VenueFeed;

async function startService(): Promise<void> {
  svc = await ServiceProcess.start(PACKAGE_DIR, {
    NATS_URL: natsUrl,
    BUS_NAMESPACE: namespace,
    SYMBOLS: SYMBOLS.join(','),
    MARKET_VENUES: VENUE,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    BOOK_CHECKPOINT_MS: String(CHECKPOINT_MS),
    LOG_LEVEL: 'info',
  }, { name: 'order-book' });
  client = new OrderBookServiceClient(svc.grpcAddress, credentials.createInsecure());
}

async function stopService(signal: NodeJS.Signals) {
  client.close();
  const exit = await svc.stop(signal);
  allLogs.push(...svc.logs, `--- stopped with ${signal}: ${JSON.stringify(exit)}`);
  return exit;
}

/** How the running process said it resumed a book ("following book updates" log line). */
function resumeOf(symbol: string): { from: string; startSeq: number; reason?: string } {
  const line = svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.msg === 'following book updates' && o.symbol === symbol);
  if (line === undefined) throw new Error(`no resume line for ${symbol}`);
  return line as unknown as { from: string; startSeq: number; reason?: string };
}

const checkpointOf = (symbol: string) => bus.lastValue('BOOKS', bus.subjects.bookSnapshot(VENUE, symbol), BookSnapshot);
const levels = (side: 'bid' | 'ask', mid: number, n: number, size = '1'): Lv[] =>
  Array.from({ length: n }, (_, i) => [String(side === 'bid' ? mid - 1 - i : mid + 1 + i), size] as const);

async function expectBookAsReference(feed: VenueFeed): Promise<void> {
  const book = await getBook(client, VENUE, feed.symbol, 1000);
  const expected = feed.expected(1000);
  expect({ seq: book.seq, synced: book.synced, bids: book.bids, asks: book.asks }).toEqual(expected);
}

beforeAll(async () => {
  assertBuilt(PACKAGE_DIR, '@meridian/order-book');
  natsUrl = (await testServers()).natsUrl;
  namespace = uniqueNamespace('ob');
  bus = await Bus.connect({ servers: natsUrl, name: 'order-book-test', namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: SYMBOLS, venues: [] }]);
  for (const symbol of SYMBOLS) {
    await bus.follow('MARKET', bus.subjects.marketData(VENUE, symbol, 'bbo'), Bbo, (b) => void bbos.get(symbol)!.push(b), { deliver: 'all' });
  }
  btc = new VenueFeed(bus, VENUE, 'BTC-USDT', 1000n);
  eth = new VenueFeed(bus, VENUE, 'ETH-USDT', 1n);
  sol = new VenueFeed(bus, VENUE, 'SOL-USDT', 500n);
  await startService();
});

afterAll(async () => {
  if (svc) await stopService('SIGKILL');
  await bus?.close();
  if (namespace) await deleteNamespaceStreams(natsUrl, namespace);
  // The service's own logs, for when an assertion needs explaining.
  if (namespace) writeFileSync(join(tmpdir(), `meridian-${namespace}-order-book.log`), allLogs.join('\n'));
});

test('a snapshot and deltas build the book; GetBook, the BBO subject and the BOOKS checkpoint agree', async () => {
  await btc.snapshot(
    [['100', '1'], ['99.5', '2'], ['99', '3']],
    [['100.5', '1'], ['101', '2'], ['102', '5']],
  );
  const streamSeq = await btc.deltas(
    { bids: [['100', '1.5']] },
    { asks: [['100.5', '0']] }, // removes the best ask
    { bids: [['100.25', '0.5']] },
  );

  const book = await waitFor('BTC at seq 1003', async () => {
    const b = await getBook(client, VENUE, 'BTC-USDT', 2);
    return b.seq === 1003n ? b : undefined;
  });
  expect(book.synced).toBe(true);
  expect(book.bids).toEqual([{ price: '100.25', size: '0.5' }, { price: '100', size: '1.5' }]);
  expect(book.asks).toEqual([{ price: '101', size: '2' }, { price: '102', size: '5' }]);
  // depth 0 means 10 levels: all four bids.
  expect((await getBook(client, VENUE, 'BTC-USDT', 0)).bids).toHaveLength(4);
  // The venue may be left out: the first configured one is meant.
  expect((await getBook(client, '', 'BTC-USDT', 1)).bids).toEqual([{ price: '100.25', size: '0.5' }]);

  const bbo = await waitFor('the BBO after the deltas', () => bbos.get('BTC-USDT')!.find((b) => b.seq === 1003n));
  expect(bbo.bid).toEqual({ price: '100.25', size: '0.5' });
  expect(bbo.ask).toEqual({ price: '101', size: '2' });

  const checkpoint = await waitFor('a checkpoint of the whole book', async () => {
    const c = await checkpointOf('BTC-USDT');
    return c?.marketStreamSeq === BigInt(streamSeq) ? c : undefined;
  });
  expect(checkpoint.seq).toBe(1003n);
  expect({ bids: checkpoint.bids, asks: checkpoint.asks }).toEqual({ bids: btc.expected(1000).bids, asks: btc.expected(1000).asks });
  await expectBookAsReference(btc);
});

test('a gap unsyncs the book until the next snapshot, and an unsynced book is not checkpointed', async () => {
  btc.skip(1n); // seq 1004 never arrives
  await btc.deltas({ bids: [['100.25', '9']] });
  await waitFor('BTC unsynced', async () => !(await getBook(client, VENUE, 'BTC-USDT')).synced);
  await btc.deltas({ asks: [['101', '7']] });
  await new Promise((r) => setTimeout(r, 4 * CHECKPOINT_MS));
  const unsynced = await getBook(client, VENUE, 'BTC-USDT', 1);
  // The last consistent levels stay visible, marked unsynced.
  expect(unsynced).toMatchObject({ synced: false, seq: 1003n, bids: [{ price: '100.25', size: '0.5' }] });
  expect((await checkpointOf('BTC-USDT'))!.seq).toBe(1003n);
  expect(await svc.metric('meridian_book_updates_total', { result: 'gap' })).toBe(1);
  expect(await svc.metric('meridian_books_in_sync')).toBe(0);

  const snapshotStreamSeq = await btc.snapshot(levels('bid', 200, 5), levels('ask', 200, 5));
  await waitFor('BTC synced again', async () => (await getBook(client, VENUE, 'BTC-USDT')).synced);
  await expectBookAsReference(btc);
  await waitFor('a checkpoint of the new snapshot', async () => (await checkpointOf('BTC-USDT'))?.marketStreamSeq === BigInt(snapshotStreamSeq));
  expect(await svc.metric('meridian_books_in_sync')).toBe(1);
});

test('GetBook and StreamBook refuse books outside the shard (NOT_FOUND naming its symbols) and absurd requests (INVALID_ARGUMENT)', async () => {
  const notHere = await failureOf(getBook(client, VENUE, 'XRP-USDT'));
  expect(notHere.code).toBe(Status.NOT_FOUND);
  expect(notHere.details).toContain('"XRP-USDT"');
  expect(notHere.details).toContain('BTC-USDT, ETH-USDT, SOL-USDT');
  expect((await failureOf(getBook(client, 'okx', 'BTC-USDT'))).code).toBe(Status.NOT_FOUND);

  const tooDeep = await failureOf(getBook(client, VENUE, 'BTC-USDT', 1_000_000));
  expect(tooDeep.code).toBe(Status.INVALID_ARGUMENT);
  expect(tooDeep.details).toMatch(/depth 1000000/);
  expect((await failureOf(getBook(client, VENUE, 'BTC$USDT'))).code).toBe(Status.INVALID_ARGUMENT);

  const streamed = new BookStreamReader(client, { venue: VENUE, symbol: 'XRP-USDT', depth: 5, minIntervalMs: 0 });
  await waitFor('StreamBook refused', () => streamed.error);
  expect(streamed.error!.code).toBe(Status.NOT_FOUND);
  expect(streamed.error!.details).toContain('BTC-USDT, ETH-USDT, SOL-USDT');
  expect(streamed.messages).toHaveLength(0);
  const deep = new BookStreamReader(client, { venue: VENUE, symbol: 'SOL-USDT', depth: 5000, minIntervalMs: 0 });
  await waitFor('deep StreamBook refused', () => deep.error);
  expect(deep.error!.code).toBe(Status.INVALID_ARGUMENT);
});

test('StreamBook sends the book now, then changes at most once per min_interval_ms with the latest state, and ends when the client cancels', async () => {
  await sol.snapshot(levels('bid', 50, 5), levels('ask', 50, 5));
  await waitFor('SOL synced', async () => (await getBook(client, VENUE, 'SOL-USDT')).synced);

  const reader = new BookStreamReader(client, { venue: VENUE, symbol: 'SOL-USDT', depth: 3, minIntervalMs: 250 });
  await waitFor('the first message', () => reader.messages.length === 1);
  expect(reader.messages[0]!.book).toMatchObject({ symbol: 'SOL-USDT', synced: true, seq: sol.lastSeq, bids: sol.expected(3).bids });
  await waitFor('one subscriber', async () => (await svc.metric('meridian_stream_book_subscribers')) === 1);

  const started = Date.now();
  for (let i = 1; i <= 30; i++) {
    await sol.deltas({ bids: [['49', String(i)]] });
    await new Promise((r) => setTimeout(r, 10));
  }
  const publishedMs = Date.now() - started;
  await waitFor('the latest state', () => reader.last?.seq === sol.lastSeq);
  expect(reader.last!.bids).toEqual(sol.expected(3).bids);
  expect(reader.last!.bids[0]).toEqual({ price: '49', size: '30' });

  const changes = reader.messages.slice(1);
  // 30 changes over publishedMs, coalesced to one per 250 ms (plus the one in flight at the end).
  expect(changes.length).toBeGreaterThanOrEqual(1);
  expect(changes.length).toBeLessThanOrEqual(Math.ceil(publishedMs / 250) + 1);
  for (let i = 1; i < reader.messages.length; i++) {
    // Arrival times jitter a little around the server's 250 ms spacing.
    expect(reader.messages[i]!.atMs - reader.messages[i - 1]!.atMs).toBeGreaterThanOrEqual(200);
  }

  reader.call.cancel();
  await waitFor('the call cancelled', () => reader.error);
  expect(reader.error!.code).toBe(Status.CANCELLED);
  await waitFor('no subscriber left', async () => (await svc.metric('meridian_stream_book_subscribers')) === 0);
});

test('StreamBook does not buffer for a client that stops reading: it skips intermediate states and delivers the latest', async () => {
  // Deep levels make each message about 1 kB, so flow control fills after a few dozen.
  await sol.snapshot(levels('bid', 1000, 40), levels('ask', 1000, 40));
  const reader = new BookStreamReader(client, { venue: VENUE, symbol: 'SOL-USDT', depth: 40, minIntervalMs: 0 });
  await waitFor('the first message', () => reader.last?.seq === sol.lastSeq);
  reader.call.pause();

  const changes = 1_500;
  for (let i = 1; i <= changes; i++) await sol.deltas({ bids: [['999', String(i)]] });
  await waitFor('the service applied every change', async () => (await getBook(client, VENUE, 'SOL-USDT', 1)).seq === sol.lastSeq);
  const before = reader.messages.length;

  reader.call.resume();
  await waitFor('the latest state after resuming', () => reader.last?.seq === sol.lastSeq, 20_000);
  expect(before).toBeLessThanOrEqual(1);
  // Far fewer messages than changes: states were dropped on the server, not queued for the client.
  expect(reader.messages.length).toBeLessThan(changes / 3);
  expect(reader.last!.bids).toEqual(sol.expected(40).bids);
  reader.call.cancel();
  await waitFor('no subscriber left', async () => (await svc.metric('meridian_stream_book_subscribers')) === 0);
});

test('after SIGKILL, a restart loads the checkpoint and replays what it missed: the same book, synced without a new venue snapshot', async () => {
  await eth.snapshot(levels('bid', 3000, 6, '2'), levels('ask', 3000, 6, '2'));
  const checkpointed = await eth.deltas({ bids: [['2999', '5']] }, { asks: [['3001', '0']] });
  await waitFor('ETH checkpointed', async () => (await checkpointOf('ETH-USDT'))?.marketStreamSeq === BigInt(checkpointed));
  await eth.deltas({ bids: [['2999.5', '1']] });
  expect((await stopService('SIGKILL')).signal).toBe('SIGKILL');

  // The venue carries on while the service is down; no snapshot among it.
  await eth.deltas({ asks: [['3002', '4']] });
  await eth.deltas({ bids: [['2999', '0']] }, { bids: [['2998.75', '3']] });
  await eth.deltas({ asks: [['3001.5', '0.25']] }, { asks: [['3006', '0']] }, { bids: [['2999.5', '1.5']] });
  const checkpoint = await checkpointOf('ETH-USDT');

  await startService();
  const resume = resumeOf('ETH-USDT');
  expect(resume.from).toBe('checkpoint');
  expect(resume.startSeq).toBe(Number(checkpoint!.marketStreamSeq) + 1);
  await expectBookAsReference(eth);
  expect(eth.reference.synced).toBe(true);
  // The other books resumed the same way.
  expect(resumeOf('BTC-USDT').from).toBe('checkpoint');
  await expectBookAsReference(btc);
  expect(await svc.metric('meridian_book_resumes_total', { from: 'checkpoint' })).toBe(3);
  expect(await svc.metric('meridian_books_in_sync')).toBe(3);

  // The BBO of the rebuilt book is announced, and the book carries on live.
  await waitFor('the BBO after the restart', () => bbos.get('ETH-USDT')!.find((b) => b.seq === eth.lastSeq));
  await eth.deltas({ bids: [['2999.75', '1']] });
  await waitFor('a live BBO', () => bbos.get('ETH-USDT')!.find((b) => b.seq === eth.lastSeq && b.bid?.price === '2999.75'));
  await expectBookAsReference(eth);
  await waitFor('a checkpoint after the restart', async () => (await checkpointOf('ETH-USDT'))?.marketStreamSeq === BigInt(eth.lastStreamSeq));
  expect(await svc.metric('meridian_book_update_to_bbo_seconds_count')).toBeGreaterThanOrEqual(1);
  expect(await svc.metric('meridian_book_checkpoints_total', { result: 'published' })).toBeGreaterThanOrEqual(1);
});

test('a checkpoint older than the stream falls back to the latest venue snapshot in the stream, or to the next live one', async () => {
  expect((await stopService('SIGKILL')).signal).toBe('SIGKILL');
  await eth.deltas({ bids: [['2999.75', '2']] });
  // The venue resynchronises in the middle of a message, then runs on for more than one scan window.
  const snapshotMessage = await eth.publish([
    { snapshot: false, bids: [['2999.75', '3']] },
    { snapshot: true, bids: levels('bid', 4000, 8), asks: levels('ask', 4000, 8) },
    { snapshot: false, asks: [['4001', '7']] },
  ]);
  for (let i = 1; i <= 1_100; i++) await eth.deltas({ bids: [['3999', String(i)]] });
  // Retention dropped everything before the snapshot message: every checkpoint is now too old.
  await bus.jsm.streams.purge(bus.topology.streamName('MARKET'), { seq: snapshotMessage });

  await startService();
  expect(resumeOf('ETH-USDT')).toMatchObject({ from: 'venue_snapshot', startSeq: snapshotMessage });
  expect(resumeOf('ETH-USDT').reason).toMatch(/older than the stream's first sequence/);
  await expectBookAsReference(eth);
  expect(eth.reference.synced).toBe(true);

  // BTC has no snapshot left in the stream: it waits for the venue's next one.
  expect(resumeOf('BTC-USDT').from).toBe('now');
  expect((await getBook(client, VENUE, 'BTC-USDT')).synced).toBe(false);
  await btc.snapshot(levels('bid', 300, 3), levels('ask', 300, 3));
  await waitFor('BTC synced on the live snapshot', async () => (await getBook(client, VENUE, 'BTC-USDT')).synced);
  await expectBookAsReference(btc);
});

test('SIGTERM ends open StreamBook calls with OK, checkpoints the last state and exits 0', async () => {
  const reader = new BookStreamReader(client, { venue: VENUE, symbol: 'ETH-USDT', depth: 5, minIntervalMs: 0 });
  await waitFor('the first message', () => reader.messages.length === 1);
  await eth.deltas({ asks: [['4002', '9']] });
  await waitFor('the change streamed', () => reader.last?.seq === eth.lastSeq);

  expect((await stopService('SIGTERM')).code).toBe(0);
  await waitFor('the stream ended', () => reader.ended && reader.status !== undefined);
  expect(reader.status!.code).toBe(Status.OK);
  expect(reader.error).toBeUndefined();
  expect((await checkpointOf('ETH-USDT'))!.marketStreamSeq).toBe(BigInt(eth.lastStreamSeq));
  svc = undefined as unknown as ServiceProcess;
});
