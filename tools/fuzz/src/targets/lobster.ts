import fc from 'fast-check';
import { LOBSTER_EMPTY_ASK_PRICE, LOBSTER_EMPTY_BID_PRICE, parseLobsterBookRow, parseLobsterMessage } from '@meridian/book';
import { anyText, mangledText, NASTY_NUMBER_TEXTS } from '../arbitraries';
import { target } from '../target';

const nastyField = fc.oneof(fc.constantFrom(...NASTY_NUMBER_TEXTS), fc.string({ maxLength: 6 }));

/** A field: mostly its valid form, sometimes anything. */
function field(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: nastyField });
}

const time = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => `${s}.${String(ns).padStart(9, '0')}`),
  fc.integer({ min: 0, max: 86_399 }).map(String),
  // Float-printing artefacts, and fractions long enough to test the rounding.
  fc.tuple(fc.integer({ min: 0, max: 86_399 }), fc.stringMatching(/^\d{10,45}$/)).map(([s, f]) => `${s}.${f}`),
);

const messageRow = fc
  .tuple(
    field(time),
    field(fc.integer({ min: 0, max: 8 }).map(String)),
    field(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }).map(String), fc.constant('0'))),
    field(fc.integer({ min: -5, max: 100_000 }).map(String)),
    field(fc.oneof(fc.integer({ min: -2, max: 99_999_999 }).map(String), fc.constantFrom('-1', '0', '1', '9999999999'))),
    field(fc.constantFrom('1', '-1', '0', '2')),
    fc.array(nastyField, { maxLength: 2 }),
    fc.nat({ max: 9 }),
  )
  .map(([t, type, id, size, price, dir, extra, drop]) => {
    const cells = [t, type, id, size, price, dir, ...extra];
    if (drop === 0) cells.pop();
    return cells.join(',') + (drop === 1 ? '\r' : '');
  });

/** `parseLobsterMessage` (libs/book): LOBSTER message files replayed by ingestion. */
export const lobsterMessage = target<{ text: string; line: number }>({
  name: 'book.lobster-message',
  calls: 'libs/book parseLobsterMessage',
  weight: 40,
  ciRuns: 300,
  codes: ['LOBSTER_FORMAT'],
  arbitrary: fc.record({
    text: fc.oneof({ weight: 6, arbitrary: messageRow }, { weight: 2, arbitrary: mangledText(messageRow) }, { weight: 1, arbitrary: anyText }),
    line: fc.integer({ min: 1, max: 10_000_000 }),
  }),
  run({ text, line }) {
    const m = parseLobsterMessage(text, line);
    if (m.line !== line) return `line ${m.line}, expected ${line}`;
    if (m.timeNs < 0n) return `negative time ${m.timeNs}`;
    if (m.side !== (m.direction === 1 ? 'bid' : 'ask')) return `side ${m.side} does not follow direction ${m.direction}`;
    if (m.type === 7) {
      if (![-1, 0, 1].includes(m.price)) return `halt with price ${m.price}`;
    } else if (!(m.size > 0 && m.price > 0 && m.orderId >= 0)) {
      return `type ${m.type} accepted with size ${m.size} price ${m.price} order ${m.orderId}`;
    }
    for (const n of [m.orderId, m.size, m.price]) if (!Number.isSafeInteger(n)) return `${n} is not a safe integer`;
    return undefined;
  },
});

const bookRow = fc
  .tuple(
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 0, max: 12 }),
    fc.integer({ min: 0, max: 12 }),
    fc.integer({ min: 1, max: 50_000_000 }),
    fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 24, maxLength: 24 }),
    fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 24, maxLength: 24 }),
  )
  .map(([levels, askCount, bidCount, mid, steps, sizes]) => {
    const cells: string[] = [];
    let ask = mid;
    let bid = mid;
    for (let i = 0; i < levels; i++) {
      ask += steps[i]!;
      bid -= steps[i + 12]!;
      cells.push(i < askCount ? String(ask) : String(LOBSTER_EMPTY_ASK_PRICE), i < askCount ? String(sizes[i]) : '0');
      cells.push(i < bidCount && bid > 0 ? String(bid) : String(LOBSTER_EMPTY_BID_PRICE), i < bidCount && bid > 0 ? String(sizes[i + 12]) : '0');
    }
    return { cells, levels };
  });

const brokenBookRow = fc.tuple(bookRow, fc.array(fc.tuple(fc.nat(), nastyField), { minLength: 1, maxLength: 3 })).map(([row, edits]) => {
  const cells = [...row.cells];
  for (const [at, value] of edits) cells[at % cells.length] = value;
  return { cells, levels: row.levels };
});

/** `parseLobsterBookRow` (libs/book): LOBSTER orderbook files. */
export const lobsterBookRow = target<{ text: string; line: number; levels: number | undefined }>({
  name: 'book.lobster-book-row',
  calls: 'libs/book parseLobsterBookRow',
  weight: 40,
  ciRuns: 300,
  codes: ['LOBSTER_FORMAT'],
  arbitrary: fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: bookRow.map((r) => ({ text: r.cells.join(','), levels: r.levels })) },
        { weight: 4, arbitrary: brokenBookRow.map((r) => ({ text: r.cells.join(','), levels: r.levels })) },
        { weight: 1, arbitrary: mangledText(bookRow.map((r) => r.cells.join(','))).map((text) => ({ text, levels: 0 })) },
        { weight: 1, arbitrary: anyText.map((text) => ({ text, levels: 0 })) },
      ),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom<'given' | 'absent' | 'wrong'>('given', 'absent', 'wrong'),
    )
    .map(([row, line, levelsArg]) => ({
      text: row.text,
      line,
      levels: levelsArg === 'absent' ? undefined : levelsArg === 'given' ? row.levels : row.levels + 1,
    })),
  run({ text, line, levels }) {
    const row = parseLobsterBookRow(text, line, levels);
    for (const [side, list] of [
      ['ask', row.asks],
      ['bid', row.bids],
    ] as const) {
      for (let i = 0; i < list.length; i++) {
        const l = list[i]!;
        if (!(l.size > 0 && l.price > 0 && l.price < LOBSTER_EMPTY_ASK_PRICE)) return `${side}[${i}] accepted as ${l.price} x ${l.size}`;
        const prev = list[i - 1];
        if (prev !== undefined && (side === 'ask' ? l.price <= prev.price : l.price >= prev.price)) return `${side}s out of order at ${i}: ${prev.price} then ${l.price}`;
      }
    }
    const columns = text.replace(/\r$/, '').split(',').length;
    if (levels !== undefined && columns !== levels * 4) return `${columns} columns accepted for ${levels} levels`;
    if (row.asks.length + row.bids.length > columns / 2) return `more levels than columns`;
    return undefined;
  },
});
