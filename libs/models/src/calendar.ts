import { InvalidDatasetError } from './errors';

// The calendar of bar times lives in libs/signals, shared with serving and backtests.
export { CALENDAR_FEATURES, calendarFeatures } from '@meridian/signals';

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
