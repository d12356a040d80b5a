import { dec } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { checkOrder, RISK_REASONS } from '../src';
import type { ExposureState, KillSwitchState, LimitsBook, OrderToCheck, RiskDecision } from '../src';

const book: LimitsBook = {
  global: { maxOrderQuantity: dec('2'), maxOrderNotional: dec('50000'), maxPosition: dec('1') },
  perSymbol: {
    'ETH-USDT': { maxPosition: dec('10'), maxOrderQuantity: dec('5') },
    'DOGE-USDT': { maxOrderNotional: dec('100') },
  },
};
const flat: ExposureState = { position: dec(0), workingBuy: dec(0), workingSell: dec(0) };
const noKill: KillSwitchState = { global: false, symbols: new Set() };

function order(side: Side, quantity: string, extra: Partial<OrderToCheck> = {}): OrderToCheck {
  return { symbol: 'BTC-USDT', side, quantity: dec(quantity), referencePrice: dec('20000'), ...extra };
}

function exposure(position: string, workingBuy = '0', workingSell = '0'): ExposureState {
  return { position: dec(position), workingBuy: dec(workingBuy), workingSell: dec(workingSell) };
}

function rejected(d: RiskDecision) {
  if (d.approved) throw new Error(`expected a rejection, got approval with notional ${d.notional}`);
  return d;
}

function approvedNotional(d: RiskDecision): string {
  if (!d.approved) throw new Error(`expected approval, got ${d.reason}: ${d.detail}`);
  return d.notional.toString();
}

test('approves an order within every limit, with its exact notional', () => {
  expect(approvedNotional(checkOrder(order('BUY', '0.1', { referencePrice: dec('20000.01') }), flat, book, noKill))).toBe('2000.001');
});

describe('INVALID_ORDER', () => {
  test.each(['0', '-0.5'])('refuses quantity %s', (q) => {
    const d = rejected(checkOrder(order('BUY', q), flat, book, noKill));
    expect(d.reason).toBe('INVALID_ORDER');
    expect(d.detail).toBe(`order quantity ${q} must be positive`);
    expect(d.values).toEqual({ quantity: q });
  });

  test('refuses a non-positive limit price, which would make any notional pass', () => {
    const d = rejected(checkOrder(order('BUY', '0.1', { limitPrice: dec('-1') }), flat, book, noKill));
    expect(d.reason).toBe('INVALID_ORDER');
    expect(d.detail).toBe('limit price -1 must be positive');
  });

  test('refuses a malformed side or symbol from the wire', () => {
    expect(rejected(checkOrder(order('HOLD' as Side, '0.1'), flat, book, noKill)).detail).toBe('side "HOLD" is neither BUY nor SELL');
    expect(rejected(checkOrder(order('BUY', '0.1', { symbol: '' }), flat, book, noKill)).reason).toBe('INVALID_ORDER');
  });

  test('comes before the kill switch', () => {
    const d = rejected(checkOrder(order('BUY', '0'), flat, book, { global: true, symbols: new Set() }));
    expect(d.reason).toBe('INVALID_ORDER');
  });
});

describe('KILL_SWITCH', () => {
  test('the global switch stops every symbol', () => {
    const d = rejected(checkOrder(order('SELL', '0.1'), flat, book, { global: true, symbols: new Set() }));
    expect(d.reason).toBe('KILL_SWITCH');
    expect(d.detail).toBe('the global kill switch is engaged');
  });

  test('a symbol switch stops only that symbol, even reducing orders', () => {
    const kill = { global: false, symbols: new Set(['BTC-USDT']) };
    const d = rejected(checkOrder(order('SELL', '0.1'), exposure('0.5'), book, kill));
    expect(d.reason).toBe('KILL_SWITCH');
    expect(d.detail).toBe('the kill switch for BTC-USDT is engaged');
    expect(d.values).toEqual({ symbol: 'BTC-USDT' });
    expect(checkOrder(order('BUY', '0.1', { symbol: 'ETH-USDT' }), flat, book, kill).approved).toBe(true);
  });

  test('comes before the limits', () => {
    const d = rejected(checkOrder(order('BUY', '100'), flat, book, { global: true, symbols: new Set() }));
    expect(d.reason).toBe('KILL_SWITCH');
  });
});

describe('MAX_ORDER_QUANTITY', () => {
  test('refuses above the limit and approves at it', () => {
    const d = rejected(checkOrder(order('SELL', '2.001', { referencePrice: dec('1') }), exposure('3'), book, noKill));
    expect(d.reason).toBe('MAX_ORDER_QUANTITY');
    expect(d.detail).toBe('order quantity 2.001 exceeds max order quantity 2');
    expect(d.values).toEqual({ quantity: '2.001', maxOrderQuantity: '2' });
    expect(checkOrder(order('SELL', '2', { referencePrice: dec('1') }), exposure('3'), book, noKill).approved).toBe(true);
  });

  test('comes before the price lookup', () => {
    const d = rejected(checkOrder(order('BUY', '3', { referencePrice: undefined }), flat, book, noKill));
    expect(d.reason).toBe('MAX_ORDER_QUANTITY');
  });
});

describe('NO_REFERENCE_PRICE', () => {
  test('refuses an order that cannot be valued', () => {
    const d = rejected(checkOrder(order('BUY', '0.1', { referencePrice: undefined }), flat, book, noKill));
    expect(d.reason).toBe('NO_REFERENCE_PRICE');
    expect(d.detail).toBe('no limit price and no reference price for BTC-USDT: the order cannot be valued');
  });

  test('refuses a non-positive reference price', () => {
    const d = rejected(checkOrder(order('BUY', '0.1', { referencePrice: dec('0') }), flat, book, noKill));
    expect(d.reason).toBe('NO_REFERENCE_PRICE');
    expect(d.values).toEqual({ symbol: 'BTC-USDT', referencePrice: '0' });
  });

  test('the limit price values the order when both are present', () => {
    const o = order('BUY', '0.5', { limitPrice: dec('30000'), referencePrice: dec('1') });
    expect(approvedNotional(checkOrder(o, flat, book, noKill))).toBe('15000');
    expect(approvedNotional(checkOrder(order('BUY', '0.5', { limitPrice: dec('30000'), referencePrice: undefined }), flat, book, noKill))).toBe('15000');
  });
});

describe('MAX_ORDER_NOTIONAL', () => {
  test('refuses quantity × price above the limit, with the numbers', () => {
    const d = rejected(checkOrder(order('BUY', '1', { limitPrice: dec('50000.01') }), flat, book, noKill));
    expect(d.reason).toBe('MAX_ORDER_NOTIONAL');
    expect(d.detail).toBe('order notional 1 × 50000.01 = 50000.01 exceeds max order notional 50000');
    expect(d.values).toEqual({ quantity: '1', price: '50000.01', notional: '50000.01', maxOrderNotional: '50000' });
  });

  test('approves exactly at the limit, computed exactly', () => {
    // 0.3 × 166666.67 would not be exact in binary floats; here it is 50000.001 > 50000.
    const over = rejected(checkOrder(order('BUY', '0.3', { limitPrice: dec('166666.67') }), flat, book, noKill));
    expect(over.values['notional']).toBe('50000.001');
    expect(approvedNotional(checkOrder(order('BUY', '0.8', { limitPrice: dec('62500') }), flat, book, noKill))).toBe('50000');
  });
});

describe('MAX_POSITION', () => {
  test('a buy counts the position, working buys and the order', () => {
    const d = rejected(checkOrder(order('BUY', '0.4', { referencePrice: dec('100') }), exposure('0.5', '0.2'), book, noKill));
    expect(d.reason).toBe('MAX_POSITION');
    expect(d.detail).toBe('position 0.5 + working buys 0.2 + order 0.4 = 1.1 exceeds max position 1');
    expect(d.values).toEqual({ position: '0.5', workingBuy: '0.2', quantity: '0.4', projectedPosition: '1.1', maxPosition: '1' });
  });

  test('a sell counts the position, working sells and the order against the short limit', () => {
    const d = rejected(checkOrder(order('SELL', '0.4', { referencePrice: dec('100') }), exposure('-0.5', '0', '0.2'), book, noKill));
    expect(d.reason).toBe('MAX_POSITION');
    expect(d.detail).toBe('position -0.5 - working sells 0.2 - order 0.4 = -1.1 exceeds max short position -1');
    expect(d.values).toEqual({ position: '-0.5', workingSell: '0.2', quantity: '0.4', projectedPosition: '-1.1', maxPosition: '1' });
  });

  test('exactly at the limit is approved, long and short', () => {
    const p = { referencePrice: dec('100') };
    expect(checkOrder(order('BUY', '0.3', p), exposure('0.5', '0.2'), book, noKill).approved).toBe(true);
    expect(checkOrder(order('SELL', '0.3', p), exposure('-0.5', '0', '0.2'), book, noKill).approved).toBe(true);
    expect(rejected(checkOrder(order('BUY', '0.30000001', p), exposure('0.5', '0.2'), book, noKill)).reason).toBe('MAX_POSITION');
    expect(rejected(checkOrder(order('SELL', '0.30000001', p), exposure('-0.5', '0', '0.2'), book, noKill)).reason).toBe('MAX_POSITION');
  });

  test('working orders on the other side do not offset the worst case', () => {
    const p = { referencePrice: dec('100') };
    // Working sells might be cancelled, so they cannot make room for a buy.
    expect(rejected(checkOrder(order('BUY', '0.6', p), exposure('0.5', '0', '5'), book, noKill)).reason).toBe('MAX_POSITION');
    expect(rejected(checkOrder(order('SELL', '0.6', p), exposure('-0.5', '5', '0'), book, noKill)).reason).toBe('MAX_POSITION');
  });

  test('orders that reduce the position are approved even when over the limit', () => {
    const p = { referencePrice: dec('100') };
    expect(checkOrder(order('SELL', '2', p), exposure('1.5'), book, noKill).approved).toBe(true);
    expect(checkOrder(order('BUY', '2', p), exposure('-1.5'), book, noKill).approved).toBe(true);
    // A flip through zero is checked on the far side.
    expect(checkOrder(order('SELL', '2', p), exposure('1'), book, noKill).approved).toBe(true);
    expect(rejected(checkOrder(order('SELL', '2', p), exposure('0.9'), book, noKill)).detail).toBe(
      'position 0.9 - working sells 0 - order 2 = -1.1 exceeds max short position -1',
    );
  });

  test('a negative working quantity counts as zero rather than loosening the check', () => {
    const d = rejected(checkOrder(order('BUY', '0.6', { referencePrice: dec('100') }), exposure('0.5', '-1'), book, noKill));
    expect(d.values['workingBuy']).toBe('0');
  });
});

describe('per-symbol overrides', () => {
  test('override the overridden fields and inherit the rest', () => {
    const eth = (q: string, price = '2000', pos = '0') => checkOrder(order('BUY', q, { symbol: 'ETH-USDT', referencePrice: dec(price) }), exposure(pos), book, noKill);
    expect(eth('5').approved).toBe(true); // quantity 5 allowed (global 2), position 5 allowed (global 1)
    expect(rejected(eth('5.1')).values).toEqual({ quantity: '5.1', maxOrderQuantity: '5' });
    expect(rejected(eth('4', '2000', '7')).detail).toBe('position 7 + working buys 0 + order 4 = 11 exceeds max position 10');
    expect(rejected(eth('5', '10001')).reason).toBe('MAX_ORDER_NOTIONAL'); // inherits global 50000
  });

  test('a tighter override applies only to its symbol', () => {
    const doge = rejected(checkOrder(order('BUY', '1', { symbol: 'DOGE-USDT', referencePrice: dec('101') }), flat, book, noKill));
    expect(doge.detail).toBe('order notional 1 × 101 = 101 exceeds max order notional 100');
    expect(checkOrder(order('BUY', '1', { referencePrice: dec('101') }), flat, book, noKill).approved).toBe(true);
  });
});

test('checks run in the documented order', () => {
  // The original six keep their relative order; the newer checks slot in between.
  expect(RISK_REASONS.filter((r) => ['INVALID_ORDER', 'KILL_SWITCH', 'MAX_ORDER_QUANTITY', 'NO_REFERENCE_PRICE', 'MAX_ORDER_NOTIONAL', 'MAX_POSITION'].includes(r))).toEqual([
    'INVALID_ORDER',
    'KILL_SWITCH',
    'MAX_ORDER_QUANTITY',
    'NO_REFERENCE_PRICE',
    'MAX_ORDER_NOTIONAL',
    'MAX_POSITION',
  ]);
  expect(RISK_REASONS).toEqual([
    'INVALID_ORDER',
    'KILL_SWITCH',
    'CIRCUIT_BREAKER',
    'MAX_ORDER_QUANTITY',
    'NO_REFERENCE_PRICE',
    'MAX_ORDER_NOTIONAL',
    'RISK_STATE_MISSING',
    'NO_MARKET_DATA',
    'PRICE_BAND',
    'DAILY_LOSS',
    'MAX_DRAWDOWN',
    'ORDER_RATE',
    'MAX_OPEN_ORDERS',
    'MAX_POSITION',
    'MAX_LONG_POSITION',
    'MAX_SHORT_POSITION',
    'MAX_OPEN_POSITIONS',
    'MAX_GROSS_EXPOSURE',
    'MAX_NET_EXPOSURE',
  ]);
  // Fails notional and position at once: notional is reported.
  const d = rejected(checkOrder(order('BUY', '2', { referencePrice: dec('30000') }), exposure('1'), book, noKill));
  expect(d.reason).toBe('MAX_ORDER_NOTIONAL');
});
