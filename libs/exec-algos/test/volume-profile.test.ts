import { Decimal } from '@meridian/domain';
import { InvalidAlgoInputError, NS_PER_DAY, buildVolumeProfile, validateVolumeProfile } from '../src';
import { BTC_BARS_FILE, dataPresent, leanMinuteFile, profileBars, readBinanceBars, readLeanTradeBars } from './support/markets';
import { d } from './helpers';

const H = 3_600_000_000_000n;
const MIN = 60_000_000_000n;

describe('buildVolumeProfile, worked by hand', () => {
  it('averages each day’s fractions by time of day, skipping days without volume and bars outside the session', () => {
    // Session [0, 400) ns of the day in 4 buckets of 100 ns.
    const bars = [
      // Day 0: 1, 1, 1, 1 → a quarter each.
      ...[0n, 100n, 200n, 300n].map((t) => ({ startNs: t, volume: d(1) })),
      // Day 1: 2, 0, 0, 2 → a half, nothing, nothing, a half. Its bar at 450 ns is outside the session.
      { startNs: NS_PER_DAY, volume: d(2) },
      { startNs: NS_PER_DAY + 399n, volume: d(2) },
      { startNs: NS_PER_DAY + 450n, volume: d(1000) },
      // Day 2 traded nothing: it does not count as a day.
      { startNs: 2n * NS_PER_DAY + 10n, volume: d(0) },
    ];
    const profile = buildVolumeProfile(bars, { sessionStartNs: 0n, sessionEndNs: 400n, buckets: 4 });
    expect(profile).toEqual([d('0.375'), d('0.125'), d('0.125'), d('0.375')]);
  });

  it('puts the rounding residue in the largest bucket so the sum is exactly 1', () => {
    const bars = [0n, 1n, 2n].map((t) => ({ startNs: t, volume: d(1) }));
    const profile = buildVolumeProfile(bars, { sessionStartNs: 0n, sessionEndNs: 3n, buckets: 3 });
    expect(profile).toEqual([d('0.333333333334'), d('0.333333333333'), d('0.333333333333')]);
    expect(Decimal.sum(profile)).toEqual(Decimal.ONE);
  });

  it('shifts bars into local time with the UTC offset', () => {
    // 13:30 UTC is 09:30 in New York in summer (UTC-4): the first bucket of a 09:30-10:30 session.
    const bars = [{ startNs: 13n * H + 30n * MIN, volume: d(5) }, { startNs: 14n * H + 15n * MIN, volume: d(15) }];
    const profile = buildVolumeProfile(bars, { sessionStartNs: 9n * H + 30n * MIN, sessionEndNs: 10n * H + 30n * MIN, buckets: 2, utcOffsetNs: -4n * H });
    expect(profile).toEqual([d('0.25'), d('0.75')]);
  });

  it('refuses bad options and bars, naming them', () => {
    const bar = [{ startNs: 0n, volume: d(1) }];
    expect(() => buildVolumeProfile(bar, { sessionStartNs: 10n, sessionEndNs: 5n, buckets: 1 })).toThrow(/sessionEndNs/);
    expect(() => buildVolumeProfile(bar, { sessionStartNs: 0n, sessionEndNs: 5n, buckets: 6 })).toThrow(/buckets/);
    expect(() => buildVolumeProfile([{ startNs: 0n, volume: d(-1) }], { sessionStartNs: 0n, sessionEndNs: 5n, buckets: 1 })).toThrow(/bars\[0\]\.volume/);
    expect(() => buildVolumeProfile([{ startNs: 9n, volume: d(1) }], { sessionStartNs: 0n, sessionEndNs: 5n, buckets: 1 })).toThrow(InvalidAlgoInputError);
  });

  it('validates a given profile exactly', () => {
    expect(validateVolumeProfile([d('0.3'), d('0.7')])).toEqual([d('0.3'), d('0.7')]);
    expect(() => validateVolumeProfile([d('0.3'), d('0.6999999')])).toThrow(/must sum to exactly 1, got 0.9999999/);
  });
});

describe('buildVolumeProfile on real bars', () => {
  const spyDays = ['20131004', '20131007', '20131008', '20131009', '20131010', '20131011'];
  const spyPresent = dataPresent(...spyDays.map((day) => leanMinuteFile('spy', day, 'trade')));

  (spyPresent ? it : it.skip)('SPY minute bars of six days, 09:30-16:00 in 13 half hours: sums to 1, the U shape of the equity day', () => {
    const bars = spyDays.flatMap((day) => profileBars(readLeanTradeBars('spy', day)));
    const profile = buildVolumeProfile(bars, { sessionStartNs: 9n * H + 30n * MIN, sessionEndNs: 16n * H, buckets: 13 });
    expect(Decimal.sum(profile)).toEqual(Decimal.ONE);
    expect(profile).toHaveLength(13);
    const middle = profile.slice(2, 11);
    const maxMiddle = middle.reduce((m, f) => Decimal.max(m, f));
    // Opening and closing half hours trade more than any half hour in between.
    expect(profile[0]!.gt(maxMiddle)).toBe(true);
    expect(profile[12]!.gt(maxMiddle)).toBe(true);
  });

  (dataPresent(BTC_BARS_FILE) ? it : it.skip)('BTCUSDT 1m bars of 21 days, 24 hourly buckets: sums to 1, every hour trades', () => {
    const profile = buildVolumeProfile(profileBars(readBinanceBars(BTC_BARS_FILE)), { sessionStartNs: 0n, sessionEndNs: NS_PER_DAY, buckets: 24 });
    expect(Decimal.sum(profile)).toEqual(Decimal.ONE);
    for (const f of profile) expect(f.isPositive()).toBe(true);
    // Crypto trades around the clock: no hour holds a third of the day.
    for (const f of profile) expect(f.lt(d('0.333'))).toBe(true);
  });
});
