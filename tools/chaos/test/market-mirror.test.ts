import { Bus } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { bootstrap } from '@meridian/platform';
import { BookUpdateBatch, Side, TradeBatch } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { SimulatedVenue } from '@meridian/venue-sim';
import { MarketMirror } from '../src';

// The mirror feeds a simulated exchange the platform's own market data from real JetStream:
// snapshots and deltas in sequence, a gap skipped until the next snapshot, trades as prints.
jest.setTimeout(30_000);

const d = Decimal.parse;
const SYMBOL = 'BTC-USDT';
let env: TestEnvironment;
let bus: Bus;
let mirror: MarketMirror | undefined;

beforeAll(async () => {
  env = await createTestEnvironment('mirror');
  await bootstrap({ nats: { servers: env.natsUrl }, namespace: env.namespace, replicas: 1, shards: [{ symbols: [SYMBOL], venues: ['paper'] }] });
  bus = await Bus.connect({ servers: env.natsUrl, name: 'mirror-test', namespace: env.namespace });
});
afterAll(async () => {
  await mirror?.stop();
  await bus.close();
  await env.cleanup();
});

const level = (price: string, size: string) => ({ price, size });
const book = (seq: number, snapshot: boolean, bids: { price: string; size: string }[], asks: { price: string; size: string }[]) =>
  BookUpdateBatch.fromPartial({ updates: [{ venue: 'sim', symbol: SYMBOL, seq: BigInt(seq), snapshot, bids, asks }] });

test('snapshots, deltas in sequence and trades reach the exchange; a gap waits for the next snapshot', async () => {
  const exchange = new SimulatedVenue({
    instruments: [{ symbol: SYMBOL, baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.0001') }],
    fees: { maker: d('0'), taker: d('0'), scale: 8 },
  });
  const subject = bus.subjects.marketData('sim', SYMBOL, 'book');
  // Published before the mirror starts: it reads the stream from its first message.
  await bus.publish(subject, BookUpdateBatch, book(1, true, [level('100.0', '1')], [level('100.2', '2')]));
  mirror = await MarketMirror.start(bus, exchange, 'sim', [SYMBOL]);
  await waitFor('the snapshot mirrored', () => exchange.bbo(SYMBOL).ask?.price.eq('100.2'));

  await bus.publish(subject, BookUpdateBatch, book(2, false, [level('100.1', '3')], []));
  await waitFor('the delta mirrored', () => exchange.bbo(SYMBOL).bid?.price.eq('100.1'));

  // seq 4 after 2: one update lost; the exchange keeps its book until the next snapshot.
  await bus.publish(subject, BookUpdateBatch, book(4, false, [level('100.15', '1')], []));
  await bus.publish(subject, BookUpdateBatch, book(5, true, [level('99.0', '5')], [level('99.5', '5')]));
  await waitFor('the next snapshot mirrored', () => exchange.bbo(SYMBOL).bid?.price.eq('99'));
  expect(mirror.stats).toMatchObject({ bookUpdates: 3, outOfSequence: 1, refused: 0 });

  // Off the exchange's tick: refused by the exchange, counted, and the mirror goes on.
  await bus.publish(subject, BookUpdateBatch, book(6, false, [level('99.05', '1')], []));
  await bus.publish(bus.subjects.marketData('sim', SYMBOL, 'trades'), TradeBatch, TradeBatch.fromPartial({ trades: [{ venue: 'sim', symbol: SYMBOL, tradeId: 't1', price: '99.5', size: '0.5', aggressor: Side.SIDE_BUY }] }));
  await waitFor('the print mirrored', () => exchange.lastPrice(SYMBOL)?.eq('99.5'));
  await waitFor('the off-tick delta refused', () => mirror!.stats.refused === 1);
  expect(mirror.stats.firstRefusal).toMatch(/99\.05/);
  expect(mirror.stats.trades).toBe(1);
});
