import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

/**
 * Generators shared by the targets. Inputs come in three strengths, mixed in each target:
 * documented shapes with plausible values (mostly accepted: they reach the deep code), the same
 * shapes with a few fields broken (wrong type, missing, huge, negative, NaN-ish text, an unknown
 * key, a wrapped or duplicated element), and garbage (random text, random JSON).
 *
 * Trees may hold `Raw` leaves: JSON text written as is, for the numbers `JSON.stringify` cannot
 * produce but a venue can send (`1e400`, `-0`, 25-digit integers).
 */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a tree, `Raw` leaves verbatim. */
export function toJsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The value a receiver gets after `JSON.parse` of the tree's text (what every decoder of JSON sees). */
export function asParsed(value: unknown): unknown {
  return JSON.parse(toJsonText(value)) as unknown;
}

/** Text where a number is expected: valid decimals, their near misses, and what floats print. */
export const NASTY_NUMBER_TEXTS: readonly string[] = [
  '', ' ', '0', '-0', '+0', '00', '0.0', '-1', '-0.5', '1', '+1', '1.', '.5', '1..2', '--1', '1-', '1e5', '1E5', '1e-7', '1e400', '-1e400',
  'NaN', 'nan', '-nan', 'Infinity', '-Infinity', 'inf', '-INF', 'infinity', '0x10', '0b1', '0o7', '1_000', '1,5', '１２', '١٢٣', ' 12', '12 ',
  '\t1', '1\n', '\u00a01', '\ufeff1', 'null', 'true', 'undefined', '[]', '{}', '9007199254740993', '18446744073709551616', '9'.repeat(30),
  '9'.repeat(400), `0.${'0'.repeat(36)}1`, `1.${'0'.repeat(40)}`, `-${'9'.repeat(25)}`, `${'1'.repeat(17)}`, '4294967296', '-2147483649',
];

/** Plausible decimal text: what venues print for prices and sizes, zero included (a deleted level). */
export const decimalText: Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 8 })).map(([units, scale]) => unitsText(BigInt(units), scale)) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.0', '0.00000000') },
  { weight: 1, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 40 })).map(([units, scale]) => unitsText(units, scale)) },
);

function unitsText(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Any text at all, weighted toward what breaks parsers: control characters, surrogates, long runs. */
export const anyText: Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u2028', '\\', '"', ',', '\r', '\n', ' ', '.', '-', '9', 'e'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_NUMBER_TEXTS) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

/** Text in a numeric field: valid, nearly valid, or what floats and bigints print. */
export const numberText: Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: decimalText },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_NUMBER_TEXTS) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: decimalText.map((t) => `-${t}`) },
  { weight: 1, arbitrary: anyText },
);

/** A JSON number a venue might send, including what only raw text can hold. */
export const jsonNumber: Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1, 0.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 123_456.789),
  fc.constantFrom('1e400', '-1e400', '-0', '1E-400', '9007199254740993', '123456789012345678901234567890', '0.1e1', '1.0').map((t) => new Raw(t)),
);

/** A value of the wrong kind for any field: what a broken or hostile sender puts there. */
export const wrongValue: Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: numberText },
  { weight: 2, arbitrary: jsonNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [[]], [null], { '': null }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: anyText },
);

/** Keys an object may gain: the documented field names of every protocol fuzzed, plus anything. */
const EXTRA_KEYS = fc.oneof(
  fc.constantFrom('arg', 'data', 'event', 'action', 'code', 'msg', 'bids', 'asks', 'ts', 'seqId', 'prevSeqId', 'checksum', 'px', 'sz', 'T', 'S', 'e', 'E', 'U', 'u', 'pu', 'b', 'a', 'k', 't', 'p', 'q', 'm', 'global', 'perSymbol', 'perStrategy', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  fc.string({ maxLength: 8 }),
);

type Op = 'replace' | 'delete' | 'insert' | 'wrap' | 'repeat' | 'empty';
interface Mutation {
  readonly at: number;
  readonly op: Op;
  readonly key: string;
  readonly value: unknown;
  readonly times: number;
}

const mutation: Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Op>('replace', 'replace', 'replace', 'delete', 'delete', 'insert', 'wrap', 'repeat', 'empty'),
  key: EXTRA_KEYS,
  value: wrongValue,
  times: fc.integer({ min: 2, max: 300 }),
});

interface Slot {
  readonly parent: Record<string, unknown> | unknown[] | undefined;
  readonly key: string | number;
}

/** Every node of a tree as the slot that holds it (pre-order, the root first). */
function slots(root: { v: unknown }): Slot[] {
  const out: Slot[] = [{ parent: root as unknown as Record<string, unknown>, key: 'v' }];
  const walk = (value: unknown): void => {
    if (value instanceof Raw) return;
    if (Array.isArray(value)) {
      value.forEach((child, i) => {
        out.push({ parent: value, key: i });
        walk(child);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, child] of Object.entries(value)) {
        out.push({ parent: value as Record<string, unknown>, key: k });
        walk(child);
      }
    }
  };
  walk(root.v);
  return out;
}

function clone(value: unknown): unknown {
  if (value instanceof Raw) return value;
  if (Array.isArray(value)) return value.map(clone);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: clone(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

function applyMutation(root: { v: unknown }, m: Mutation): void {
  const all = slots(root);
  const slot = all[m.at % all.length]!;
  const parent = slot.parent as Record<string | number, unknown>;
  const current = parent[slot.key];
  // fast-check hands the same generated values to several runs while shrinking: never put one in
  // the tree itself, or a later mutation would change it in place (and could make a cycle).
  const value = clone(m.value);
  switch (m.op) {
    case 'replace':
      parent[slot.key] = value;
      return;
    case 'delete':
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete parent[slot.key];
      return;
    case 'insert':
      if (Array.isArray(current)) current.push(value);
      else if (typeof current === 'object' && current !== null && !(current instanceof Raw)) {
        Object.defineProperty(current, m.key, { value, enumerable: true, writable: true, configurable: true });
      } else parent[slot.key] = value;
      return;
    case 'wrap':
      parent[slot.key] = m.times % 2 === 0 ? [current] : { [m.key]: current };
      return;
    case 'repeat':
      // A long array (a flood of levels or events) built from the element found there.
      if (Array.isArray(current) && current.length > 0) parent[slot.key] = Array.from({ length: m.times }, (_, i) => clone(current[i % current.length]));
      else parent[slot.key] = Array.from({ length: m.times }, () => clone(current));
      return;
    case 'empty':
      parent[slot.key] = Array.isArray(current) ? [] : typeof current === 'string' ? '' : typeof current === 'object' && current !== null ? {} : null;
      return;
  }
}

/** The documented shape with one to three things broken. */
export function mutated<T>(valid: Arbitrary<T>): Arbitrary<unknown> {
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([value, mutations]) => {
    const root = { v: clone(value) };
    for (const m of mutations) applyMutation(root, m);
    return root.v;
  });
}

/** A tree: mostly the documented shape (valid or broken), sometimes any JSON value. */
export function shaped<T>(valid: Arbitrary<T>): Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: valid as Arbitrary<unknown> },
    { weight: 6, arbitrary: mutated(valid) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

type TextOp = 'cut' | 'delete' | 'insert' | 'replace';
const textMutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<TextOp>('cut', 'delete', 'insert', 'replace'),
  text: fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', '-', 'e', '0', '\u0000', '\ud800')),
});

/** Text with a few characters cut, deleted, inserted or replaced: JSON that no longer parses, or parses into something else. */
export function mangledText(text: Arbitrary<string>): Arbitrary<string> {
  return fc.tuple(text, fc.array(textMutation, { minLength: 1, maxLength: 3 })).map(([t, ops]) => {
    let s = t;
    for (const op of ops) {
      const at = s.length === 0 ? 0 : op.at % (s.length + 1);
      if (op.op === 'cut') s = s.slice(0, at);
      else if (op.op === 'delete') s = s.slice(0, at) + s.slice(at + op.text.length);
      else if (op.op === 'insert') s = s.slice(0, at) + op.text + s.slice(at);
      else s = s.slice(0, at) + op.text + s.slice(at + op.text.length);
    }
    return s;
  });
}

/**
 * A text frame: the documented shape as JSON (valid or broken), with whitespace between tokens
 * now and then, mangled text, or garbage.
 */
export function jsonFrame<T>(valid: Arbitrary<T>): Arbitrary<string> {
  const text = shaped(valid).map(toJsonText);
  return fc.oneof(
    { weight: 8, arbitrary: text },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(' ', '\n', '\t', '\r\n ')).map(([v, ws]) => toJsonText(v).replace(/([,:{[])/g, `$1${ws}`)) },
    { weight: 2, arbitrary: mangledText(text) },
    { weight: 1, arbitrary: fc.oneof(anyText, fc.json({ maxDepth: 3 })) },
  );
}
