// Every streaming indicator against independent implementations — technicalindicators 3.1.0 (batch
// `calculate`) and trading-signals 8.3.0 (streaming `add`) — on real bars (Binance BTCUSDT hourly,
// Lean SPY daily; skipped with a message when ../shared/data is absent) and on a generated series
// that is always there. Where a peer follows another convention, the test aligns it or checks the
// exact size of the difference; it never widens a tolerance to hide one. See README "Checked against".
import * as ti from 'technicalindicators';
import * as ts from 'trading-signals';
import { Atr, BollingerBands, Ema, LogReturns, Macd, RealizedVolatility, Returns, RollingStd, RollingZScore, Rsi, Sma, Vwap } from '../src';
import type { Bar, Indicator } from '../src';
import { BTC_HOURLY, SPY_DAILY, btcHourly, generatedBars, spyDaily } from './bars';

type Series = (number | undefined)[];

/**
 * Float tolerance, relative to the series' scale (its largest close or volume) for values in those
 * units, absolute for dimensionless ones (returns, volatility; RSI is divided by 100), and for
 * ratios with a small denominator (%b, bandwidth, z-score) in the units of the numerator. The
 * implementations add the same numbers in different orders (compensated vs plain sums, running
 * vs two-pass deviations), so they differ by accumulated rounding and by nothing else: the
 * largest difference measured is 7e-15 of scale (SIGNALS_PEER_REPORT=1 prints them all); 1e-12
 * leaves room for other data while a difference of convention (a seed, a warm-up, σ over n - 1)
 * would be orders of magnitude larger.
 */
const TOL = 1e-12;

function run<In, Out>(ind: Indicator<In, Out>, inputs: readonly In[]): (Out | undefined)[] {
  return inputs.map((x) => ind.update(x));
}

/** A technicalindicators batch result, which omits the warm-up, padded back to one entry per input. */
function padded<T>(n: number, values: readonly T[]): (T | undefined)[] {
  return [...new Array<T | undefined>(n - values.length).fill(undefined), ...values];
}

/** A trading-signals indicator fed input by input: what `add` returns once it calls itself stable. */
function streamed<In, Out>(ind: { add(x: In): Out | null; readonly isStable: boolean }, inputs: readonly In[]): (Out | undefined)[] {
  return inputs.map((x) => {
    const r = ind.add(x);
    return ind.isStable && r !== null ? r : undefined;
  });
}

const firstDefined = (s: readonly unknown[]) => s.findIndex((v) => v !== undefined);

/**
 * Both warm on the same input and stay warm; the largest |a - b| (times `weight(i)`, for values
 * whose rounding is amplified by a small denominator) over [from, n) where `keep(i)`.
 */
function compare(
  a: Series,
  b: Series,
  options: { from?: number; keep?: (i: number) => boolean; weight?: (i: number) => number } = {},
): { maxError: number; compared: number } {
  expect(a).toHaveLength(b.length);
  expect(firstDefined(a)).toBe(firstDefined(b));
  const from = Math.max(options.from ?? 0, firstDefined(a));
  let maxError = 0;
  let compared = 0;
  let holes = 0;
  for (let i = from; i < a.length; i++) {
    if (a[i] === undefined || b[i] === undefined) holes++;
    else if (!options.keep || options.keep(i)) {
      maxError = Math.max(maxError, Math.abs(a[i]! - b[i]!) * (options.weight ? options.weight(i) : 1));
      compared++;
    }
  }
  expect(holes).toBe(0);
  expect(compared).toBeGreaterThan(0);
  return { maxError, compared };
}

const pick = <T, K extends keyof T>(s: readonly (T | null | undefined)[], k: K) => s.map((v) => (v === undefined || v === null ? undefined : (v[k] as number)));

const measured: string[] = [];
function report(series: string, what: string, r: { maxError: number; compared: number }, scale = 1): void {
  measured.push(`${series} | ${what} | ${r.compared} | ${(r.maxError / scale).toExponential(1)}`);
}
afterAll(() => {
  if (process.env.SIGNALS_PEER_REPORT) console.log(`series | comparison | values | max error (relative to scale)\n${measured.join('\n')}`);
});

const SOURCES: [string, string, () => Bar[] | null][] = [
  ['BTCUSDT 1h', BTC_HOURLY, btcHourly],
  ['SPY 1d', SPY_DAILY, spyDaily],
  ['generated', '(generated)', () => generatedBars(20_000, 7)],
];

describe.each(SOURCES)('%s bars', (label, path, load) => {
  const bars = load();
  if (bars === null) console.log(`${label}: peer comparison skipped, ${path} is absent (see ../shared/data/MANIFEST.md)`);
  const maybe = bars === null ? test.skip : test;
  const b = bars ?? [];
  const n = b.length;
  const close = b.map((x) => x.close);
  const high = b.map((x) => x.high);
  const low = b.map((x) => x.low);
  const volume = b.map((x) => x.volume);
  const scale = Math.max(...close);

  maybe('SMA(20) matches both peers', () => {
    const ours = run(new Sma(20), close);
    const r1 = compare(ours, padded(n, ti.SMA.calculate({ period: 20, values: close })));
    const r2 = compare(ours, streamed(new ts.SMA(20), close));
    report(label, 'SMA(20) vs technicalindicators', r1, scale);
    report(label, 'SMA(20) vs trading-signals', r2, scale);
    expect(r1.maxError).toBeLessThan(TOL * scale);
    expect(r2.maxError).toBeLessThan(TOL * scale);
  });

  maybe('EMA(20) matches technicalindicators (SMA seed); trading-signals differs by its seed, decaying by exactly (1 - alpha) per input', () => {
    const ours = run(new Ema(20), close);
    const r1 = compare(ours, padded(n, ti.EMA.calculate({ period: 20, values: close })));
    report(label, 'EMA(20) vs technicalindicators', r1, scale);
    expect(r1.maxError).toBeLessThan(TOL * scale);
    // trading-signals seeds with the first input instead of the mean of the first 20; from then
    // on both run e += alpha (x - e), so the gap d obeys d[t] = (1 - alpha) d[t-1] exactly.
    const theirs = streamed(new ts.EMA(20), close);
    const w = firstDefined(ours);
    expect(firstDefined(theirs)).toBe(w);
    const alpha = 2 / 21;
    const d0 = ours[w]! - theirs[w]!;
    let maxError = 0;
    for (let i = w; i < n; i++) maxError = Math.max(maxError, Math.abs(ours[i]! - theirs[i]! - d0 * (1 - alpha) ** (i - w)));
    report(label, 'EMA(20) vs trading-signals minus the seed gap', { maxError, compared: n - w }, scale);
    expect(maxError).toBeLessThan(TOL * scale);
  });

  maybe('RSI(14) matches trading-signals (Wilder seed); technicalindicators rounds to 2 decimals', () => {
    const ours = run(new Rsi(14), close);
    const theirs = streamed(new ts.RSI(14), close);
    // Neither gains nor losses in the window: we read 50, trading-signals 100 (it tests the loss alone).
    const flat = (i: number) => ours[i] === 50 && theirs[i] === 100;
    const r1 = compare(ours, theirs, { keep: (i) => !flat(i) });
    report(label, 'RSI(14) vs trading-signals', r1, 100);
    expect(r1.maxError).toBeLessThan(TOL * 100);
    const r2 = compare(ours, padded(n, ti.RSI.calculate({ period: 14, values: close })), { keep: (i) => !flat(i) });
    report(label, 'RSI(14) vs technicalindicators (2 decimals)', r2, 100);
    expect(r2.maxError).toBeLessThanOrEqual(0.005 + TOL * 100);
  });

  maybe('RollingStd(20) matches technicalindicators SD (population)', () => {
    const r = compare(run(new RollingStd(20), close), padded(n, ti.SD.calculate({ period: 20, values: close })));
    report(label, 'RollingStd(20) vs technicalindicators', r, scale);
    expect(r.maxError).toBeLessThan(TOL * scale);
  });

  maybe('MACD(12, 26, 9) matches technicalindicators with EMA oscillator and signal', () => {
    const ours = run(new Macd(12, 26, 9), close);
    const theirs = padded(n, ti.MACD.calculate({ values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }));
    // technicalindicators emits the MACD line from input 26 and the signal from input 34; we emit
    // all three together, so compare from our first value.
    const w = firstDefined(ours);
    expect(w).toBe(26 + 9 - 2);
    expect(firstDefined(theirs)).toBe(25);
    expect(theirs[w - 1]!.signal).toBeUndefined();
    const defined = (s: (number | undefined)[]) => s.map((v, i) => (i < w ? undefined : v));
    for (const k of ['macd', 'signal', 'histogram'] as const) {
      const r = compare(pick(ours, k), defined(pick(theirs, k === 'macd' ? 'MACD' : k)));
      report(label, `MACD ${k} vs technicalindicators`, r, scale);
      expect(r.maxError).toBeLessThan(TOL * scale);
    }
  });

  maybe('Bollinger(20, 2) matches both peers; %b and bandwidth follow from the bands', () => {
    const ours = run(new BollingerBands(20, 2), close);
    const tiBands = padded(n, ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: close }));
    const tsBands = streamed(new ts.BollingerBands(20, 2), close);
    for (const k of ['middle', 'upper', 'lower'] as const) {
      const r1 = compare(pick(ours, k), pick(tiBands, k));
      const r2 = compare(pick(ours, k), pick(tsBands, k));
      report(label, `Bollinger ${k} vs technicalindicators`, r1, scale);
      report(label, `Bollinger ${k} vs trading-signals`, r2, scale);
      expect(r1.maxError).toBeLessThan(TOL * scale);
      expect(r2.maxError).toBeLessThan(TOL * scale);
    }
    // A flat window (σ exactly 0): we read %b 0.5 and bandwidth 0 where the peers divide 0 by 0
    // (or by their rounding noise), so those are checked for a zero-width band instead.
    const flat = (i: number) => ours[i]!.upper === ours[i]!.lower;
    const w = firstDefined(ours);
    let flats = 0;
    for (let i = w; i < n; i++) {
      if (!flat(i)) continue;
      flats++;
      expect(tsBands[i]!.upper - tsBands[i]!.lower).toBeLessThan(TOL * scale);
    }
    // %b divides a price difference by the band width, and bandwidth one by the middle: their
    // errors are compared in price units, as the bands' are.
    const width = (i: number) => ours[i]!.upper - ours[i]!.lower;
    const r1 = compare(pick(ours, 'percentB'), pick(tiBands, 'pb'), { keep: (i) => !flat(i), weight: (i) => width(i) / scale });
    const r2 = compare(
      pick(ours, 'bandwidth'),
      tiBands.map((t) => (t === undefined ? undefined : (t.upper - t.lower) / t.middle)),
      { keep: (i) => !flat(i), weight: (i) => ours[i]!.middle / scale },
    );
    report(label, `Bollinger %b vs technicalindicators pb (× width), ${flats} flat windows apart`, r1);
    report(label, 'Bollinger bandwidth vs technicalindicators bands (× middle)', r2);
    expect(r1.maxError).toBeLessThan(TOL);
    expect(r2.maxError).toBeLessThan(TOL);
  });

  maybe('ATR(14) matches technicalindicators (TA-Lib convention); trading-signals seeds with one more range and converges', () => {
    const ours = run(new Atr(14), b);
    const r1 = compare(ours, padded(n, ti.ATR.calculate({ period: 14, high, low, close })));
    report(label, 'ATR(14) vs technicalindicators', r1, scale);
    expect(r1.maxError).toBeLessThan(TOL * scale);
    // trading-signals counts the first bar's high - low as a true range, so it warms one bar earlier
    // with another seed; after that both apply Wilder's step and the gap shrinks by 13/14 per bar.
    const theirs = streamed(new ts.ATR(14), b);
    expect(firstDefined(theirs)).toBe(firstDefined(ours) - 1);
    const w = firstDefined(ours);
    const d0 = ours[w]! - theirs[w]!;
    let maxError = 0;
    for (let i = w; i < n; i++) maxError = Math.max(maxError, Math.abs(ours[i]! - theirs[i]! - d0 * (13 / 14) ** (i - w)));
    report(label, 'ATR(14) vs trading-signals minus the seed gap', { maxError, compared: n - w }, scale);
    expect(maxError).toBeLessThan(TOL * scale);
  });

  maybe('VWAP: session mode matches technicalindicators restarted each UTC day; rolling matches trading-signals VWMA of the typical price', () => {
    const day = 86_400_000;
    const ours = run(new Vwap({ sessionMs: day }), b);
    const theirs: Series = [];
    let session: number | undefined;
    let current: InstanceType<typeof ti.VWAP> | undefined;
    for (const bar of b) {
      const s = Math.floor(bar.startMs / day);
      if (s !== session) {
        session = s;
        current = new ti.VWAP({ high: [], low: [], close: [], volume: [] });
      }
      theirs.push(current!.nextValue(bar));
    }
    // A session that has seen no volume yet: we read the typical price, the peer 0/0.
    const r1 = compare(ours, theirs.map((v, i) => (v === undefined || Number.isNaN(v) ? (b[i]!.high + b[i]!.low + b[i]!.close) / 3 : v)));
    report(label, 'VWAP(UTC day) vs technicalindicators per session', r1, scale);
    expect(r1.maxError).toBeLessThan(TOL * scale);

    const rolling = run(new Vwap({ period: 24 }), b);
    const vwma = streamed(new ts.VWMA(24), b.map((x) => ({ high: x.high, low: x.low, close: (x.high + x.low + x.close) / 3, volume: x.volume })));
    // trading-signals has no value for a window without volume; we read the typical price there.
    const r2 = compare(rolling, vwma.map((v, i) => (v === undefined && i >= 23 ? (b[i]!.high + b[i]!.low + b[i]!.close) / 3 : v)));
    report(label, 'VWAP(24 bars) vs trading-signals VWMA', r2, scale);
    expect(r2.maxError).toBeLessThan(TOL * scale);
  });

  maybe('returns and log returns over 1 and 24 bars match technicalindicators ROC', () => {
    for (const period of [1, 24]) {
      const roc = padded(n, ti.ROC.calculate({ period, values: close }));
      const r1 = compare(run(new Returns(period), close), roc.map((v) => (v === undefined ? undefined : v / 100)));
      const r2 = compare(run(new LogReturns(period), close), roc.map((v) => (v === undefined ? undefined : Math.log1p(v / 100))));
      report(label, `return(${period}) vs technicalindicators ROC/100`, r1);
      report(label, `log return(${period}) vs ln(1 + ROC/100)`, r2);
      expect(r1.maxError).toBeLessThan(TOL);
      expect(r2.maxError).toBeLessThan(TOL);
    }
  });

  // technicalindicators' SD (and so its Bollinger bands) stops summing at the first exact 0 in the
  // window (its list iterator tests values for truthiness): right for prices, wrong for log
  // returns and volumes, which are often exactly 0. trading-signals' Bollinger bands with one σ
  // give the window's mean (middle) and population σ (upper - middle) by a two-pass recompute.
  const meanAndSigma = (period: number, xs: readonly number[]) =>
    streamed(new ts.BollingerBands(period, 1), xs).map((r) => (r === undefined ? undefined : { mean: r.middle, sigma: r.upper - r.middle }));

  maybe('realized volatility(24, annualised) matches the σ of log returns from trading-signals', () => {
    const ppy = 24 * 365;
    const logReturns = close.slice(1).map((c, i) => Math.log(c / close[i]!));
    const theirs = [undefined, ...meanAndSigma(24, logReturns)].map((v) => (v === undefined ? undefined : v.sigma * Math.sqrt(ppy)));
    const r = compare(run(new RealizedVolatility(24, ppy), close), theirs);
    report(label, 'realized vol(24) vs trading-signals σ', r);
    expect(r.maxError).toBeLessThan(TOL);
  });

  maybe('volume z-score(20) matches (v - mean) / σ from trading-signals', () => {
    const ours = run(new RollingZScore(20), volume);
    const std = run(new RollingStd(20), volume);
    const theirs = meanAndSigma(20, volume);
    const scaleV = Math.max(...volume);
    // A window of equal volumes (an outage's empty bars): σ is exactly 0 and we read 0, where the
    // peer divides 0 by 0.
    const flat = (i: number) => std[i] === 0;
    let flats = 0;
    for (let i = 19; i < n; i++) {
      if (!flat(i)) continue;
      flats++;
      expect(ours[i]).toBe(0);
      expect(theirs[i]!.sigma).toBeLessThan(TOL * scaleV);
    }
    // z divides a volume difference by σ: its error is compared in volume units, × σ.
    const r = compare(
      ours,
      volume.map((v, i) => (theirs[i] === undefined ? undefined : (v - theirs[i]!.mean) / theirs[i]!.sigma)),
      { keep: (i) => !flat(i), weight: (i) => std[i]! / scaleV },
    );
    report(label, `volume z-score(20) vs trading-signals (× σ), ${flats} flat windows apart`, r);
    expect(r.maxError).toBeLessThan(TOL);
  });
});
