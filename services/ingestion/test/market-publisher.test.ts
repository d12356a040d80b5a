import { Bus, provisionTopology } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { BookUpdateBatch, TradeBatch } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import type { NormalizedTrade } from '@meridian/venues';
import { MarketPublisher } from '../src/market-publisher';
import type { MarketPublisherHooks } from '../src/market-publisher';

let env: TestEnvironment;
let bus: Bus;

beforeAll(async () => {
  env = await createTestEnvironment('ingest');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'publisher-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

function trade(symbol: string, i: number): NormalizedTrade {
  return { venue: 'okx', symbol, tradeId: String(i), price: Decimal.parse(`100.${i % 100}`), size: Decimal.parse('0.001'), aggressor: i % 2 ? 'BUY' : 'SELL', tsNs: BigInt(i), receivedTsNs: BigInt(i) };
}

function counting() {
  const c = { published: 0, messages: 0, failed: 0, dropped: 0 };
  const hooks: MarketPublisherHooks = {
    published: (_k, n, m) => {
      c.published += n;
      c.messages += m;
    },
    failed: (_k, n) => (c.failed += n),
    dropped: (_k, n) => (c.dropped += n),
  };
  return { c, hooks };
}

test('every event arrives once, in order per symbol, in batches no larger than maxBatch', async () => {
  const received = new Map<string, string[]>();
  let largest = 0;
  for (const symbol of ['BTC-USDT', 'ETH-USDT']) {
    received.set(symbol, []);
    await bus.follow('MARKET', bus.subjects.marketData('okx', symbol, 'trades'), TradeBatch, (b) => {
      largest = Math.max(largest, b.trades.length);
      received.get(symbol)!.push(...b.trades.map((t) => t.tradeId));
    }, { deliver: 'all' });
  }
  const { c, hooks } = counting();
  const publisher = new MarketPublisher(bus, { maxBatch: 100, flushMs: 2, maxInFlight: 8, maxBuffered: 1_000_000 }, hooks);
  const N = 20_000;
  for (let i = 0; i < N; i++) publisher.trade(trade(i % 2 ? 'ETH-USDT' : 'BTC-USDT', i));
  await publisher.drain();
  publisher.stop();
  expect(c).toEqual({ published: N, messages: expect.any(Number), failed: 0, dropped: 0 });
  expect(c.messages).toBeGreaterThanOrEqual(N / 100);
  expect(c.messages).toBeLessThan(N / 10); // batching happened
  await waitFor('all trades followed', () => received.get('BTC-USDT')!.length + received.get('ETH-USDT')!.length === N);
  expect(received.get('BTC-USDT')).toEqual(Array.from({ length: N / 2 }, (_, k) => String(2 * k)));
  expect(received.get('ETH-USDT')).toEqual(Array.from({ length: N / 2 }, (_, k) => String(2 * k + 1)));
  expect(largest).toBeLessThanOrEqual(100);
  expect(publisher.buffered).toBe(0);
});

test('book updates keep their sequence across batches', async () => {
  const seqs: bigint[] = [];
  await bus.follow('MARKET', bus.subjects.marketData('okx', 'SOL-USDT', 'book'), BookUpdateBatch, (b) => {
    seqs.push(...b.updates.map((u) => u.seq));
  }, { deliver: 'all' });
  const { c, hooks } = counting();
  const publisher = new MarketPublisher(bus, { maxBatch: 7, flushMs: 1, maxInFlight: 2, maxBuffered: 100_000 }, hooks);
  const level = { price: Decimal.parse('150'), size: Decimal.parse('2') };
  for (let i = 1; i <= 500; i++) {
    publisher.book({ venue: 'okx', symbol: 'SOL-USDT', seq: BigInt(i), snapshot: i === 1, bids: [level], asks: [], tsNs: 1n, receivedTsNs: 1n });
  }
  await publisher.drain();
  publisher.stop();
  expect(c.published).toBe(500);
  await waitFor('all book updates followed', () => seqs.length === 500);
  expect(seqs).toEqual(Array.from({ length: 500 }, (_, k) => BigInt(k + 1)));
});

test('a full buffer drops and counts events from a push source; a pull source waits on whenReady instead', async () => {
  const { c, hooks } = counting();
  const publisher = new MarketPublisher(bus, { maxBatch: 10, flushMs: 1, maxInFlight: 1, maxBuffered: 1_000 }, hooks);
  for (let i = 0; i < 5_000; i++) publisher.trade(trade('ADA-USDT', i));
  expect(c.dropped).toBe(4_000);
  expect(publisher.buffered).toBe(1_000);
  let ready = false;
  const waiting = publisher.whenReady().then(() => (ready = true));
  expect(ready).toBe(false);
  await waiting; // resolves once acks bring the buffer under half
  expect(publisher.buffered).toBeLessThan(500);
  await publisher.drain();
  publisher.stop();
  expect(c.published).toBe(1_000);
});
