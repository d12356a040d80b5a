import { dec } from '@meridian/domain';
import { EquityTracker, OrderRateWindow, tradingDayStart } from '../src';

describe('OrderRateWindow', () => {
  test('keeps the approvals of the last horizon, newest last', () => {
    const w = new OrderRateWindow(1000);
    for (const t of [0, 10, 20, 1005, 1500]) w.record(t);
    // At 1500 everything at or before 500 has left: 0, 10 and 20.
    expect(w.size).toBe(2);
    expect(w.recent(1)).toBe(1500);
    expect(w.recent(2)).toBe(1005);
    expect(w.recent(3)).toBeUndefined();
    expect(w.recent(0)).toBeUndefined();
    expect(w.countSince(1004)).toBe(2);
    expect(w.countSince(1005)).toBe(1);
    expect(w.countSince(1500)).toBe(0);
  });

  test('a time earlier than the latest is inserted in place', () => {
    const w = new OrderRateWindow(10_000);
    for (const t of [100, 300, 200, 50, 300]) w.record(t);
    expect([1, 2, 3, 4, 5].map((k) => w.recent(k))).toEqual([300, 300, 200, 100, 50]);
  });

  test('unrecord forgets one approval', () => {
    const w = new OrderRateWindow(10_000);
    for (const t of [1, 2, 2, 3]) w.record(t);
    expect(w.unrecord(2)).toBe(true);
    expect(w.countSince(0)).toBe(3);
    expect(w.unrecord(7)).toBe(false);
  });

  test('stays compact over a long run', () => {
    const w = new OrderRateWindow(100);
    for (let t = 0; t < 100_000; t++) w.record(t);
    expect(w.size).toBe(100);
    expect(w.countSince(99_899)).toBe(100);
  });
});

describe('EquityTracker', () => {
  test('sums one value per symbol, keeps the peak and the day opening equity', () => {
    const e = new EquityTracker();
    expect(e.roll(Date.UTC(2026, 0, 5, 9))).toBe(true);
    e.set('A', dec('100'));
    e.set('B', dec('-30'));
    expect(e.state()).toEqual({ dailyPnl: dec('70'), equity: dec('70'), peakEquity: dec('100') });
    e.set('A', dec('150'));
    expect(e.peakEquity.toString()).toBe('120');
    e.set('A', dec('50'));
    expect(e.state()).toEqual({ dailyPnl: dec('20'), equity: dec('20'), peakEquity: dec('120') });
    // Same day: nothing changes; next day: today's P&L starts from the equity then.
    expect(e.roll(Date.UTC(2026, 0, 5, 23, 59))).toBe(false);
    expect(e.roll(Date.UTC(2026, 0, 6, 0, 0))).toBe(true);
    e.set('B', dec('-80'));
    expect(e.state()).toEqual({ dailyPnl: dec('-50'), equity: dec('-30'), peakEquity: dec('120') });
  });

  test('trading days may start at another time of day (UTC)', () => {
    const offset = 22 * 3_600_000; // 22:00 UTC
    expect(tradingDayStart(Date.UTC(2026, 0, 5, 21, 59), offset)).toBe(Date.UTC(2026, 0, 4, 22));
    expect(tradingDayStart(Date.UTC(2026, 0, 5, 22, 0), offset)).toBe(Date.UTC(2026, 0, 5, 22));
    expect(tradingDayStart(Date.UTC(2026, 0, 5, 12), 0)).toBe(Date.UTC(2026, 0, 5));
  });
});

test('OrderRateWindow: replaying a long history out of order keeps only the last horizon, cheaply', () => {
  const w = new OrderRateWindow(1000);
  // Two streams of 50,000 approvals each (one every 10 ms), read one after the other.
  for (let i = 0; i < 50_000; i++) w.record(i * 10);
  for (let i = 0; i < 50_000; i++) w.record(i * 10 + 5);
  expect(w.size).toBe(200);
  expect(w.recent(1)).toBe(499_995);
  expect(w.countSince(499_000)).toBe(199);
});
