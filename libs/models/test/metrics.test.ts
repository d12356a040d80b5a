import {
  autocorrelation,
  mase,
  movingAverageForecast,
  multiplicativeSeasonalIndices,
  naive2Forecast,
  naiveForecast,
  owa,
  seasonalNaiveForecast,
  seasonalityTest,
  smape,
} from '../src';

describe('M4 metrics, by hand', () => {
  test('sMAPE = 200/h Σ|Y − F|/(|Y| + |F|)', () => {
    // |10−8|/18 = 0.1111, |20−25|/45 = 0.1111, 0/0 → 0
    expect(smape([10, 20, 0], [8, 25, 0])).toBeCloseTo((200 / 3) * (2 / 18 + 5 / 45), 12);
  });

  test('MASE divides by the in-sample mean absolute seasonal difference', () => {
    const insample = [1, 2, 3, 5, 4, 6]; // m = 2: |3−1| + |5−2| + |4−3| + |6−5| = 7, / 4
    expect(mase(insample, [7, 8], [6, 10], 2)).toBeCloseTo(1.5 / (7 / 4), 12);
  });

  test('OWA averages the two ratios to Naive2', () => {
    expect(owa(9.328, 0.893, 18.383, 2.395)).toBeCloseTo((9.328 / 18.383 + 0.893 / 2.395) / 2, 12);
  });
});

describe('baselines', () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6];
  test('naive, seasonal naive and moving average', () => {
    expect(Array.from(naiveForecast(x, 3))).toEqual([6, 6, 6]);
    expect(Array.from(seasonalNaiveForecast(x, 5, 3))).toEqual([9, 2, 6, 9, 2]);
    expect(Array.from(movingAverageForecast(x, 2, 4))).toEqual([5.5, 5.5]);
  });

  test('autocorrelation as R acf (demeaned, full-length denominator)', () => {
    const y = [1, 2, 3, 4];
    // mean 2.5, deviations −1.5 −0.5 0.5 1.5, Σd² = 5; r1 = (0.75 − 0.25 + 0.75)/5
    expect(autocorrelation(y, 2)[0]).toBeCloseTo(1.25 / 5, 12);
    expect(autocorrelation(y, 2)[1]).toBeCloseTo((-0.75 - 0.75) / 5, 12);
  });

  test('seasonality test: a clear cycle is seasonal, white noise is not, short series never', () => {
    let s = 1;
    const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
    const cycle = Array.from({ length: 300 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 24) + 0.1 * noise());
    const flat = Array.from({ length: 300 }, () => 10 + noise());
    expect(seasonalityTest(cycle, 24)).toBe(true);
    expect(seasonalityTest(flat, 24)).toBe(false);
    expect(seasonalityTest(cycle.slice(0, 71), 24)).toBe(false);
    // R's acf stops at lag floor(10·log10(n)) = 23 for n = 240: lag 24 is NA there, which the M4 code reads as not seasonal.
    expect(seasonalityTest(cycle.slice(0, 240), 24)).toBe(false);
    expect(seasonalityTest(cycle.slice(0, 252), 24)).toBe(true);
  });

  test('multiplicative decomposition (R decompose) recovers a multiplicative cycle exactly on a flat level', () => {
    const pattern = [0.5, 1.5, 1.0, 1.0];
    const series = Array.from({ length: 16 }, (_, t) => 100 * pattern[t % 4]!);
    const si = multiplicativeSeasonalIndices(series, 4);
    for (let t = 0; t < 16; t++) expect(si[t]).toBeCloseTo(pattern[t % 4]!, 12);
  });

  test('Naive2 = last deseasonalised value × the last season\'s indices; naive when not seasonal', () => {
    const pattern = [0.5, 1.5, 1.0, 1.0];
    const series = Array.from({ length: 16 }, (_, t) => 100 * pattern[t % 4]!);
    // n = 16 < 3·m needs m ≤ 5; the lag-4 autocorrelation of an exact cycle is clearly significant.
    expect(seasonalityTest(series, 4)).toBe(true);
    const f = naive2Forecast(series, 6, 4);
    Array.from(f).forEach((v, i) => expect(v).toBeCloseTo(100 * pattern[i % 4]!, 9));
    const trend = Array.from({ length: 16 }, (_, t) => t + 1);
    expect(Array.from(naive2Forecast(trend, 3, 4))).toEqual([16, 16, 16]);
  });
});
