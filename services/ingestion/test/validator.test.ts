import { Decimal } from '@meridian/domain';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';
import { EventValidator } from '../src/validator';

const d = (s: string) => Decimal.parse(s);
const NOW = 1_700_000_000_000_000_000n;

function trade(over: Partial<NormalizedTrade> = {}): NormalizedTrade {
  return { venue: 'okx', symbol: 'BTC-USDT', tradeId: '1', price: d('100'), size: d('0.5'), aggressor: 'BUY', tsNs: NOW, receivedTsNs: NOW + 1_000_000n, ...over };
}

function book(seq: bigint, over: Partial<NormalizedBookUpdate> = {}): NormalizedBookUpdate {
  return {
    venue: 'okx',
    symbol: 'BTC-USDT',
    seq,
    snapshot: false,
    bids: [{ price: d('99'), size: d('1') }],
    asks: [{ price: d('101'), size: d('1') }],
    tsNs: NOW,
    receivedTsNs: NOW,
    ...over,
  };
}

const validator = () => new EventValidator('okx', ['BTC-USDT'], { maxEventAgeMs: 5_000, recentTradeIds: 3 });

test('accepts a good trade once and refuses it when re-sent, remembering a bounded number of ids', () => {
  const v = validator();
  expect(v.trade(trade())).toBeUndefined();
  expect(v.trade(trade())).toMatchObject({ reason: 'stale', detail: expect.stringMatching(/trade 1 was already received/) });
  for (const id of ['2', '3', '4']) expect(v.trade(trade({ tradeId: id }))).toBeUndefined();
  // Only the last three ids are kept: "1" fell out of the ring.
  expect(v.trade(trade({ tradeId: '1' }))).toBeUndefined();
  expect(v.trade(trade({ tradeId: '4' }))?.reason).toBe('stale');
});

test.each([
  ['unknown_symbol', trade({ symbol: 'ETH-USDT' }), /ETH-USDT, which this feed does not carry/],
  ['non_positive', trade({ price: d('0') }), /price 0 size 0.5 must both be positive/],
  ['non_positive', trade({ size: d('-1') }), /size -1/],
  ['stale', trade({ receivedTsNs: NOW + 6_000_000_000n }), /received 6000.000 ms after/],
])('refuses a trade as %s and says why', (reason, t, detail) => {
  const r = validator().trade(t);
  expect(r).toMatchObject({ reason, detail: expect.stringMatching(detail) });
  expect(r?.symbol).toBe(reason === 'unknown_symbol' ? undefined : 'BTC-USDT');
});

test('the age check is off at 0, for replays whose receive times are historical', () => {
  const v = new EventValidator('okx', ['BTC-USDT'], { maxEventAgeMs: 0, recentTradeIds: 10 });
  expect(v.trade(trade({ receivedTsNs: NOW + 10n ** 15n }))).toBeUndefined();
});

test('book updates must continue the sequence; a snapshot restarts it anywhere', () => {
  const v = validator();
  expect(v.book(book(1n, { snapshot: true }))).toBeUndefined();
  expect(v.book(book(2n))).toBeUndefined();
  expect(v.book(book(4n))).toMatchObject({ reason: 'out_of_order', detail: 'book delta seq 4 after seq 2' });
  expect(v.book(book(3n))).toBeUndefined();
  expect(v.book(book(10n, { snapshot: true }))).toBeUndefined();
  expect(v.book(book(11n))).toBeUndefined();
});

test('refuses crossed snapshots whatever the level order, and non-positive prices', () => {
  const v = validator();
  const crossed = book(1n, {
    snapshot: true,
    bids: [{ price: d('98'), size: d('1') }, { price: d('101.5'), size: d('1') }],
    asks: [{ price: d('103'), size: d('1') }, { price: d('101.5'), size: d('2') }],
  });
  expect(v.book(crossed)).toMatchObject({ reason: 'crossed', detail: expect.stringMatching(/best bid 101.5 is not below best ask 101.5/) });
  const negative = book(1n, { snapshot: true, bids: [{ price: d('-1'), size: d('1') }] });
  expect(v.book(negative)?.reason).toBe('non_positive');
  // A removed level (size 0) may sit anywhere in a snapshot without crossing.
  const removed = book(1n, { snapshot: true, bids: [{ price: d('99'), size: d('1') }, { price: d('102'), size: d('0') }] });
  expect(v.book(removed)).toBeUndefined();
});
