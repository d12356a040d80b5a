import { L2Book } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import { SlippageGuard } from '../src';

const d = Decimal.parse;
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

function book(): L2Book {
  const b = new L2Book('BTC-USDT');
  b.applySnapshot(1n, [lv('99', '1'), lv('98', '2')], [lv('100', '1'), lv('101', '1'), lv('110', '5')]);
  return b;
}

describe('SlippageGuard', () => {
  const guard = new SlippageGuard(d('60'));

  it('passes an order the touch fills', () => {
    expect(guard.check(book(), { side: 'BUY', quantity: d('1') })).toMatchObject({ ok: true, slippageBps: d('0') });
  });

  it('measures the sweep against the reference price, exactly', () => {
    // 1 @ 100 + 1 @ 101: average 100.5 against 100 = 50 bps.
    expect(guard.check(book(), { side: 'BUY', quantity: d('2'), referencePrice: d('100') })).toMatchObject({ ok: true, slippageBps: d('50') });
  });

  it('refuses a sweep beyond the limit and names the numbers', () => {
    const v = guard.check(book(), { side: 'BUY', quantity: d('3'), referencePrice: d('100') });
    // (100 + 101 + 110) / 3 = 103.666…: 366.6667 bps.
    expect(v).toMatchObject({ ok: false, reason: 'SLIPPAGE_LIMIT', values: { limit_bps: '60', reference_price: '100' } });
    if (!v.ok) expect(v.detail).toMatch(/expected slippage 366\.6667 bps .* exceeds the limit of 60 bps/);
  });

  it('stops the sweep at the limit price: a resting limit order has no slippage', () => {
    expect(guard.check(book(), { side: 'BUY', quantity: d('3'), limitPrice: d('101'), referencePrice: d('100') })).toMatchObject({ ok: true, slippageBps: d('50') });
    expect(guard.check(book(), { side: 'BUY', quantity: d('3'), limitPrice: d('95') })).toMatchObject({ ok: true, expectedPrice: undefined });
  });

  it('measures sells against the bid side', () => {
    const v = guard.check(book(), { side: 'SELL', quantity: d('3'), referencePrice: d('99') });
    // (99 + 98 + 98) / 3 = 98.333…: (99 - 98.333…) / 99 = 67.3401 bps (rounded against the order).
    expect(v).toMatchObject({ ok: false, reason: 'SLIPPAGE_LIMIT', values: { slippage_bps: '67.3401' } });
  });

  it('refuses when the book cannot say', () => {
    expect(guard.check(undefined, { side: 'BUY', quantity: d('1') })).toMatchObject({ ok: false, reason: 'NO_MARKET_DATA' });
    const empty = new L2Book('X');
    empty.applySnapshot(1n, [lv('1', '1')], []);
    expect(guard.check(empty, { side: 'BUY', quantity: d('1') })).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
  });
});
