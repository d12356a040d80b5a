import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, L3Book, TickOverflowError, TickScale } from '../src';
import { d, show } from './helpers';

function book(): L3Book {
  const b = new L3Book('BTC-USDT', { tickSize: d('0.1'), lotSize: d('0.001') });
  expect(b.add('a', 'bid', d('100.0'), d('1.5'))).toBe('ok');
  expect(b.add('b', 'bid', d('100'), d('0.25'))).toBe('ok');
  expect(b.add('c', 'bid', d('99.9'), d('2'))).toBe('ok');
  expect(b.add('x', 'ask', d('100.2'), d('0.004'))).toBe('ok');
  expect(b.add('y', 'ask', d('100.5'), d('3'))).toBe('ok');
  return b;
}

describe('TickScale', () => {
  test('converts exactly both ways on power-of-ten and other steps', () => {
    const cents = new TickScale(d('0.01'), d('1'));
    expect(cents.toTicks(d('585.33'))).toBe(58533);
    expect(cents.toTicks(d('5'))).toBe(500);
    expect(cents.fromTicks(58533).toString()).toBe('585.33');
    expect(cents.toLots(d('300'))).toBe(300);
    const quarters = new TickScale(d('0.25'), d('5'));
    expect(quarters.toTicks(d('10.75'))).toBe(43);
    expect(quarters.fromTicks(43).toString()).toBe('10.75');
    expect(quarters.toLots(d('15'))).toBe(3);
    expect(quarters.fromLots(3).toString()).toBe('15');
    const tens = new TickScale(d('10'), d('0.00000001'));
    expect(tens.toTicks(d('60000'))).toBe(6000);
    expect(tens.toLots(d('0.12345678'))).toBe(12345678);
  });

  test('refuses values off the grid, non-positive values and counts beyond 2^53 - 1', () => {
    const cents = new TickScale(d('0.01'), d('1'));
    expect(() => cents.toTicks(d('1.005'))).toThrow(/invalid price "1.005": is not a whole multiple of the tick size 0.01/);
    expect(() => cents.toLots(d('0.5'))).toThrow(/invalid size "0.5": is not a whole multiple of the lot size 1/);
    expect(() => new TickScale(d('0.25'), d('1')).toTicks(d('1.1'))).toThrow(InvalidBookArgumentError);
    expect(() => cents.toTicks(d('0'))).toThrow(/must be a positive Decimal/);
    expect(() => cents.toTicks(d('-1'))).toThrow(/must be a positive Decimal/);
    expect(() => cents.toTicks('1' as unknown as Decimal)).toThrow(/must be a positive Decimal/);
    expect(() => cents.toTicks(d('90071992547409.92'))).toThrow(TickOverflowError);
    expect(cents.toTicks(d('90071992547409.91'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => new TickScale(d('3'), d('1')).toTicks(d('30000000000000000000'))).toThrow(TickOverflowError);
    expect(() => cents.fromTicks(1.5)).toThrow(/invalid ticks "1.5"/);
    expect(() => new TickScale(d('0'), d('1'))).toThrow(/invalid tick size "0"/);
    expect(() => new TickScale(d('1'), d('-1'))).toThrow(/invalid lot size "-1"/);
  });
});

describe('L3Book (Decimal API over the tick core)', () => {
  test('reads back the L2 view and queues in Decimals', () => {
    const b = book();
    expect(b.orderCount).toBe(5);
    expect(show([b.bestBid()!])).toEqual([['100', '1.75']]);
    expect(show([b.bestAsk()!])).toEqual([['100.2', '0.004']]);
    expect(b.spread()!.toString()).toBe('0.2');
    expect(show(b.levels('bid'))).toEqual([['100', '1.75'], ['99.9', '2']]);
    expect(show(b.depth(1).asks)).toEqual([['100.2', '0.004']]);
    expect(b.levelCount('ask')).toBe(2);
    expect(show([b.level('bid', d('99.90'))!])).toEqual([['99.9', '2']]);
    expect(b.level('bid', d('99.95'))).toBeUndefined(); // off the grid: no level, not an error
    expect(b.ordersAt('bid', d('100')).map((o) => [o.id, o.size.toString()])).toEqual([['a', '1.5'], ['b', '0.25']]);
    expect(b.ordersAt('ask', d('100.01'))).toEqual([]);
    expect(b.order('b')).toEqual({ id: 'b', side: 'bid', price: d('100'), size: d('0.25') });
    expect(b.order('zz')).toBeUndefined();
    expect(b.queuePosition('b')).toEqual({ ordersAhead: 1, sizeAhead: d('1.5') });
    expect(b.queuePosition('a')!.sizeAhead.toString()).toBe('0');
    expect(Object.isFrozen(b.bestBid())).toBe(true);
  });

  test('cancel, execute and delete in Decimals, with the same statuses as the core', () => {
    const b = book();
    expect(b.cancel('a', d('0.5'))).toBe('ok');
    expect(b.execute('a', d('1'))).toBe('ok');
    expect(b.has('a')).toBe(false);
    expect(b.execute('x', d('0.005'))).toBe('exceeds_order_size');
    expect(b.delete('x')).toBe('ok');
    expect(b.delete('x')).toBe('unknown_order');
    expect(b.add('b', 'ask', d('101'), d('1'))).toBe('duplicate_order');
    expect(b.add('q', 'ask', d('99.9'), d('1'))).toBe('crossed');
    expect(show(b.levels('bid'))).toEqual([['100', '0.25'], ['99.9', '2']]);
    expect(show(b.levels('ask'))).toEqual([['100.5', '3']]);
  });

  test('prices and sizes off the grid are bad arguments', () => {
    const b = book();
    expect(() => b.add('z', 'bid', d('99.95'), d('1'))).toThrow(/invalid price "99.95": is not a whole multiple of the tick size 0.1/);
    expect(() => b.cancel('a', d('0.0001'))).toThrow(/invalid size "0.0001"/);
    expect(() => b.level('bid', 99 as unknown as Decimal)).toThrow(/invalid price "99": must be a Decimal/);
    expect(() => new L3Book('X', undefined as never)).toThrow(/tickSize and lotSize are required/);
    expect(b.has('z')).toBe(false);
  });

  test('the core is the same book, usable directly in ticks and lots', () => {
    const b = book();
    expect(b.core.bestPrice('bid')).toBe(1000);
    expect(b.core.add('t', 'bid', 1001, 250)).toBe('ok');
    expect(show([b.bestBid()!])).toEqual([['100.1', '0.25']]);
    expect(b.scale.fromLots(b.core.levelLotsAt('bid', 1000)).eq(Decimal.parse('1.75'))).toBe(true);
  });
});
