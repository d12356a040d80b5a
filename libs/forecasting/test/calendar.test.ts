import { calendarFeatures as modelsCalendar } from '@meridian/models';
import { calendarFeatures } from '../src';

// libs/forecasting repeats libs/models' calendar (importing libs/models would load TensorFlow.js): the
// TFT's known future inputs must be the ones it was trained on, value for value.
test('the calendar features equal libs/models’ own at every hour, weekday and odd instant', () => {
  const times: number[] = [];
  for (let h = -48; h < 24 * 9; h++) times.push(Date.UTC(2026, 0, 1) + h * 3_600_000 + (h % 7) * 61_001);
  times.push(0, -1, 1e12 + 0.5, Date.UTC(2030, 5, 30, 23, 59, 59, 999));
  expect(calendarFeatures(times)).toEqual(modelsCalendar(times));
});
