import { InvalidSignalInputError } from './errors';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
// 1970-01-01 was a Thursday (day 3 of a week starting on Monday): shift so that a week starts on Monday 00:00 UTC.
const MONDAY_OFFSET_MS = 3 * DAY_MS;

/** Column names of calendarFeatures. */
export const CALENDAR_FEATURES = ['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos'] as const;

/**
 * Known-in-advance inputs from bar start times (UTC): time of day and day of week as points on
 * a circle (sin, cos), so 23:00 sits next to 00:00. [T, 4] row-major. One home for training
 * (libs/models), live inference and the backtester (libs/forecasting): a model's known future
 * inputs are the ones it was trained on, value for value.
 */
export function calendarFeatures(times: ArrayLike<number>): Float32Array {
  const w = CALENDAR_FEATURES.length;
  const out = new Float32Array(times.length * w);
  for (let t = 0; t < times.length; t++) {
    const ms = times[t]!;
    if (!Number.isFinite(ms)) throw new InvalidSignalInputError(`times[${t}]`, ms, 'is not a finite time');
    const day = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
    const week = ((((ms + MONDAY_OFFSET_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS) / WEEK_MS;
    out[t * w] = Math.sin(2 * Math.PI * day);
    out[t * w + 1] = Math.cos(2 * Math.PI * day);
    out[t * w + 2] = Math.sin(2 * Math.PI * week);
    out[t * w + 3] = Math.cos(2 * Math.PI * week);
  }
  return out;
}
