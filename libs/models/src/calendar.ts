import { InvalidDatasetError } from './errors';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
// 1970-01-01 was a Thursday (day 3 of a week starting on Monday): shift so that a week starts on Monday 00:00 UTC.
const MONDAY_OFFSET_MS = 3 * DAY_MS;

/** Column names of calendarFeatures. */
export const CALENDAR_FEATURES = ['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos'] as const;

/**
 * Known-in-advance inputs from bar start times (UTC): time of day and day of week as points on
 * a circle (sin, cos), so 23:00 sits next to 00:00. [T, 4] row-major.
 */
export function calendarFeatures(times: ArrayLike<number>): Float32Array {
  const out = new Float32Array(times.length * 4);
  for (let t = 0; t < times.length; t++) {
    const ms = times[t]!;
    if (!Number.isFinite(ms)) throw new InvalidDatasetError(`times[${t}]`, ms, 'is not a finite number');
    const day = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
    const week = ((((ms + MONDAY_OFFSET_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS) / WEEK_MS;
    out[t * 4] = Math.sin(2 * Math.PI * day);
    out[t * 4 + 1] = Math.cos(2 * Math.PI * day);
    out[t * 4 + 2] = Math.sin(2 * Math.PI * week);
    out[t * 4 + 3] = Math.cos(2 * Math.PI * week);
  }
  return out;
}

/**
 * Position-based cycles for series without timestamps (M4): for each period p, sin and cos of
 * 2π(t mod p)/p, t counted from the series' first observation. [length, 2·periods] row-major.
 */
export function cyclicFeatures(length: number, periods: readonly number[]): Float32Array {
  for (const p of periods) if (!(p > 0)) throw new InvalidDatasetError('period', p, 'must be positive');
  const w = 2 * periods.length;
  const out = new Float32Array(length * w);
  for (let t = 0; t < length; t++) {
    periods.forEach((p, j) => {
      const phase = (2 * Math.PI * (t % p)) / p;
      out[t * w + 2 * j] = Math.sin(phase);
      out[t * w + 2 * j + 1] = Math.cos(phase);
    });
  }
  return out;
}
