import { sliceAt, twapSchedule, vwapSchedule } from '../src';
import { d } from './helpers';

describe('TWAP schedule', () => {
  it('splits 10 lots over 4 equal slices as 2, 5, 7, 10 (the remainder moves later, never lost)', () => {
    const s = twapSchedule({ startNs: 1000n, endNs: 1400n, lots: 10n, slices: 4, seed: 0, jitter: d('0.5') });
    expect(s.boundaries).toEqual([1000n, 1100n, 1200n, 1300n, 1400n]);
    expect(s.cumulativeLots).toEqual([2n, 5n, 7n, 10n]);
  });

  it('gives 0 to early slices when there are fewer lots than slices', () => {
    const s = twapSchedule({ startNs: 0n, endNs: 300n, lots: 2n, slices: 3, seed: 0, jitter: d('0.5') });
    expect(s.cumulativeLots).toEqual([0n, 1n, 2n]);
  });

  it('cuts a window by an interval, the last slice shorter, targets in proportion to time', () => {
    // 250 ns in slices of 100: [0,100) [100,200) [200,250); 10 lots × 100/250 = 4, × 200/250 = 8, then 10.
    const s = twapSchedule({ startNs: 0n, endNs: 250n, lots: 10n, sliceIntervalNs: 100n, seed: 0, jitter: d('0.5') });
    expect(s.boundaries).toEqual([0n, 100n, 200n, 250n]);
    expect(s.cumulativeLots).toEqual([4n, 8n, 10n]);
  });

  it('moves inner boundaries by at most jitter × half the shorter neighbour, the same way for the same seed', () => {
    const make = (seed: number) => twapSchedule({ startNs: 0n, endNs: 10_000n, lots: 100n, slices: 10, seed, jitter: d('0.5') });
    const a = make(42);
    expect(make(42)).toEqual(a);
    expect(make(43).boundaries).not.toEqual(a.boundaries);
    expect(a.boundaries[0]).toBe(0n);
    expect(a.boundaries[10]).toBe(10_000n);
    for (let k = 1; k < 10; k++) {
      const nominal = BigInt(k) * 1000n;
      const offset = a.boundaries[k]! - nominal;
      // 0.5 × 1000 / 2 = 250.
      expect(offset >= -250n && offset <= 250n).toBe(true);
      expect(a.boundaries[k]! > a.boundaries[k - 1]!).toBe(true);
    }
    // Randomised times, not randomised quantities.
    expect(a.cumulativeLots).toEqual(make(0).cumulativeLots);
  });

  it('finds the slice of a time', () => {
    const s = twapSchedule({ startNs: 1000n, endNs: 1400n, lots: 10n, slices: 4, seed: 0, jitter: d('0.5') });
    expect([999n, 1000n, 1099n, 1100n, 1399n, 1400n, 5000n].map((t) => sliceAt(s, t))).toEqual([-1, 0, 0, 1, 3, 4, 4]);
  });
});

describe('VWAP schedule', () => {
  it('follows the cumulative profile: 100 lots over 0.1, 0.2, 0.3, 0.4 is 10, 30, 60, 100', () => {
    const s = vwapSchedule({ startNs: 0n, endNs: 400n, lots: 100n, profile: [d('0.1'), d('0.2'), d('0.3'), d('0.4')] });
    expect(s.boundaries).toEqual([0n, 100n, 200n, 300n, 400n]);
    expect(s.cumulativeLots).toEqual([10n, 30n, 60n, 100n]);
  });

  it('rounds cumulative targets down: 7 lots over four quarters is 1, 3, 5, 7', () => {
    const s = vwapSchedule({ startNs: 0n, endNs: 400n, lots: 7n, profile: [d('0.25'), d('0.25'), d('0.25'), d('0.25')] });
    expect(s.cumulativeLots).toEqual([1n, 3n, 5n, 7n]);
  });

  it('keeps a zero bucket at the previous target', () => {
    const s = vwapSchedule({ startNs: 0n, endNs: 300n, lots: 9n, profile: [d('0.5'), d(0), d('0.5')] });
    expect(s.cumulativeLots).toEqual([4n, 4n, 9n]);
  });
});
