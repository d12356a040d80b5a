import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLobsterBookRows } from '@meridian/book';
import { Decimal } from '@meridian/domain';
import { sharedDataPath } from '@meridian/testkit';
import { BacktestConfigError, EventFormatError, csvSource, eventFromJson, eventToJson, eventsToJsonl, jsonlSource, lobsterSource, mergeSources, syntheticBars } from '../src';
import type { EventSource, MarketEvent } from '../src';
import { T0, bar, book, d, quote, trade } from './helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backtest-sources-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function read(source: EventSource): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  for await (const c of mergeSources([source])) out.push(...c);
  return out;
}

const json = (events: MarketEvent[]) => events.map(eventToJson);

describe('CSV sources', () => {
  test('bars with a start time in ms and renamed columns; each bar is an event at its end', async () => {
    const path = file('bars.csv', 'open_time_ms,o,h,l,c,vol\r\n1704067200000,100.5,101,100,100.75,3.25\r\n1704067260000,100.75,100.8,99.9,100,0\r\n');
    const events = await read(csvSource({ kind: 'bars', path, symbol: 'BTC-USDT', interval: '1m', time: { column: 'open_time_ms', unit: 'ms' }, columns: { open: 'o', high: 'h', low: 'l', close: 'c', volume: 'vol' } }));
    expect(json(events)).toEqual(json([bar('BTC-USDT', 0, '100.75', { open: '100.5', high: '101', low: '100', volume: '3.25' }), bar('BTC-USDT', 1, '100', { open: '100.75', high: '100.8', low: '99.9', volume: '0' })]).map((e) => ({ ...e, trades: 0 })));
  });

  test('trades with a symbol column, ISO times and sides; quotes; book levels grouped into events', async () => {
    const trades = file('trades.csv', 'ts,sym,price,size,side\n2024-01-01 00:00:00.250+00:00,ETH-USDT,2000.5,0.5,sell\n2024-01-01T00:00:01Z,ETH-USDT,2001,1,B\n');
    expect(json(await read(csvSource({ kind: 'trades', path: trades, symbol: { column: 'sym' }, time: { column: 'ts', unit: 'iso' }, columns: { side: 'side' } })))).toEqual(
      json([trade('ETH-USDT', T0 + 250_000_000n, '2000.5', '0.5', 'SELL'), trade('ETH-USDT', T0 + 1_000_000_000n, '2001', '1', 'BUY')]),
    );
    const quotes = file('quotes.csv', 'time,bid,bidSize,ask,askSize\n1704067200.5,99,1,101,2\n1704067201,,,101,3\n');
    expect(json(await read(csvSource({ kind: 'quotes', path: quotes, symbol: 'X-USD', time: { column: 'time', unit: 's' } })))).toEqual(
      json([quote('X-USD', T0 + 500_000_000n, ['99', '1'], ['101', '2']), quote('X-USD', T0 + 1_000_000_000n, undefined, ['101', '3'])]),
    );
    const levels = file('book.csv', 'ns,type,side,price,size\n1704067200000000000,snapshot,bid,99,1\n1704067200000000000,snapshot,ask,101,2\n1704067200000000000,snapshot,bid,98,5\n1704067200000000100,delta,ask,101,0\n1704067200000000100,delta,ask,102,4\n1704067200000000200,delta,bid,99,3\n');
    expect(json(await read(csvSource({ kind: 'book', path: levels, symbol: 'X-USD', time: { column: 'ns', unit: 'ns' }, columns: { type: 'type' } })))).toEqual(
      json([
        book('X-USD', T0, 1n, true, [['99', '1'], ['98', '5']], [['101', '2']]),
        book('X-USD', T0 + 100n, 2n, false, [], [['101', '0'], ['102', '4']]),
        book('X-USD', T0 + 200n, 3n, false, [['99', '3']], []),
      ]),
    );
  });

  test('a bad row names the file, line and column', async () => {
    const path = file('bad.csv', 'time,open,high,low,close,volume\n1,1,1,1,1,1\n2,1,1,x1,1,1\n');
    await expect(read(csvSource({ kind: 'bars', path, symbol: 'S', interval: '1m', time: { column: 'time', unit: 's' } }))).rejects.toThrow(/bad\.csv line 3: low "x1" is not a decimal/);
    const short = file('short.csv', 'time,open,high,low,close,volume\n1,1,1,1,1\n');
    await expect(read(csvSource({ kind: 'bars', path: short, symbol: 'S', interval: '1m', time: { column: 'time', unit: 's' } }))).rejects.toThrow(EventFormatError);
    expect(() => csvSource({ kind: 'bars', path: short, symbol: 'S', interval: 'v10', time: { column: 'time', unit: 's' } })).toThrow(/time bar interval/);
    await expect(read(csvSource({ kind: 'bars', path: short, symbol: 'S', interval: '1m', time: { column: 'time', unit: 's' }, columns: { close: 'last' } }))).rejects.toThrow(/"last" is not a column/);
  });

  const BINANCE = sharedDataPath('crypto_bars', 'binanceus_BTCUSDT_1m_20230301_20230321.csv');
  (existsSync(BINANCE) ? test : test.skip)('reads the real Binance.US minute bars (30,240) in order', async () => {
    const events = await read(csvSource({ kind: 'bars', path: BINANCE, symbol: 'BTC-USDT', interval: '1m', time: { column: 'open_time', unit: 'iso' } }));
    expect(events).toHaveLength(30_240);
    const first = events[0]!;
    expect(first.kind === 'bar' && first.close.toString()).toBe('23142.31');
    expect(first.tsNs).toBe(BigInt(Date.UTC(2023, 2, 1, 0, 1)) * 1_000_000n);
    // Line 15016 holds the volume 9e-05, read exactly.
    const small = events[15016 - 2]!;
    expect(small.kind === 'bar' && small.volume.toString()).toBe('0.00009');
  });
  if (!existsSync(BINANCE)) console.log(`sources: real-bar test skipped, ${BINANCE} is absent (see ../shared/data/MANIFEST.md)`);
});

describe('JSON lines', () => {
  test('every kind of event survives a trip through JSON exactly', async () => {
    const events: MarketEvent[] = [
      bar('A-USD', 0, '1.23456789', { volume: '0.00000001' }),
      trade('A-USD', T0 + 61n * 1_000_000_000n, '1.5', '2'),
      trade('A-USD', T0 + 62n * 1_000_000_000n, '1.5', '2', 'SELL'),
      quote('A-USD', T0 + 63n * 1_000_000_000n, ['1', '2'], undefined),
      book('A-USD', 18_446_744_073_709_551_615n, 9_007_199_254_740_993n, false, [['1', '0']], [['2', '5']]),
    ];
    const path = file('events.jsonl', eventsToJsonl(events));
    const back = await read(jsonlSource(path));
    expect(json(back)).toEqual(json(events));
    expect(back[4]!.tsNs).toBe(18_446_744_073_709_551_615n);
    expect(() => eventFromJson({ kind: 'bar', symbol: 'A', tsNs: '1' }, 'x.jsonl', 4)).toThrow(/x\.jsonl line 4: interval undefined must be a non-empty string/);
    expect(() => eventFromJson({ kind: 'trade', symbol: 'A', tsNs: '1', price: 1, size: '1' }, 'x.jsonl', 5)).toThrow(/price 1 must be a decimal string/);
  });
});

const GOOG_MESSAGES = sharedDataPath('lobster', 'GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv');
const GOOG_BOOK = sharedDataPath('lobster', 'GOOG_2012-06-21_34200000_57600000_orderbook_5.first20000.csv');
const lobsterPresent = existsSync(GOOG_MESSAGES) && existsSync(GOOG_BOOK);
if (!lobsterPresent) console.log('sources: LOBSTER test skipped, the GOOG sample is absent (see ../shared/data/MANIFEST.md)');

(lobsterPresent ? test : test.skip)('LOBSTER: the GOOG sample as a snapshot, book deltas that rebuild every row, and trades', async () => {
  const events = await read(lobsterSource({ messages: GOOG_MESSAGES, orderbook: GOOG_BOOK, symbol: 'GOOG', levels: 5, date: '2012-06-21', utcOffsetMinutes: -240, maxRows: 2000 }));
  // The first row's book is a snapshot (a first message that executed prints before it, against no book).
  const first = events.find((e) => e.kind === 'book')!;
  expect(first.kind === 'book' && first.snapshot).toBe(true);
  // 09:30:00.015… New York (UTC−4) on 21 June 2012.
  expect(Number(first.tsNs / 1_000_000n)).toBeGreaterThanOrEqual(Date.UTC(2012, 5, 21, 13, 30));
  expect(Number(first.tsNs / 1_000_000n)).toBeLessThan(Date.UTC(2012, 5, 21, 13, 30, 1));
  // The file's rows, each one that differs from the row before (an unchanged row makes no event).
  const rows: string[] = [];
  for await (const row of readLobsterBookRows(GOOG_BOOK, 5)) {
    const text = JSON.stringify([row.bids, row.asks]);
    if (rows[rows.length - 1] !== text) rows.push(text);
    if (row.line === 2000) break;
  }
  // Rebuild the book from the events: after every book event it is the next distinct row.
  let r = 0;
  const asRow = (m: Map<string, string>, desc: boolean) =>
    [...m]
      .map(([p, z]) => ({ price: Number(d(p).mul(10000n).toString()), size: Number(z) }))
      .sort((a, b) => (desc ? b.price - a.price : a.price - b.price));
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  let seq = 0n;
  let trades = 0;
  for (const e of events) {
    if (e.kind === 'trade') {
      trades++;
      continue;
    }
    if (e.kind !== 'book') continue;
    expect(e.seq).toBe(++seq);
    if (e.snapshot) {
      bids.clear();
      asks.clear();
    }
    for (const [side, levels] of [[bids, e.bids], [asks, e.asks]] as const) {
      for (const l of levels) {
        if (l.size.isZero()) side.delete(l.price.toString());
        else side.set(l.price.toString(), l.size.toString());
      }
    }
    expect(JSON.stringify([asRow(bids, true), asRow(asks, false)])).toBe(rows[r++]);
  }
  expect(r).toBe(rows.length);
  expect(trades).toBeGreaterThan(50);
  expect(seq).toBeGreaterThan(1500);
});

describe('synthetic bars', () => {
  const all = (source: EventSource): MarketEvent[] => [...(source.chunks() as Iterable<MarketEvent[]>)].flat();
  const text = (e: MarketEvent) => (e.kind === 'bar' ? [e.symbol, e.tsNs, e.startNs, e.open, e.high, e.low, e.close, e.volume].map(String).join(' ') : '');

  test('the same options give the same bars as every earlier build: whole ticks and lots, each bar opening at the last close', () => {
    const events = all(syntheticBars({ symbols: ['AAA-USDT', 'BBB-USDT'], bars: 5000, seed: 7, volatility: 0.002, chunkSize: 333 }));
    // Recorded from the generator as it was first written (cached values), so data made for a
    // backtest stays reproducible whatever the generator's internals become.
    expect(events.slice(0, 3).map(text)).toEqual([
      'AAA-USDT 1704067260000000000 1704067200000000000 10000 10022.37 9986.02 10002.84 2.608',
      'BBB-USDT 1704067260000000000 1704067200000000000 10000 10004.79 9969.02 9980.08 3.65',
      'AAA-USDT 1704067320000000000 1704067260000000000 10002.84 10026.73 9992.47 10011.45 0.986',
    ]);
    expect(events).toHaveLength(10000);
    expect(createHash('sha256').update(events.map(text).join('\n')).digest('hex')).toBe('20746b1404e896c8cb932ed3b00b790d126ee6ff0ded3fcd66177c3a66ed02b0');
    const last = new Map<string, string>();
    for (const e of events) {
      if (e.kind !== 'bar') throw new Error('only bars');
      for (const p of [e.open, e.high, e.low, e.close]) expect(p.isMultipleOf(d('0.01'))).toBe(true);
      expect(e.volume.isMultipleOf(d('0.001')) && e.volume.isPositive()).toBe(true);
      expect(e.high.gte(Decimal.max(e.open, e.close)) && e.low.lte(Decimal.min(e.open, e.close))).toBe(true);
      if (last.has(e.symbol)) expect(e.open.toString()).toBe(last.get(e.symbol));
      last.set(e.symbol, e.close.toString());
    }
  });

  test('a step or starting price that cannot make whole ticks is refused by name', () => {
    expect(() => syntheticBars({ symbols: ['A-USDT'], bars: 1, seed: 1, tickSize: d('0') })).toThrow(BacktestConfigError);
    expect(() => syntheticBars({ symbols: ['A-USDT'], bars: 1, seed: 1, lotSize: d('-1') })).toThrow(/synthetic\.lotSize/);
    expect(() => syntheticBars({ symbols: ['A-USDT'], bars: 1, seed: 1, startTicks: 1.5 })).toThrow(/synthetic\.startTicks/);
  });
});
