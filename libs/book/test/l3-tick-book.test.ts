import { DomainError } from '@meridian/domain';
import { BookModifiedDuringIterationError, InvalidBookArgumentError, L3TickBook, TickOverflowError } from '../src';
import type { BookSide } from '../src';

/** [price, lots, orders] per level, best first. */
function levels(book: L3TickBook, side: BookSide): [number, number, number][] {
  return [...book.levels(side)].map((l) => [l.price, l.lots, l.orders]);
}

function queue(book: L3TickBook, side: BookSide, price: number): [string | number, number][] {
  return book.ordersAt(side, price).map((o) => [o.id, o.lots]);
}

function sample(): L3TickBook {
  const book = new L3TickBook('TEST');
  expect(book.add(1, 'bid', 100, 10)).toBe('ok');
  expect(book.add(2, 'bid', 100, 5)).toBe('ok');
  expect(book.add(3, 'bid', 99, 7)).toBe('ok');
  expect(book.add(4, 'ask', 101, 3)).toBe('ok');
  expect(book.add(5, 'ask', 103, 8)).toBe('ok');
  expect(book.add(6, 'ask', 101, 4)).toBe('ok');
  return book;
}

describe('L3TickBook: the order flow', () => {
  test('an empty book', () => {
    const book = new L3TickBook('TEST');
    expect(book.symbol).toBe('TEST');
    expect(book.orderCount).toBe(0);
    expect(book.bestPrice('bid')).toBeUndefined();
    expect(book.bestPrice('ask')).toBeUndefined();
    expect(book.bestLots('bid')).toBe(0);
    expect(book.levelCount('ask')).toBe(0);
    expect(book.depth(5)).toEqual({ bids: [], asks: [] });
    expect(book.frontOrder('bid')).toBeUndefined();
    expect(book.backOrder('bid', 100)).toBeUndefined();
    expect(book.ordersAt('bid', 100)).toEqual([]);
  });

  test('adds aggregate into levels, best first, with queues in arrival order', () => {
    const book = sample();
    expect(book.orderCount).toBe(6);
    expect(levels(book, 'bid')).toEqual([[100, 15, 2], [99, 7, 1]]);
    expect(levels(book, 'ask')).toEqual([[101, 7, 2], [103, 8, 1]]);
    expect(book.bestPrice('bid')).toBe(100);
    expect(book.bestLots('ask')).toBe(7);
    expect(queue(book, 'bid', 100)).toEqual([[1, 10], [2, 5]]);
    expect(queue(book, 'ask', 101)).toEqual([[4, 3], [6, 4]]);
    expect(book.frontOrder('bid')).toBe(1);
    expect(book.frontOrder('ask', 103)).toBe(5);
    expect(book.backOrder('bid', 100)).toBe(2);
    expect(book.backOrder('ask', 103)).toBe(5);
    expect(book.backOrder('ask', 102)).toBeUndefined();
    expect(book.depth(1)).toEqual({ bids: [{ price: 100, lots: 15, orders: 2 }], asks: [{ price: 101, lots: 7, orders: 2 }] });
    expect(book.priceAt('bid', 1)).toBe(99);
    expect(book.lotsAt('ask', 1)).toBe(8);
    expect(book.priceAt('ask', 2)).toBeUndefined();
    expect(book.lotsAt('ask', 2)).toBe(0);
    expect(book.levelLotsAt('bid', 99)).toBe(7);
    expect(book.levelLotsAt('bid', 98)).toBe(0);
    expect(book.level('ask', 103)).toEqual({ price: 103, lots: 8, orders: 1 });
    expect(book.level('ask', 102)).toBeUndefined();
  });

  test('the back of a queue follows removals from either end', () => {
    const book = sample();
    expect(book.backOrder('bid', 100)).toBe(2);
    expect(book.cancel(2, 5)).toBe('ok');
    expect(book.backOrder('bid', 100)).toBe(1);
    expect(book.add(7, 'bid', 100, 1)).toBe('ok');
    expect(book.backOrder('bid', 100)).toBe(7);
    expect(book.cancel(1, 10)).toBe('ok');
    expect(book.cancel(7, 1)).toBe('ok');
    expect(book.backOrder('bid', 100)).toBeUndefined();
  });

  test('a partial cancel keeps the queue position; cancelling the rest removes the order', () => {
    const book = sample();
    expect(book.cancel(1, 4)).toBe('ok');
    expect(queue(book, 'bid', 100)).toEqual([[1, 6], [2, 5]]);
    expect(book.bestLots('bid')).toBe(11);
    expect(book.orderLotsOf(1)).toBe(6);
    expect(book.cancel(1, 6)).toBe('ok');
    expect(book.has(1)).toBe(false);
    expect(queue(book, 'bid', 100)).toEqual([[2, 5]]);
    expect(book.orderCount).toBe(5);
  });

  test('an execution reduces the order and a full one removes it, dropping an emptied level', () => {
    const book = sample();
    expect(book.execute(4, 1)).toBe('ok');
    expect(queue(book, 'ask', 101)).toEqual([[4, 2], [6, 4]]);
    expect(book.execute(4, 2)).toBe('ok');
    expect(book.frontOrder('ask')).toBe(6);
    expect(book.backOrder('ask', 101)).toBe(6);
    expect(book.execute(6, 4)).toBe('ok');
    expect(levels(book, 'ask')).toEqual([[103, 8, 1]]);
    expect(book.bestPrice('ask')).toBe(103);
  });

  test('delete removes the order whatever its size, from the middle of a queue too', () => {
    const book = sample();
    expect(book.add(7, 'bid', 100, 1)).toBe('ok');
    expect(book.delete(2)).toBe('ok');
    expect(queue(book, 'bid', 100)).toEqual([[1, 10], [7, 1]]);
    expect(book.delete(3)).toBe('ok');
    expect(levels(book, 'bid')).toEqual([[100, 11, 2]]);
    expect(book.delete(1)).toBe('ok');
    expect(book.delete(7)).toBe('ok');
    expect(book.levelCount('bid')).toBe(0);
    expect(book.bestPrice('bid')).toBeUndefined();
  });

  test('queue position: orders and size ahead at the same price', () => {
    const book = sample();
    book.add(7, 'bid', 100, 2);
    expect(book.queuePosition(1)).toEqual({ ordersAhead: 0, sizeAhead: 0 });
    expect(book.queuePosition(2)).toEqual({ ordersAhead: 1, sizeAhead: 10 });
    expect(book.queuePosition(7)).toEqual({ ordersAhead: 2, sizeAhead: 15 });
    book.cancel(1, 9);
    expect(book.queuePosition(7)).toEqual({ ordersAhead: 2, sizeAhead: 6 });
    book.delete(2);
    expect(book.queuePosition(7)).toEqual({ ordersAhead: 1, sizeAhead: 1 });
    expect(book.queuePosition(42)).toBeUndefined();
  });

  test('a re-added id joins the back of the queue as a new order', () => {
    const book = sample();
    book.delete(1);
    expect(book.add(1, 'bid', 100, 3)).toBe('ok');
    expect(queue(book, 'bid', 100)).toEqual([[2, 5], [1, 3]]);
  });

  test('string and numeric ids are distinct keys', () => {
    const book = new L3TickBook('TEST');
    expect(book.add('7', 'bid', 10, 1)).toBe('ok');
    expect(book.add(7, 'bid', 10, 2)).toBe('ok');
    expect(queue(book, 'bid', 10)).toEqual([['7', 1], [7, 2]]);
    expect(book.orderSideOf('7')).toBe('bid');
    expect(book.orderPriceOf(7)).toBe(10);
  });

  test('the last change is readable without allocation: side, price and new level size', () => {
    const book = sample();
    book.cancel(2, 5);
    expect([book.changedSide, book.changedPrice, book.changedLevelLots]).toEqual(['bid', 100, 10]);
    book.add(9, 'ask', 102, 6);
    expect([book.changedSide, book.changedPrice, book.changedLevelLots]).toEqual(['ask', 102, 6]);
    book.delete(5);
    expect([book.changedSide, book.changedPrice, book.changedLevelLots]).toEqual(['ask', 103, 0]);
  });
});

describe('L3TickBook: feed conditions are results, the book unchanged', () => {
  test('unknown ids', () => {
    const book = sample();
    const before = book.depth(10);
    expect(book.cancel(42, 1)).toBe('unknown_order');
    expect(book.execute(42, 1)).toBe('unknown_order');
    expect(book.delete(42)).toBe('unknown_order');
    expect(book.delete('1')).toBe('unknown_order');
    expect(book.depth(10)).toEqual(before);
  });

  test('a duplicate id', () => {
    const book = sample();
    expect(book.add(1, 'ask', 200, 1)).toBe('duplicate_order');
    expect(book.levelCount('ask')).toBe(2);
    expect(book.orderLotsOf(1)).toBe(10);
  });

  test('reductions larger than the order', () => {
    const book = sample();
    expect(book.cancel(3, 8)).toBe('exceeds_order_size');
    expect(book.execute(3, 8)).toBe('exceeds_order_size');
    expect(book.orderLotsOf(3)).toBe(7);
    expect(book.levelLotsAt('bid', 99)).toBe(7);
  });

  test('adds at or through the opposite best are crossed unless locking is allowed', () => {
    const book = sample();
    expect(book.add(10, 'bid', 101, 1)).toBe('crossed');
    expect(book.add(11, 'bid', 150, 1)).toBe('crossed');
    expect(book.add(12, 'ask', 100, 1)).toBe('crossed');
    expect(book.add(13, 'ask', 1, 1)).toBe('crossed');
    expect(book.has(10) || book.has(11) || book.has(12) || book.has(13)).toBe(false);
    expect(book.orderCount).toBe(6);
    const lenient = new L3TickBook('TEST', { allowLocked: true });
    expect(lenient.add(1, 'ask', 100, 1)).toBe('ok');
    expect(lenient.add(2, 'bid', 100, 1)).toBe('ok');
    expect(lenient.add(3, 'bid', 101, 1)).toBe('crossed');
  });
});

describe('L3TickBook: bad arguments throw typed errors', () => {
  test.each([
    ['a fractional price', () => new L3TickBook('T').add(1, 'bid', 100.5, 1), /invalid price "100.5": must be a positive integer number of ticks/],
    ['a zero price', () => new L3TickBook('T').add(1, 'bid', 0, 1), /invalid price "0"/],
    ['a negative size', () => new L3TickBook('T').add(1, 'bid', 1, -1), /invalid size "-1": must be a positive integer number of lots/],
    ['NaN', () => new L3TickBook('T').add(1, 'bid', Number.NaN, 1), /invalid price "NaN"/],
    ['a string price', () => new L3TickBook('T').add(1, 'bid', '5' as unknown as number, 1), /invalid price "5"/],
    ['a bad side', () => new L3TickBook('T').add(1, 'buy' as BookSide, 1, 1), /invalid book side "buy"/],
    ['a fractional id', () => new L3TickBook('T').add(1.5, 'bid', 1, 1), /invalid order id "1.5"/],
    ['an empty id', () => new L3TickBook('T').delete(''), /invalid order id ""/],
    ['an object id', () => new L3TickBook('T').delete({} as unknown as string), /invalid order id/],
    ['a zero cancel', () => sample().cancel(1, 0), /invalid size "0"/],
    ['a fractional execution', () => sample().execute(1, 0.5), /invalid size "0.5"/],
    ['a negative depth', () => sample().depth(-1), /invalid depth "-1"/],
    ['a bad capacity', () => new L3TickBook('T', { initialOrderCapacity: 0 }), /invalid initialOrderCapacity "0"/],
  ])('%s', (_name, act, message) => {
    expect(act).toThrow(InvalidBookArgumentError);
    expect(act).toThrow(message);
    try {
      act();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('BOOK_INVALID_ARGUMENT');
    }
  });

  test('values beyond 2^53 - 1 ticks or lots are refused, never rounded', () => {
    const book = new L3TickBook('T');
    expect(() => book.add(1, 'bid', 2 ** 53, 1)).toThrow(TickOverflowError);
    expect(() => book.add(1, 'bid', 1, 2 ** 60)).toThrow(/beyond the exact integer range/);
    expect(book.add(1, 'bid', 5, Number.MAX_SAFE_INTEGER)).toBe('ok');
    expect(() => book.add(2, 'bid', 5, 1)).toThrow(TickOverflowError);
    expect(book.has(2)).toBe(false);
    expect(book.bestLots('bid')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('L3TickBook: structure', () => {
  test('grows past its initial capacities and recycles slots', () => {
    const book = new L3TickBook('T', { initialOrderCapacity: 1, initialLevelCapacity: 1 });
    for (let i = 0; i < 500; i++) expect(book.add(i, i % 2 === 0 ? 'bid' : 'ask', i % 2 === 0 ? 1000 - (i % 97) : 2000 + (i % 89), 1 + i)).toBe('ok');
    expect(book.orderCount).toBe(500);
    expect(book.levelCount('bid')).toBe(97);
    expect(book.levelCount('ask')).toBe(89);
    for (let i = 0; i < 500; i += 3) expect(book.delete(i)).toBe('ok');
    for (let i = 500; i < 700; i++) expect(book.add(i, 'bid', 900 - (i % 13), 1)).toBe('ok');
    let total = 0;
    for (const side of ['bid', 'ask'] as const) {
      for (const level of book.levels(side)) {
        const orders = book.ordersAt(side, level.price);
        expect(orders.reduce((s, o) => s + o.lots, 0)).toBe(level.lots);
        expect(orders).toHaveLength(level.orders);
        total += orders.length;
      }
    }
    expect(total).toBe(book.orderCount);
  });

  test('levels() refuses a book changed mid-walk', () => {
    const book = sample();
    const it = book.levels('bid')[Symbol.iterator]();
    expect(it.next().value).toEqual({ price: 100, lots: 15, orders: 2 });
    book.cancel(3, 1);
    expect(() => it.next()).toThrow(BookModifiedDuringIterationError);
    const failed = book.add(1, 'bid', 1, 1);
    expect(failed).toBe('duplicate_order');
    const again = book.levels('bid')[Symbol.iterator]();
    again.next();
    book.delete(99); // unknown: no change, so the walk goes on
    expect(again.next().done).toBe(false);
  });

  test('clear empties the book and it works again afterwards', () => {
    const book = sample();
    book.clear();
    expect(book.orderCount).toBe(0);
    expect(book.levelCount('bid') + book.levelCount('ask')).toBe(0);
    expect(book.has(1)).toBe(false);
    expect(book.add(1, 'ask', 5, 5)).toBe('ok');
    expect(levels(book, 'ask')).toEqual([[5, 5, 1]]);
  });
});

describe('L3TickBook: matching hooks', () => {
  test('tags stay with their orders', () => {
    const book = new L3TickBook('TEST');
    expect(book.add(1, 'bid', 100, 10, 7)).toBe('ok');
    expect(book.add(2, 'bid', 100, 5)).toBe('ok');
    expect(book.tagOf(1)).toBe(7);
    expect(book.tagOf(2)).toBe(0);
    expect(book.tagOf(3)).toBeUndefined();
    expect(() => book.add(3, 'bid', 100, 5, 1.5)).toThrow(InvalidBookArgumentError);
    expect(() => book.add(3, 'bid', 100, 5, 2 ** 31)).toThrow(InvalidBookArgumentError);
  });

  test('handles walk the queues level by level, front first', () => {
    const book = sample();
    const walk = (side: BookSide, depth: number): [string | number, number, number, BookSide][] => {
      const out: [string | number, number, number, BookSide][] = [];
      for (let h = book.queueHead(side, depth); h >= 0; h = book.queueNext(h)) out.push([book.handleId(h), book.handleLots(h), book.handlePrice(h), book.handleSide(h)]);
      return out;
    };
    expect(walk('bid', 0)).toEqual([[1, 10, 100, 'bid'], [2, 5, 100, 'bid']]);
    expect(walk('bid', 1)).toEqual([[3, 7, 99, 'bid']]);
    expect(walk('ask', 0)).toEqual([[4, 3, 101, 'ask'], [6, 4, 101, 'ask']]);
    expect(book.queueHead('bid', 2)).toBe(-1);
    expect(book.queueHead('ask')).toBe(book.handleOf(4));
    expect(book.handleOf(42)).toBe(-1);
    expect(book.handleTag(book.handleOf(5))).toBe(0);
    expect(new L3TickBook('EMPTY').queueHead('ask')).toBe(-1);
  });

  test('executeHead fills the front order of the best level: partly (it keeps its place) or fully (it leaves)', () => {
    const book = sample();
    book.executeHead('ask', 2);
    expect(queue(book, 'ask', 101)).toEqual([[4, 1], [6, 4]]);
    expect([book.changedSide, book.changedPrice, book.changedLevelLots]).toEqual(['ask', 101, 5]);
    book.executeHead('ask', 1);
    expect(queue(book, 'ask', 101)).toEqual([[6, 4]]);
    book.executeHead('ask', 4);
    expect(levels(book, 'ask')).toEqual([[103, 8, 1]]);
    expect(book.has(6)).toBe(false);
    expect(() => book.executeHead('ask', 9)).toThrow(InvalidBookArgumentError);
    expect(() => book.executeHead('ask', 0)).toThrow(InvalidBookArgumentError);
    expect(() => new L3TickBook('EMPTY').executeHead('bid', 1)).toThrow(InvalidBookArgumentError);
    expect(levels(book, 'ask')).toEqual([[103, 8, 1]]);
  });
});
