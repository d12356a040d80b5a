import { DivisionByZeroError, InvalidDecimalError } from './errors';

/**
 * How a result that does not fit the requested scale is rounded.
 * `down`/`up` are toward/away from zero; `floor`/`ceil` toward -inf/+inf.
 */
export type RoundingMode = 'down' | 'up' | 'floor' | 'ceil' | 'half-up' | 'half-even';

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;
const MAX_SCALE = 36;

// Powers of ten up to twice the largest scale (a product's scale) are looked up, not computed.
const POW10: readonly bigint[] = Array.from({ length: 2 * MAX_SCALE + 1 }, (_, n) => 10n ** BigInt(n));

function pow10(n: number): bigint {
  return n < POW10.length ? POW10[n]! : 10n ** BigInt(n);
}

/** Digits a float holds exactly: a coefficient of at most this many digits is read without BigInt parsing. */
const EXACT_FLOAT_DIGITS = 15;

/** `input` names the offending value in the error; a function is called only then (hot paths pass one, so nothing is formatted on success). */
function checkScale(scale: number, input: unknown): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new InvalidDecimalError(typeof input === 'function' ? (input as () => unknown)() : input, `scale must be an integer in [0, ${MAX_SCALE}], got ${scale}`);
  }
}

/** Exact powers of ten as floats (10^22 is the largest a double holds exactly). */
const FLOAT_POW10: readonly number[] = Array.from({ length: 23 }, (_, n) => 10 ** n);
const MAX_EXACT_FLOAT = BigInt(Number.MAX_SAFE_INTEGER);

/** Divides with the chosen rounding; `d` is never zero here. */
function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const negative = n < 0n;
  const awayFromZero = negative ? q - 1n : q + 1n;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return awayFromZero;
    case 'floor':
      return negative ? q - 1n : q;
    case 'ceil':
      return negative ? q : q + 1n;
    case 'half-up':
    case 'half-even': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > d) return awayFromZero;
      if (twice < d) return q;
      if (mode === 'half-up') return awayFromZero;
      return q % 2n === 0n ? q : awayFromZero;
    }
  }
}

/**
 * An exact decimal number: `coef / 10^scale` with a bigint coefficient.
 *
 * Addition, subtraction and multiplication are exact; division and rounding take an explicit
 * scale and rounding mode, so no operation can drift the way binary floats do. Values are kept
 * normalised (no trailing zeros in the coefficient), so equal values have equal representations.
 */
export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  /**
   * `toString()` once computed, or the parsed text when it was already in plain normalised form:
   * hot paths print the same value more than once (a venue price goes to a status line and a wire
   * message). A private field, so it is not part of the value (structural equality ignores it).
   */
  #text: string | undefined;

  private constructor(
    /** The integer coefficient. */
    readonly coef: bigint,
    /** The number of digits after the decimal point. */
    readonly scale: number,
    text?: string,
  ) {
    this.#text = text;
  }

  private static normalised(coef: bigint, scale: number): Decimal {
    if (coef === 0n) return Decimal.ZERO;
    if (scale === 0 || coef % 10n !== 0n) return new Decimal(coef, scale);
    // Quotients at scale 12 or 18 end in many zeros: strip them eight and four at a time first.
    coef /= 10n;
    scale -= 1;
    while (scale >= 8 && coef % 100_000_000n === 0n) {
      coef /= 100_000_000n;
      scale -= 8;
    }
    while (scale >= 4 && coef % 10_000n === 0n) {
      coef /= 10_000n;
      scale -= 4;
    }
    while (scale > 0 && coef % 10n === 0n) {
      coef /= 10n;
      scale -= 1;
    }
    return new Decimal(coef, scale);
  }

  /**
   * Parses a plain decimal string (`"-12.345"`), a bigint, a safe integer, or returns a Decimal as is.
   * Non-integer JavaScript numbers are refused: they are already inexact.
   */
  static from(value: Decimal | string | bigint | number): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return Decimal.normalised(value, 0);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) {
        throw new InvalidDecimalError(value, 'only safe integers convert exactly; pass a string');
      }
      return Decimal.normalised(BigInt(value), 0);
    }
    return Decimal.parse(value);
  }

  static parse(text: string): Decimal {
    if (typeof text !== 'string') throw new InvalidDecimalError(text, 'not a string');
    return Decimal.parseShort(text) ?? Decimal.parseGeneral(text);
  }

  /**
   * The common case in one pass without a regex or BigInt parsing: optional sign, digits, optional
   * `.digits`, at most 15 digits in all (exact in a float). Anything else (whitespace, long or
   * malformed input) returns undefined and takes the general path, which also words the errors.
   */
  private static parseShort(text: string): Decimal | undefined {
    const n = text.length;
    let i = 0;
    let c = n > 0 ? text.charCodeAt(0) : 0;
    const negative = c === 45; // '-'
    if (negative || c === 43) i = 1; // '+'
    const wholeStart = i;
    let value = 0;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
    }
    const wholeDigits = i - wholeStart;
    if (wholeDigits === 0) return undefined;
    let scale = 0;
    if (i < n) {
      if (c !== 46) return undefined; // '.'
      const fractionStart = ++i;
      for (; i < n; i++) {
        c = text.charCodeAt(i);
        if (c < 48 || c > 57) return undefined;
        value = value * 10 + (c - 48);
      }
      scale = n - fractionStart;
      if (scale === 0) return undefined;
    }
    if (wholeDigits + scale > EXACT_FLOAT_DIGITS) return undefined;
    if (value === 0) return Decimal.ZERO;
    const parsedScale = scale;
    while (scale > 0 && value % 10 === 0) {
      value /= 10;
      scale -= 1;
    }
    // Already plain and normalised (no '+', no leading or trailing zeros): it is its own toString().
    const plain = text.charCodeAt(0) !== 43 && (wholeDigits === 1 || text.charCodeAt(wholeStart) !== 48) && scale === parsedScale;
    return new Decimal(BigInt(negative ? -value : value), scale, plain ? text : undefined);
  }

  private static parseGeneral(text: string): Decimal {
    const m = DECIMAL_PATTERN.exec(text.trim());
    if (!m) throw new InvalidDecimalError(text, 'expected digits with an optional sign and fraction');
    const [, sign, whole, fraction = ''] = m;
    if (fraction.length > MAX_SCALE) throw new InvalidDecimalError(text, `more than ${MAX_SCALE} fraction digits`);
    let coef = BigInt(`${whole}${fraction}`);
    if (sign === '-') coef = -coef;
    return Decimal.normalised(coef, fraction.length);
  }

  /** `units / 10^scale`, e.g. fromUnits(12345n, 2) is 123.45. */
  static fromUnits(units: bigint, scale: number): Decimal {
    checkScale(scale, () => `${units}e-${scale}`);
    return Decimal.normalised(units, scale);
  }

  /**
   * Rounds a float to `scale` digits, once: for data that arrives as floats (a model's output).
   * The float is read as its shortest round-trip decimal (what `String(value)` prints, exponent
   * included), so 1.99999 rounds down to 1.99, not through an intermediate rounding to 2.
   */
  static fromNumber(value: number, scale: number, mode: RoundingMode = 'half-even'): Decimal {
    if (!Number.isFinite(value)) throw new InvalidDecimalError(value, 'not a finite number');
    checkScale(scale, value);
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
    if (!m) throw new InvalidDecimalError(value, 'unexpected number format');
    const [, sign, whole, fraction = '', exp = '0'] = m;
    const exponent = Number(exp) - fraction.length;
    let coef = BigInt(`${whole}${fraction}`);
    if (sign === '-') coef = -coef;
    const exact = exponent >= 0 ? Decimal.normalised(coef * pow10(exponent), 0) : Decimal.normalised(coef, -exponent);
    return exact.round(scale, mode);
  }

  static sum(values: Iterable<Decimal>): Decimal {
    let total = Decimal.ZERO;
    for (const v of values) total = total.add(v);
    return total;
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) <= 0 ? a : b;
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) >= 0 ? a : b;
  }

  private aligned(other: Decimal): [bigint, bigint, number] {
    if (this.scale === other.scale) return [this.coef, other.coef, this.scale];
    if (this.scale > other.scale) return [this.coef, other.coef * pow10(this.scale - other.scale), this.scale];
    return [this.coef * pow10(other.scale - this.scale), other.coef, other.scale];
  }

  // add and sub align without the tuple of `aligned`: they run on every fill, mark and balance move.
  add(other: Decimal | string): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    if (this.scale === o.scale) return Decimal.normalised(this.coef + o.coef, this.scale);
    if (this.scale > o.scale) return Decimal.normalised(this.coef + o.coef * pow10(this.scale - o.scale), this.scale);
    return Decimal.normalised(this.coef * pow10(o.scale - this.scale) + o.coef, o.scale);
  }

  sub(other: Decimal | string): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    if (this.scale === o.scale) return Decimal.normalised(this.coef - o.coef, this.scale);
    if (this.scale > o.scale) return Decimal.normalised(this.coef - o.coef * pow10(this.scale - o.scale), this.scale);
    return Decimal.normalised(this.coef * pow10(o.scale - this.scale) - o.coef, o.scale);
  }

  mul(other: Decimal | string | bigint): Decimal {
    const o = Decimal.from(other);
    return Decimal.normalised(this.coef * o.coef, this.scale + o.scale);
  }

  /** `this / other` rounded to `scale` fraction digits. */
  div(other: Decimal | string | bigint, scale: number, mode: RoundingMode = 'half-even'): Decimal {
    const o = Decimal.from(other);
    checkScale(scale, () => this.toString());
    if (o.coef === 0n) throw new DivisionByZeroError(this.toString());
    // this/other = (a/10^sa) / (b/10^sb); want q with q/10^scale.
    const shift = scale + o.scale - this.scale;
    const n = shift >= 0 ? this.coef * pow10(shift) : this.coef;
    const d = shift >= 0 ? o.coef : o.coef * pow10(-shift);
    return Decimal.normalised(divRound(n, d, mode), scale);
  }

  /** Rounds to `scale` fraction digits. */
  round(scale: number, mode: RoundingMode = 'half-even'): Decimal {
    checkScale(scale, () => this.toString());
    if (this.scale <= scale) return this;
    return Decimal.normalised(divRound(this.coef, pow10(this.scale - scale), mode), scale);
  }

  /** Rounds to a whole multiple of `step` (a tick or lot size). */
  quantize(step: Decimal, mode: RoundingMode = 'half-even'): Decimal {
    if (step.coef <= 0n) throw new InvalidDecimalError(step.toString(), 'step must be positive');
    const [a, b, s] = this.aligned(step);
    return Decimal.normalised(divRound(a, b, mode) * b, s);
  }

  /** True if this is a whole multiple of `step`. */
  isMultipleOf(step: Decimal): boolean {
    if (step.coef === 0n) return false;
    const [a, b] = this.aligned(step);
    return a % b === 0n;
  }

  neg(): Decimal {
    return new Decimal(-this.coef, this.scale);
  }

  abs(): Decimal {
    return this.coef < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.coef === 0n ? 0 : this.coef < 0n ? -1 : 1;
  }

  cmp(other: Decimal | string): -1 | 0 | 1 {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    // Books compare prices constantly: no tuple, and no scaling when the scales agree.
    let a = this.coef;
    let b = o.coef;
    if (this.scale > o.scale) b *= pow10(this.scale - o.scale);
    else if (this.scale < o.scale) a *= pow10(o.scale - this.scale);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  eq(other: Decimal | string): boolean {
    return this.cmp(other) === 0;
  }

  lt(other: Decimal | string): boolean {
    return this.cmp(other) < 0;
  }

  lte(other: Decimal | string): boolean {
    return this.cmp(other) <= 0;
  }

  gt(other: Decimal | string): boolean {
    return this.cmp(other) > 0;
  }

  gte(other: Decimal | string): boolean {
    return this.cmp(other) >= 0;
  }

  isZero(): boolean {
    return this.coef === 0n;
  }

  isNegative(): boolean {
    return this.coef < 0n;
  }

  isPositive(): boolean {
    return this.coef > 0n;
  }

  /**
   * Nearest float: for metrics, indicators and display only, never for accounting. The same float
   * as `Number(this.toString())`: when the coefficient and 10^scale are both exact doubles
   * (|coef| <= 2^53 - 1, scale <= 22), one IEEE division is correctly rounded, so it gives the
   * nearest double to coef / 10^scale, which is what parsing the text gives (Clinger's fast path);
   * anything larger is parsed from the text.
   */
  toNumber(): number {
    const c = this.coef;
    if (this.scale <= 22 && c <= MAX_EXACT_FLOAT && c >= -MAX_EXACT_FLOAT) return Number(c) / FLOAT_POW10[this.scale]!;
    return Number(this.toString());
  }

  /** Plain notation, never an exponent: `-0.0005`, `12`, `1234.5`. */
  toString(): string {
    return (this.#text ??= this.format());
  }

  private format(): string {
    const negative = this.coef < 0n;
    const digits = (negative ? -this.coef : this.coef).toString();
    if (this.scale === 0) return (negative ? '-' : '') + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    const whole = padded.slice(0, padded.length - this.scale);
    const fraction = padded.slice(padded.length - this.scale);
    return `${negative ? '-' : ''}${whole}.${fraction}`;
  }

  /** Fixed number of fraction digits, for display. */
  toFixed(scale: number, mode: RoundingMode = 'half-even'): string {
    const r = this.round(scale, mode);
    const text = r.toString();
    if (scale === 0) return text;
    const dot = text.indexOf('.');
    const fractionLength = dot < 0 ? 0 : text.length - dot - 1;
    return (dot < 0 ? `${text}.` : text) + '0'.repeat(scale - fractionLength);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Shorthand for `Decimal.from`. */
export function dec(value: Decimal | string | bigint | number): Decimal {
  return Decimal.from(value);
}
