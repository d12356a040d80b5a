import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, L2Book, sweep } from '../src';
import { d, lv } from './helpers';

function book(): L2Book {
  const b = new L2Book('ETH-USDT');
  b.applySnapshot(1n, lv(['99', '1'], ['98', '2'], ['97', '3']), lv(['100', '0.5'], ['101', '1'], ['102', '2']));
  return b;
}

const fills = (r: ReturnType<typeof sweep>): [string, string][] => r.fills.map((f) => [f.price.toString(), f.quantity.toString()]);

test('a BUY walks the asks best first, partially filling the last level', () => {
  const b = book();
  const r = sweep(b, 'BUY', d('2'));
  expect(fills(r)).toEqual([['100', '0.5'], ['101', '1'], ['102', '0.5']]);
  expect(r.filledQuantity.toString()).toBe('2');
  expect(r.remainingQuantity.toString()).toBe('0');
  expect(r.notional.toString()).toBe('202'); // 50 + 101 + 51
  expect(r.averagePrice!.toString()).toBe('101');
});

test('a SELL walks the bids best first', () => {
  const r = sweep(book(), 'SELL', d('2.5'));
  expect(fills(r)).toEqual([['99', '1'], ['98', '1.5']]);
  expect(r.notional.toString()).toBe('246');
  expect(r.averagePrice!.toString()).toBe('98.4');
});

test('does not mutate the book', () => {
  const b = book();
  const before = b.depth(10);
  sweep(b, 'BUY', d('100'));
  sweep(b, 'SELL', d('100'));
  expect(b.depth(10)).toEqual(before);
  expect(b.seq).toBe(1n);
});

test('more than the book holds leaves a remainder', () => {
  const r = sweep(book(), 'SELL', d('10'));
  expect(r.filledQuantity.toString()).toBe('6');
  expect(r.remainingQuantity.toString()).toBe('4');
  expect(r.notional.toString()).toBe(String(99 + 196 + 291));
  expect(r.fills).toHaveLength(3);
});

test('a limit price stops the sweep at the first worse level', () => {
  const buy = sweep(book(), 'BUY', d('5'), d('101'));
  expect(fills(buy)).toEqual([['100', '0.5'], ['101', '1']]);
  expect(buy.remainingQuantity.toString()).toBe('3.5');
  const sell = sweep(book(), 'SELL', d('5'), d('98.5'));
  expect(fills(sell)).toEqual([['99', '1']]);
  expect(sell.remainingQuantity.toString()).toBe('4');
});

test('a limit that does not reach the book fills nothing', () => {
  const r = sweep(book(), 'BUY', d('1'), d('99.99'));
  expect(r.fills).toEqual([]);
  expect(r.filledQuantity.isZero()).toBe(true);
  expect(r.remainingQuantity.toString()).toBe('1');
  expect(r.averagePrice).toBeUndefined();
  expect(r.notional.isZero()).toBe(true);
});

test('an empty side fills nothing', () => {
  const b = new L2Book('X');
  b.applySnapshot(1n, lv(['1', '1']), []);
  const r = sweep(b, 'BUY', d('1'));
  expect(r.fills).toEqual([]);
  expect(r.averagePrice).toBeUndefined();
  expect(r.remainingQuantity.toString()).toBe('1');
});

test('average price is rounded to 12 digits, notional stays exact', () => {
  const b = new L2Book('X');
  b.applySnapshot(1n, [], lv(['1', '1'], ['2', '2']));
  const r = sweep(b, 'BUY', d('3'));
  expect(r.notional.toString()).toBe('5');
  expect(r.averagePrice!.toString()).toBe('1.666666666667');
});

test('exact quantities: 0.1 + 0.2 across two levels', () => {
  const b = new L2Book('X');
  b.applySnapshot(1n, [], lv(['10', '0.1'], ['10.1', '0.2']));
  const r = sweep(b, 'BUY', d('0.3'));
  expect(r.remainingQuantity.isZero()).toBe(true);
  expect(r.filledQuantity.eq(d('0.1').add(d('0.2')))).toBe(true);
  expect(r.notional.toString()).toBe('3.02');
});

test('arguments are validated with a typed error', () => {
  const b = book();
  expect(() => sweep(b, 'BUY', Decimal.ZERO)).toThrow(InvalidBookArgumentError);
  expect(() => sweep(b, 'BUY', d('-1'))).toThrow(/invalid sweep quantity "-1"/);
  expect(() => sweep(b, 'SELL', d('1'), d('0'))).toThrow(/invalid limit price "0"/);
  expect(() => sweep(b, 'buy' as never, d('1'))).toThrow(/invalid side "buy"/);
});
