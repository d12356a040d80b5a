import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DomainError } from '@meridian/domain';
import { FEATURE_SPEC_VERSION, FeatureSpecMismatchError, InvalidFeatureSpecError, featureSpecHash, requireFeatureSpecHash, validateFeatureSpec } from '../src';
import type { FeatureSpecInput } from '../src';
import spec12 from '../bench/features-12.json';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test('validation fills in the defaults and derives the warm-up from the windows', () => {
  const spec = validateFeatureSpec(spec12);
  expect(spec.version).toBe(FEATURE_SPEC_VERSION);
  expect(spec.features).toHaveLength(12);
  expect(spec.warmupBars).toBe(50); // ema_50; macd 12/26/9 needs 34, rsi 15, logret_24 25
  expect(spec.features[0]).toEqual({ name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, scale: 'raw', normalisation: { kind: 'zscore' } });
  expect(spec.features[6]!.output).toBe('histogram');
  // The canonical form validates to itself.
  expect(validateFeatureSpec(clone(spec))).toEqual(spec);
});

test.each([
  [[{ name: 'a', kind: 'rsi', input: 'close', params: { period: 14 } }], 15],
  [[{ name: 'a', kind: 'macd', input: 'close', params: { fast: 12, slow: 26, signal: 9 }, output: 'signal' }], 34],
  [[{ name: 'a', kind: 'atr', input: 'hlc', params: { period: 14 } }], 15],
  [[{ name: 'a', kind: 'vwap', input: 'hlcv', params: { sessionMs: 86_400_000 } }], 1],
  [[{ name: 'a', kind: 'bookImbalance', input: 'book', params: { levels: 5 } }], 1],
  [[{ name: 'a', kind: 'realizedVol', input: 'close', params: { period: 24 } }, { name: 'b', kind: 'sma', input: 'volume', params: { period: 10 } }], 25],
])('warm-up of %j is %i bars', (features, warmup) => {
  expect(validateFeatureSpec({ version: 1, features }).warmupBars).toBe(warmup);
});

describe('a bad spec is refused with InvalidFeatureSpecError naming the field', () => {
  const base = () => clone(spec12) as unknown as { version: unknown; warmupBars?: unknown; features: Record<string, unknown>[] };
  const cases: [string, (s: ReturnType<typeof base>) => unknown, string][] = [
    ['not an object', () => 'x', 'spec "x" must be an object'],
    ['unknown top-level field', (s) => ({ ...s, extra: 1 }), 'extra 1 is not a known field (known: version, warmupBars, features)'],
    ['version', (s) => ({ ...s, version: 2 }), 'version 2 must be 1'],
    ['no features', (s) => ({ ...s, features: [] }), 'features [] must be a non-empty array'],
    ['warm-up that differs', (s) => ({ ...s, warmupBars: 20 }), 'warmupBars 20 differs from the 50 bars its features need'],
    ['unknown kind', (s) => void (s.features[3]!.kind = 'wma'), 'features[3].kind "wma" must be one of return, logReturn,'],
    ['misspelt parameter', (s) => void (s.features[4]!.params = { perod: 50 }), 'features[4].params.perod 50 is not a known field (known: period)'],
    ['missing parameter', (s) => void (s.features[4]!.params = {}), 'features[4].params.period undefined is required by ema'],
    ['zero window', (s) => void (s.features[0]!.params = { period: 0 }), 'features[0].params.period 0 must be a positive integer'],
    ['fractional window', (s) => void (s.features[5]!.params = { period: 14.5 }), 'features[5].params.period 14.5 must be a positive integer'],
    ['string window', (s) => void (s.features[5]!.params = { period: '14' }), 'features[5].params.period "14" must be a finite number'],
    ['fast not shorter than slow', (s) => void (s.features[6]!.params = { fast: 26, slow: 26, signal: 9 }), 'features[6].params.fast 26 must be shorter than slow 26'],
    ['wrong input for the kind', (s) => void (s.features[9]!.input = 'close'), 'features[9].input "close" is not read by atr (use hlc)'],
    ['returns of volume', (s) => void (s.features[0]!.input = 'volume'), 'features[0].input "volume" is not read by return (use open, high, low, close)'],
    ['missing output', (s) => void delete s.features[7]!.output, 'features[7].output undefined must be one of middle, upper, lower, percentB, bandwidth'],
    ['output on a single-output kind', (s) => void (s.features[0]!.output = 'value'), 'features[0].output "value" is only for kinds with several outputs'],
    ['perClose on a dimensionless value', (s) => void (s.features[5]!.scale = 'perClose'), 'features[5].scale "perClose" is only for values in price units read from prices, not rsi of close'],
    ['perClose on %b', (s) => void (s.features[7]!.scale = 'perClose'), 'features[7].scale "perClose" is only for values in price units read from prices, not bollinger percentB of close'],
    ['duplicate name', (s) => void (s.features[2]!.name = 'ret_1'), 'features[2].name "ret_1" is used by an earlier feature'],
    ['bad name', (s) => void (s.features[2]!.name = '2x'), 'features[2].name "2x" must be a letter or _'],
    ['unknown normalisation', (s) => void (s.features[1]!.normalisation = { kind: 'robust' }), 'features[1].normalisation.kind "robust" must be one of none, zscore, minmax'],
    ['half-fitted zscore', (s) => void (s.features[1]!.normalisation = { kind: 'zscore', mean: 0 }), 'features[1].normalisation.std undefined is required with mean'],
    ['zero std', (s) => void (s.features[1]!.normalisation = { kind: 'zscore', mean: 0, std: 0 }), 'features[1].normalisation.std 0 must be positive'],
    ['min above max', (s) => void (s.features[5]!.normalisation = { kind: 'minmax', min: 2, max: 1 }), 'features[5].normalisation.max 1 must be above min 2'],
    ['NaN statistic', (s) => void (s.features[5]!.normalisation = { kind: 'minmax', min: 0, max: Number.NaN }), 'features[5].normalisation.max NaN must be a finite number'],
    ['vwap with both modes', (s) => void (s.features[10]!.params = { period: 24, sessionMs: 86_400_000 }), 'features[10].params.period 24 or sessionMs: exactly one of the two'],
    ['vwap offset past the session', (s) => void (s.features[10]!.params = { sessionMs: 1000, sessionOffsetMs: 1000 }), 'features[10].params.sessionOffsetMs 1000 must come with sessionMs and be below it (1000)'],
  ];
  test.each(cases)('%s', (_name, mutate, message) => {
    const s = base();
    // A case either edits the spec in place or returns a whole new value.
    const input = mutate(s) ?? s;
    expect(() => validateFeatureSpec(input)).toThrow(InvalidFeatureSpecError);
    expect(() => validateFeatureSpec(input)).toThrow(`invalid feature spec: ${message}`);
    try {
      validateFeatureSpec(input);
    } catch (e) {
      expect((e as DomainError).code).toBe('INVALID_FEATURE_SPEC');
      expect((e as InvalidFeatureSpecError).field).toBe(message.split(' ')[0]);
    }
  });
});

describe('hash', () => {
  test('is sha256 of the canonical JSON: keys sorted at every level, defaults filled in, no spaces', () => {
    const spec: FeatureSpecInput = { features: [{ params: { period: 3 }, name: 'r', input: 'close', kind: 'return' }], version: 1 };
    const canonical =
      '{"features":[{"input":"close","kind":"return","name":"r","normalisation":{"kind":"none"},"params":{"period":3},"scale":"raw"}],"version":1,"warmupBars":4}';
    expect(featureSpecHash(spec)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  test('does not depend on key order, explicit defaults or a trip through JSON', () => {
    const h = featureSpecHash(spec12);
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const reordered = reverseKeys(spec12);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(spec12));
    expect(featureSpecHash(reordered)).toBe(h);
    expect(featureSpecHash(JSON.parse(JSON.stringify(validateFeatureSpec(spec12))))).toBe(h);
    const explicit = clone(spec12) as { features: Record<string, unknown>[] };
    explicit.features[0]!.scale = 'raw';
    expect(featureSpecHash(explicit)).toBe(h);
  });

  test('changes with any window, output, scale or fitted statistic', () => {
    const h = featureSpecHash(spec12);
    const variants: ((s: { features: Record<string, unknown>[] }) => void)[] = [
      (s) => void (s.features[4]!.params = { period: 51 }),
      (s) => void (s.features[6]!.output = 'signal'),
      (s) => void (s.features[3]!.scale = 'raw'),
      (s) => void (s.features[0]!.normalisation = { kind: 'zscore', mean: 0, std: 1 }),
      (s) => void (s.features[0]!.normalisation = { kind: 'zscore', mean: 0, std: 1.0000000000000002 }),
      (s) => s.features.reverse(),
    ];
    const hashes = variants.map((change) => {
      const s = clone(spec12) as { features: Record<string, unknown>[] };
      change(s);
      return featureSpecHash(s);
    });
    expect(new Set([h, ...hashes]).size).toBe(variants.length + 1);
  });

  test('requireFeatureSpecHash refuses a spec that is not the model’s', () => {
    const h = featureSpecHash(spec12);
    expect(() => requireFeatureSpecHash(spec12, h)).not.toThrow();
    const other = clone(spec12) as { features: Record<string, unknown>[] };
    other.features[4]!.params = { period: 51 };
    expect(() => requireFeatureSpecHash(other, h)).toThrow(FeatureSpecMismatchError);
    expect(() => requireFeatureSpecHash(other, h)).toThrow(`feature spec hash ${featureSpecHash(other)} differs from the expected ${h}`);
  });
});

test("the README's example spec is valid, and its warm-up is the one it states", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const example = JSON.parse(readme.split('```json\n')[1]!.split('```')[0]!) as { warmupBars: number };
  expect(validateFeatureSpec(example).warmupBars).toBe(example.warmupBars);
});
