import { Decimal, dec } from '@meridian/domain';
import { InvalidScoreError, InvalidSignalError, InvalidSizingConfigError, SignalStrategy, planOrder, targetPosition } from '../src';
import type { SignalStrategyConfig } from '../src';

const config: SignalStrategyConfig = {
  strategyId: 'momentum-v1',
  positionNotional: dec('10000'),
  maxOrderNotional: dec('4000'),
  orderLot: dec('0.001'),
  entryThreshold: 0.15,
  signalMaxAgeMs: 5_000,
  intentIntervalMs: 1_000,
};

describe('SignalStrategy', () => {
  test('sizes a fresh signal into one market order toward the target, capped by the largest order', () => {
    const strategy = new SignalStrategy(config);
    const s = strategy.newState('BTC-USDT');
    // 10,000 / 60,000 = 0.166666… → 0.166 BTC at full conviction; 0.5 → 0.083; one order ≤ 4,000 / 60,000 → 0.066.
    const d = strategy.decide(s, { score: 0.5, referencePrice: '60000', tsMs: 1_000 }, 1_500);
    expect(d).toEqual({ kind: 'order', side: 'BUY', quantity: dec('0.066'), target: dec('0.083'), referencePrice: dec('60000') });
    expect(s.lastScore).toBe(0.5);
    expect(s.target.toString()).toBe('0.083');
  });

  test('skips stale signals, a symbol with an order working, a throttled symbol and a symbol on target', () => {
    const strategy = new SignalStrategy(config);
    const s = strategy.newState('BTC-USDT');
    expect(strategy.decide(s, { score: 0.9, referencePrice: '100', tsMs: 0 }, 5_001)).toEqual({ kind: 'skip', reason: 'stale' });
    s.intentSent('a', 'BUY', dec('1'), 10_000);
    expect(s.intentsSent).toBe(1n);
    expect(strategy.decide(s, { score: 0.9, referencePrice: '100', tsMs: 10_100 }, 10_100)).toEqual({ kind: 'skip', reason: 'order_working' });
    s.filled('a', 'BUY', dec('0.4'));
    s.ended('a'); // IOC remainder cancelled
    expect(s.position.toString()).toBe('0.4');
    expect(strategy.decide(s, { score: 0.9, referencePrice: '100', tsMs: 10_999 }, 10_999)).toEqual({ kind: 'skip', reason: 'throttled' });
    // 10,000 / 100 = 100 × 0.004 = 0.4: already there.
    expect(strategy.decide(s, { score: 0.004 + 0.15, referencePrice: '100', tsMs: 11_000 }, 11_000)).toMatchObject({ kind: 'order', side: 'BUY' });
    expect(strategy.decide(s, { score: 0.004, referencePrice: '100', tsMs: 11_000 }, 11_000)).toEqual({ kind: 'order', side: 'SELL', quantity: dec('0.4'), target: Decimal.ZERO, referencePrice: dec('100') });
    const flat = strategy.newState('ETH-USDT');
    expect(strategy.decide(flat, { score: 0.1, referencePrice: '100', tsMs: 0 }, 0)).toEqual({ kind: 'skip', reason: 'on_target' });
  });

  test('folds intents, rejections and fills in any order', () => {
    const strategy = new SignalStrategy(config);
    const s = strategy.newState('BTC-USDT');
    s.filled('x', 'SELL', dec('0.2')); // an execution read before its intent
    s.intentOpened('x', 'SELL', dec('0.5'));
    s.intentOpened('y', 'BUY', dec('1'));
    s.ended('y'); // risk refused it
    expect(s.position.toString()).toBe('-0.2');
    expect(s.working.signed().toString()).toBe('-0.3');
    expect(s.working.openCount).toBe(1);
  });

  test('decides exactly as the sizing functions over random signals (the cached sizing included)', () => {
    const strategy = new SignalStrategy({ ...config, intentIntervalMs: 0 });
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const s = strategy.newState('X');
      s.filled('p', random() < 0.5 ? 'BUY' : 'SELL', Decimal.fromUnits(BigInt(Math.floor(random() * 300)), 3).add('0.001'));
      const reference = Decimal.fromUnits(BigInt(1 + Math.floor(random() * 3) * 1000 + Math.floor(random() * 100)), 1);
      const score = random() * 2 - 1;
      const d = strategy.decide(s, { score, referencePrice: reference, tsMs: i }, i);
      const sizing = {
        maxPosition: config.positionNotional.div(reference, 12, 'down').quantize(config.orderLot, 'down'),
        maxOrderQuantity: Decimal.max(config.maxOrderNotional.div(reference, 12, 'down').quantize(config.orderLot, 'down'), config.orderLot),
        minOrderQuantity: config.orderLot,
        lotSize: config.orderLot,
        entryThreshold: config.entryThreshold,
      };
      const target = targetPosition(score, sizing);
      const plan = planOrder(target, s.position, Decimal.ZERO, sizing);
      expect(d).toEqual(plan ? { kind: 'order', ...plan, target, referencePrice: reference } : { kind: 'skip', reason: 'on_target' });
    }
  });

  test('refuses what it cannot size', () => {
    const strategy = new SignalStrategy(config);
    const s = strategy.newState('BTC-USDT');
    expect(() => strategy.decide(s, { score: 0.5, referencePrice: 'abc', tsMs: 0 }, 0)).toThrow(InvalidSignalError);
    expect(() => strategy.decide(s, { score: 0.5, referencePrice: '-1', tsMs: 0 }, 0)).toThrow(/referencePrice "-1" is not positive/);
    expect(() => strategy.decide(s, { score: Number.NaN, referencePrice: '1', tsMs: 0 }, 0)).toThrow(InvalidScoreError);
    expect(() => new SignalStrategy({ ...config, orderLot: dec('0') })).toThrow(InvalidSizingConfigError);
    expect(() => new SignalStrategy({ ...config, strategyId: '' })).toThrow(/strategyId/);
    expect(() => new SignalStrategy({ ...config, intentIntervalMs: -1 })).toThrow(/intentIntervalMs/);
  });
});
