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
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/**
 * `x × 10^k` when that is a safe integer, else NaN (which fails every comparison, so callers fall
 * back to bigint). Exact: a float product is correctly rounded, so a true product at or below
 * 2^53 - 1 comes out exact, and one above it rounds to at least 2^53, which the check refuses.
 */
function liftSafe(x: number, k: number): number {
  if (k === 0) return x;
  if (k > 22) return x === 0 ? 0 : Number.NaN;
  const r = x * FLOAT_POW10[k]!;
  return r <= MAX_SAFE && r >= -MAX_SAFE ? r : Number.NaN;
}

/**
 * Whether a truncated quotient with a nonzero remainder rounds away from zero under `mode`:
 * `half` compares twice the remainder with the divisor (-1, 0, 1; read by the half modes only),
 * `even` says whether the truncated quotient is even (read by half-even only).
 */
function roundsAway(mode: RoundingMode, negative: boolean, half: number, even: boolean): boolean {
  switch (mode) {
    case 'down':
      return false;
    case 'up':
      return true;
    case 'floor':
      return negative;
    case 'ceil':
      return !negative;
    case 'half-up':
      return half >= 0;
    case 'half-even':
      return half > 0 || (half === 0 && !even);
  }
}

const isHalfMode = (mode: RoundingMode): boolean => mode === 'half-up' || mode === 'half-even';

/** `n / d` rounded to an integer by `mode`, for safe integers (`d` nonzero); exact: `%` on floats is, and `n - r` is a multiple of `d`. */
function divRoundSafe(n: number, d: number, mode: RoundingMode): number {
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const r = n % d;
  const q = (n - r) / d;
  if (r === 0) return q;
  // |q| <= |n| / 2 here (d >= 2), so q ± 1 is still safe.
  const negative = n < 0;
  const twice = isHalfMode(mode) ? (r < 0 ? -r : r) * 2 : 0;
  const away = roundsAway(mode, negative, twice > d ? 1 : twice < d ? -1 : 0, mode === 'half-even' && q % 2 === 0);
  return away ? (negative ? q - 1 : q + 1) : q;
}

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
  const twice = isHalfMode(mode) ? (r < 0n ? -r : r) * 2n : 0n;
  const away = roundsAway(mode, negative, twice > d ? 1 : twice < d ? -1 : 0, mode === 'half-even' && q % 2n === 0n);
  return away ? (negative ? q - 1n : q + 1n) : q;
}

/**
 * An exact decimal number: `coef / 10^scale` with an integer coefficient.
 *
 * Addition, subtraction and multiplication are exact; division and rounding take an explicit
 * scale and rounding mode, so no operation can drift the way binary floats do. Values are kept
 * normalised (no trailing zeros in the coefficient), so equal values have equal representations.
 *
 * The coefficient is held as a float while it is a safe integer (|coef| <= 2^53 - 1, which covers
 * prices, quantities and balances at their usual scales) and as a bigint beyond. Every operation
 * on safe coefficients runs in float integer arithmetic, checks that its result is still a safe
 * integer (then it is exact), and otherwise redoes the operation in bigint: the bigint path is the
 * definition, the float path only a faster way to the same value (BigInt arithmetic allocates a
 * heap number on every step).
 */
export class Decimal {
  static readonly ZERO = new Decimal(0, undefined, 0);
  static readonly ONE = new Decimal(1, undefined, 0);

  /**
   * `toString()` once computed, or the parsed text when it was already in plain normalised form:
   * hot paths print the same value more than once (a venue price goes to a status line and a wire
   * message). A private field, so it is not part of the value (structural equality ignores it).
   */
  #text: string | undefined;

  private constructor(
    /** The coefficient when it is a safe integer, else 0. Never -0. */
    private readonly small: number,
    /** The coefficient when it is not a safe integer, else undefined: one representation per value. */
    private readonly big: bigint | undefined,
    /** The number of digits after the decimal point. */
    readonly scale: number,
    text?: string,
  ) {
    this.#text = text;
  }

  /** A safe-integer coefficient, normalised. */
  private static ofSafe(coef: number, scale: number): Decimal {
    if (coef === 0) return Decimal.ZERO; // -0 too
    if (scale === 0 || coef % 10 !== 0) return new Decimal(coef, undefined, scale);
    coef /= 10;
    scale -= 1;
    while (scale >= 4 && coef % 10_000 === 0) {
      coef /= 10_000;
      scale -= 4;
    }
    while (scale > 0 && coef % 10 === 0) {
      coef /= 10;
      scale -= 1;
    }
    return new Decimal(coef, undefined, scale);
  }

  /** Any coefficient, normalised; one that is (or becomes, once its trailing zeros go) a safe integer is held as a float. */
  private static normalised(coef: bigint, scale: number): Decimal {
    if (coef <= MAX_SAFE_BIG && coef >= -MAX_SAFE_BIG) return Decimal.ofSafe(Number(coef), scale);
    if (scale === 0 || coef % 10n !== 0n) return new Decimal(0, coef, scale);
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
    if (coef <= MAX_SAFE_BIG && coef >= -MAX_SAFE_BIG) return new Decimal(Number(coef), undefined, scale);
    return new Decimal(0, coef, scale);
  }

  /** The integer coefficient: the value is `coef / 10^scale`. */
  get coef(): bigint {
    return this.big ?? BigInt(this.small);
  }

  /** The coefficient as a float when it is a safe integer (exact), else undefined: for integer arithmetic without bigint. */
  safeCoef(): number | undefined {
    return this.big === undefined ? this.small : undefined;
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
      return Decimal.ofSafe(value, 0);
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
    return new Decimal(negative ? -value : value, undefined, scale, plain ? text : undefined);
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

  /** `units / 10^scale`, e.g. fromUnits(12345n, 2) is 123.45; `units` a bigint or a safe integer. */
  static fromUnits(units: bigint | number, scale: number): Decimal {
    checkScale(scale, () => `${units}e-${scale}`);
    if (typeof units === 'number') {
      if (!Number.isSafeInteger(units)) throw new InvalidDecimalError(units, 'units must be a safe integer or a bigint');
      return Decimal.ofSafe(units, scale);
    }
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

  add(other: Decimal | string): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    // Adding zero is common (no fee, nothing working) and gives the other value itself: values are immutable and normalised.
    if (o.small === 0 && o.big === undefined) return this;
    if (this.small === 0 && this.big === undefined) return o;
    const scale = this.scale >= o.scale ? this.scale : o.scale;
    if (this.big === undefined && o.big === undefined) {
      const r = liftSafe(this.small, scale - this.scale) + liftSafe(o.small, scale - o.scale);
      if (r <= MAX_SAFE && r >= -MAX_SAFE) return Decimal.ofSafe(r, scale);
    }
    return Decimal.normalised(this.coef * pow10(scale - this.scale) + o.coef * pow10(scale - o.scale), scale);
  }

  sub(other: Decimal | string): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    if (o.small === 0 && o.big === undefined) return this;
    const scale = this.scale >= o.scale ? this.scale : o.scale;
    if (this.big === undefined && o.big === undefined) {
      const r = liftSafe(this.small, scale - this.scale) - liftSafe(o.small, scale - o.scale);
      if (r <= MAX_SAFE && r >= -MAX_SAFE) return Decimal.ofSafe(r, scale);
    }
    return Decimal.normalised(this.coef * pow10(scale - this.scale) - o.coef * pow10(scale - o.scale), scale);
  }

  mul(other: Decimal | string | bigint): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    // A product with one (a mark of 1, leverage 1) is the other factor itself.
    if (o.small === 1 && o.scale === 0) return this;
    if (this.small === 1 && this.scale === 0) return o;
    if (this.big === undefined && o.big === undefined) {
      const r = this.small * o.small;
      if (r <= MAX_SAFE && r >= -MAX_SAFE) return Decimal.ofSafe(r, this.scale + o.scale);
    }
    return Decimal.normalised(this.coef * o.coef, this.scale + o.scale);
  }

  /** `this / other` rounded to `scale` fraction digits. */
  div(other: Decimal | string | bigint, scale: number, mode: RoundingMode = 'half-even'): Decimal {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    checkScale(scale, () => this.toString());
    if (o.isZero()) throw new DivisionByZeroError(this.toString());
    // this/other = (a/10^sa) / (b/10^sb); want q with q/10^scale.
    const shift = scale + o.scale - this.scale;
    if (this.big === undefined && o.big === undefined) {
      const n = shift >= 0 ? liftSafe(this.small, shift) : this.small;
      const d = shift >= 0 ? o.small : liftSafe(o.small, -shift);
      if (n <= MAX_SAFE && n >= -MAX_SAFE && d <= MAX_SAFE && d >= -MAX_SAFE) return Decimal.ofSafe(divRoundSafe(n, d, mode), scale);
      if (shift > 0 && d <= MAX_SAFE && d >= -MAX_SAFE) {
        const exact = Decimal.exactQuotient(this.small, d, shift, scale);
        if (exact !== undefined) return exact;
      }
    }
    const n = shift >= 0 ? this.coef * pow10(shift) : this.coef;
    const d = shift >= 0 ? o.coef : o.coef * pow10(-shift);
    return Decimal.normalised(divRound(n, d, mode), scale);
  }

  /**
   * `a × 10^shift / d` at `scale` when the quotient ends before the safe range does, else
   * undefined. Averages at a wide scale (a notional over a quantity, at 12 or 18 digits) overflow
   * the float path although most are short (fills at one price): if `a × 10^s` divides by `d`
   * for the largest safe `s`, so does `a × 10^shift`, and the quotient needs no rounding.
   */
  private static exactQuotient(a: number, d: number, shift: number, scale: number): Decimal | undefined {
    let s = shift < 22 ? shift : 22;
    let n = liftSafe(a, s);
    while (Number.isNaN(n) && s > 0) n = liftSafe(a, --s);
    if (Number.isNaN(n) || n % d !== 0) return undefined;
    // The value is (n / d) × 10^(shift - s) / 10^scale.
    const q = n / d;
    const fraction = scale - (shift - s);
    if (fraction >= 0) return Decimal.ofSafe(q, fraction);
    const whole = liftSafe(q, -fraction);
    return Number.isNaN(whole) ? undefined : Decimal.ofSafe(whole, 0);
  }

  /** Rounds to `scale` fraction digits. */
  round(scale: number, mode: RoundingMode = 'half-even'): Decimal {
    checkScale(scale, () => this.toString());
    if (this.scale <= scale) return this;
    const drop = this.scale - scale;
    // 10^15 is the largest power of ten that is a safe integer.
    if (this.big === undefined && drop <= 15) return Decimal.ofSafe(divRoundSafe(this.small, FLOAT_POW10[drop]!, mode), scale);
    return Decimal.normalised(divRound(this.coef, pow10(drop), mode), scale);
  }

  /** Rounds to a whole multiple of `step` (a tick or lot size). */
  quantize(step: Decimal, mode: RoundingMode = 'half-even'): Decimal {
    if (!step.isPositive()) throw new InvalidDecimalError(step.toString(), 'step must be positive');
    if (this.big === undefined && step.big === undefined) {
      const scale = this.scale >= step.scale ? this.scale : step.scale;
      const a = liftSafe(this.small, scale - this.scale);
      const b = liftSafe(step.small, scale - step.scale);
      if (a <= MAX_SAFE && a >= -MAX_SAFE && b <= MAX_SAFE) {
        const r = divRoundSafe(a, b, mode) * b;
        if (r <= MAX_SAFE && r >= -MAX_SAFE) return Decimal.ofSafe(r, scale);
      }
    }
    const [a, b, s] = this.aligned(step);
    return Decimal.normalised(divRound(a, b, mode) * b, s);
  }

  /**
   * How many whole `step`s this is, as a safe integer; undefined when it is not a whole multiple of
   * `step` or the count is beyond 2^53 - 1. Books convert every price and size they touch to ticks
   * and lots: with safe coefficients this is one exact float division and allocates nothing.
   */
  unitsOf(step: Decimal): number | undefined {
    if (!step.isPositive()) throw new InvalidDecimalError(step.toString(), 'step must be positive');
    if (this.big === undefined && step.big === undefined) {
      const k = step.scale - this.scale;
      const n = k >= 0 ? liftSafe(this.small, k) : this.small;
      const d = k >= 0 ? step.small : liftSafe(step.small, -k);
      // |n| and d safe: the remainder is exact, and so is the quotient of a whole multiple.
      if (n <= MAX_SAFE && n >= -MAX_SAFE && d <= MAX_SAFE) return n % d === 0 ? n / d : undefined;
    }
    if (!this.isMultipleOf(step)) return undefined;
    return this.div(step, 0).safeCoef();
  }

  /** True if this is a whole multiple of `step`. */
  isMultipleOf(step: Decimal): boolean {
    if (step.isZero()) return false;
    if (this.big === undefined && step.big === undefined) {
      const scale = this.scale >= step.scale ? this.scale : step.scale;
      const a = liftSafe(this.small, scale - this.scale);
      const b = liftSafe(step.small, scale - step.scale);
      if (a <= MAX_SAFE && a >= -MAX_SAFE && b <= MAX_SAFE && b >= -MAX_SAFE) return a % b === 0;
    }
    const [a, b] = this.aligned(step);
    return a % b === 0n;
  }

  neg(): Decimal {
    if (this.big !== undefined) return new Decimal(0, -this.big, this.scale);
    return this.small === 0 ? this : new Decimal(-this.small, undefined, this.scale);
  }

  abs(): Decimal {
    return this.isNegative() ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    if (this.big !== undefined) return this.big < 0n ? -1 : 1;
    return this.small === 0 ? 0 : this.small < 0 ? -1 : 1;
  }

  cmp(other: Decimal | string): -1 | 0 | 1 {
    const o = other instanceof Decimal ? other : Decimal.from(other);
    // Books compare prices constantly: no tuple, and no scaling when the scales agree.
    if (this.big === undefined && o.big === undefined) {
      let a = this.small;
      let b = o.small;
      if (this.scale > o.scale) b = liftSafe(b, this.scale - o.scale);
      else if (this.scale < o.scale) a = liftSafe(a, o.scale - this.scale);
      if (a === b) return 0;
      if (a < b) return -1;
      if (a > b) return 1;
      // NaN: a lifted coefficient left the safe range.
    }
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
    return this.big === undefined && this.small === 0;
  }

  isNegative(): boolean {
    return this.big === undefined ? this.small < 0 : this.big < 0n;
  }

  isPositive(): boolean {
    return this.big === undefined ? this.small > 0 : this.big > 0n;
  }

  /**
   * Nearest float: for metrics, indicators and display only, never for accounting. The same float
   * as `Number(this.toString())`: when the coefficient and 10^scale are both exact doubles
   * (a safe coefficient, scale <= 22), one IEEE division is correctly rounded, so it gives the
   * nearest double to coef / 10^scale, which is what parsing the text gives (Clinger's fast path);
   * anything larger is parsed from the text.
   */
  toNumber(): number {
    if (this.big === undefined && this.scale <= 22) return this.small / FLOAT_POW10[this.scale]!;
    return Number(this.toString());
  }

  /** Plain notation, never an exponent: `-0.0005`, `12`, `1234.5`. */
  toString(): string {
    return (this.#text ??= this.format());
  }

  private format(): string {
    const negative = this.isNegative();
    // A safe integer prints without an exponent (that starts at 1e21).
    const digits = this.big === undefined ? String(negative ? -this.small : this.small) : (negative ? -this.big : this.big).toString();
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
