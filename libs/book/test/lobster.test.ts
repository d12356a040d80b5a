import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError } from '@meridian/domain';
import {
  LobsterFormatError,
  L3TickBook,
  applyLobsterMessage,
  lobsterPrice,
  parseLobsterBookRow,
  parseLobsterMessage,
  readLines,
  readLobsterBookRows,
  readLobsterMessages,
} from '../src';

/** The error a parse throws, for checking its fields. */
function formatError(act: () => unknown): LobsterFormatError {
  try {
    act();
  } catch (e) {
    expect(e).toBeInstanceOf(LobsterFormatError);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as LobsterFormatError).code).toBe('LOBSTER_FORMAT');
    return e as LobsterFormatError;
  }
  throw new Error('expected a LobsterFormatError');
}

describe('message rows', () => {
  test('a submission, with exact nanosecond time and the side from the direction', () => {
    expect(parseLobsterMessage('34200.004241176,1,16113575,18,5853300,1', 1)).toEqual({
      line: 1,
      timeNs: 34200004241176n,
      type: 1,
      kind: 'submit',
      orderId: 16113575,
      size: 18,
      price: 5853300,
      direction: 1,
      side: 'bid',
    });
    expect(lobsterPrice(5853300).toString()).toBe('585.33');
  });

  test.each([
    ['34200.05990197,2,15818974,300,5794000,-1', 'cancel', 'ask'],
    ['34200.05990197,3,15818974,300,5794000,1', 'delete', 'bid'],
    ['34200.05990197,4,15818974,300,5794000,1', 'execute', 'bid'],
    ['34200.113246707,5,0,1,5795100,1', 'execute_hidden', 'bid'],
    ['34200.1,6,0,100,5795100,-1', 'cross_trade', 'ask'],
  ])('%s is a %s on the %s side', (row, kind, side) => {
    const m = parseLobsterMessage(row, 3);
    expect(m.kind).toBe(kind);
    expect(m.side).toBe(side);
  });

  test('halts carry price -1, 0 or 1 and zero fields', () => {
    expect(parseLobsterMessage('34500,7,0,0,-1,-1', 1).kind).toBe('halt');
    expect(parseLobsterMessage('34600,7,0,0,1,-1', 1).price).toBe(1);
    expect(parseLobsterMessage('34600,7,0,0,1,-1', 1).timeNs).toBe(34600_000_000_000n);
  });

  test('a time printed with float artefacts is rounded to the nanosecond', () => {
    // Line 39483 of the AAPL level-50 sample file reads like this.
    expect(parseLobsterMessage('35821.088778456004,3,1,1,1,1', 1).timeNs).toBe(35821088778456n);
    expect(parseLobsterMessage('35821.0887784565,3,1,1,1,1', 1).timeNs).toBe(35821088778456n);
    expect(parseLobsterMessage('35821.0887784575,3,1,1,1,1', 1).timeNs).toBe(35821088778458n);
  });

  test('a CRLF line ending is accepted', () => {
    expect(parseLobsterMessage('34200.5,1,1,1,1,1\r', 1).direction).toBe(1);
  });

  test.each([
    ['34200.1,1,1,1,1', 0, /has 5 columns, a message row has 6/],
    ['', 0, /is an empty row/],
    ['9:30,1,1,1,1,1', 1, /"9:30" is not a time/],
    ['34200.1,8,1,1,1,1', 2, /"8" is not an event type/],
    ['34200.1,x,1,1,1,1', 2, /"x" is not an integer/],
    ['34200.1,1,-5,1,1,1', 3, /"-5" is not an order id/],
    ['34200.1,1,5,0,1,1', 4, /"0" is not a size/],
    ['34200.1,1,5,1.5,1,1', 4, /"1.5" is not an integer/],
    ['34200.1,1,5,1,-100,1', 5, /"-100" is not a price/],
    ['34200.1,7,0,0,5,-1', 5, /"5" is not a halt indicator price/],
    ['34200.1,1,5,1,100,0', 6, /"0" is not a direction/],
    ['34200.1,1,99999999999999999,1,100,1', 3, /beyond the safe integer range/],
    // Found by fuzzing: a time with more fraction digits than Decimal holds escaped as InvalidDecimalError, without line or column.
    [`34200.${'0'.repeat(37)},1,5,1,100,1`, 1, /has more than 36 fraction digits/],
  ])('refuses %j naming column %i', (row, column, message) => {
    const error = formatError(() => parseLobsterMessage(row, 17, 'msgs.csv'));
    expect(error.line).toBe(17);
    expect(error.column).toBe(column);
    expect(error.file).toBe('msgs.csv');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`msgs.csv line 17${column > 0 ? ` column ${column}` : ''}`);
  });
});

describe('orderbook rows', () => {
  test('levels best first, empty placeholders dropped', () => {
    const row = '5802300,100,5794000,496,5804300,200,-9999999999,0,9999999999,0,-9999999999,0';
    expect(parseLobsterBookRow(row, 4, 3)).toEqual({
      line: 4,
      asks: [
        { price: 5802300, size: 100 },
        { price: 5804300, size: 200 },
      ],
      bids: [{ price: 5794000, size: 496 }],
    });
  });

  test.each([
    ['1,1,1', 0, undefined, /has 3 columns, an orderbook row has 4 per level/],
    ['5802300,100,5794000,496', 0, 2, /expected 8 for 2 levels/],
    ['9999999999,5,5794000,496', 2, undefined, /is the size of an empty ask level, must be 0/],
    ['5802300,100,-9999999999,0,5802400,1,5794000,1', 7, undefined, /is an occupied bid level after an empty one/],
    ['5802300,100,5794000,496,5802300,1,5793000,1', 5, undefined, /is not above the previous ask level 5802300/],
    ['5802300,100,5794000,496,5802400,1,5795000,1', 7, undefined, /is not below the previous bid level 5794000/],
    ['5802300,0,5794000,496', 2, undefined, /is not the size of an occupied ask level/],
    ['0,1,5794000,496', 1, undefined, /is not a price for the ask side/],
    ['5802300,1,5794000,abc', 4, undefined, /"abc" is not an integer/],
  ])('refuses %j naming column %i', (row, column, levels, message) => {
    const error = formatError(() => parseLobsterBookRow(row, 9, levels));
    expect(error.line).toBe(9);
    expect(error.column).toBe(column);
    expect(error.message).toMatch(message);
  });
});

describe('streaming readers', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lobster-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('reads every line with its number, CRLF or LF, with or without a final newline', async () => {
    const file = path.join(dir, 'lines.csv');
    fs.writeFileSync(file, 'a\r\nb\nc');
    const lines: [string, number][] = [];
    for await (const { text, line } of readLines(file)) lines.push([text, line]);
    expect(lines).toEqual([['a', 1], ['b', 2], ['c', 3]]);
  });

  test('message and orderbook files parse row by row and replay into an L3 book', async () => {
    const messages = path.join(dir, 'm.csv');
    const books = path.join(dir, 'b.csv');
    fs.writeFileSync(
      messages,
      ['34200.1,1,11,100,1000000,1', '34200.2,1,12,50,1000100,-1', '34200.3,4,11,40,1000000,1', '34200.4,5,0,7,1000050,1', '34200.5,3,99,10,1000100,-1'].join('\n'),
    );
    fs.writeFileSync(books, ['9999999999,0,1000000,100', '1000100,50,1000000,100', '1000100,50,1000000,60', '1000100,50,1000000,60', '1000100,50,1000000,60'].join('\n') + '\n');
    const book = new L3TickBook('TEST');
    const outcomes: string[] = [];
    for await (const m of readLobsterMessages(messages)) outcomes.push(applyLobsterMessage(book, m));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'no_book_change', 'unknown_order']);
    const rows = [];
    for await (const row of readLobsterBookRows(books, 1)) rows.push(row);
    expect(rows).toHaveLength(5);
    const last = rows[4]!;
    expect([book.bestPrice('ask'), book.bestLots('ask'), book.bestPrice('bid'), book.bestLots('bid')]).toEqual([
      last.asks[0]!.price,
      last.asks[0]!.size,
      last.bids[0]!.price,
      last.bids[0]!.size,
    ]);
  });

  test('a bad row in a file names the file, line and column', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, '34200.1,1,11,100,1000000,1\n34200.2,1,12,50,1000100,2\n');
    const read = async (): Promise<number> => {
      let n = 0;
      for await (const _ of readLobsterMessages(file)) n++;
      return n;
    };
    await expect(read()).rejects.toThrow(`LOBSTER ${file} line 2 column 6: "2" is not a direction (1 buy, -1 sell)`);
  });

  test('a missing file is an error, not an empty stream', async () => {
    const read = async (): Promise<void> => {
      for await (const _ of readLines(path.join(dir, 'absent.csv'))) void _;
    };
    await expect(read()).rejects.toThrow(/ENOENT/);
  });
});
