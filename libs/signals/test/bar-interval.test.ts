import { Decimal, DomainError } from '@meridian/domain';
import { InvalidBarIntervalError, parseBarInterval, timeBarInterval, volumeBarInterval } from '../src';

const S = 1_000_000_000n;

test.each([
  ['1s', S],
  ['90s', 90n * S],
  ['1m', 60n * S],
  ['5m', 300n * S],
  ['90m', 90n * 60n * S],
  ['1h', 3_600n * S],
  ['36h', 36n * 3_600n * S],
  ['1d', 86_400n * S],
  ['7d', 7n * 86_400n * S],
])('time token %s is %d ns and formats back to itself', (token, ns) => {
  expect(parseBarInterval(token)).toEqual({ kind: 'time', token, ns });
  expect(timeBarInterval(ns).token).toBe(token);
});

test.each([
  ['v10', '10'],
  ['v1', '1'],
  ['v0p5', '0.5'],
  ['v1p25', '1.25'],
  ['v0p001', '0.001'],
  ['v250000', '250000'],
])('volume token %s is size %s and formats back to itself', (token, size) => {
  const parsed = parseBarInterval(token);
  expect(parsed.kind).toBe('volume');
  expect(parsed.token).toBe(token);
  if (parsed.kind === 'volume') expect(parsed.size.eq(size)).toBe(true);
  expect(volumeBarInterval(size).token).toBe(token);
  expect(volumeBarInterval(Decimal.parse(size)).token).toBe(token);
});

test('formatting picks the largest unit that divides the interval', () => {
  expect(timeBarInterval(120n * S).token).toBe('2m');
  expect(timeBarInterval(7_200n * S).token).toBe('2h');
  expect(timeBarInterval(61n * S).token).toBe('61s');
  expect(timeBarInterval(25n * 3_600n * S).token).toBe('25h');
  expect(volumeBarInterval('10.50').token).toBe('v10p5');
});

test.each([
  ['60s', '"1m"'],
  ['24h', '"1d"'],
  ['120m', '"2h"'],
  ['3600s', '"1h"'],
])('a non-canonical spelling %s is refused and the canonical one named', (token, canonical) => {
  expect(() => parseBarInterval(token)).toThrow(`invalid bar interval "${token}": write it as ${canonical}`);
});

// The last: a volume size finer than 36 fraction digits escaped as InvalidDecimalError (found by fuzzing).
test.each(['', '0s', '01m', '1', 'm', '1w', '1.5m', '-1m', ' 1m', '1m ', 'v', 'v0', 'v0p0', 'v01', 'v1p50', 'v1.5', 'vp5', 'v-1', 'V10', '1M', 'v1p', '1234567890s', `v1p${'1'.repeat(37)}`])(
  'the token %j is refused with a typed error naming it',
  (token) => {
    let err: unknown;
    try {
      parseBarInterval(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidBarIntervalError);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as InvalidBarIntervalError).code).toBe('INVALID_BAR_INTERVAL');
    expect((err as Error).message).toContain(`invalid bar interval ${JSON.stringify(token)}`);
  },
);

test('time intervals must be whole positive milliseconds, volume sizes positive', () => {
  expect(() => timeBarInterval(0n)).toThrow(InvalidBarIntervalError);
  expect(() => timeBarInterval(1_500_000n + 1n)).toThrow('a time bar interval is a positive whole number of milliseconds');
  expect(timeBarInterval(1_500_000_000n).token).toBe('1500ms');
  expect(parseBarInterval('100ms')).toEqual({ kind: 'time', token: '100ms', ns: 100_000_000n });
  expect(() => parseBarInterval('1000ms')).toThrow('write it as "1s"');
  expect(() => volumeBarInterval('0')).toThrow('a volume bar size must be positive');
  expect(() => volumeBarInterval('-2')).toThrow(InvalidBarIntervalError);
});

test('every token is one subject token (a-z A-Z 0-9 - _)', () => {
  for (const t of ['100ms', '1s', '5m', '1h', '1d', 'v0p5', 'v10']) expect(parseBarInterval(t).token).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(volumeBarInterval('123.456').token).toMatch(/^[A-Za-z0-9_-]+$/);
});
