import { DEFAULT_MIN_ANNUALISED_DAYS, MomentumStrategy, arraySource, computeMetrics, runBacktest, syntheticBars } from '../src';
import type { BacktestProgress } from '../src';
import { T0, config, d, walk } from './helpers';

const T0_MS = Number(T0 / 1_000_000n);

describe('progress', () => {
  test('is reported every progressEvery events with the event time reached, and once at the end', async () => {
    const seen: BacktestProgress[] = [];
    // Two symbols of 1,250 one-minute bars: 2,500 events, merged by time (A then B at each minute).
    const result = await runBacktest({
      config: config(['AAA-USDT', 'BBB-USDT']),
      sources: [syntheticBars({ symbols: ['AAA-USDT', 'BBB-USDT'], bars: 1_250, seed: 3 })],
      strategies: [new MomentumStrategy({ interval: '1m' })],
      onProgress: (p) => seen.push(p),
      progressEvery: 1_000,
    });
    expect(result.counts.events).toBe(2_500);
    // Event 1,000 is B's bar of minute 499 (it closes at minute 500); 2,000 that of minute 999; the end at minute 1,250.
    expect(seen).toEqual([
      { events: 1_000, eventTimeMs: T0_MS + 500 * 60_000 },
      { events: 2_000, eventTimeMs: T0_MS + 1_000 * 60_000 },
      { events: 2_500, eventTimeMs: T0_MS + 1_250 * 60_000 },
    ]);
  });

  test('defaults to every 10,000 events; an end on a multiple is not reported twice; no events, one report of 0', async () => {
    const at = async (bars: number, progressEvery?: number) => {
      const seen: number[] = [];
      await runBacktest({ config: config(['AAA-USDT']), sources: [syntheticBars({ symbols: ['AAA-USDT'], bars, seed: 1 })], strategies: [new MomentumStrategy({ interval: '1m' })], onProgress: (p) => seen.push(p.events), progressEvery });
      return seen;
    };
    expect(await at(25_000)).toEqual([10_000, 20_000, 25_000]);
    expect(await at(300, 100)).toEqual([100, 200, 300]);
    expect(await at(0)).toEqual([0]);
    await expect(at(10, 0)).rejects.toThrow(/progressEvery: 0 must be a positive integer/);
  });
});

describe('annualised figures of short runs', () => {
  const curve = (days: number) => [
    { tsMs: 0, equity: '100' },
    { tsMs: days * 86_400_000, equity: '99.98' },
  ];
  const metrics = (days: number, minAnnualisedSpanMs?: number) =>
    computeMetrics({ equity: curve(days), trips: [], initialEquity: d('100'), fees: d('0'), turnover: d('0'), exposedNs: 0n, spanNs: 0n, periodsPerYear: 365.25, minAnnualisedSpanMs });

  test('are null below the minimum span and computed from it on', () => {
    const minMs = 30 * 86_400_000;
    // 50 minutes losing 0.02 %: compounded to a year, about −88 %; not reported.
    expect(metrics(50 / 1440).annualisedReturn).toBeCloseTo(Math.pow(0.9998, (365.25 * 1440) / 50) - 1, 12);
    expect(metrics(50 / 1440, minMs).annualisedReturn).toBeNull();
    expect(metrics(50 / 1440, minMs).calmar).toBeNull();
    expect(metrics(50 / 1440, minMs).totalReturn).toBeCloseTo(-0.0002, 12);
    expect(metrics(30, minMs).annualisedReturn).toBeCloseTo(Math.pow(0.9998, 365.25 / 30) - 1, 12);
    expect(metrics(30, minMs).calmar).not.toBeNull();
  });

  test('a run under the configured minimum (30 days by default) reports them as null', async () => {
    expect(DEFAULT_MIN_ANNUALISED_DAYS).toBe(30);
    const bars = walk('AAA-USDT', 600, 9);
    const run = (minAnnualisedDays?: number) =>
      runBacktest({ config: config(['AAA-USDT'], minAnnualisedDays === undefined ? {} : { minAnnualisedDays }), sources: [arraySource('b', bars)], strategies: [new MomentumStrategy({ interval: '1m', strategy: { entryThreshold: 0.1, intentIntervalMs: 0 } })] });
    const short = await run();
    expect(short.orders.length).toBeGreaterThan(0);
    expect(short.metrics.totalReturn).not.toBeNull();
    expect(short.metrics.annualisedReturn).toBeNull();
    expect(short.metrics.calmar).toBeNull();
    expect(short.config).toMatchObject({ minAnnualisedDays: 30 });
    const always = await run(0);
    expect(always.metrics.annualisedReturn).not.toBeNull();
    expect(always.metrics.totalReturn).toBe(short.metrics.totalReturn);
  });
});
