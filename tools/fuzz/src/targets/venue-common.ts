import fc from 'fast-check';
import { FrameRejectedError, LIVE_SOURCES, parseRecordingLine, parseSourceSpec } from '@meridian/venues';
import { decimal, millisToNanos, parseJson, sequence, tryDecimal, tryMillisToNanos, trySequence } from '@meridian/venues/dist/decode';
import { anyText, jsonNumber, mangledText, numberText, toJsonText, wrongValue } from '../arbitraries';
import { Refused, target } from '../target';
import { decodedKey } from './invariants';

type FieldInput = { reader: 'decimal'; value: unknown; rule: 'positive' | 'non_negative' } | { reader: 'millis' | 'sequence'; value: unknown } | { reader: 'json'; text: string };

/** The checked reader's answer, or its rejection. */
function attempt<T>(read: () => T): { value: T } | { rejected: FrameRejectedError } {
  try {
    return { value: read() };
  } catch (err) {
    if (err instanceof FrameRejectedError) return { rejected: err };
    throw err;
  }
}

/**
 * The field readers every venue decoder is built from (libs/venues decode.ts). Each `try…` reader
 * must answer undefined exactly where its checked twin throws `FrameRejectedError`, and the same
 * value otherwise: the hot paths call the cheap one and fall back to the other to word the error.
 */
export const venueFieldsTarget = target<FieldInput>({
  name: 'venues.decode-fields',
  calls: 'libs/venues decode.ts decimal/tryDecimal, millisToNanos/tryMillisToNanos, sequence/trySequence, parseJson',
  weight: 60,
  ciRuns: 400,
  codes: ['FRAME_REJECTED'],
  arbitrary: fc.oneof(
    fc.record({ reader: fc.constant('decimal' as const), value: fc.oneof(numberText, jsonNumber.map((n) => JSON.parse(toJsonText(n)) as unknown), wrongValue), rule: fc.constantFrom<'positive' | 'non_negative'>('positive', 'non_negative') }),
    fc.record({ reader: fc.constantFrom('millis' as const, 'sequence' as const), value: fc.oneof(fc.integer({ min: 0, max: 2_000_000_000_000 }).map(String), fc.stringMatching(/^-?\d{1,22}$/), numberText, jsonNumber.map((n) => JSON.parse(toJsonText(n)) as unknown), wrongValue) }),
    fc.record({ reader: fc.constant('json' as const), text: fc.oneof(fc.json(), mangledText(fc.json()), anyText) }),
  ),
  run(input) {
    if (input.reader === 'json') {
      parseJson(input.text);
      return undefined;
    }
    if (input.reader === 'decimal') {
      const cheap = tryDecimal(input.value, input.rule);
      const checked = attempt(() => decimal(input.value, 'field', input.rule));
      if ('rejected' in checked) {
        if (cheap !== undefined) return `tryDecimal gave ${cheap}, decimal refused: ${checked.rejected.detail}`;
        throw checked.rejected;
      }
      if (cheap === undefined || !cheap.eq(checked.value)) return `tryDecimal gave ${cheap}, decimal ${checked.value}`;
      if (input.rule === 'positive' ? !checked.value.isPositive() : checked.value.isNegative()) return `${checked.value} accepted as ${input.rule}`;
      return undefined;
    }
    const [cheapRead, checkedRead] = input.reader === 'millis' ? [tryMillisToNanos, millisToNanos] : [trySequence, sequence];
    const cheap = cheapRead(input.value);
    const checked = attempt(() => checkedRead(input.value, 'field'));
    if ('rejected' in checked) {
      if (cheap !== undefined) return `${input.reader}: the cheap reader gave ${cheap}, the checked one refused`;
      throw checked.rejected;
    }
    if (cheap !== checked.value) return `${input.reader}: the cheap reader gave ${cheap}, the checked one ${checked.value}`;
    if (input.reader === 'millis') {
      const text = typeof input.value === 'number' ? String(input.value) : String(input.value);
      if (!/^\d+$/.test(text) || checked.value !== BigInt(text) * 1_000_000n) return `millis ${JSON.stringify(input.value)} read as ${checked.value} ns`;
    }
    return undefined;
  },
});

const recordingLine = fc.oneof(
  fc.tuple(fc.constantFrom('wss://ws.okx.com:8443/ws/v5/public', 'wss://stream.binance.com/stream'), fc.stringMatching(/^\d{1,12}(\.\d{1,20})?$/)).map(([url, ts]) => `${url} <-> ${ts}`),
  fc.tuple(fc.stringMatching(/^\d{1,13}(\.\d{1,8})?$/), fc.json()).map(([ts, frame]) => `${ts}: ${frame}`),
  fc.tuple(fc.constantFrom('wss://x', 'https://api.binance.com/api/v3/depth'), fc.stringMatching(/^\d{1,12}\.\d{1,7}$/), fc.constantFrom(' <- ', ' -> '), fc.json()).map(([url, ts, dir, body]) => `${url}${dir}${ts}: ${body}`),
  fc
    .record({ ts_ns: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), wrongValue), dir: fc.constantFrom('in', 'out', 'http', 'connect', 'sideways'), url: fc.option(fc.constantFrom('wss://x', ''), { nil: undefined }), frame: fc.option(fc.json(), { nil: undefined }) }, { requiredKeys: [] })
    .map(toJsonText),
  fc.record({ recv_ts: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 12 })), msg: fc.jsonValue({ maxDepth: 2 }) }).map(toJsonText),
);

/** `parseRecordingLine` (libs/venues replay/recording): each line of a recorded venue session played back by ingestion. */
export const recordingLineTarget = target<{ line: string; url: string | undefined }>({
  name: 'venues.recording-line',
  calls: 'libs/venues replay/recording parseRecordingLine',
  weight: 40,
  ciRuns: 300,
  codes: ['FRAME_REJECTED'],
  arbitrary: fc.record({
    line: fc.oneof({ weight: 5, arbitrary: recordingLine }, { weight: 2, arbitrary: mangledText(recordingLine) }, { weight: 1, arbitrary: anyText }),
    url: fc.option(fc.constant('wss://ws.okx.com:8443/ws/v5/public'), { nil: undefined }),
  }),
  run({ line, url }) {
    const entry = parseRecordingLine(line, url);
    if (entry === undefined) {
      if (line.trim() !== '') return `non-blank line ${JSON.stringify(line.slice(0, 40))} read as blank`;
      throw new Refused('blank line');
    }
    if (entry.tsNs < 0n) return `negative timestamp ${entry.tsNs}`;
    if ((entry.kind === 'connect' || entry.kind === 'sent' || entry.kind === 'http') && typeof entry.url !== 'string') return `${entry.kind} without a url`;
    if (entry.kind !== 'connect' && typeof entry.text !== 'string') return `${entry.kind} without text`;
    return undefined;
  },
});

const KINDS = new Set<string>(['simulator', 'replay', ...Object.keys(LIVE_SOURCES)]);

/** `parseSourceSpec` (libs/venues): MARKET_SOURCE, where ingestion's market data comes from. */
export const sourceSpecTarget = target<string>({
  name: 'venues.source-spec',
  calls: 'libs/venues parseSourceSpec (MARKET_SOURCE)',
  weight: 30,
  ciRuns: 200,
  codes: ['FEED_CONFIG', 'INVALID_SYMBOL'],
  arbitrary: fc.oneof(
    fc.tuple(fc.constantFrom('okx', 'binance', 'alpaca', 'alpaca-crypto', 'replay', 'simulator', 'OKX', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', ''), fc.constantFrom(':', ': ', '', '::'), fc.array(fc.oneof(fc.constantFrom('BTC-USDT', 'btc/usd', 'BRK.B', ' ', ''), fc.string({ maxLength: 6 })), { maxLength: 3 })).map(([k, sep, syms]) => `${k}${sep}${syms.join(',')}`),
    anyText,
  ),
  run(raw) {
    const spec = parseSourceSpec(raw);
    if (!KINDS.has(spec.kind)) return `source kind ${JSON.stringify(spec.kind)} accepted`;
    if (spec.kind === 'replay' && spec.path === '') return 'replay without a path accepted';
    if (spec.kind !== 'simulator' && spec.kind !== 'replay' && spec.symbols.length === 0) return 'live source without symbols accepted';
    return decodedKey(spec) === decodedKey(parseSourceSpec(raw)) ? undefined : 'not deterministic';
  },
});
