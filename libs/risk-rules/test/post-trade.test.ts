import { Decimal } from '@meridian/domain';
import { CircuitBreaker } from '../src/circuit-breaker';
import { DrawdownTracker } from '../src/drawdown';
import { PositionStops } from '../src/position-stops';
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
