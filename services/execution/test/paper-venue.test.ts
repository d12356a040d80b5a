import { L2Book } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import { PaperVenue } from '../src/paper-venue';
import type { PaperOrder } from '../src/paper-venue';

const d = (s: string) => Decimal.parse(s);
let venue = new PaperVenue({ maker: d('0.0002'), taker: d('0.0005'), scale: 8 });

beforeEach(() => {
  venue = new PaperVenue({ maker: d('0.0002'), taker: d('0.0005'), scale: 8 });
});

function book(): L2Book {
  const b = new L2Book('BTC-USDT');
  const r = b.applySnapshot(
    1n,
    [{ price: d('99.9'), size: d('1') }, { price: d('99.8'), size: d('2') }],
    [{ price: d('100.1'), size: d('0.5') }, { price: d('100.2'), size: d('1') }],
  );
  expect(r.ok).toBe(true);
  return b;
}

function order(partial: Partial<PaperOrder>): PaperOrder {
  return { clientOrderId: 'c1', symbol: 'BTC-USDT', side: 'BUY', quantity: d('1'), limitPrice: undefined, immediateOrCancel: true, ...partial };
}

test('a market buy sweeps the asks level by level and pays the taker fee on each fill, rounded up', () => {
  const out = venue.execute(book(), order({ quantity: d('0.8') }));
  if (out.kind !== 'executed') throw new Error(out.reason);
  expect(out.fills.map((f) => [f.price.toString(), f.quantity.toString(), f.fee.toString(), f.maker])).toEqual([
    ['100.1', '0.5', '0.025025', false],
    ['100.2', '0.3', '0.01503', false],
  ]);
  expect(out.remaining.isZero()).toBe(true);
});

test('a market order larger than the book leaves a remainder that does not rest', () => {
  const out = venue.execute(book(), order({ side: 'SELL', quantity: d('4') }));
  if (out.kind !== 'executed') throw new Error(out.reason);
  expect(out.remaining.toString()).toBe('1');
  expect(out.rests).toBe(false);
});

test('a GTC limit order fills what crosses and rests the rest; it later fills as maker at its price', () => {
  const b = book();
  const o = order({ quantity: d('2'), limitPrice: d('100.1'), immediateOrCancel: false });
  const out = venue.execute(b, o);
  if (out.kind !== 'executed') throw new Error(out.reason);
  expect(out.fills).toHaveLength(1);
  expect(out.rests).toBe(true);
  expect(venue.matchResting(b, o, out.remaining)).toBeUndefined();
  expect(b.applyDelta(2n, [], [{ price: d('100.05'), size: d('0.7') }]).ok).toBe(true);
  const fill = venue.matchResting(b, o, out.remaining)!;
  expect([fill.price.toString(), fill.quantity.toString(), fill.maker, fill.fee.toString()]).toEqual(['100.1', '0.7', true, '0.014014']);
});

test('an order is rejected with a reason while the book is not in sync', () => {
  const out = venue.execute(new L2Book('BTC-USDT'), order({}));
  expect(out).toEqual({ kind: 'rejected', reason: expect.stringMatching(/^NO_MARKET_DATA/) });
});

test('liquidity the venue already took is not sold twice until the feed reports the level again', () => {
  const b = book();
  const first = venue.execute(b, order({ clientOrderId: 'a', quantity: d('0.5') }));
  const second = venue.execute(b, order({ clientOrderId: 'b', quantity: d('0.5') }));
  if (first.kind !== 'executed' || second.kind !== 'executed') throw new Error('rejected');
  expect(first.fills.map((f) => f.price.toString())).toEqual(['100.1']);
  expect(second.fills.map((f) => f.price.toString())).toEqual(['100.2']);
  venue.levelsChanged('BTC-USDT', 'ask', [{ price: d('100.1'), size: d('0.5') }]);
  const third = venue.execute(b, order({ clientOrderId: 'c', quantity: d('0.1') }));
  if (third.kind !== 'executed') throw new Error('rejected');
  expect(third.fills.map((f) => f.price.toString())).toEqual(['100.1']);
});
