import { DomainError } from '@meridian/domain';
import { BookModifiedDuringIterationError, InvalidBookArgumentError, L2Book } from '../src';
import type { ApplyResult } from '../src';
import { d, lv, show } from './helpers';

function synced(): L2Book {
  const book = new L2Book('BTC-USDT');
  expect(book.applySnapshot(10n, lv(['99', '1'], ['100', '2'], ['98', '3']), lv(['102', '1'], ['101', '5']))).toEqual({ ok: true });
  return book;
}

function reasonOf(r: ApplyResult): string | undefined {
  return r.ok ? undefined : r.reason;
}

describe('snapshot', () => {
  test('a new book is empty, unsynced, at seq 0', () => {
    const book = new L2Book('BTC-USDT');
    expect(book.symbol).toBe('BTC-USDT');
    expect(book.synced).toBe(false);
    expect(book.seq).toBe(0n);
    expect(book.bestBid()).toBeUndefined();
    expect(book.bestAsk()).toBeUndefined();
    expect(book.mid()).toBeUndefined();
    expect(book.spread()).toBeUndefined();
    expect(book.depth(5)).toEqual({ bids: [], asks: [] });
  });

  test('sorts each side best first and syncs at the snapshot seq', () => {
    const book = synced();
    expect(book.synced).toBe(true);
    expect(book.seq).toBe(10n);
    expect(show(book.levels('bid'))).toEqual([['100', '2'], ['99', '1'], ['98', '3']]);
    expect(show(book.levels('ask'))).toEqual([['101', '5'], ['102', '1']]);
    expect(book.levelCount('bid')).toBe(3);
    expect(book.levelCount('ask')).toBe(2);
  });

  test('a snapshot already best first is kept as sent; one out of order in one place is sorted', () => {
    const book = new L2Book('X');
    expect(book.applySnapshot(1n, lv(['100', '1'], ['99', '2'], ['98', '3']), lv(['101', '1'], ['103', '2'], ['102', '3'])).ok).toBe(true);
    expect(show(book.levels('bid'))).toEqual([['100', '1'], ['99', '2'], ['98', '3']]);
    expect(show(book.levels('ask'))).toEqual([['101', '1'], ['102', '3'], ['103', '2']]);
  });

  test('levelAt walks a side by depth, best first, and is undefined past the last level', () => {
    const book = synced();
    expect([0, 1, 2, 3].map((k) => book.levelAt('bid', k)?.price.toString())).toEqual(['100', '99', '98', undefined]);
    expect(book.levelAt('ask', 0)!.price.toString()).toBe('101');
    expect(book.levelAt('ask', -1)).toBeUndefined();
    expect(() => book.levelAt('both' as never, 0)).toThrow(InvalidBookArgumentError);
  });

  test("the book keeps no reference to the caller's arrays", () => {
    const book = new L2Book('X');
    const bids = lv(['100', '1'], ['99', '2']);
    expect(book.applySnapshot(1n, bids, []).ok).toBe(true);
    bids.reverse();
    bids.push(...lv(['1', '1']));
    expect(show(book.levels('bid'))).toEqual([['100', '1'], ['99', '2']]);
  });

  test('drops size 0 levels', () => {
    const book = new L2Book('X');
    expect(book.applySnapshot(1n, lv(['1', '0'], ['0.5', '1']), lv(['2', '0'])).ok).toBe(true);
    expect(show(book.levels('bid'))).toEqual([['0.5', '1']]);
    expect(book.levelCount('ask')).toBe(0);
  });

  test('replaces the previous book entirely and accepts any seq', () => {
    const book = synced();
    expect(book.applySnapshot(3n, lv(['50', '1']), lv(['60', '1'])).ok).toBe(true);
    expect(book.seq).toBe(3n);
    expect(show(book.depth(10).bids)).toEqual([['50', '1']]);
    expect(show(book.depth(10).asks)).toEqual([['60', '1']]);
  });

  test('an empty snapshot is a valid, synced, empty book', () => {
    const book = new L2Book('X');
    expect(book.applySnapshot(5n, [], [])).toEqual({ ok: true });
    expect(book.synced).toBe(true);
    expect(book.applyDelta(6n, lv(['1', '1']), []).ok).toBe(true);
  });

  test.each([
    ['non-positive price', lv(['0', '1']), [], /price 0 must be positive/],
    ['negative price', [], lv(['-1', '1']), /price -1 must be positive/],
    ['negative size', lv(['1', '-0.5']), [], /size -0.5 at price 1/],
    ['duplicate price', lv(['1', '1'], ['1.0', '2']), [], /bid price 1 appears twice/],
    ['duplicate price with size 0', [], lv(['3', '0'], ['3', '1']), /ask price 3 appears twice/],
    ['duplicate price after levels best first', lv(['5', '1'], ['4', '1'], ['4', '2']), [], /bid price 4 appears twice/],
  ])('refuses %s: invalid_level, unsynced, previous levels kept', (_name, bids, asks, detail) => {
    const book = synced();
    const r = book.applySnapshot(20n, bids, asks);
    expect(reasonOf(r)).toBe('invalid_level');
    expect(r.ok ? '' : r.detail).toMatch(detail);
    expect(book.synced).toBe(false);
    expect(book.seq).toBe(10n);
    expect(book.bestBid()!.price.toString()).toBe('100');
  });

  test('a crossed snapshot is refused and leaves the book unsynced', () => {
    const book = new L2Book('X');
    const r = book.applySnapshot(1n, lv(['101', '1']), lv(['100', '1']));
    expect(r).toEqual({ ok: false, reason: 'crossed', detail: 'book X: snapshot seq 1: best bid 101 is above best ask 100' });
    expect(book.synced).toBe(false);
    expect(book.levelCount('bid')).toBe(0);
  });

  test('a locked snapshot is crossed unless allowLocked', () => {
    expect(reasonOf(new L2Book('X').applySnapshot(1n, lv(['100', '1']), lv(['100', '1'])))).toBe('crossed');
    const lenient = new L2Book('X', { allowLocked: true });
    expect(lenient.applySnapshot(1n, lv(['100', '1']), lv(['100', '1'])).ok).toBe(true);
    expect(lenient.spread()!.toString()).toBe('0');
    expect(lenient.mid()!.toString()).toBe('100');
  });

  test('a crossing made only by a size 0 level is not crossed', () => {
    const book = new L2Book('X');
    expect(book.applySnapshot(1n, lv(['101', '0'], ['99', '1']), lv(['100', '1'])).ok).toBe(true);
  });

  test('a later good snapshot resyncs after a failure', () => {
    const book = synced();
    expect(book.applyDelta(12n, [], []).ok).toBe(false);
    expect(book.synced).toBe(false);
    expect(book.applySnapshot(12n, lv(['1', '1']), lv(['2', '1'])).ok).toBe(true);
    expect(book.synced).toBe(true);
    expect(book.applyDelta(13n, [], []).ok).toBe(true);
  });

  test("does not alias the caller's level objects", () => {
    const level = { price: d('1'), size: d('1') };
    const book = new L2Book('X');
    book.applySnapshot(1n, [level], []);
    level.size = d('7');
    expect(book.bestBid()!.size.toString()).toBe('1');
    expect(Object.isFrozen(book.bestBid())).toBe(true);
  });
});

describe('delta', () => {
  test('sets absolute sizes, inserts and removes levels in order', () => {
    const book = synced();
    const r = book.applyDelta(11n, lv(['100', '0'], ['99.5', '4'], ['98', '7']), lv(['101', '2'], ['103', '1'], ['100.5', '1']));
    expect(r).toEqual({ ok: true });
    expect(book.seq).toBe(11n);
    expect(show(book.levels('bid'))).toEqual([['99.5', '4'], ['99', '1'], ['98', '7']]);
    expect(show(book.levels('ask'))).toEqual([['100.5', '1'], ['101', '2'], ['102', '1'], ['103', '1']]);
  });

  test('removing an absent level is a no-op', () => {
    const book = synced();
    expect(book.applyDelta(11n, lv(['42', '0']), lv(['4242', '0'])).ok).toBe(true);
    expect(book.levelCount('bid')).toBe(3);
    expect(book.seq).toBe(11n);
  });

  test('an empty side is allowed', () => {
    const book = synced();
    expect(book.applyDelta(11n, [], lv(['101', '0'], ['102', '0'])).ok).toBe(true);
    expect(book.bestAsk()).toBeUndefined();
    expect(book.mid()).toBeUndefined();
    expect(book.spread()).toBeUndefined();
    expect(book.bestBid()!.price.toString()).toBe('100');
  });

  test('before any snapshot: not_synced', () => {
    const book = new L2Book('X');
    const r = book.applyDelta(1n, lv(['1', '1']), []);
    expect(reasonOf(r)).toBe('not_synced');
    expect(r.ok ? '' : r.detail).toMatch(/no snapshot yet/);
    expect(book.levelCount('bid')).toBe(0);
  });

  test('stale seq is ignored and the book stays synced', () => {
    const book = synced();
    for (const seq of [10n, 9n, 0n, -1n]) {
      const r = book.applyDelta(seq, lv(['100', '0']), []);
      expect(reasonOf(r)).toBe('stale');
      expect(r.ok ? '' : r.detail).toContain(`delta seq ${seq} is not after current seq 10`);
    }
    expect(book.synced).toBe(true);
    expect(book.bestBid()!.price.toString()).toBe('100');
    expect(book.applyDelta(11n, [], []).ok).toBe(true);
  });

  test('a gap unsyncs the book until the next snapshot', () => {
    const book = synced();
    const r = book.applyDelta(13n, lv(['100', '0']), []);
    expect(r).toEqual({ ok: false, reason: 'gap', detail: 'book BTC-USDT: delta seq 13 after seq 10: 2 update(s) missing' });
    expect(book.synced).toBe(false);
    expect(book.seq).toBe(10n);
    expect(book.bestBid()!.price.toString()).toBe('100');
    const next = book.applyDelta(11n, [], []);
    expect(reasonOf(next)).toBe('not_synced');
    expect(next.ok ? '' : next.detail).toMatch(/lost sync/);
  });

  test('a crossing delta is rolled back entirely and unsyncs the book', () => {
    const book = synced();
    const before = book.depth(10);
    const r = book.applyDelta(11n, lv(['99', '9'], ['102.5', '1']), lv(['101', '0'], ['105', '1']));
    expect(r).toEqual({ ok: false, reason: 'crossed', detail: 'book BTC-USDT: delta seq 11: best bid 102.5 is above best ask 102' });
    expect(book.synced).toBe(false);
    expect(book.seq).toBe(10n);
    expect(book.depth(10)).toEqual(before);
  });

  test('a locking delta is crossed', () => {
    const book = synced();
    expect(reasonOf(book.applyDelta(11n, lv(['101', '1']), []))).toBe('crossed');
  });

  test('an ask moving below the bid is crossed', () => {
    const book = synced();
    expect(reasonOf(book.applyDelta(11n, [], lv(['99.99', '1'])))).toBe('crossed');
    expect(book.levelCount('ask')).toBe(2);
  });

  test.each([
    ['zero price', lv(['0', '1']), [], /bid level 0: price 0 must be positive/],
    ['negative size', [], lv(['200', '1'], ['201', '-1']), /ask level 1: size -1 at price 201/],
    ['duplicate price', lv(['90', '1'], ['90.00', '0']), [], /bid price 90 appears twice/],
  ])('refuses %s as invalid_level without applying anything', (_name, bids, asks, detail) => {
    const book = synced();
    const before = book.depth(10);
    const r = book.applyDelta(11n, bids, asks);
    expect(reasonOf(r)).toBe('invalid_level');
    expect(r.ok ? '' : r.detail).toMatch(detail);
    expect(book.synced).toBe(false);
    expect(book.depth(10)).toEqual(before);
  });

  test('seq must be a bigint', () => {
    const book = synced();
    expect(() => book.applyDelta(11 as unknown as bigint, [], [])).toThrow(InvalidBookArgumentError);
    expect(() => book.applySnapshot('1' as unknown as bigint, [], [])).toThrow(/invalid seq "1"/);
  });
});

describe('queries', () => {
  test('depth returns up to n levels per side, best first', () => {
    const book = synced();
    expect(show(book.depth(2).bids)).toEqual([['100', '2'], ['99', '1']]);
    expect(show(book.depth(2).asks)).toEqual([['101', '5'], ['102', '1']]);
    expect(book.depth(0)).toEqual({ bids: [], asks: [] });
    expect(book.depth(100).bids).toHaveLength(3);
  });

  test('depth returns copies: changing them does not touch the book', () => {
    const book = synced();
    book.depth(5).bids.length = 0;
    expect(book.levelCount('bid')).toBe(3);
  });

  test('depth, mid scale and side are validated with a typed error', () => {
    const book = synced();
    expect(() => book.depth(-1)).toThrow(InvalidBookArgumentError);
    expect(() => book.depth(1.5)).toThrow(/invalid depth "1.5"/);
    expect(() => book.mid(-1)).toThrow(/invalid maxScale "-1"/);
    expect(() => book.levelCount('buy' as never)).toThrow(/invalid book side "buy"/);
    try {
      book.depth(-2);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('BOOK_INVALID_ARGUMENT');
    }
  });

  test('mid is exact by default and can be capped', () => {
    const book = new L2Book('X');
    book.applySnapshot(1n, lv(['100.01', '1']), lv(['100.02', '1']));
    expect(book.mid()!.toString()).toBe('100.015');
    expect(book.mid(2)!.toString()).toBe('100.02'); // half-even: 100.015 -> 100.02
    expect(book.mid(10)!.toString()).toBe('100.015');
    expect(book.spread()!.toString()).toBe('0.01');
    book.applySnapshot(2n, lv(['1', '1']), lv(['3', '1']));
    expect(book.mid()!.toString()).toBe('2');
    expect(book.mid(0)!.toString()).toBe('2');
  });

  test('level looks up one price', () => {
    const book = synced();
    expect(book.level('bid', d('99.000'))!.size.toString()).toBe('1');
    expect(book.level('ask', d('99'))).toBeUndefined();
  });

  test('levels iterates lazily and refuses a book changed underneath', () => {
    const book = synced();
    const it = book.levels('bid')[Symbol.iterator]();
    expect(it.next().value!.price.toString()).toBe('100');
    book.applyDelta(11n, lv(['97', '1']), []);
    expect(() => it.next()).toThrow(BookModifiedDuringIterationError);
    // A fresh iteration after the change is fine, and iterables can be re-iterated.
    const iterable = book.levels('bid');
    expect(show(iterable)).toEqual(show(iterable));
    expect([...iterable]).toHaveLength(4);
  });

  test('exact sizes: 0.1 + 0.2 is 0.3', () => {
    const book = new L2Book('X');
    book.applySnapshot(1n, lv(['1', '0.1']), lv(['2', '0.2']));
    book.applyDelta(2n, lv(['1', '0.3']), []);
    const total = book.bestBid()!.size;
    expect(total.eq(d('0.1').add(d('0.2')))).toBe(true);
    expect(total.toString()).toBe('0.3');
  });
});
