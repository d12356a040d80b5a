import { Decimal, DivisionByZeroError, DomainError, InvalidDecimalError, PlatformError, dec } from '../src';
import type { RoundingMode } from '../src';
import { seededRandom as rng } from '@meridian/testkit';
import { thrown } from './helpers';

const MODES: RoundingMode[] = ['down', 'up', 'floor', 'ceil', 'half-up', 'half-even'];
const d = (s: string) => Decimal.parse(s);


describe('parse and toString', () => {
  test.each([
    ['0', '0'],
    ['-0', '0'],
    ['+0.000', '0'],
    ['1', '1'],
    ['+1', '1'],
    ['007.50', '7.5'],
    ['1.500', '1.5'],
    [' 12.34 ', '12.34'],
    ['-0.0005', '-0.0005'],
    ['100', '100'],
    ['1000000000000000000000000000000', '1000000000000000000000000000000'],
    ['0.000000000000000000000000000001', '0.000000000000000000000000000001'],
    ['-123456789012345678901234567890.123456789012345678901234567890', '-123456789012345678901234567890.12345678901234567890123456789'],
    ['0.' + '0'.repeat(35) + '1', '0.' + '0'.repeat(35) + '1'],
  ])('%j → %j', (input, out) => {
    const v = d(input);
    expect(v.toString()).toBe(out);
    expect(v.toString()).not.toMatch(/e/i);
    expect(d(v.toString()).eq(v)).toBe(true);
  });

  test('values are normalised: equal values have equal representations', () => {
    expect(d('1.500')).toEqual(d('1.5'));
    expect(d('1.5').coef).toBe(15n);
    expect(d('1.5').scale).toBe(1);
    expect(d('100').coef).toBe(100n);
    expect(d('100').scale).toBe(0);
    expect(d('-0')).toBe(Decimal.ZERO);
    expect(d('0.000')).toBe(Decimal.ZERO);
  });

  test('every trailing zero goes, however many (stripped in steps of eight, four and one)', () => {
    for (let zeros = 0; zeros <= 36; zeros++) {
      for (const scale of [zeros, 36]) {
        const v = Decimal.fromUnits(-123n * 10n ** BigInt(zeros), scale);
        const expectedScale = scale - zeros;
        expect([zeros, scale, v.coef, v.scale]).toEqual([zeros, scale, -123n, expectedScale]);
      }
      // More zeros than the scale: an integer keeps the zeros beyond it.
      expect(Decimal.fromUnits(7n * 10n ** BigInt(zeros + 3), zeros)).toEqual(d(`7000`));
    }
    expect(d('1.2').div('0.3', 30)).toEqual(d('4'));
    expect(d('10000').div('3', 18).mul('3').round(12)).toEqual(d('10000'));
  });

  test.each([
    '',
    '   ',
    'abc',
    '1e5',
    '1E-5',
    '.5',
    '5.',
    '1.2.3',
    '+-1',
    '--1',
    '1,5',
    '1 000',
    '0x10',
    'Infinity',
    'NaN',
    '١٢',
    '0.' + '0'.repeat(36) + '1',
  ])('refuses %j with InvalidDecimalError naming the input', (input) => {
    const err = thrown(() => d(input));
    expect(err).toBeInstanceOf(InvalidDecimalError);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.name).toBe('InvalidDecimalError');
    expect((err as InvalidDecimalError).code).toBe('INVALID_DECIMAL');
    expect((err as InvalidDecimalError).input).toBe(input);
    expect(err.message).toContain(JSON.stringify(input));
  });

  test('more than 36 fraction digits are refused with the reason', () => {
    expect(thrown(() => d('1.' + '1'.repeat(37))).message).toMatch(/more than 36 fraction digits/);
  });

  test('a non-string is refused', () => {
    expect(thrown(() => Decimal.parse(12 as unknown as string))).toBeInstanceOf(InvalidDecimalError);
    expect(thrown(() => Decimal.parse(undefined as unknown as string)).message).toMatch(/not a string/);
  });

  test('toJSON and JSON.stringify give the plain string', () => {
    expect(JSON.stringify({ p: d('0.00000001'), q: d('-5') })).toBe('{"p":"0.00000001","q":"-5"}');
  });
});

describe('representation', () => {
  const MAX = Number.MAX_SAFE_INTEGER;

  test('the coefficient is a float while it is a safe integer, a bigint beyond, whichever way the value was made', () => {
    expect(d('9007199254740.991').safeCoef()).toBe(MAX);
    expect(d('9007199254740.992').safeCoef()).toBeUndefined();
    expect(d('9007199254740.992').coef).toBe(BigInt(MAX) + 1n);
    // One past the range by arithmetic, and back into it.
    const over = d('9007199254740.991').add(d('0.001'));
    expect(over.safeCoef()).toBeUndefined();
    expect(over.toString()).toBe('9007199254740.992');
    expect(over.sub(d('0.001'))).toEqual(d('9007199254740.991'));
    expect(over.sub(d('0.001')).safeCoef()).toBe(MAX);
    // A big coefficient whose trailing zeros go comes back as a float, one that stays big does not.
    expect(d('90071992547.409910000000000').safeCoef()).toBe(MAX);
    expect(d('90071992547409910000000').div(d('10000000'), 0).safeCoef()).toBe(MAX);
    expect(d('123456789012345678900000').div(d('100000'), 0).safeCoef()).toBeUndefined();
  });

  test('structural equality sees the value: equal values are equal whichever path made them, different ones are not', () => {
    expect(d('1.50')).toEqual(d('1.5'));
    expect(d('1.5')).not.toEqual(d('1.6'));
    expect(d('1.5')).not.toEqual(d('15'));
    expect(d('123456789012345678.90')).toEqual(d('123456789012345678.9'));
    expect(d('123456789012345678.9')).not.toEqual(d('123456789012345678.8'));
    expect(d('0.1').add(d('0.2'))).toEqual(d('0.3'));
    // Never a negative zero, which structural equality would tell from zero.
    for (const zero of [d('-5').mul(d('0')), d('0').neg(), d('-0.5').add(d('0.5')), d('-1').div(d('3'), 0, 'down'), d('-0.4').round(0)]) {
      expect(zero).toEqual(Decimal.ZERO);
      expect(Object.is(zero.safeCoef(), 0)).toBe(true);
    }
  });

  test('a quotient at a wide scale that ends early is exact without bigint rounding (the average of fills at one price)', () => {
    const price = d('65432.17');
    const quantity = d('0.123');
    expect(price.mul(quantity).div(quantity, 18)).toEqual(price);
    expect(price.mul(quantity).div(quantity, 18).safeCoef()).toBe(6543217);
    // One that does not end is rounded at the scale asked for, as ever.
    expect(d('1').div(d('3'), 18).toString()).toBe('0.' + '3'.repeat(18));
    expect(d('2').div(d('3'), 18, 'down').toString()).toBe('0.' + '6'.repeat(18));
    expect(d('-2').div(d('3'), 18).toString()).toBe('-0.' + '6'.repeat(17) + '7');
  });
});

describe('from, fromUnits, fromNumber', () => {
  test('from accepts a Decimal as is, bigints, safe integers and strings', () => {
    const x = d('1.25');
    expect(Decimal.from(x)).toBe(x);
    expect(Decimal.from(10n ** 30n).toString()).toBe('1' + '0'.repeat(30));
    expect(Decimal.from(-42).toString()).toBe('-42');
    expect(Decimal.from(Number.MAX_SAFE_INTEGER).toString()).toBe('9007199254740991');
    expect(Decimal.from('3.14').toString()).toBe('3.14');
    expect(dec('2.50').toString()).toBe('2.5');
  });

  test.each([0.1, 1.5, 2 ** 53, Number.NaN, Infinity, -0.5])('from refuses the float %p', (n) => {
    expect(thrown(() => Decimal.from(n))).toBeInstanceOf(InvalidDecimalError);
  });

  test('fromUnits', () => {
    expect(Decimal.fromUnits(12345n, 2).toString()).toBe('123.45');
    expect(Decimal.fromUnits(-5n, 36).toString()).toBe('-0.' + '0'.repeat(35) + '5');
    expect(Decimal.fromUnits(1200n, 2).toString()).toBe('12');
    expect(Decimal.fromUnits(7n, 0).toString()).toBe('7');
    for (const bad of [-1, 37, 1.5, Number.NaN]) expect(thrown(() => Decimal.fromUnits(1n, bad))).toBeInstanceOf(InvalidDecimalError);
    // Units as a safe integer, as integer-tick books hold them.
    expect(Decimal.fromUnits(12345, 2)).toEqual(Decimal.fromUnits(12345n, 2));
    expect(Decimal.fromUnits(-1200, 2).toString()).toBe('-12');
    for (const bad of [1.5, 2 ** 53, Number.NaN]) expect(thrown(() => Decimal.fromUnits(bad, 2))).toBeInstanceOf(InvalidDecimalError);
  });

  test('fromNumber rounds a float to the scale', () => {
    expect(Decimal.fromNumber(0.1 + 0.2, 8).toString()).toBe('0.3');
    expect(Decimal.fromNumber(65000.123456, 2).toString()).toBe('65000.12');
    expect(Decimal.fromNumber(-1.75, 1).toString()).toBe('-1.8');
    expect(Decimal.fromNumber(2.5, 0, 'half-up').toString()).toBe('3');
    expect(Decimal.fromNumber(2.5, 0).toString()).toBe('2');
    expect(thrown(() => Decimal.fromNumber(Number.NaN, 2))).toBeInstanceOf(InvalidDecimalError);
    expect(thrown(() => Decimal.fromNumber(Infinity, 2))).toBeInstanceOf(InvalidDecimalError);
  });
});

describe('exact arithmetic', () => {
  test('add and sub are exact where floats are not', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d('0.3').sub('0.1').toString()).toBe('0.2');
    expect(d('1').sub('0.000000000000000000000000000001').toString()).toBe('0.999999999999999999999999999999');
    expect(d('99999999999999999999.99').add('0.01').toString()).toBe('100000000000000000000');
    expect(d('-1.5').add('1.5')).toBe(Decimal.ZERO);
    expect(d('1.05').sub('2.1').toString()).toBe('-1.05');
    expect(d('12').add(d('0.0001')).toString()).toBe('12.0001');
  });

  test('mul is exact and keeps every digit', () => {
    expect(d('1.1').mul('1.1').toString()).toBe('1.21');
    expect(d('0.1').mul('3').toString()).toBe('0.3');
    expect(d('65000.12').mul('0.00012345').toString()).toBe('8.024264814');
    expect(d('-2.5').mul('-4').toString()).toBe('10');
    expect(d('-2.5').mul(4n).toString()).toBe('-10');
    expect(d('123456789.123456789').mul('987654321.987654321').toString()).toBe('121932631356500531.347203169112635269');
    expect(d('0.000000000000000001').mul('0.000000000000000000001').toString()).toBe('0.' + '0'.repeat(38) + '1');
    expect(d('5').mul('0')).toBe(Decimal.ZERO);
  });

  test('adding or subtracting zero and multiplying by one give the other operand itself, small or big', () => {
    for (const x of [d('1.25'), d('-7'), d('123456789012345678901234567890.5'), Decimal.ZERO, Decimal.ONE]) {
      expect(x.add(Decimal.ZERO)).toBe(x);
      expect(Decimal.ZERO.add(x)).toBe(x);
      expect(x.add('0.000')).toBe(x);
      expect(x.sub(Decimal.ZERO)).toBe(x);
      expect(x.mul(Decimal.ONE)).toBe(x);
      expect(Decimal.ONE.mul(x)).toBe(x);
      expect(x.mul('1.0')).toBe(x);
      expect(x.mul(1n)).toBe(x);
    }
    expect(Decimal.ZERO.sub(d('2.5')).toString()).toBe('-2.5');
    expect(d('0.1').mul('10').toString()).toBe('1');
    expect(d('-1').mul('3').toString()).toBe('-3');
  });

  test('sum, min, max, neg, abs, sign', () => {
    expect(Decimal.sum([d('0.1'), d('0.2'), d('-0.3')])).toBe(Decimal.ZERO);
    expect(Decimal.sum([]).isZero()).toBe(true);
    expect(Decimal.min(d('1'), d('0.99')).toString()).toBe('0.99');
    expect(Decimal.max(d('-1'), d('-0.99')).toString()).toBe('-0.99');
    expect(d('1.5').neg().toString()).toBe('-1.5');
    expect(Decimal.ZERO.neg().isZero()).toBe(true);
    expect(Decimal.ZERO.neg().toString()).toBe('0');
    expect(d('-1.5').abs().toString()).toBe('1.5');
    expect([d('-3').sign(), d('0').sign(), d('3').sign()]).toEqual([-1, 0, 1]);
  });

  test('comparisons across scales', () => {
    expect(d('1.10').cmp('1.1')).toBe(0);
    expect(d('1.1').eq('1.10')).toBe(true);
    expect(d('1.09').lt('1.1')).toBe(true);
    expect(d('1.1').lte('1.1')).toBe(true);
    expect(d('-1').gt('-1.0001')).toBe(true);
    expect(d('2').gte('1.999999999999')).toBe(true);
    expect(d('0.5').cmp('-100')).toBe(1);
    expect(d('0').isZero() && !d('0').isNegative() && !d('0').isPositive()).toBe(true);
    expect(d('-0.1').isNegative()).toBe(true);
    expect(d('0.1').isPositive()).toBe(true);
  });

  test('toNumber is the nearest float', () => {
    expect(d('0.1').toNumber()).toBe(0.1);
    expect(d('-12.5').toNumber()).toBe(-12.5);
  });

  test('toNumber is the float the text parses to, on and off the fast path', () => {
    // The fast path divides the coefficient by 10^scale; it must agree with parsing the text bit for bit.
    const edges = ['9007199254740991', '-9007199254740991', '9007199254740993', '0.9007199254740991', '9007199254740.991', '1e-22', '1e-23', '123456789012345678901234567890.123'];
    const texts = edges.map((e) => (e.includes('e') ? Decimal.fromUnits(1n, Number(e.slice(3))).toString() : e));
    texts.push(Decimal.fromUnits(9007199254740991n, 22).toString(), Decimal.fromUnits(9007199254740991n, 23).toString(), Decimal.fromUnits(-9007199254740992n, 5).toString());
    let x = 123456789;
    const next = (): number => {
      // xorshift32: deterministic cases, no dependency.
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(next() * 17);
      let coef = '';
      for (let k = 0; k < digits; k++) coef += String(Math.floor(next() * 10));
      const units = BigInt(coef) * (next() < 0.5 ? -1n : 1n);
      texts.push(Decimal.fromUnits(units, Math.floor(next() * 25)).toString());
    }
    for (const text of texts) expect([text, Decimal.parse(text).toNumber()]).toEqual([text, Number(text)]);
  });
});

describe('division and rounding modes', () => {
  // v rounded to an integer in each mode: [v, down, up, floor, ceil, half-up, half-even]
  const table: [string, string, string, string, string, string, string][] = [
    ['2.5', '2', '3', '2', '3', '3', '2'],
    ['-2.5', '-2', '-3', '-3', '-2', '-3', '-2'],
    ['3.5', '3', '4', '3', '4', '4', '4'],
    ['-3.5', '-3', '-4', '-4', '-3', '-4', '-4'],
    ['0.5', '0', '1', '0', '1', '1', '0'],
    ['-0.5', '0', '-1', '-1', '0', '-1', '0'],
    ['1.5', '1', '2', '1', '2', '2', '2'],
    ['2.4', '2', '3', '2', '3', '2', '2'],
    ['-2.4', '-2', '-3', '-3', '-2', '-2', '-2'],
    ['2.6', '2', '3', '2', '3', '3', '3'],
    ['-2.6', '-2', '-3', '-3', '-2', '-3', '-3'],
    ['2.0', '2', '2', '2', '2', '2', '2'],
    ['-2.0', '-2', '-2', '-2', '-2', '-2', '-2'],
    ['0.0001', '0', '1', '0', '1', '0', '0'],
    ['-0.0001', '0', '-1', '-1', '0', '0', '0'],
    ['2.5000000000000000000000000000001', '2', '3', '2', '3', '3', '3'],
    ['-2.4999999999999999999999999999999', '-2', '-3', '-3', '-2', '-2', '-2'],
  ];

  describe.each(MODES.map((m, i) => [m, i] as const))('%s', (mode, i) => {
    test.each(table)('round(%s, 0)', (v, ...want) => {
      expect(d(v).round(0, mode).toString()).toBe(want[i]);
    });
    test.each(table)('div: %s expressed as a quotient, with either sign on the divisor', (v, ...want) => {
      // v = (v * 10) / 10 = -(v * 10) / -10, and v * 7 / 7
      const tenfold = d(v).mul('10');
      expect(tenfold.div('10', 0, mode).toString()).toBe(want[i]);
      expect(tenfold.neg().div('-10', 0, mode).toString()).toBe(want[i]);
      expect(d(v).mul('7').div(7n, 0, mode).toString()).toBe(want[i]);
    });
    test.each(table)('toFixed(%s, 0)', (v, ...want) => {
      expect(d(v).toFixed(0, mode)).toBe(want[i]);
    });
  });

  test('ties at a fractional scale', () => {
    // 1/8 = 0.125, -1/8 = -0.125
    const want: Record<RoundingMode, [string, string]> = {
      down: ['0.12', '-0.12'],
      up: ['0.13', '-0.13'],
      floor: ['0.12', '-0.13'],
      ceil: ['0.13', '-0.12'],
      'half-up': ['0.13', '-0.13'],
      'half-even': ['0.12', '-0.12'],
    };
    for (const mode of MODES) {
      expect([d('1').div('8', 2, mode).toString(), d('-1').div('8', 2, mode).toString()]).toEqual(want[mode]);
      expect([d('0.125').round(2, mode).toString(), d('-0.125').round(2, mode).toString()]).toEqual(want[mode]);
    }
    // 0.135 → half-even goes up to the even 0.14
    expect(d('0.135').round(2, 'half-even').toString()).toBe('0.14');
    expect(d('0.145').round(2, 'half-even').toString()).toBe('0.14');
  });

  test('non-ties', () => {
    expect(d('1').div('3', 6).toString()).toBe('0.333333');
    expect(d('2').div('3', 6).toString()).toBe('0.666667');
    expect(d('2').div('3', 6, 'down').toString()).toBe('0.666666');
    expect(d('-2').div('3', 6, 'floor').toString()).toBe('-0.666667');
    expect(d('-2').div('3', 6, 'ceil').toString()).toBe('-0.666666');
    expect(d('10').div('4', 0).toString()).toBe('2'); // 2.5 → even
    expect(d('1').div('3', 36).toString()).toBe('0.' + '3'.repeat(36));
  });

  test('div across scales: dividend finer than the result, divisor with a fraction', () => {
    expect(d('0.000001').div('3', 2).toString()).toBe('0');
    expect(d('0.000001').div('3', 2, 'up').toString()).toBe('0.01');
    expect(d('1.5').div('0.5', 0).toString()).toBe('3');
    expect(d('100').div('0.0003', 4).toString()).toBe('333333.3333');
    expect(d('65000.12').div('0.01', 0).toString()).toBe('6500012');
    expect(d('7').div('2', 5).toString()).toBe('3.5'); // normalised, not 3.50000
  });

  test('division by zero names the dividend', () => {
    const err = thrown(() => d('12.5').div('0', 2));
    expect(err).toBeInstanceOf(DivisionByZeroError);
    expect((err as DivisionByZeroError).code).toBe('DIVISION_BY_ZERO');
    expect(err.message).toBe('division of 12.5 by zero');
    expect(thrown(() => d('1').div('0.000', 2))).toBeInstanceOf(DivisionByZeroError);
  });

  test('round to a scale at or beyond the current one returns the value itself', () => {
    const x = d('1.25');
    expect(x.round(2)).toBe(x);
    expect(x.round(10)).toBe(x);
    expect(d('-0.4').round(0).toString()).toBe('0');
  });
});

describe('quantize and isMultipleOf', () => {
  test('quantize to a tick', () => {
    expect(d('1.2345').quantize(d('0.01')).toString()).toBe('1.23');
    expect(d('1.235').quantize(d('0.01')).toString()).toBe('1.24'); // tie → even
    expect(d('1.225').quantize(d('0.01')).toString()).toBe('1.22'); // tie → even
    expect(d('1.225').quantize(d('0.01'), 'half-up').toString()).toBe('1.23');
    expect(d('1.3').quantize(d('0.5')).toString()).toBe('1.5');
    expect(d('1.2').quantize(d('0.5')).toString()).toBe('1');
    expect(d('1.25').quantize(d('0.5')).toString()).toBe('1'); // 2.5 steps → 2
    expect(d('1.75').quantize(d('0.5')).toString()).toBe('2'); // 3.5 steps → 4
    expect(d('12').quantize(d('5')).toString()).toBe('10');
    expect(d('12.5').quantize(d('5')).toString()).toBe('10');
    expect(d('12.5').quantize(d('5'), 'half-up').toString()).toBe('15');
    expect(d('0.37').quantize(d('0.25'), 'floor').toString()).toBe('0.25');
    expect(d('0.37').quantize(d('0.25'), 'ceil').toString()).toBe('0.5');
    expect(d('-0.37').quantize(d('0.25'), 'floor').toString()).toBe('-0.5');
    expect(d('-0.37').quantize(d('0.25'), 'down').toString()).toBe('-0.25');
    expect(d('0.00012345').quantize(d('0.0001'), 'down').toString()).toBe('0.0001');
    expect(d('5').quantize(d('0.001')).toString()).toBe('5');
  });

  test('quantize refuses a step that is not positive', () => {
    expect(thrown(() => d('1').quantize(d('0')))).toBeInstanceOf(InvalidDecimalError);
    expect(thrown(() => d('1').quantize(d('-0.01'))).message).toMatch(/step must be positive/);
  });

  test('unitsOf counts whole steps, on and off the float path, and is undefined off the grid or beyond 2^53 - 1', () => {
    expect(d('123.45').unitsOf(d('0.01'))).toBe(12345);
    expect(d('5').unitsOf(d('0.001'))).toBe(5000);
    expect(d('1000').unitsOf(d('5'))).toBe(200);
    expect(d('-0.75').unitsOf(d('0.25'))).toBe(-3);
    expect(Decimal.ZERO.unitsOf(d('0.01'))).toBe(0);
    expect(d('1.005').unitsOf(d('0.01'))).toBeUndefined();
    // A coefficient beyond the safe range (bigint), a whole multiple with a safe count, and one whose count is not safe.
    expect(d('12345678901234567.8').unitsOf(d('0.1'))).toBeUndefined();
    expect(d('1234567890123.456789012345').unitsOf(d('0.000000000000000001'))).toBeUndefined();
    expect(d('123456789012345678900').unitsOf(d('100000000000000000000'))).toBeUndefined();
    expect(d('1200000000000000000000').unitsOf(d('100000000000000000000'))).toBe(12);
    expect(thrown(() => d('1').unitsOf(d('0'))).message).toMatch(/step must be positive/);
  });

  test('a quantized value is a multiple of its step', () => {
    for (const [v, step] of [
      ['123.456789', '0.05'],
      ['-7.777', '0.25'],
      ['0.0000001', '0.0000003'],
    ] as const) {
      for (const mode of MODES) expect(d(v).quantize(d(step), mode).isMultipleOf(d(step))).toBe(true);
    }
  });

  test('isMultipleOf', () => {
    expect(d('1.5').isMultipleOf(d('0.5'))).toBe(true);
    expect(d('0.3').isMultipleOf(d('0.1'))).toBe(true);
    expect(d('100').isMultipleOf(d('0.01'))).toBe(true);
    expect(d('1.55').isMultipleOf(d('0.1'))).toBe(false);
    expect(d('0.001').isMultipleOf(d('0.01'))).toBe(false);
    expect(d('-1.5').isMultipleOf(d('0.5'))).toBe(true);
    expect(d('1.5').isMultipleOf(d('-0.5'))).toBe(true);
    expect(d('0').isMultipleOf(d('0.25'))).toBe(true);
    expect(d('10').isMultipleOf(d('2.5'))).toBe(true);
    expect(d('10').isMultipleOf(d('3'))).toBe(false);
    expect(d('1').isMultipleOf(d('0'))).toBe(false);
    expect(d('0').isMultipleOf(d('0'))).toBe(false);
  });
});

describe('toFixed', () => {
  test.each([
    ['1.005', 2, 'half-even', '1.00'],
    ['1.005', 2, 'half-up', '1.01'],
    ['1.015', 2, 'half-even', '1.02'],
    ['2', 3, 'half-even', '2.000'],
    ['1.23', 5, 'half-even', '1.23000'],
    ['-1.5', 0, 'half-even', '-2'],
    ['-0.001', 2, 'half-even', '0.00'],
    ['-0.001', 2, 'floor', '-0.01'],
    ['0.999', 2, 'half-even', '1.00'],
    ['123456789012345678901234567890', 2, 'half-even', '123456789012345678901234567890.00'],
    ['0.00000001', 8, 'half-even', '0.00000001'],
    ['0.00000001', 20, 'half-even', '0.00000001000000000000'],
    ['0.5', 0, 'half-even', '0'],
    ['7', 0, 'half-even', '7'],
  ] as const)('%s.toFixed(%d, %s) is %s', (v, scale, mode, want) => {
    const out = d(v).toFixed(scale, mode);
    expect(out).toBe(want);
    expect(out).not.toMatch(/e/i);
  });

  test('the default mode is half-even', () => {
    expect(d('0.125').toFixed(2)).toBe('0.12');
    expect(d('0.375').toFixed(2)).toBe('0.38');
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: 10,000 random operations against a reference built on BigInt rationals.
// ---------------------------------------------------------------------------------------------

/** A rational n/d with d > 0. */
interface Rat {
  n: bigint;
  d: bigint;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const ratOf = (x: Decimal): Rat => ({ n: x.coef, d: 10n ** BigInt(x.scale) });
const ratEq = (a: Rat, b: Rat) => a.n * b.d === b.n * a.d;
const ratCmp = (a: Rat, b: Rat) => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l === r ? 0 : l < r ? -1 : 1;
};

/** floor(n/d) for d > 0, written independently of Decimal's truncating division. */
function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** The integer n/d rounds to in `mode`, reasoned from the floor and the remainder. */
function roundRat(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const fl = floorDiv(n, d);
  const rem = n - fl * d; // 0 <= rem < d
  if (rem === 0n) return fl;
  const positive = n > 0n;
  switch (mode) {
    case 'floor':
      return fl;
    case 'ceil':
      return fl + 1n;
    case 'down':
      return positive ? fl : fl + 1n;
    case 'up':
      return positive ? fl + 1n : fl;
    case 'half-up':
    case 'half-even': {
      if (2n * rem < d) return fl;
      if (2n * rem > d) return fl + 1n;
      if (mode === 'half-up') return positive ? fl + 1n : fl;
      return fl % 2n === 0n ? fl : fl + 1n;
    }
  }
}

/** A plain assertion: the property loop runs it ~30,000 times, faster than expect(). */
function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}


describe('property: random operations agree with BigInt rationals', () => {
  // Fixed seed by default; DECIMAL_SEED=<n> explores others.
  const random = rng(Number(process.env.DECIMAL_SEED ?? 0x5eed1234));
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;

  function randomDecimalText(): string {
    const style = int(0, 9);
    const digits = (len: number) => Array.from({ length: len }, () => String(int(0, 9))).join('');
    const whole = style === 0 ? '0' : digits(int(1, style < 3 ? 2 : 22));
    const frac = int(0, 3) === 0 ? '' : digits(int(1, 18));
    const zeros = int(0, 4) === 0 ? '000' : ''; // trailing zeros must normalise away
    const sign = pick(['', '', '-', '+']);
    return frac ? `${sign}${whole}.${frac}${zeros}` : `${sign}${whole}`;
  }

  /**
   * Coefficients within a few thousand of 2^53 - 1 (the largest the float path holds), a little
   * below it, around powers of ten near it, and small ones to combine them with; trailing zeros at
   * times, which must normalise away.
   */
  function boundaryDecimalText(): string {
    const around = (c: bigint) => c + BigInt(int(-2000, 2000));
    const style = int(0, 3);
    let coef =
      style === 0 ? BigInt(int(0, 999)) : style === 1 ? around(MAX_SAFE) : style === 2 ? around(MAX_SAFE) / 10n ** BigInt(int(1, 8)) : 10n ** BigInt(int(14, 17)) + BigInt(int(-5, 5));
    let scale = int(0, 15); // products stay within the 36 digits parse reads back
    if (int(0, 4) === 0) {
      coef *= 1000n;
      scale += 3;
    }
    const digits = coef.toString().padStart(scale + 1, '0');
    const sign = pick(['', '-']);
    return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }

  function checkCanonical(x: Decimal): void {
    ok(/^-?\d+(\.\d*[1-9])?$/.test(x.toString()), `not canonical: ${x.toString()}`);
    ok(x.scale === 0 || x.coef % 10n !== 0n, 'trailing zero in the coefficient');
    ok(x.coef !== 0n || x.scale === 0, 'zero with a scale');
    // One representation per value: a float coefficient exactly when it is a safe integer.
    const safe = x.coef <= MAX_SAFE && x.coef >= -MAX_SAFE;
    ok(safe ? x.safeCoef() === Number(x.coef) && !Object.is(x.safeCoef(), -0) : x.safeCoef() === undefined, `coefficient ${x.coef} held as ${safe ? 'bigint' : 'float'}`);
    ok(ratEq(ratOf(Decimal.parse(x.toString())), ratOf(x)), 'value differs from the rational reference');
  }

  test('the reference rounding agrees with hand-computed cases', () => {
    // [n, d, down, up, floor, ceil, half-up, half-even]
    const cases: [bigint, bigint, ...bigint[]][] = [
      [5n, 2n, 2n, 3n, 2n, 3n, 3n, 2n],
      [-5n, 2n, -2n, -3n, -3n, -2n, -3n, -2n],
      [7n, 2n, 3n, 4n, 3n, 4n, 4n, 4n],
      [-7n, -2n, 3n, 4n, 3n, 4n, 4n, 4n],
      [1n, 3n, 0n, 1n, 0n, 1n, 0n, 0n],
      [-2n, 3n, 0n, -1n, -1n, 0n, -1n, -1n],
      [6n, 3n, 2n, 2n, 2n, 2n, 2n, 2n],
    ];
    for (const [n, den, ...want] of cases) expect(MODES.map((m) => roundRat(n, den, m))).toEqual(want);
  });

  /** `count` random operations on decimals written by `text` (division and rounding to at most `maxScale` digits), every result checked against the rationals. */
  function runOperations(text: () => string, count: number, maxScale: number): void {
    const ops = ['add', 'sub', 'mul', 'div', 'round', 'quantize', 'cmp', 'isMultipleOf', 'toFixed', 'parse'] as const;
    const counts: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const at = `operation ${i}`;
      const aText = text();
      const bText = text();
      const a = d(aText);
      const b = d(bText);
      const ra = ratOf(a);
      const rb = ratOf(b);
      const op = pick(ops);
      counts[op] = (counts[op] ?? 0) + 1;
      const mode = pick(MODES);
      const scale = int(0, maxScale);
      try {
        switch (op) {
          case 'parse': {
            // The parsed value is exactly the text's rational.
            const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(aText)!;
            const n = BigInt(`${m[2]}${m[3] ?? ''}`) * (m[1] === '-' ? -1n : 1n);
            ok(ratEq(ra, { n, d: 10n ** BigInt((m[3] ?? '').length) }), 'value differs from the rational reference');
            checkCanonical(a);
            break;
          }
          case 'add': {
            const r = a.add(b);
            ok(ratEq(ratOf(r), { n: ra.n * rb.d + rb.n * ra.d, d: ra.d * rb.d }), 'value differs from the rational reference');
            checkCanonical(r);
            break;
          }
          case 'sub': {
            const r = a.sub(b);
            ok(ratEq(ratOf(r), { n: ra.n * rb.d - rb.n * ra.d, d: ra.d * rb.d }), 'value differs from the rational reference');
            checkCanonical(r);
            break;
          }
          case 'mul': {
            const r = a.mul(b);
            ok(ratEq(ratOf(r), { n: ra.n * rb.n, d: ra.d * rb.d }), 'value differs from the rational reference');
            checkCanonical(r);
            break;
          }
          case 'div': {
            if (b.isZero()) {
              expect(() => a.div(b, scale, mode)).toThrow(DivisionByZeroError);
              break;
            }
            const r = a.div(b, scale, mode);
            const p = 10n ** BigInt(scale);
            // a/b * 10^scale = (ra.n * rb.d * p) / (ra.d * rb.n)
            const want = roundRat(ra.n * rb.d * p, ra.d * rb.n, mode);
            ok(ratEq(ratOf(r), { n: want, d: p }), 'value differs from the rational reference');
            expect(r.scale).toBeLessThanOrEqual(scale);
            checkCanonical(r);
            break;
          }
          case 'round': {
            const r = a.round(scale, mode);
            const p = 10n ** BigInt(scale);
            ok(ratEq(ratOf(r), { n: roundRat(ra.n * p, ra.d, mode), d: p }), 'value differs from the rational reference');
            checkCanonical(r);
            break;
          }
          case 'quantize': {
            const step = b.abs();
            if (step.isZero()) {
              expect(() => a.quantize(step, mode)).toThrow(InvalidDecimalError);
              break;
            }
            const rs = ratOf(step);
            const r = a.quantize(step, mode);
            const k = roundRat(ra.n * rs.d, ra.d * rs.n, mode); // a / step, rounded
            ok(ratEq(ratOf(r), { n: k * rs.n, d: rs.d }), 'value differs from the rational reference');
            expect(r.isMultipleOf(step)).toBe(true);
            checkCanonical(r);
            break;
          }
          case 'cmp': {
            const want = ratCmp(ra, rb);
            expect(a.cmp(b)).toBe(want);
            expect(b.cmp(a)).toBe(want === 0 ? 0 : -want);
            expect(a.eq(b)).toBe(want === 0);
            expect(a.lt(b)).toBe(want < 0);
            expect(a.gte(b)).toBe(want >= 0);
            break;
          }
          case 'isMultipleOf': {
            // Make true cases common: b times a random integer.
            const x = int(0, 1) === 0 ? b.mul(BigInt(int(-50, 50))) : a;
            const rx = ratOf(x);
            const want = !b.isZero() && (rx.n * rb.d) % (rx.d * rb.n) === 0n;
            expect(x.isMultipleOf(b)).toBe(want);
            break;
          }
          case 'toFixed': {
            const s = a.toFixed(scale, mode);
            expect(s).toMatch(scale === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${scale}}$`));
            const p = 10n ** BigInt(scale);
            ok(ratEq(ratOf(d(s)), { n: roundRat(ra.n * p, ra.d, mode), d: p }), 'value differs from the rational reference');
            expect(s.startsWith('-') ? d(s).isNegative() : true).toBe(true); // never "-0.00"
            break;
          }
        }
      } catch (err) {
        (err as Error).message = `${at}: ${op}(${aText}, ${bText}, scale ${scale}, ${mode})\n${(err as Error).message}`;
        throw err;
      }
    }
    for (const op of ops) expect(counts[op]).toBeGreaterThan(700);
  }

  test('10,000 operations', () => {
    runOperations(randomDecimalText, 10_000, 12);
  });

  test('10,000 operations around 2^53, where the float coefficient hands over to bigint', () => {
    runOperations(boundaryDecimalText, 10_000, 24);
  });
});
