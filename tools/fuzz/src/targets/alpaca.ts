import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { parseRfc3339Nanos } from '@meridian/venues';
import { decodeBar, decodeQuote, decodeTrade } from '@meridian/venues/dist/alpaca/decode';
import { record } from '@meridian/venues/dist/decode';
import { anyText, asParsed, mangledText, shaped } from '../arbitraries';
import { Refused, target } from '../target';
import { alpacaBar, alpacaQuote, alpacaTimestamp, alpacaTrade } from './venue-shapes';

/** `decodeTrade`, `decodeQuote`, `decodeBar` (libs/venues alpaca/decode): the elements of an Alpaca stream frame. */
export const alpacaMessageTarget = target<{ kind: 't' | 'q' | 'b'; value: unknown }>({
  name: 'alpaca.message',
  calls: 'libs/venues alpaca/decode decodeTrade, decodeQuote, decodeBar',
  weight: 50,
  ciRuns: 300,
  codes: ['FRAME_REJECTED'],
  arbitrary: fc.oneof(
    shaped(alpacaTrade).map((v) => ({ kind: 't' as const, value: asParsed(v) })),
    shaped(alpacaQuote).map((v) => ({ kind: 'q' as const, value: asParsed(v) })),
    shaped(alpacaBar).map((v) => ({ kind: 'b' as const, value: asParsed(v) })),
  ),
  run({ kind, value }) {
    const m = record(value, 'message');
    if (kind === 't') {
      const t = decodeTrade(m);
      if (!t.price.isPositive() || !t.size.isPositive()) return `trade ${t.price} x ${t.size} accepted`;
      if (t.tradeId === '') return 'empty trade id';
      return undefined;
    }
    if (kind === 'q') {
      const q = decodeQuote(m);
      for (const [side, levels] of [
        ['bid', q.bids],
        ['ask', q.asks],
      ] as const) {
        if (levels.length > 1) return `${levels.length} ${side} levels from one quote`;
        const l = levels[0];
        if (l !== undefined && !(l.price.isPositive() && l.size.isPositive())) return `${side} ${l.price} x ${l.size} accepted`;
      }
      return undefined;
    }
    const b = decodeBar(m);
    if (![b.open, b.high, b.low, b.close].every((d) => d.isPositive())) return 'non-positive price in a bar';
    if (b.high.lt(Decimal.max(b.open, b.close)) || b.low.gt(Decimal.min(b.open, b.close))) return `h/l do not bound o/c: ${b.open} ${b.high} ${b.low} ${b.close}`;
    if (b.volume.isNegative()) return `negative volume ${b.volume}`;
    return undefined;
  },
});

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The nanoseconds of an RFC 3339 text through `Date` (milliseconds) plus the fraction's digits, or undefined when a field is out of range. */
function reference(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  // Date rolls an out-of-range field over (31 April is 1 May): such a text is no timestamp.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = BigInt(date.getTime() - offsetMinutes * 60_000);
  return ms * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
}

/** `parseRfc3339Nanos` (libs/venues alpaca/rfc3339): every Alpaca timestamp, checked against `Date`. */
export const rfc3339Target = target<string>({
  name: 'alpaca.rfc3339',
  calls: 'libs/venues alpaca/rfc3339 parseRfc3339Nanos (against Date)',
  weight: 40,
  ciRuns: 300,
  codes: [],
  arbitrary: fc.oneof(
    { weight: 4, arbitrary: alpacaTimestamp },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom('Z', '+23:59', '-24:00', '+00:60', 'z', ''))
        .map(([y, mo, d, h, mi, s, z]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${z}`),
    },
    { weight: 2, arbitrary: mangledText(alpacaTimestamp) },
    { weight: 1, arbitrary: anyText },
  ),
  run(text) {
    const ns = parseRfc3339Nanos(text);
    const expected = reference(text);
    if (ns === undefined) {
      if (expected === undefined) throw new Refused('not a timestamp');
      return `${text} refused, but it is ${expected} ns`;
    }
    if (expected === undefined) return `${text} accepted as ${ns} ns, but it is no valid timestamp`;
    return ns === expected ? undefined : `${text} read as ${ns} ns, expected ${expected}`;
  },
});
