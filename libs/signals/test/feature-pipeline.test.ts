import {
  Atr,
  BollingerBands,
  BookImbalance,
  Ema,
  FeatureFitError,
  FeaturePipeline,
  InvalidFeatureSpecError,
  InvalidSignalInputError,
  LogReturns,
  Macd,
  RealizedVolatility,
  Returns,
  RollingZScore,
  Rsi,
  Sma,
  Vwap,
  featureMatrix,
  featureSpecHash,
  fitNormalisation,
  validateFeatureSpec,
} from '../src';
import type { Bar, BookDepth, FeatureSpec } from '../src';
import spec12 from '../bench/features-12.json';
import { BTC_HOURLY, btcHourly, generatedBars } from './bars';
import { rng } from './random';

/** The 12 features of the benchmark, plus the book's imbalance over 5 levels. */
const spec13 = {
  ...spec12,
  features: [...spec12.features, { name: 'imb_5', kind: 'bookImbalance', input: 'book', params: { levels: 5 }, normalisation: { kind: 'none' } }],
};

/** A book beside every bar: 1 to 8 levels a side with random sizes. */
function books(n: number, seed: number): BookDepth[] {
  const next = rng(seed);
  const side = () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => ({ size: next() < 0.1 ? 0 : next() * 10 }));
  return Array.from({ length: n }, () => ({ bids: side(), asks: side() }));
}

/** Every zscore/minmax statistic replaced by none: the raw values. */
function unnormalised(spec: unknown): FeatureSpec {
  const s = validateFeatureSpec(spec);
  return { ...s, features: s.features.map((f) => ({ ...f, normalisation: { kind: 'none' as const } })) };
}

/** The same bits: Float32 values compared as their raw 32-bit patterns (NaN, -0 included). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function streamAll(spec: unknown, bars: readonly Bar[], bks?: readonly BookDepth[]): (Float32Array | undefined)[] {
  const p = new FeaturePipeline(spec);
  return bars.map((bar, i) => p.update(bar, bks?.[i]));
}

const generated = generatedBars(6_000, 17);
const generatedBooks = books(generated.length, 5);
const btc = btcHourly();
if (btc === null) console.log(`BTC feature-pipeline tests skipped: ${BTC_HOURLY} is absent (see ../shared/data/MANIFEST.md)`);
const withBtc = btc === null ? test.skip : test;

describe('batch and streaming are the same computation', () => {
  const check = (spec: unknown, bars: readonly Bar[], bks?: readonly BookDepth[]) => {
    const m = featureMatrix(spec, bars, bks);
    const streamed = streamAll(spec, bars, bks);
    const warmup = validateFeatureSpec(spec).warmupBars;
    expect(m.firstBar).toBe(warmup - 1);
    expect(m.rows).toBe(bars.length - warmup + 1);
    expect(m.columns).toBe(validateFeatureSpec(spec).features.length);
    let differing = 0;
    streamed.forEach((v, i) => {
      if (i < m.firstBar) return expect(v).toBeUndefined();
      const row = m.data.subarray((i - m.firstBar) * m.columns, (i - m.firstBar + 1) * m.columns);
      if (!sameBits(v!, row)) differing++;
    });
    expect(differing).toBe(0);
    return m;
  };

  test('generated bars with books, 13 features, fitted: every row bit for bit', () => {
    const fitted = fitNormalisation(spec13, generated.slice(0, 4000), generatedBooks.slice(0, 4000));
    const m = check(fitted, generated, generatedBooks);
    expect(m.names).toEqual(spec13.features.map((f) => f.name));
  });

  withBtc('BTCUSDT hourly, 12 features, fitted on 2017-2019 and run over 2017-2021: every row bit for bit', () => {
    const train = btc!.filter((b) => b.startMs < Date.UTC(2020, 0, 1));
    const m = check(fitNormalisation(spec12, train), btc!);
    expect(m.rows).toBe(33_413 - 49);
    expect(m.data.filter((x) => !Number.isFinite(x))).toHaveLength(0);
  });
});

test('each column is its indicator, run on its own, scaled and rounded to float32', () => {
  const raw = unnormalised(spec13);
  const m = featureMatrix(raw, generated, generatedBooks);
  const tp = (b: Bar) => b.close;
  const columns: ((b: Bar, i: number) => number | undefined)[] = (() => {
    const ret = new Returns(1);
    const lr = new LogReturns(24);
    const rv = new RealizedVolatility(24, 8760);
    const sma = new Sma(20);
    const ema = new Ema(50);
    const rsi = new Rsi(14);
    const macd = new Macd(12, 26, 9);
    const bb = new BollingerBands(20, 2);
    const atr = new Atr(14);
    const vwap = new Vwap({ period: 24 });
    const z = new RollingZScore(20);
    return [
      (b) => ret.update(tp(b)),
      (b) => lr.update(tp(b)),
      (b) => rv.update(tp(b)),
      (b) => (sma.update(tp(b)) ?? Number.NaN) / b.close,
      (b) => (ema.update(tp(b)) ?? Number.NaN) / b.close,
      (b) => rsi.update(tp(b)),
      (b) => (macd.update(tp(b))?.histogram ?? Number.NaN) / b.close,
      (b) => bb.update(tp(b))?.percentB,
      (b) => bb.value?.bandwidth,
      (b) => (atr.update(b) ?? Number.NaN) / b.close,
      (b) => (vwap.update(b) ?? Number.NaN) / b.close,
      (b) => z.update(b.volume),
      (_b, i) => BookImbalance.ofDepth(generatedBooks[i]!, 5),
    ];
  })();
  let checked = 0;
  const differing: string[] = [];
  generated.forEach((bar, i) => {
    const want = columns.map((f) => f(bar, i));
    if (i < m.firstBar) return;
    want.forEach((w, j) => {
      const got = m.data[(i - m.firstBar) * m.columns + j]!;
      if (!Object.is(got, Math.fround(w!))) differing.push(`bar ${i} ${m.names[j]}: ${got} vs ${w}`);
      checked++;
    });
  });
  expect(differing.slice(0, 5)).toEqual([]);
  expect(checked).toBe(m.rows * 13);
});

describe('fitNormalisation', () => {
  const train = generated.slice(0, 3000);
  const trainBooks = generatedBooks.slice(0, 3000);

  test('fits mean and population std (zscore), min and max (minmax) on the bars it is given, and only those', () => {
    const fitted = fitNormalisation(spec13, train, trainBooks);
    const raw = featureMatrix(unnormalised(spec13), train, trainBooks);
    // Recomputed from the raw matrix of the training bars (float32, so to float32 precision).
    fitted.features.forEach((f, j) => {
      const xs = Array.from({ length: raw.rows }, (_, r) => raw.data[r * raw.columns + j]!);
      const n = f.normalisation;
      if (n.kind === 'zscore') {
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
        expect(Math.abs(n.mean! - mean)).toBeLessThan(1e-6 * (Math.abs(mean) + std));
        expect(Math.abs(n.std! / std - 1)).toBeLessThan(1e-5);
      } else if (n.kind === 'minmax') {
        expect(Math.fround(n.min!)).toBe(Math.min(...xs));
        expect(Math.fround(n.max!)).toBe(Math.max(...xs));
      } else {
        expect(spec13.features[j]!.normalisation.kind).toBe('none');
      }
    });
    // Normalised training features: mean 0 and std 1 (zscore), [0, 1] (minmax).
    const m = featureMatrix(fitted, train, trainBooks);
    fitted.features.forEach((f, j) => {
      const xs = Array.from({ length: m.rows }, (_, r) => m.data[r * m.columns + j]!);
      if (f.normalisation.kind === 'zscore') {
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        expect(Math.abs(mean)).toBeLessThan(1e-5);
        expect(Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length)).toBeCloseTo(1, 5);
      } else if (f.normalisation.kind === 'minmax') {
        expect(Math.min(...xs)).toBe(0);
        expect(Math.max(...xs)).toBe(1);
      }
    });
    // The bars after the training window play no part.
    expect(fitNormalisation(spec13, train, trainBooks)).toEqual(fitted);
    expect(fitNormalisation(spec13, generated.slice(0, 3001), generatedBooks.slice(0, 3001))).not.toEqual(fitted);
  });

  test('returns a spec whose hash changes with the statistics, and refits a fitted one', () => {
    const a = fitNormalisation(spec12, train);
    const b = fitNormalisation(spec12, generated.slice(1000, 4000));
    expect(featureSpecHash(a)).not.toBe(featureSpecHash(b));
    expect(fitNormalisation(a, generated.slice(1000, 4000))).toEqual(b);
    expect(new FeaturePipeline(a).hash).toBe(featureSpecHash(a));
  });

  test('refuses too few bars and a constant feature with FeatureFitError', () => {
    expect(() => fitNormalisation(spec12, train.slice(0, 49))).toThrow(FeatureFitError);
    expect(() => fitNormalisation(spec12, train.slice(0, 49))).toThrow('cannot fit the normalisation of feature "ret_1": no warm bar: 49 bars given, the spec needs 50');
    const flat = train.slice(0, 100).map((b) => ({ ...b, open: 5, high: 5, low: 5, close: 5 }));
    const spec = { version: 1, features: [{ name: 'r', kind: 'return', input: 'close', params: { period: 1 }, normalisation: { kind: 'minmax' } }] };
    expect(() => fitNormalisation(spec, flat)).toThrow('cannot fit the normalisation of feature "r": constant (0) over 99 bars');
  });

  test('a pipeline refuses a spec that is not fitted, naming the feature', () => {
    expect(() => new FeaturePipeline(spec12)).toThrow(InvalidFeatureSpecError);
    expect(() => new FeaturePipeline(spec12)).toThrow('invalid feature spec: features[0].normalisation.mean undefined and std must be fitted');
    expect(() => featureMatrix(spec13, generated)).toThrow('features[0].normalisation.mean');
  });
});

describe('the pipeline refuses bad input whole', () => {
  const raw = unnormalised(spec13);
  const bad: [string, (b: Bar) => Bar, string][] = [
    ['a NaN close', (b) => ({ ...b, close: Number.NaN }), 'bar close NaN must be a positive finite number'],
    ['an infinite volume', (b) => ({ ...b, volume: Number.POSITIVE_INFINITY }), 'bar volume Infinity must be a non-negative finite number'],
    ['a zero low', (b) => ({ ...b, low: 0 }), 'bar low 0 must be a positive finite number'],
    ['high below low', (b) => ({ ...b, high: b.low / 2 }), 'is below low'],
    ['a repeated start', (b) => ({ ...b, startMs: b.startMs - 3_600_000 }), "is not after the previous bar's"],
  ];
  test.each(bad)('%s: typed error, and the state is as if the bar never came', (_name, spoil, message) => {
    const a = new FeaturePipeline(raw);
    const b = new FeaturePipeline(raw);
    generated.slice(0, 300).forEach((bar, i) => {
      if (i > 0 && i % 37 === 0) {
        expect(() => a.update(spoil(bar), generatedBooks[i])).toThrow(InvalidSignalInputError);
        expect(() => a.update(spoil(bar), generatedBooks[i])).toThrow(message);
      }
      const x = a.update(bar, generatedBooks[i]);
      const y = b.update(bar, generatedBooks[i]);
      expect(x === undefined).toBe(y === undefined);
      if (x) expect(sameBits(x, y!)).toBe(true);
    });
  });

  test('a missing or malformed book, when the spec reads the book', () => {
    const a = new FeaturePipeline(raw);
    const b = new FeaturePipeline(raw);
    generated.slice(0, 120).forEach((bar, i) => {
      if (i % 10 === 3) {
        expect(() => a.update(bar)).toThrow('book undefined is required: feature "imb_5" reads the book');
        expect(() => a.update(bar, { bids: [{ size: 1 }], asks: [{ size: -2 }] })).toThrow('ask level 1 size -2 must be a non-negative finite number');
      }
      const x = a.update(bar, generatedBooks[i]);
      const y = b.update(bar, generatedBooks[i]);
      if (x) expect(sameBits(x, y!)).toBe(true);
    });
    // A spec without book features takes bars alone.
    expect(() => new FeaturePipeline(unnormalised(spec12)).update(generated[0]!)).not.toThrow();
  });

  test('updateInto checks there is room for the vector', () => {
    const p = new FeaturePipeline(raw);
    expect(() => p.updateInto(generated[0]!, generatedBooks[0], new Float32Array(20), 8)).toThrow('output offset 8 leaves no room for 13 features in an array of 20');
  });
});

test('the vector comes with bar warmupBars exactly, and the pipeline says so', () => {
  const p = new FeaturePipeline(unnormalised(spec12));
  expect(p.warmupBars).toBe(50);
  expect(p.width).toBe(12);
  expect(p.names[11]).toBe('vol_z_20');
  generated.slice(0, 60).forEach((bar, i) => {
    expect(p.update(bar) === undefined).toBe(i < 49);
    expect(p.ready).toBe(i >= 49);
  });
});
