import { Decimal } from '@meridian/domain';
import { BookUpdateBatch, TradeBatch, sideToWire } from '@meridian/proto';
import type { BookUpdate, Trade } from '@meridian/proto';
import { seededRandom } from '@meridian/testkit';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';
import { BatchEncoder, UnencodableEventError } from '../src/batch-encoder';

// The hand-written encoder must write exactly what ts-proto writes for the same batch: if
// market.proto changes, this fails before a consumer reads a wrong field.

const random = seededRandom(11);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

function decimalText(): string {
  const whole = pick(['0', '1', '7', '42', '100', '65432', '123456789012']);
  const fraction = pick(['', '.5', '.10', '.01', '.00000001', '.123456789012345678901234']);
  return whole + fraction;
}

function timestamp(): bigint {
  return pick([0n, 1n, 127n, 128n, 1_700_000_000_123_000_000n, 9_223_372_036_854_775_807n, -1n, -1_000_000n, 2n ** 35n]);
}

function trade(venue: string, symbol: string): NormalizedTrade {
  return {
    venue,
    symbol,
    tradeId: pick(['', '1', '987654321', 'a-uuid-like-0e5f', 'ünïcödé-🙂', 'x'.repeat(200)]),
    price: Decimal.parse(decimalText()),
    size: Decimal.parse(decimalText()),
    aggressor: pick([undefined, 'BUY', 'SELL'] as const),
    tsNs: timestamp(),
    receivedTsNs: timestamp(),
  };
}

function book(venue: string, symbol: string): NormalizedBookUpdate {
  const levels = () => Array.from({ length: pick([0, 1, 3, 50, 400]) }, () => ({ price: Decimal.parse(decimalText()), size: Decimal.parse(pick(['0', decimalText()])) }));
  return { venue, symbol, seq: pick([0n, 1n, 300n, 2n ** 40n, 2n ** 64n - 1n]), snapshot: random() < 0.3, bids: levels(), asks: levels(), tsNs: timestamp(), receivedTsNs: timestamp() };
}

const tradeWire = (t: NormalizedTrade): Trade => ({
  venue: t.venue,
  symbol: t.symbol,
  tradeId: t.tradeId,
  price: t.price.toString(),
  size: t.size.toString(),
  aggressor: t.aggressor === undefined ? 0 : sideToWire(t.aggressor),
  tsNs: t.tsNs,
  receivedTsNs: t.receivedTsNs,
});

const bookWire = (u: NormalizedBookUpdate): BookUpdate => ({
  venue: u.venue,
  symbol: u.symbol,
  seq: u.seq,
  snapshot: u.snapshot,
  bids: u.bids.map((l) => ({ price: l.price.toString(), size: l.size.toString() })),
  asks: u.asks.map((l) => ({ price: l.price.toString(), size: l.size.toString() })),
  tsNs: u.tsNs,
  receivedTsNs: u.receivedTsNs,
});

test.each([
  ['okx', 'BTC-USDT'],
  ['', 'ETH-USDT'],
  ['okx', ''],
  ['vénue', 'x'.repeat(300)],
])('trade batches (venue %j) are byte for byte what ts-proto writes, across takes', (venue, symbol) => {
  const encoder = new BatchEncoder(venue, symbol, 16);
  for (let round = 0; round < 5; round++) {
    const trades = Array.from({ length: pick([1, 2, 17, 500]) }, () => trade(venue, symbol));
    for (const t of trades) encoder.trade(t);
    expect(encoder.events).toBe(trades.length);
    const { bytes, events } = encoder.take();
    expect(events).toBe(trades.length);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(TradeBatch.encode({ trades: trades.map(tradeWire) }).finish()));
    expect(encoder.events).toBe(0);
  }
});

test('book update batches (deep snapshots, deletes, large sequences) are byte for byte what ts-proto writes', () => {
  const encoder = new BatchEncoder('okx', 'SOL-USDT', 16);
  for (let round = 0; round < 20; round++) {
    const updates = Array.from({ length: pick([1, 5, 40]) }, () => book('okx', 'SOL-USDT'));
    for (const u of updates) encoder.book(u);
    const { bytes } = encoder.take();
    expect(Buffer.from(bytes)).toEqual(Buffer.from(BookUpdateBatch.encode({ updates: updates.map(bookWire) }).finish()));
  }
});

test('an event the wire cannot carry is refused alone; the batch keeps what it had', () => {
  const encoder = new BatchEncoder('okx', 'BTC-USDT');
  const good = trade('okx', 'BTC-USDT');
  encoder.trade(good);
  expect(() => encoder.trade({ ...good, tsNs: 2n ** 63n })).toThrow(UnencodableEventError);
  expect(() => encoder.book({ ...book('okx', 'BTC-USDT'), seq: -1n })).toThrow(/seq -1 does not fit a uint64/);
  expect(encoder.events).toBe(1);
  expect(TradeBatch.decode(encoder.take().bytes).trades).toEqual([tradeWire(good)]);
});
