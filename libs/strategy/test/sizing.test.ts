import { DomainError, dec } from '@meridian/domain';
import type { Decimal } from '@meridian/domain';
import { InvalidScoreError, InvalidSizingConfigError, planOrder, targetPosition, validateSizingConfig } from '../src';
import type { SizingConfig } from '../src';

const cfg: SizingConfig = validateSizingConfig({
  maxPosition: dec('1'),
  lotSize: dec('0.001'),
  minOrderQuantity: dec('0.002'),
  maxOrderQuantity: dec('0.25'),
  entryThreshold: 0.1,
});

function str(d: Decimal | undefined): string | undefined {
  return d?.toString();
}

describe('targetPosition', () => {
  test('scales the score by maxPosition, keeping its sign', () => {
    expect(str(targetPosition(0.5, cfg))).toBe('0.5');
    expect(str(targetPosition(-0.5, cfg))).toBe('-0.5');
    expect(str(targetPosition(1, cfg))).toBe('1');
    expect(str(targetPosition(-1, cfg))).toBe('-1');
  });

  test('quantizes toward zero to the lot size, for longs and shorts alike', () => {
    expect(str(targetPosition(0.12345, cfg))).toBe('0.123');
    expect(str(targetPosition(-0.12345, cfg))).toBe('-0.123');
    expect(str(targetPosition(0.9999, cfg))).toBe('0.999');
    const coarse = { ...cfg, maxPosition: dec('3'), lotSize: dec('1') };
    expect(str(targetPosition(0.66, coarse))).toBe('1'); // 1.98 -> 1, never 2
    expect(str(targetPosition(-0.66, coarse))).toBe('-1');
  });

  test('is not fooled by binary float noise', () => {
    // 0.3 is 0.29999999999999998 as a double; truncating that naively would give 0.299.
    expect(str(targetPosition(0.3, cfg))).toBe('0.3');
    expect(str(targetPosition(0.1 + 0.2, cfg))).toBe('0.3');
    expect(str(targetPosition(-0.7, cfg))).toBe('-0.7');
  });

  test('targets flat below the entry threshold, and sizes at it', () => {
    expect(str(targetPosition(0.0999, cfg))).toBe('0');
    expect(str(targetPosition(-0.0999, cfg))).toBe('0');
    expect(str(targetPosition(0, cfg))).toBe('0');
    expect(str(targetPosition(0.1, cfg))).toBe('0.1');
    expect(str(targetPosition(-0.1, cfg))).toBe('-0.1');
  });

  test('clips scores outside [-1, 1] to maxPosition', () => {
    expect(str(targetPosition(1.7, cfg))).toBe('1');
    expect(str(targetPosition(-3, cfg))).toBe('-1');
  });

  test.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses score %p with a typed error', (score) => {
    expect(() => targetPosition(score, cfg)).toThrow(InvalidScoreError);
    expect(() => targetPosition(score, cfg)).toThrow(`score ${score} is not a finite number`);
    try {
      targetPosition(score, cfg);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('INVALID_SCORE');
    }
  });
});

describe('planOrder', () => {
  const plan = (target: string, position: string, working = '0', c: SizingConfig = cfg) => {
    const p = planOrder(dec(target), dec(position), dec(working), c);
    return p && { side: p.side, quantity: p.quantity.toString() };
  };

  test('buys toward a higher target and sells toward a lower one', () => {
    expect(plan('0.2', '0')).toEqual({ side: 'BUY', quantity: '0.2' });
    expect(plan('-0.2', '0')).toEqual({ side: 'SELL', quantity: '0.2' });
    expect(plan('0.5', '0.3')).toEqual({ side: 'BUY', quantity: '0.2' });
    expect(plan('0.3', '0.5')).toEqual({ side: 'SELL', quantity: '0.2' });
  });

  test('does nothing at the target', () => {
    expect(plan('0.5', '0.5')).toBeUndefined();
    expect(plan('0', '0')).toBeUndefined();
  });

  test('clips to maxOrderQuantity so large moves take several orders', () => {
    expect(plan('1', '0')).toEqual({ side: 'BUY', quantity: '0.25' });
    expect(plan('-1', '0')).toEqual({ side: 'SELL', quantity: '0.25' });
    expect(plan('1', '0.9')).toEqual({ side: 'BUY', quantity: '0.1' });
  });

  test('quantizes the order down to the lot size, also after clipping', () => {
    expect(plan('0.1234', '0')).toEqual({ side: 'BUY', quantity: '0.123' });
    expect(plan('0', '0.1239')).toEqual({ side: 'SELL', quantity: '0.123' });
    const odd = { ...cfg, maxOrderQuantity: dec('0.2505') };
    expect(plan('1', '0', '0', odd)).toEqual({ side: 'BUY', quantity: '0.25' });
  });

  test('skips moves below minOrderQuantity, and allows exactly the minimum', () => {
    expect(plan('0.501', '0.5')).toBeUndefined();
    expect(plan('0.5019', '0.5')).toBeUndefined(); // 0.0019 -> 0.001 after lots
    expect(plan('0.502', '0.5')).toEqual({ side: 'BUY', quantity: '0.002' });
    expect(plan('0.498', '0.5')).toEqual({ side: 'SELL', quantity: '0.002' });
  });

  test('counts working orders as if filled', () => {
    expect(plan('0.5', '0', '0.5')).toBeUndefined();
    expect(plan('0.5', '0', '0.3')).toEqual({ side: 'BUY', quantity: '0.2' });
    // Working buys overshooting the target are offset by a sell.
    expect(plan('0.5', '0.2', '0.4')).toEqual({ side: 'SELL', quantity: '0.1' });
    // Working sells (negative) leave more to buy.
    expect(plan('0.2', '0.2', '-0.1')).toEqual({ side: 'BUY', quantity: '0.1' });
    expect(plan('-0.5', '0', '-0.5')).toBeUndefined();
  });

  test('a flip from long to short sells the whole difference, clipped', () => {
    expect(plan('-0.1', '0.1')).toEqual({ side: 'SELL', quantity: '0.2' });
    expect(plan('-1', '1')).toEqual({ side: 'SELL', quantity: '0.25' });
    expect(plan('1', '-1')).toEqual({ side: 'BUY', quantity: '0.25' });
    // After the first clipped sell is working, the next one continues the flip.
    expect(plan('-1', '1', '-0.25')).toEqual({ side: 'SELL', quantity: '0.25' });
  });

  test('targetPosition and planOrder together reach the target in lots', () => {
    const target = targetPosition(-0.8765, cfg);
    let position = dec('0.3');
    let orders = 0;
    for (let plan = planOrder(target, position, dec(0), cfg); plan; plan = planOrder(target, position, dec(0), cfg)) {
      expect(plan.quantity.lte(cfg.maxOrderQuantity)).toBe(true);
      expect(plan.quantity.isMultipleOf(cfg.lotSize)).toBe(true);
      position = plan.side === 'BUY' ? position.add(plan.quantity) : position.sub(plan.quantity);
      orders += 1;
    }
    expect(position.toString()).toBe('-0.876');
    expect(orders).toBe(5);
  });
});

describe('validateSizingConfig', () => {
  const bad = (patch: Partial<Record<keyof SizingConfig, unknown>>) => () =>
    validateSizingConfig({ ...cfg, ...patch } as SizingConfig);

  test('returns a valid config unchanged', () => {
    expect(validateSizingConfig(cfg)).toBe(cfg);
  });

  test.each<[string, Partial<Record<keyof SizingConfig, unknown>>]>([
    ['maxPosition must be positive, got 0', { maxPosition: dec('0') }],
    ['lotSize must be positive, got -0.001', { lotSize: dec('-0.001') }],
    ['minOrderQuantity must be positive, got 0', { minOrderQuantity: dec('0') }],
    ['maxOrderQuantity must be positive, got -1', { maxOrderQuantity: dec('-1') }],
    ['maxPosition must be a Decimal, got "1"', { maxPosition: '1' }],
    ['lotSize must be a Decimal, got undefined', { lotSize: undefined }],
    ['entryThreshold must be a number in [0, 1], got -0.1', { entryThreshold: -0.1 }],
    ['entryThreshold must be a number in [0, 1], got 1.5', { entryThreshold: 1.5 }],
    ['entryThreshold must be a number in [0, 1], got NaN', { entryThreshold: Number.NaN }],
    ['minOrderQuantity 0.5 must not exceed maxOrderQuantity 0.25', { minOrderQuantity: dec('0.5') }],
    ['lotSize 0.3 must not exceed maxOrderQuantity 0.25', { lotSize: dec('0.3') }],
    ['lotSize 0.001 must not exceed maxPosition 0.0005', { maxPosition: dec('0.0005') }],
    [
      'minOrderQuantity 0.25 exceeds the largest whole-lot order 0.2 (maxOrderQuantity 0.25, lotSize 0.1)',
      { lotSize: dec('0.1'), minOrderQuantity: dec('0.25') },
    ],
  ])('refuses with "%s"', (message, patch) => {
    expect(bad(patch)).toThrow(InvalidSizingConfigError);
    expect(bad(patch)).toThrow(message);
    try {
      bad(patch)();
    } catch (e) {
      expect((e as DomainError).code).toBe('INVALID_SIZING_CONFIG');
      expect((e as InvalidSizingConfigError).field).toBe(message.split(' ')[0]);
    }
  });
});
