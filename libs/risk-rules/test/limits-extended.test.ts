// The checks beyond order size and position: each at its limit (approved), just below (approved)
// and just above (refused, with the numbers), and the working orders each one counts.
import { dec } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { OrderRateWindow, RiskState, checkOrder } from '../src';
import type { AccountState, CheckContext, ExposureState, KillSwitchState, LimitsBook, OrderToCheck, RiskDecision, RiskLimits } from '../src';

const base: RiskLimits = { maxOrderQuantity: dec('100'), maxOrderNotional: dec('100000000'), maxPosition: dec('1000') };
const noKill: KillSwitchState = { global: false, symbols: new Set() };
const flat: ExposureState = { position: dec(0), workingBuy: dec(0), workingSell: dec(0), openOrders: 0 };
const idle: AccountState = { grossExposure: dec(0), netExposureLong: dec(0), netExposureShort: dec(0), openOrders: 0, openPositions: 0 };

function order(side: Side, quantity: string, extra: Partial<OrderToCheck> = {}): OrderToCheck {
  return { symbol: 'BTC-USDT', side, quantity: dec(quantity), referencePrice: dec('100'), strategy: 's1', ...extra };
}

function exposure(position: string, workingBuy = '0', workingSell = '0', extra: Partial<ExposureState> = {}): ExposureState {
  return { position: dec(position), workingBuy: dec(workingBuy), workingSell: dec(workingSell), openOrders: 0, ...extra };
}

function book(global: Partial<RiskLimits>, rest: Omit<LimitsBook, 'global'> = {}): LimitsBook {
  return { global: { ...base, ...global }, ...rest };
}

function rejected(d: RiskDecision) {
  if (d.approved) throw new Error(`expected a rejection, got approval with notional ${d.notional}`);
  return d;
}

function approved(d: RiskDecision): true {
  if (!d.approved) throw new Error(`expected approval, got ${d.reason}: ${d.detail}`);
  return true;
}

describe('MAX_LONG_POSITION and MAX_SHORT_POSITION', () => {
  const limits = book({ maxPosition: dec('10'), maxLongPosition: dec('4'), maxShortPosition: dec('2') });

  test('long: position + working buys + order against maxLongPosition', () => {
    const e = exposure('1', '1', '5');
    expect(approved(checkOrder(order('BUY', '1.99'), e, limits, noKill))).toBe(true);
    expect(approved(checkOrder(order('BUY', '2'), e, limits, noKill))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '2.01'), e, limits, noKill));
    expect(d.reason).toBe('MAX_LONG_POSITION');
    expect(d.detail).toBe('position 1 + working buys 1 + order 2.01 = 4.01 exceeds max long position 4');
    expect(d.values).toEqual({ position: '1', workingBuy: '1', quantity: '2.01', projectedPosition: '4.01', maxLongPosition: '4' });
  });

  test('short: position - working sells - order against maxShortPosition', () => {
    const e = exposure('0', '3', '0.5');
    expect(approved(checkOrder(order('SELL', '1.49'), e, limits, noKill))).toBe(true);
    expect(approved(checkOrder(order('SELL', '1.5'), e, limits, noKill))).toBe(true);
    const d = rejected(checkOrder(order('SELL', '1.51'), e, limits, noKill));
    expect(d.reason).toBe('MAX_SHORT_POSITION');
    expect(d.detail).toBe('position 0 - working sells 0.5 - order 1.51 = -2.01 exceeds max short position -2');
    expect(d.values).toEqual({ position: '0', workingSell: '0.5', quantity: '1.51', projectedPosition: '-2.01', maxShortPosition: '2' });
  });

  test('maxPosition still bounds both sides, and is reported first', () => {
    const wide = book({ maxPosition: dec('3'), maxLongPosition: dec('20') });
    expect(rejected(checkOrder(order('BUY', '4'), flat, wide, noKill)).reason).toBe('MAX_POSITION');
  });

  test('0 forbids a side: a long-only strategy may still sell what it holds', () => {
    const longOnly = book({}, { perStrategy: { s1: { maxShortPosition: dec(0) } } });
    expect(approved(checkOrder(order('SELL', '1'), exposure('1'), longOnly, noKill))).toBe(true);
    expect(rejected(checkOrder(order('SELL', '1.1'), exposure('1'), longOnly, noKill)).reason).toBe('MAX_SHORT_POSITION');
    // Another strategy may short.
    expect(approved(checkOrder(order('SELL', '5', { strategy: 's2' }), flat, longOnly, noKill))).toBe(true);
  });
});

describe('PRICE_BAND against the touch', () => {
  const limits = book({ priceBandBps: dec('50') });
  const market = (bid: string, ask: string): CheckContext => ({ market: { bid: dec(bid), ask: dec(ask) } });
  const bbo = market('100', '101');
  const limit = (side: Side, price: string) => order(side, '1', { limitPrice: dec(price) });

  test('a buy may pay up to the band through the ask: 101 × 1.005 = 101.505', () => {
    expect(approved(checkOrder(limit('BUY', '101.5'), flat, limits, noKill, bbo))).toBe(true);
    expect(approved(checkOrder(limit('BUY', '101.505'), flat, limits, noKill, bbo))).toBe(true);
    const d = rejected(checkOrder(limit('BUY', '101.6'), flat, limits, noKill, bbo));
    expect(d.reason).toBe('PRICE_BAND');
    expect(d.detail).toBe('buy limit price 101.6 is 59.41 bps through the ask 101, beyond the price band of 50 bps');
    expect(d.values).toEqual({ price: '101.6', bid: '100', ask: '101', touch: 'ask', deviationBps: '59.41', priceBandBps: '50' });
    // 50.00099 bps: shown rounded up, never as the band itself.
    expect(rejected(checkOrder(limit('BUY', '101.50501'), flat, limits, noKill, bbo)).values['deviationBps']).toBe('50.01');
  });

  test('a buy may rest down to the band away from the bid: 100 × 0.995 = 99.5', () => {
    expect(approved(checkOrder(limit('BUY', '99.5'), flat, limits, noKill, bbo))).toBe(true);
    expect(approved(checkOrder(limit('BUY', '99.51'), flat, limits, noKill, bbo))).toBe(true);
    const d = rejected(checkOrder(limit('BUY', '99.49'), flat, limits, noKill, bbo));
    expect(d.detail).toBe('buy limit price 99.49 is 51 bps away from the bid 100, beyond the price band of 50 bps');
    expect(d.values['touch']).toBe('bid');
  });

  test('a sell mirrors it: through the bid, away from the ask', () => {
    expect(approved(checkOrder(limit('SELL', '99.5'), flat, limits, noKill, bbo))).toBe(true);
    expect(rejected(checkOrder(limit('SELL', '99.4999'), flat, limits, noKill, bbo)).detail).toBe(
      'sell limit price 99.4999 is 50.01 bps through the bid 100, beyond the price band of 50 bps',
    );
    expect(approved(checkOrder(limit('SELL', '101.505'), flat, limits, noKill, bbo))).toBe(true);
    expect(rejected(checkOrder(limit('SELL', '101.506'), flat, limits, noKill, bbo)).values['touch']).toBe('ask');
  });

  test('prices inside the spread always pass, even with a band of 0', () => {
    const tight = book({ priceBandBps: dec(0) });
    for (const p of ['100', '100.5', '101']) {
      expect(approved(checkOrder(limit('BUY', p), flat, tight, noKill, bbo))).toBe(true);
      expect(approved(checkOrder(limit('SELL', p), flat, tight, noKill, bbo))).toBe(true);
    }
    expect(rejected(checkOrder(limit('BUY', '101.01'), flat, tight, noKill, bbo)).reason).toBe('PRICE_BAND');
  });

  test('a market order is checked at its reference price', () => {
    const d = rejected(checkOrder(order('BUY', '1', { referencePrice: dec('102') }), flat, limits, noKill, bbo));
    expect(d.detail).toBe('buy reference price 102 is 99.01 bps through the ask 101, beyond the price band of 50 bps');
    expect(approved(checkOrder(order('BUY', '1', { referencePrice: dec('100.7') }), flat, limits, noKill, bbo))).toBe(true);
  });

  test('no BBO refuses the order (NO_MARKET_DATA); no market state at all is RISK_STATE_MISSING', () => {
    const d = rejected(checkOrder(limit('BUY', '100'), flat, limits, noKill, { market: { bid: dec('100') } }));
    expect(d.reason).toBe('NO_MARKET_DATA');
    expect(d.detail).toBe('no ask for BTC-USDT: the price band of 50 bps cannot be checked');
    expect(rejected(checkOrder(limit('BUY', '100'), flat, limits, noKill, { market: {} })).detail).toContain('no bid and ask');
    const m = rejected(checkOrder(limit('BUY', '100'), flat, limits, noKill));
    expect(m.reason).toBe('RISK_STATE_MISSING');
    expect(m.values).toEqual({ limit: 'priceBandBps', state: 'market (BBO)' });
  });

  test('per-symbol band overrides the global one', () => {
    const b = book({ priceBandBps: dec('50') }, { perSymbol: { 'BTC-USDT': { priceBandBps: dec('200') } } });
    expect(approved(checkOrder(limit('BUY', '103'), flat, b, noKill, bbo))).toBe(true);
    expect(rejected(checkOrder(limit('BUY', '103.03'), flat, b, noKill, bbo)).values['priceBandBps']).toBe('200');
  });
});

describe('ORDER_RATE: a sliding window of approvals', () => {
  const windowOf = (...times: number[]) => {
    const w = new OrderRateWindow(1000);
    for (const t of times) w.record(t);
    return w;
  };
  const ctx = (symbol: OrderRateWindow, nowMs: number, strategy = windowOf(), account = windowOf()): CheckContext => ({
    nowMs,
    rates: { symbol, strategy, account },
  });
  const limits = book({ maxSymbolOrdersPerWindow: 3, orderRateWindowMs: 1000 });

  test('the 3rd approval in the window is allowed, a 4th is not', () => {
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, ctx(windowOf(0), 500)))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, ctx(windowOf(0, 100), 500)))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, ctx(windowOf(0, 100, 200), 999)));
    expect(d.reason).toBe('ORDER_RATE');
    expect(d.detail).toBe('symbol BTC-USDT has 3 orders in the last 1000 ms; one more exceeds max 3 per 1000 ms');
    expect(d.values).toEqual({ scope: 'symbol', symbol: 'BTC-USDT', orders: '3', maxOrders: '3', windowMs: '1000' });
  });

  test('an approval leaves the window exactly windowMs later', () => {
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, ctx(windowOf(0, 100, 200), 1000)))).toBe(true);
  });

  test('per strategy and for the account, with the strategy override', () => {
    const b = book({ maxStrategyOrdersPerWindow: 2, maxOrdersPerWindow: 4 }, { perStrategy: { s1: { maxStrategyOrdersPerWindow: 1 } } });
    const d = rejected(checkOrder(order('BUY', '1'), flat, b, noKill, ctx(windowOf(), 10, windowOf(5))));
    expect(d.values).toEqual({ scope: 'strategy', strategy: 's1', orders: '1', maxOrders: '1', windowMs: '1000' });
    expect(approved(checkOrder(order('BUY', '1', { strategy: 's2' }), flat, b, noKill, ctx(windowOf(), 10, windowOf(5))))).toBe(true);
    expect(rejected(checkOrder(order('BUY', '1', { strategy: 's2' }), flat, b, noKill, ctx(windowOf(), 10, windowOf(5, 6)))).values['scope']).toBe('strategy');
    const a = rejected(checkOrder(order('BUY', '1', { strategy: 's2' }), flat, b, noKill, ctx(windowOf(), 10, windowOf(), windowOf(1, 2, 3, 4))));
    expect(a.detail).toBe('the account has 4 orders in the last 1000 ms; one more exceeds max 4 per 1000 ms');
    expect(a.values).toEqual({ scope: 'account', orders: '4', maxOrders: '4', windowMs: '1000' });
  });

  test('0 stops every order; missing time or window refuses', () => {
    expect(rejected(checkOrder(order('BUY', '1'), flat, book({ maxSymbolOrdersPerWindow: 0 }), noKill, ctx(windowOf(), 5))).reason).toBe('ORDER_RATE');
    expect(rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, { rates: { symbol: windowOf() } })).values).toEqual({
      limit: 'maxSymbolOrdersPerWindow',
      state: 'time (nowMs)',
    });
    expect(rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, { nowMs: 1 })).values['state']).toBe('symbol order-rate window');
  });
});

describe('MAX_OPEN_ORDERS per symbol, per strategy and for the account', () => {
  test('per symbol, counting working orders of every strategy', () => {
    const limits = book({ maxSymbolOpenOrders: 5 });
    expect(approved(checkOrder(order('BUY', '1'), exposure('0', '0', '0', { openOrders: 3 }), limits, noKill))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), exposure('0', '0', '0', { openOrders: 4 }), limits, noKill))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), exposure('0', '0', '0', { openOrders: 5 }), limits, noKill));
    expect(d.reason).toBe('MAX_OPEN_ORDERS');
    expect(d.detail).toBe('symbol BTC-USDT has 5 open orders + 1 = 6 exceeds max open orders 5');
    expect(d.values).toEqual({ scope: 'symbol', symbol: 'BTC-USDT', openOrders: '5', projectedOpenOrders: '6', maxOpenOrders: '5' });
  });

  test('per strategy, with a per-strategy override', () => {
    const limits = book({ maxStrategyOpenOrders: 10 }, { perStrategy: { s1: { maxStrategyOpenOrders: 2 } } });
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, { strategy: { openOrders: 1 } }))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, { strategy: { openOrders: 2 } }));
    expect(d.values).toEqual({ scope: 'strategy', strategy: 's1', openOrders: '2', projectedOpenOrders: '3', maxOpenOrders: '2' });
    expect(approved(checkOrder(order('BUY', '1', { strategy: 's2' }), flat, limits, noKill, { strategy: { openOrders: 9 } }))).toBe(true);
  });

  test('for the account', () => {
    const limits = book({ maxOpenOrders: 100 });
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, { account: { ...idle, openOrders: 99 } }))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, { account: { ...idle, openOrders: 100 } }));
    expect(d.detail).toBe('the account has 100 open orders + 1 = 101 exceeds max open orders 100');
    expect(rejected(checkOrder(order('BUY', '1'), flat, limits, noKill)).reason).toBe('RISK_STATE_MISSING');
  });
});

describe('MAX_OPEN_POSITIONS', () => {
  const limits = book({ maxOpenPositions: 3 });
  const acct = (openPositions: number): CheckContext => ({ account: { ...idle, openPositions } });

  test('an order in a flat symbol opens a position and counts', () => {
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, acct(1)))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, acct(2)))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, acct(3)));
    expect(d.reason).toBe('MAX_OPEN_POSITIONS');
    expect(d.detail).toBe('order opens a position in BTC-USDT: 3 open positions + 1 = 4 exceeds max open positions 3');
    expect(d.values).toEqual({ symbol: 'BTC-USDT', openPositions: '3', projectedOpenPositions: '4', maxOpenPositions: '3' });
  });

  test('a symbol with a position, or only working orders, is already open', () => {
    expect(approved(checkOrder(order('BUY', '1'), exposure('-2'), limits, noKill, acct(3)))).toBe(true);
    expect(approved(checkOrder(order('SELL', '1'), exposure('0', '0.5'), limits, noKill, acct(3)))).toBe(true);
  });
});

describe('MAX_GROSS_EXPOSURE: worst case over every symbol at marks, working orders included', () => {
  const limits = book({ maxGrossExposure: dec('10000') });
  // Account: 8500 elsewhere + BTC (position 1, working buy 0.5 at mark 1000 = 1500) = 10000.
  const btc = exposure('1', '0.5', '0', { mark: dec('1000') });
  const account = { ...idle, grossExposure: dec('10000') };

  test('at the limit nothing more may be added on the side that dominates', () => {
    const d = rejected(checkOrder(order('BUY', '0.001', { limitPrice: dec('999') }), btc, limits, noKill, { account }));
    expect(d.reason).toBe('MAX_GROSS_EXPOSURE');
    expect(d.detail).toBe(
      'gross exposure 10000 - BTC-USDT 1500 + BTC-USDT with the order 1501 = 10001 exceeds max gross exposure 10000 (worst case with working orders, at mark 1000)',
    );
    expect(d.values).toEqual({
      grossExposure: '10000',
      symbolExposure: '1500',
      projectedSymbolExposure: '1501',
      projectedGrossExposure: '10001',
      mark: '1000',
      maxGrossExposure: '10000',
    });
  });

  test('just below, at and just above with room for one unit', () => {
    const roomy = { ...idle, grossExposure: dec('9000') };
    expect(approved(checkOrder(order('BUY', '0.999'), btc, limits, noKill, { account: roomy }))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), btc, limits, noKill, { account: roomy }))).toBe(true);
    expect(rejected(checkOrder(order('BUY', '1.001'), btc, limits, noKill, { account: roomy })).values['projectedGrossExposure']).toBe('10001');
  });

  test('a sell that stays within the long side does not raise it, and passes over the limit', () => {
    // max(1 + 0.5, 0 + 2.5 - 1) = 1.5: unchanged.
    expect(approved(checkOrder(order('SELL', '2.5'), btc, limits, noKill, { account }))).toBe(true);
    expect(rejected(checkOrder(order('SELL', '2.501'), btc, limits, noKill, { account })).reason).toBe('MAX_GROSS_EXPOSURE');
  });

  test('a symbol without a mark is valued at the order price', () => {
    const d = rejected(checkOrder(order('BUY', '3', { limitPrice: dec('400') }), flat, limits, noKill, { account: { ...idle, grossExposure: dec('8801') } }));
    expect(d.values['mark']).toBe('400');
    expect(approved(checkOrder(order('BUY', '3', { limitPrice: dec('400') }), flat, limits, noKill, { account: { ...idle, grossExposure: dec('8800') } }))).toBe(true);
  });
});

describe('MAX_NET_EXPOSURE: |Σ position × mark|, worst case per side', () => {
  const limits = book({ maxNetExposure: dec('5000') });
  const account = { ...idle, netExposureLong: dec('4000'), netExposureShort: dec('-1000') };
  const btc = exposure('0', '0', '0', { mark: dec('1000') });

  test('buys against the long side', () => {
    expect(approved(checkOrder(order('BUY', '0.999'), btc, limits, noKill, { account }))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), btc, limits, noKill, { account }))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1.001'), btc, limits, noKill, { account }));
    expect(d.reason).toBe('MAX_NET_EXPOSURE');
    expect(d.detail).toBe('net exposure if every buy fills 4000 + order 1001 = 5001 exceeds max net exposure 5000 in absolute value (at mark 1000)');
    expect(d.values).toEqual({
      netExposureLong: '4000',
      netExposureShort: '-1000',
      orderExposure: '1001',
      projectedNetExposure: '5001',
      mark: '1000',
      maxNetExposure: '5000',
    });
  });

  test('sells against the short side', () => {
    expect(approved(checkOrder(order('SELL', '4'), btc, limits, noKill, { account }))).toBe(true);
    const d = rejected(checkOrder(order('SELL', '4.001'), btc, limits, noKill, { account }));
    expect(d.detail).toBe('net exposure if every sell fills -1000 - order 4001 = -5001 exceeds max net exposure 5000 in absolute value (at mark 1000)');
  });

  test('an order toward the other side passes while the account is over the limit', () => {
    const over = { ...idle, netExposureLong: dec('6000'), netExposureShort: dec('6000') };
    expect(approved(checkOrder(order('SELL', '2'), btc, limits, noKill, { account: over }))).toBe(true);
    expect(rejected(checkOrder(order('BUY', '0.001'), btc, limits, noKill, { account: over })).reason).toBe('MAX_NET_EXPOSURE');
  });
});

describe('DAILY_LOSS and MAX_DRAWDOWN', () => {
  const pnl = (dailyPnl: string, equity = '0', peakEquity = '0'): CheckContext => ({ pnl: { dailyPnl: dec(dailyPnl), equity: dec(equity), peakEquity: dec(peakEquity) } });

  test('daily loss: a loss equal to the limit still trades', () => {
    const limits = book({ maxDailyLoss: dec('500') });
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('-499.99')))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('-500')))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('250')))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('-500.01')));
    expect(d.reason).toBe('DAILY_LOSS');
    expect(d.detail).toBe('daily P&L -500.01 is a loss beyond max daily loss 500; only orders that reduce a position are accepted');
    expect(d.values).toEqual({ dailyPnl: '-500.01', maxDailyLoss: '500' });
  });

  test('beyond the loss limit, orders that take a position toward flat pass, counting working orders', () => {
    const limits = book({ maxDailyLoss: dec('500') });
    const losing = pnl('-900');
    expect(approved(checkOrder(order('SELL', '2'), exposure('2'), limits, noKill, losing))).toBe(true);
    expect(rejected(checkOrder(order('SELL', '2.1'), exposure('2'), limits, noKill, losing)).reason).toBe('DAILY_LOSS');
    expect(rejected(checkOrder(order('SELL', '1'), exposure('2', '0', '1.5'), limits, noKill, losing)).reason).toBe('DAILY_LOSS');
    expect(approved(checkOrder(order('BUY', '1'), exposure('-1.5', '0.5'), limits, noKill, losing))).toBe(true);
    expect(rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, losing)).reason).toBe('DAILY_LOSS');
  });

  test('drawdown: peak equity minus equity now', () => {
    const limits = book({ maxDrawdown: dec('300') });
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('0', '700.01', '1000')))).toBe(true);
    expect(approved(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('0', '700', '1000')))).toBe(true);
    const d = rejected(checkOrder(order('BUY', '1'), flat, limits, noKill, pnl('0', '699.99', '1000')));
    expect(d.reason).toBe('MAX_DRAWDOWN');
    expect(d.values).toEqual({ equity: '699.99', peakEquity: '1000', drawdown: '300.01', maxDrawdown: '300' });
    expect(approved(checkOrder(order('SELL', '1'), exposure('1'), limits, noKill, pnl('0', '0', '1000')))).toBe(true);
    expect(rejected(checkOrder(order('BUY', '1'), flat, limits, noKill)).values).toEqual({ limit: 'maxDrawdown', state: 'P&L' });
  });
});

describe('KILL_SWITCH per strategy', () => {
  test('stops only that strategy', () => {
    const kill = { global: false, symbols: new Set<string>(), strategies: new Set(['s1']) };
    const d = rejected(checkOrder(order('SELL', '1'), flat, book({}), kill));
    expect(d.reason).toBe('KILL_SWITCH');
    expect(d.detail).toBe('the kill switch for strategy s1 is engaged');
    expect(d.values).toEqual({ symbol: 'BTC-USDT', strategy: 's1' });
    expect(approved(checkOrder(order('SELL', '1', { strategy: 's2' }), flat, book({}), kill))).toBe(true);
    expect(approved(checkOrder(order('SELL', '1', { strategy: undefined }), flat, book({}), kill))).toBe(true);
  });
});

describe('the order of the checks', () => {
  test('the price band comes before the position and exposure limits, the loss limits before the rate', () => {
    const limits = book({ priceBandBps: dec(10), maxPosition: dec(1), maxDailyLoss: dec(1), maxSymbolOrdersPerWindow: 0 });
    const ctx: CheckContext = { market: { bid: dec(100), ask: dec(100) }, nowMs: 0, rates: { symbol: new OrderRateWindow(1000) }, pnl: { dailyPnl: dec(-5), equity: dec(0), peakEquity: dec(0) } };
    expect(rejected(checkOrder(order('BUY', '5', { limitPrice: dec(200) }), flat, limits, noKill, ctx)).reason).toBe('PRICE_BAND');
    expect(rejected(checkOrder(order('BUY', '5'), flat, limits, noKill, ctx)).reason).toBe('DAILY_LOSS');
    expect(rejected(checkOrder(order('BUY', '5'), flat, book({ maxPosition: dec(1), maxSymbolOrdersPerWindow: 0 }), noKill, ctx)).reason).toBe('ORDER_RATE');
  });
});

describe('RiskState: working orders count in every check', () => {
  const limits = book({ maxPosition: dec('3'), maxSymbolOpenOrders: 2, maxGrossExposure: dec('1000'), maxOpenPositions: 2, maxSymbolOrdersPerWindow: 3 });

  test('an order that would breach a limit if the open orders filled is refused; fills and cancels give the room back', () => {
    const state = new RiskState(limits);
    state.setMarket('BTC-USDT', dec('99'), dec('101'));
    expect(state.open('a', { symbol: 'BTC-USDT', strategy: 's1', side: 'BUY', quantity: dec('2') }, 0)).toBe(true);
    // Position 0 + working 2 + 1.5 > 3.
    let d = rejected(state.check(order('BUY', '1.5'), noKill, 10));
    expect(d.values).toEqual({ position: '0', workingBuy: '2', quantity: '1.5', projectedPosition: '3.5', maxPosition: '3' });
    // The working buy is worth 200 at the mid 100.
    expect(state.account().grossExposure.toString()).toBe('200');
    state.open('b', { symbol: 'BTC-USDT', strategy: 's1', side: 'SELL', quantity: dec('0.5') }, 20);
    d = rejected(state.check(order('SELL', '0.1'), noKill, 30));
    expect(d.values).toMatchObject({ scope: 'symbol', openOrders: '2' });
    state.close('b');
    expect(state.check(order('SELL', '0.1'), noKill, 30).approved).toBe(true);
    state.fill('a', 'BTC-USDT', 'BUY', dec('2'), dec('100'));
    expect(state.exposure('BTC-USDT')).toMatchObject({ openOrders: 0 });
    expect(state.exposure('BTC-USDT').position.toString()).toBe('2');
    expect(state.check(order('BUY', '1'), noKill, 40).approved).toBe(true);
    expect(rejected(state.check(order('BUY', '1.01'), noKill, 40)).reason).toBe('MAX_POSITION');
    // Two approvals in the window so far (a, b); the rate counts approvals, not open orders.
    state.open('c', { symbol: 'BTC-USDT', strategy: 's1', side: 'BUY', quantity: dec('0.1') }, 50);
    expect(rejected(state.check(order('BUY', '0.1'), noKill, 60)).reason).toBe('ORDER_RATE');
    expect(state.check(order('BUY', '0.1'), noKill, 1000).approved).toBe(true);
  });

  test('open positions count symbols with working orders; a release takes an unsent approval back', () => {
    const state = new RiskState(limits);
    state.open('x', { symbol: 'ETH-USDT', side: 'BUY', quantity: dec('1'), price: dec('10') }, 0);
    state.open('y', { symbol: 'SOL-USDT', side: 'SELL', quantity: dec('1'), price: dec('10') }, 0);
    expect(state.account().openPositions).toBe(2);
    expect(rejected(state.check(order('BUY', '1'), noKill, 1)).reason).toBe('MAX_OPEN_POSITIONS');
    state.release('y', 0);
    expect(state.account()).toMatchObject({ openPositions: 1, openOrders: 1 });
    expect(state.check(order('BUY', '1'), noKill, 1).approved).toBe(true);
    // Released: it may be opened again (a retried decision).
    expect(state.open('y', { symbol: 'SOL-USDT', side: 'SELL', quantity: dec('1'), price: dec('10') }, 2)).toBe(true);
  });
});
