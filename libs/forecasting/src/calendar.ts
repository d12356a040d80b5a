/** Known future inputs the bar path computes: the calendar (hour and weekday, sin and cos). */
export const CALENDAR_COLUMNS = 4;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
// 1970-01-01 was a Thursday (day 3 of a week starting on Monday): shift so that a week starts on Monday 00:00 UTC.
const MONDAY_OFFSET_MS = 3 * DAY_MS;

/**
 * The known future inputs the bar models were trained with: libs/models' `calendarFeatures`
 * (hour of day and day of week, sin and cos, UTC), [T, 4] row-major. Repeated here because
 * importing libs/models loads TensorFlow.js, which the inference service and the backtester
 * (which run ONNX files) have no use for; test/calendar.test.ts checks it against libs/models'
 * own, value for value.
 */
export function calendarFeatures(times: ArrayLike<number>): Float32Array {
  const out = new Float32Array(times.length * 4);
  for (let t = 0; t < times.length; t++) {
    const ms = times[t]!;
    const day = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
    const week = ((((ms + MONDAY_OFFSET_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS) / WEEK_MS;
    out[t * 4] = Math.sin(2 * Math.PI * day);
    out[t * 4 + 1] = Math.cos(2 * Math.PI * day);
    out[t * 4 + 2] = Math.sin(2 * Math.PI * week);
    out[t * 4 + 3] = Math.cos(2 * Math.PI * week);
  }
  return out;
}
