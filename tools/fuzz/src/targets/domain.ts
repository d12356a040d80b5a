import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { anyText, decimalText, mangledText, numberText } from '../arbitraries';
import { target } from '../target';

const PLAIN = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * The value a decimal text denotes, worked out without `Decimal`: sign, digits and scale, with
 * trailing fraction zeros dropped, or undefined when the text is no plain decimal.
 */
function reference(text: string): { coef: bigint; scale: number } | undefined {
  const m = PLAIN.exec(text.trim());
  if (!m) return undefined;
  let fraction = m[3] ?? '';
  if (fraction.length > 36) return undefined;
  fraction = fraction.replace(/0+$/, '');
  const coef = BigInt(`${m[2]}${fraction}`) * (m[1] === '-' ? -1n : 1n);
  return coef === 0n ? { coef: 0n, scale: 0 } : { coef, scale: fraction.length };
}

/** `Decimal.parse` (libs/domain): every exact number of the platform starts here. */
export const decimalParse = target<string>({
  name: 'domain.decimal-parse',
  calls: 'libs/domain Decimal.parse',
  weight: 60,
  ciRuns: 400,
  codes: ['INVALID_DECIMAL'],
  arbitrary: fc.oneof(
    { weight: 3, arbitrary: numberText },
    { weight: 2, arbitrary: decimalText },
    { weight: 1, arbitrary: mangledText(decimalText) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\u2028'), decimalText, fc.constantFrom('', ' ', '\n')).map(([a, b, c]) => a + b + c) },
    { weight: 1, arbitrary: anyText },
  ),
  run(text) {
    const d = Decimal.parse(text);
    const ref = reference(text);
    if (ref === undefined) return `accepted ${JSON.stringify(text)}, which is no plain decimal of at most 36 fraction digits`;
    if (d.coef !== ref.coef || d.scale !== ref.scale) return `${JSON.stringify(text)} parsed as ${d.coef}e-${d.scale}, expected ${ref.coef}e-${ref.scale}`;
    if (d.scale > 0 && d.coef % 10n === 0n) return `${JSON.stringify(text)}: not normalised (${d.coef}e-${d.scale})`;
    const again = Decimal.parse(d.toString());
    if (!again.eq(d) || again.toString() !== d.toString()) return `${JSON.stringify(text)}: toString ${d.toString()} does not parse back to the same value`;
    return undefined;
  },
});
