import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, TickOverflowError, TickScale } from '../src';
import { d, prng } from './helpers';

/** The conversions by their definition, in Decimal's exact arithmetic: what every fast path must equal. */
function ticksByDefinition(value: Decimal, step: Decimal): number | 'not a multiple' | 'overflow' {
  if (!value.isMultipleOf(step)) return 'not a multiple';
  const n = value.div(step, 0).safeCoef();
  return n === undefined ? 'overflow' : n;
}

function outcome(f: () => number): number | 'not a multiple' | 'overflow' {
  try {
    return f();
  } catch (e) {
    if (e instanceof TickOverflowError) return 'overflow';
    if (e instanceof InvalidBookArgumentError && /whole multiple/.test(e.message)) return 'not a multiple';
    throw e;
  }
}

describe('TickScale', () => {
  test('converts prices and sizes both ways, exactly', () => {
    const s = new TickScale(d('0.01'), d('0.001'));
    expect(s.toTicks(d('123.45'))).toBe(12345);
    expect(s.toTicks(d('5'))).toBe(500);
    expect(s.toLots(d('0.25'))).toBe(250);
    expect(s.fromTicks(12345).toString()).toBe('123.45');
    expect(s.fromTicks(500).toString()).toBe('5');
    expect(s.fromLots(250).toString()).toBe('0.25');
    expect(new TickScale(d('5'), d('100')).toTicks(d('1000'))).toBe(200);
    expect(new TickScale(d('0.25'), d('1')).fromTicks(3).toString()).toBe('0.75');
  });

  test('refuses a value off the grid, a non-positive one and a count beyond 2^53 - 1', () => {
    const s = new TickScale(d('0.01'), d('0.001'));
    expect(() => s.toTicks(d('1.005'))).toThrow(/whole multiple of the tick size 0.01/);
    expect(() => s.toLots(d('0.0001'))).toThrow(/whole multiple of the lot size 0.001/);
    expect(() => s.toTicks(d('0'))).toThrow(InvalidBookArgumentError);
    expect(() => s.toTicks(d('-1'))).toThrow(InvalidBookArgumentError);
    expect(() => s.toTicks(d('100000000000000000'))).toThrow(TickOverflowError);
    expect(() => s.fromTicks(1.5)).toThrow(InvalidBookArgumentError);
  });

  test('agrees with the exact definition for random values and steps, across scales and beyond the safe range', () => {
    const rand = prng(2026);
    const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
    const steps = ['1', '5', '0.01', '0.25', '0.0001', '0.00000001', '100', '0.000000000000000001', '1234.5'].map(d);
    for (let i = 0; i < 5_000; i++) {
      const step = steps[Math.floor(rand() * steps.length)]!;
      const wholeDigits = 1 + Math.floor(rand() * 20);
      const fraction = Math.floor(rand() * 22);
      const text = `${digits(wholeDigits)}${fraction > 0 ? `.${digits(fraction)}` : ''}`;
      // Half of them on the grid: a random count of steps.
      const value = rand() < 0.5 ? d(text) : step.mul(Decimal.parse(digits(1 + Math.floor(rand() * 18)) || '1'));
      if (!value.isPositive()) continue;
      const scale = new TickScale(step, step);
      expect([value.toString(), step.toString(), outcome(() => scale.toTicks(value))]).toEqual([value.toString(), step.toString(), ticksByDefinition(value, step)]);
      const ticks = Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 53)));
      expect(scale.fromTicks(ticks).eq(step.mul(BigInt(ticks)))).toBe(true);
      expect(scale.fromLots(-ticks).eq(step.mul(BigInt(-ticks)))).toBe(true);
    }
  });
});
