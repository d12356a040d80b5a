import { dec } from '@meridian/domain';
import { OrderRateWindow, RiskState, validateLimits } from '../src';
import type { KillSwitchState, LimitsBook } from '../src';

const NO_KILL: KillSwitchState = { global: false, symbols: new Set() };
const book = (over: Partial<LimitsBook['global']> = {}): LimitsBook =>
  validateLimits({ global: { maxOrderQuantity: dec('10'), maxOrderNotional: dec('100000'), maxPosition: dec('100'), ...over } });
const order = (quantity: string) => ({ symbol: 'BTC-USDT', side: 'BUY' as const, quantity: dec(quantity), limitPrice: dec('100') });

describe('RiskState.setLimits', () => {
  test('the next check uses the new limits; positions and working orders are kept', () => {
    const s = new RiskState(book());
    s.open('o1', { symbol: 'BTC-USDT', side: 'BUY', quantity: dec('3'), price: dec('100') }, 0);
    expect(s.check(order('5'), NO_KILL, 1).approved).toBe(true);
    s.setLimits(book({ maxOrderQuantity: dec('2'), maxPosition: dec('4') }));
    expect(s.limits.global.maxOrderQuantity.toString()).toBe('2');
    expect(s.check(order('5'), NO_KILL, 1)).toMatchObject({ approved: false, reason: 'MAX_ORDER_QUANTITY' });
    // 3 working + 2 > 4.
    expect(s.check(order('2'), NO_KILL, 1)).toMatchObject({ approved: false, reason: 'MAX_POSITION' });
    expect(s.account().openOrders).toBe(1);
  });

  test('a longer rate window widens the windows from then on', () => {
    const s = new RiskState(book({ maxOrdersPerWindow: 2, orderRateWindowMs: 1000 }));
    s.open('a', { symbol: 'BTC-USDT', side: 'BUY', quantity: dec('1'), price: dec('100') }, 0);
    s.setLimits(book({ maxOrdersPerWindow: 2, orderRateWindowMs: 10_000 }));
    s.open('b', { symbol: 'BTC-USDT', side: 'BUY', quantity: dec('1'), price: dec('100') }, 5000);
    // Both approvals are within 10 s of 6000: the second window kept the first one.
    expect(s.check(order('1'), NO_KILL, 6000)).toMatchObject({ approved: false, reason: 'ORDER_RATE' });
  });

  test('OrderRateWindow.widen only ever lengthens', () => {
    const w = new OrderRateWindow(1000);
    w.widen(500);
    expect(w.horizonMs).toBe(1000);
    w.widen(5000);
    for (const t of [0, 3000]) w.record(t);
    expect(w.size).toBe(2);
  });
});
