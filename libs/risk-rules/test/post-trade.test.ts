import { Decimal } from '@meridian/domain';
import { CircuitBreaker } from '../src/circuit-breaker';
import { DrawdownTracker } from '../src/drawdown';
import { PositionStops, stopPriceOf } from '../src/position-stops';
import { checkOrder } from '../src/check';
import { historicalVar, inverseNormalCdf, parametricVar, scenarioPnl } from '../src/value-at-risk';

const d = (v: string) => Decimal.parse(v);

describe('value at risk', () => {
  it('inverts the normal CDF to the published quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.95)).toBeCloseTo(1.6448536270, 8);
    expect(inverseNormalCdf(0.99)).toBeCloseTo(2.3263478740, 8);
    expect(inverseNormalCdf(0.999)).toBeCloseTo(3.0902323062, 8);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.3263478740, 8);
  });

  it('revalues the positions over every overlapping horizon window', () => {
    const history = { positions: { A: 2, B: -1 }, prices: { A: [10, 11, 9, 12], B: [5, 5, 6, 4] } };
    expect(scenarioPnl(history, 1)).toEqual([2, -5, 8]); // 2×1−0, 2×(−2)−1, 2×3+2
    expect(scenarioPnl(history, 2)).toEqual([-3, 3]);
  });

  it('takes the historical VaR as an observed loss and ES as the mean beyond it', () => {
    // 100 one-period scenarios: P&L = −50 … +49 for a position of 1.
    const pnl = Array.from({ length: 100 }, (_, i) => i - 50);
    const path = [10_000];
    for (const p of pnl) path.push(path[path.length - 1]! + p);
    const estimate = historicalVar({ positions: { A: 1 }, prices: { A: path } }, { confidence: 0.95, horizon: 1 });
    // 5% of 100 = the 5th worst scenario: −46; ES: mean of −50…−46 = −48.
    expect(estimate).toMatchObject({ valueAtRisk: 46, expectedShortfall: 48, observations: 100 });
  });

  it('gives the textbook parametric figures for normal P&L changes, scaling σ with √horizon', () => {
    // Alternating ±1 changes: mean 0, sample σ slightly above 1.
    const path = [100];
    for (let i = 0; i < 2000; i++) path.push(path[i]! + (i % 2 === 0 ? 1 : -1));
    const sigma = Math.sqrt(2000 / 1999);
    const one = parametricVar({ positions: { A: 1 }, prices: { A: path } }, { confidence: 0.99, horizon: 1 });
    expect(one.valueAtRisk).toBeCloseTo(2.326348 * sigma, 5);
    expect(one.expectedShortfall).toBeCloseTo(2.665214 * sigma, 5); // φ(z)/(1−c)
    const ten = parametricVar({ positions: { A: 1 }, prices: { A: path } }, { confidence: 0.99, horizon: 10 });
    expect(ten.valueAtRisk).toBeCloseTo(one.valueAtRisk * Math.sqrt(10), 6);
  });

  it('refuses what it cannot estimate from, naming it', () => {
    expect(() => historicalVar({ positions: { A: 1 }, prices: { A: [1, 2] } }, { confidence: 1.2, horizon: 1 })).toThrow(/confidence must be between 0.5 and 1/);
    expect(() => historicalVar({ positions: { A: 1 }, prices: {} }, { confidence: 0.99, horizon: 1 })).toThrow(/prices.A is missing/);
    expect(() => historicalVar({ positions: { A: 1, B: 1 }, prices: { A: [1, 2], B: [1] } }, { confidence: 0.99, horizon: 1 })).toThrow(/same length/);
    expect(() => historicalVar({ positions: { A: 1 }, prices: { A: [1, Number.NaN] } }, { confidence: 0.99, horizon: 1 })).toThrow(/prices.A\[1\] must be a positive finite number/);
  });
});

describe('drawdown', () => {
  it('tracks peak, drawdown, maximum and how long equity stayed under water, exactly', () => {
    const t = new DrawdownTracker();
    t.update(d('100'), 0);
    t.update(d('110.5'), 10);
    expect(t.update(d('99.45'), 20)).toMatchObject({ drawdown: d('11.05'), drawdownFraction: d('0.1'), underwaterSinceMs: 10 });
    t.update(d('105'), 30);
    const s = t.update(d('111'), 50);
    expect(s).toMatchObject({ peak: d('111'), maxDrawdown: d('11.05'), maxDurationMs: 40, underwaterSinceMs: undefined });
    expect(s.drawdown.isZero()).toBe(true);
    expect(() => t.update(d('1'), 40)).toThrow(/tsMs must not go back in time/);
  });
});

describe('stops', () => {
  it('trigger a static stop once when the mark crosses it, with the closing side and quantity', () => {
    const stops = new PositionStops();
    stops.set('BTC-USDT', { kind: 'static', price: d('59000') }, d('0.5'));
    expect(stops.onMark('BTC-USDT', d('59000.01'))).toBeUndefined();
    expect(stops.onMark('BTC-USDT', d('59000'))).toMatchObject({ side: 'SELL', quantity: d('0.5'), stopPrice: d('59000'), kind: 'static' });
    expect(stops.onMark('BTC-USDT', d('58000'))).toBeUndefined(); // fired once
  });

  it('trail the best mark of a short by basis points and buy back when it turns', () => {
    const stops = new PositionStops();
    stops.set('ETH-USDT', { kind: 'trailing', distanceBps: d('100') }, d('-2'));
    stops.onMark('ETH-USDT', d('3000'));
    expect(stops.stopPrice('ETH-USDT')).toEqual(d('3030'));
    stops.onMark('ETH-USDT', d('2900')); // new low: the stop follows down
    expect(stops.stopPrice('ETH-USDT')).toEqual(d('2929'));
    expect(stops.onMark('ETH-USDT', d('2920'))).toBeUndefined(); // up from the low, not through the stop: it stays
    expect(stops.stopPrice('ETH-USDT')).toEqual(d('2929'));
    expect(stops.onMark('ETH-USDT', d('2929'))).toMatchObject({ side: 'BUY', quantity: d('2'), stopPrice: d('2929'), kind: 'trailing' });
  });

  it('follow the position: resized with it, dropped when it goes flat or flips', () => {
    const stops = new PositionStops();
    stops.set('A', { kind: 'trailing', distance: d('5') }, d('1'));
    stops.onPosition('A', d('3'));
    stops.onMark('A', d('100'));
    expect(stops.onMark('A', d('95'))).toMatchObject({ quantity: d('3') });
    stops.set('A', { kind: 'static', price: d('90') }, d('1'));
    stops.onPosition('A', d('-1'));
    expect(stops.onMark('A', d('10'))).toBeUndefined();
    expect(() => stops.set('A', { kind: 'static', price: d('90') }, Decimal.ZERO)).toThrow(/position must be a non-zero Decimal/);
  });
});

describe('circuit breaker', () => {
  const config = { maxLossInWindow: d('100'), lossWindowMs: 60_000, maxRejects: 3, rejectWindowMs: 10_000, maxMarketDataAgeMs: 5_000, coolDownMs: 30_000 };

  it('trips on loss velocity and resets after the window and the cool-down', () => {
    const b = new CircuitBreaker(config);
    expect(b.onPnl(d('50'), 0)).toEqual([]);
    expect(b.onPnl(d('-40'), 20_000)).toEqual([]); // fell 90
    expect(b.onPnl(d('-60.01'), 30_000)).toEqual([{ kind: 'TRIPPED', cause: 'LOSS_VELOCITY', detail: expect.stringContaining('fell 110.01'), atMs: 30_000 }]);
    expect(b.tripped).toBe(true);
    expect(b.check(59_000)).toEqual([]); // the fall from 50 is still in the window
    // At 61,000 the mark of 50 has left the window (the fall is now 20.01) and the cool-down of
    // 30,000 after the trip has passed.
    expect(b.check(61_000)).toEqual([{ kind: 'RESET', by: 'cool-down', atMs: 61_000 }]);
    expect(b.tripped).toBe(false);
  });

  it('trips on a burst of rejections, stale market data and a lost venue, each once', () => {
    const b = new CircuitBreaker(config);
    b.onMarketData('BTC-USDT', 0);
    b.onReject(1_000);
    b.onReject(2_000);
    expect(b.onReject(3_000).map((e) => e.kind === 'TRIPPED' && e.cause)).toEqual(['REJECT_BURST']);
    expect(b.check(6_000).map((e) => e.kind === 'TRIPPED' && e.cause)).toEqual(['STALE_MARKET_DATA']);
    expect(b.onVenueConnection(false, 6_500).map((e) => e.kind === 'TRIPPED' && e.cause)).toEqual(['VENUE_DISCONNECTED']);
    expect(b.check(7_000)).toEqual([]);
    // An operator reset clears it; causes still present trip it again.
    expect(b.reset(8_000)).toEqual([{ kind: 'RESET', by: 'operator', atMs: 8_000 }]);
    expect(b.check(8_000).map((e) => e.kind === 'TRIPPED' && e.cause).sort()).toEqual(['STALE_MARKET_DATA', 'VENUE_DISCONNECTED']);
  });

  it('refuses a configuration it cannot run, naming the key', () => {
    expect(() => new CircuitBreaker({ ...config, coolDownMs: 0 })).toThrow(/coolDownMs must be a positive integer/);
    expect(() => new CircuitBreaker({ ...config, maxLossInWindow: d('-1') })).toThrow(/maxLossInWindow must be a positive Decimal/);
  });
});

describe('circuit breaker, configured per cause and resumed from a checkpoint', () => {
  it('watches only the causes whose threshold is set', () => {
    const b = new CircuitBreaker({ coolDownMs: 1_000, maxMarketDataAgeMs: 5_000 });
    b.onMarketData('A', 0);
    for (let t = 1; t <= 50; t++) expect(b.onReject(t)).toEqual([]); // no reject limit: never a burst
    expect(b.onPnl(d('1000000'), 100)).toEqual([]);
    expect(b.onPnl(d('-1000000'), 200)).toEqual([]); // no loss limit: never loss velocity
    expect(b.check(5_001).map((e) => e.kind === 'TRIPPED' && e.cause)).toEqual(['STALE_MARKET_DATA']);
    expect(() => new CircuitBreaker({ coolDownMs: 1, maxRejects: 3 })).toThrow(/rejectWindowMs must be a positive integer/);
    expect(() => new CircuitBreaker({ coolDownMs: 1, maxLossInWindow: d('5') })).toThrow(/lossWindowMs must be a positive integer/);
  });

  it('without auto reset holds a cleared trip until the operator resets it', () => {
    const b = new CircuitBreaker({ coolDownMs: 10, autoReset: false, maxRejects: 2, rejectWindowMs: 100 });
    b.onReject(0);
    expect(b.onReject(1).map((e) => e.kind)).toEqual(['TRIPPED']);
    expect(b.check(10_000)).toEqual([]); // the burst left the window long ago; still tripped
    expect(b.tripped).toBe(true);
    expect(b.causes).toEqual([]);
    expect(b.reset(10_001)).toEqual([{ kind: 'RESET', by: 'operator', atMs: 10_001 }]);
    expect(b.tripped).toBe(false);
  });

  it('restores a checkpointed trip: same causes and trip time, the cool-down counted from it', () => {
    const config = { coolDownMs: 30_000, maxMarketDataAgeMs: 5_000 };
    const a = new CircuitBreaker(config);
    a.onMarketData('A', 0);
    a.check(6_000);
    const snap = a.snapshot();
    expect(snap).toEqual({ trippedAtMs: 6_000, causes: ['STALE_MARKET_DATA'] });
    const b = new CircuitBreaker(config);
    b.restore(snap);
    expect({ tripped: b.tripped, causes: b.causes }).toEqual({ tripped: true, causes: ['STALE_MARKET_DATA'] });
    b.onMarketData('A', 20_000); // fresh data: the cause clears, the cool-down still runs from 6,000
    expect(b.check(20_000)).toEqual([]);
    b.onMarketData('A', 35_000);
    expect(b.check(35_999)).toEqual([]);
    expect(b.check(36_000)).toEqual([{ kind: 'RESET', by: 'cool-down', atMs: 36_000 }]);
    const idle = new CircuitBreaker(config);
    idle.restore({ trippedAtMs: undefined, causes: ['REJECT_BURST'] });
    expect(idle.tripped).toBe(false);
  });

  it('refills the reject window from rebuilt rejections, evaluating nothing until the next check', () => {
    const config = { coolDownMs: 10, autoReset: true, maxRejects: 2, rejectWindowMs: 1_000 };
    const b = new CircuitBreaker(config);
    b.restore({ trippedAtMs: 500, causes: ['REJECT_BURST'] }, [600, 400]);
    expect(b.check(900)).toEqual([]); // both within the window: the burst still holds it
    expect(b.causes).toEqual(['REJECT_BURST']);
    expect(b.check(1_401)).toEqual([{ kind: 'RESET', by: 'cool-down', atMs: 1_401 }]); // 400 left the window
    const fresh = new CircuitBreaker(config);
    fresh.restore({ trippedAtMs: undefined, causes: [] }, [100]);
    expect(fresh.onReject(200).map((e) => e.kind === 'TRIPPED' && e.cause)).toEqual(['REJECT_BURST']);
  });
});

describe('drawdown resumed from a checkpoint', () => {
  it('continues exactly as the tracker that wrote the checkpoint', () => {
    const marks: [string, number][] = [['100', 0], ['120', 10], ['90', 20], ['95', 30], ['130', 60], ['125', 70]];
    const whole = new DrawdownTracker();
    for (const [e, t] of marks) whole.update(d(e), t);
    const first = new DrawdownTracker();
    for (const [e, t] of marks.slice(0, 4)) first.update(d(e), t);
    const s = first.state();
    expect(s).toMatchObject({ peak: d('120'), drawdown: d('25'), peakAtMs: 10, lastAtMs: 30, underwaterSinceMs: 10 });
    const resumed = DrawdownTracker.restore({ peak: s.peak, equity: d('95'), maxDrawdown: s.maxDrawdown, maxDurationMs: s.maxDurationMs, peakAtMs: s.peakAtMs!, lastAtMs: s.lastAtMs! });
    expect(resumed.state()).toEqual(s);
    for (const [e, t] of marks.slice(4)) resumed.update(d(e), t);
    expect(resumed.state()).toEqual(whole.state());
    expect(() => resumed.update(d('1'), 65)).toThrow(/must not go back in time/);
    expect(() => DrawdownTracker.restore({ peak: d('1'), equity: d('2'), maxDrawdown: d('0'), maxDurationMs: 0, peakAtMs: 0, lastAtMs: 0 })).toThrow(/equity must not exceed the peak 1/);
  });
});

describe('stops resumed from a checkpoint', () => {
  it('keep a trailing stop\'s best mark', () => {
    const stops = new PositionStops();
    stops.set('A', { kind: 'trailing', distance: d('5') }, d('2'), d('110'));
    expect(stops.stopPrice('A')).toEqual(d('105'));
    expect(stops.get('A')).toEqual({ spec: { kind: 'trailing', distance: d('5') }, position: d('2'), extreme: d('110') });
    expect(stops.onMark('A', d('108'))).toBeUndefined(); // below the best mark: it stays at 110
    expect(stops.onMark('A', d('105'))).toMatchObject({ side: 'SELL', quantity: d('2'), stopPrice: d('105') });
    expect(() => stops.set('A', { kind: 'static', price: d('90') }, d('1'), d('100'))).toThrow(/extreme must be a positive Decimal, and only for a trailing stop/);
    expect(stopPriceOf({ kind: 'trailing', distanceBps: d('100') }, d('-1'), d('3000'))).toEqual(d('3030'));
  });
});

describe('the circuit breaker in the checks', () => {
  const book = { global: { maxOrderQuantity: d('10'), maxOrderNotional: d('1000000'), maxPosition: d('10') } };
  const kill = { global: false, symbols: new Set<string>() };
  const tripped = { tripped: true, causes: ['REJECT_BURST'] };
  const long = { position: d('3'), workingBuy: d('0'), workingSell: d('1') };

  it('refuses every order that does not reduce a position, with its causes', () => {
    const buy = checkOrder({ symbol: 'A', side: 'BUY', quantity: d('1'), referencePrice: d('100') }, long, book, kill, { breaker: tripped });
    expect(buy).toEqual({
      approved: false,
      reason: 'CIRCUIT_BREAKER',
      detail: 'the circuit breaker is tripped (REJECT_BURST); only orders that reduce a position are accepted',
      values: { symbol: 'A', causes: 'REJECT_BURST', position: '3' },
    });
    // Selling 3 with 1 already working would go short.
    expect(checkOrder({ symbol: 'A', side: 'SELL', quantity: d('3'), referencePrice: d('100') }, long, book, kill, { breaker: tripped })).toMatchObject({ reason: 'CIRCUIT_BREAKER' });
  });

  it('lets an order toward flat through, and everything once it is not tripped', () => {
    expect(checkOrder({ symbol: 'A', side: 'SELL', quantity: d('2'), referencePrice: d('100') }, long, book, kill, { breaker: tripped }).approved).toBe(true);
    expect(checkOrder({ symbol: 'A', side: 'BUY', quantity: d('1'), referencePrice: d('100') }, long, book, kill, { breaker: { tripped: false, causes: [] } }).approved).toBe(true);
    // The kill switch still wins: it stops reducing orders too.
    expect(checkOrder({ symbol: 'A', side: 'SELL', quantity: d('2'), referencePrice: d('100') }, long, book, { global: true, symbols: new Set() }, { breaker: tripped })).toMatchObject({ reason: 'KILL_SWITCH' });
  });
});
