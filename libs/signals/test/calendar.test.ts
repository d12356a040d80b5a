import { CALENDAR_FEATURES, InvalidSignalInputError, calendarFeatures } from '../src';

test('calendar: hour of day and day of week (Monday 00:00 UTC = angle 0) on the unit circle', () => {
  const monday = Date.UTC(2024, 0, 1); // a Monday
  const f = calendarFeatures([monday, monday + 6 * 3_600_000, monday + 3.5 * 86_400_000, monday - 1]);
  expect(CALENDAR_FEATURES).toEqual(['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos']);
  expect(Array.from(f.subarray(0, 4))).toEqual([0, 1, 0, 1]);
  expect(f[4]).toBeCloseTo(1, 6); // 06:00: a quarter of the day
  expect(f[5]).toBeCloseTo(0, 6);
  expect(f[10]).toBeCloseTo(0, 6); // Thursday noon: half a week
  expect(f[11]).toBeCloseTo(-1, 6);
  expect(f[12]).toBeCloseTo(0, 6); // a millisecond before Monday: 23:59:59.999 on Sunday
  expect(f[13]).toBeCloseTo(1, 6);
});

test.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses a time of %p, naming its index', (bad) => {
  expect(() => calendarFeatures([0, bad])).toThrow(InvalidSignalInputError);
  expect(() => calendarFeatures([0, bad])).toThrow(/times\[1\]/);
});
