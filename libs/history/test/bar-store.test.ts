import { Decimal, PlatformError } from '@meridian/domain';
import { Database, migrate } from '@meridian/store';
import { createSchema, testServers, uniqueNamespace } from '@meridian/testkit';
import { BarStore, HistoryWriteError, InvalidHistoryQueryError, TradeStore } from '../src';
import type { BulkMethod, StoredBar, StoredTrade } from '../src';

const MIN = 60_000_000_000n;
let db: Database;
let single: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const { databaseUrl } = await testServers();
  const created = await createSchema(databaseUrl, uniqueNamespace('hist'));
  drop = created.drop;
  db = await Database.open({ url: databaseUrl, schema: created.schema });
  // One connection: every COPY reuses the same session and its staging table.
  single = await Database.open({ url: databaseUrl, schema: created.schema, maxConnections: 1 });
  await migrate(db);
});

afterAll(async () => {
  await single?.close();
  await db?.close();
  await drop?.();
});

function bar(symbol: string, minute: number, revision = 0, overrides: Partial<StoredBar> = {}): StoredBar {
  const p = Decimal.parse(`${100 + minute}.25`);
  return {
    venue: 'test',
    symbol,
    interval: '1m',
    startTsNs: BigInt(minute) * MIN,
    endTsNs: BigInt(minute + 1) * MIN,
    open: p,
    high: p.add('1'),
    low: p.sub('1'),
    close: p.add(String(revision)),
    volume: Decimal.parse('2.5'),
    notional: p.mul('2.5'),
    tradeCount: 3 + revision,
    revision,
    ...overrides,
  };
}

const same = (a: StoredBar, b: StoredBar) =>
  expect({ ...a, open: a.open.toString(), high: a.high.toString(), low: a.low.toString(), close: a.close.toString(), volume: a.volume.toString(), notional: a.notional.toString() }).toEqual({
    ...b,
    open: b.open.toString(),
    high: b.high.toString(),
    low: b.low.toString(),
    close: b.close.toString(),
    volume: b.volume.toString(),
    notional: b.notional.toString(),
  });

describe.each<BulkMethod>(['unnest', 'copy'])('bulk write by %s', (method) => {
  const store = () => new BarStore(single);
  const sym = `SYM-${method}`;

  test('round-trips exact decimals and nanosecond timestamps beyond 2^53', async () => {
    const big: StoredBar = bar(sym, 0, 0, {
      startTsNs: 1_763_000_000_123_456_789n,
      endTsNs: 1_763_000_000_123_456_790n,
      open: Decimal.parse('0.000000000000000001'),
      high: Decimal.parse('123456789012345678901234567890.123456789'),
      low: Decimal.parse('0.000000000000000001'),
      close: Decimal.parse('42'),
      volume: Decimal.parse('0'),
      notional: Decimal.parse('98765432109876543210.000000001'),
      tradeCount: 0,
    });
    expect(await store().writeWith(method, [big])).toEqual({ received: 1, written: 1 });
    const [back] = await store().query({ venue: 'test', symbol: sym, interval: '1m', fromTsNs: big.startTsNs });
    same(back!, big);
  });

  test('keeps the highest revision whatever the order, across and within batches; duplicates write nothing', async () => {
    const s = store();
    const symbol = `${sym}-rev`;
    expect(await s.writeWith(method, [bar(symbol, 1, 1), bar(symbol, 2, 0)])).toEqual({ received: 2, written: 2 });
    // A duplicate and an older revision change nothing.
    expect(await s.writeWith(method, [bar(symbol, 1, 1), bar(symbol, 1, 0), bar(symbol, 2, 0)])).toEqual({ received: 3, written: 0 });
    // Three revisions of one bar in one batch, the highest in the middle: it wins, once.
    expect(await s.writeWith(method, [bar(symbol, 2, 1), bar(symbol, 2, 3), bar(symbol, 2, 2)])).toEqual({ received: 3, written: 1 });
    const rows = await s.query({ venue: 'test', symbol, interval: '1m' });
    expect(rows.map((r) => [r.startTsNs / MIN, r.revision, r.close.toString(), r.tradeCount])).toEqual([
      [1n, 1, '102.25', 4],
      [2n, 3, '105.25', 6],
    ]);
  });

  test('a batch with one bad row commits nothing and names the table; the next batch works', async () => {
    const s = store();
    const symbol = `${sym}-bad`;
    const bad = bar(symbol, 5, 0, { endTsNs: 5n * MIN }); // end must be after start
    const err = await s.writeWith(method, [bar(symbol, 4), bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryWriteError);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as HistoryWriteError).code).toBe('HISTORY_WRITE');
    expect((err as Error).message).toMatch(/^writing 2 rows to bars failed: .*check constraint/);
    expect(await s.query({ venue: 'test', symbol, interval: '1m' })).toEqual([]);
    expect((await s.writeWith(method, [bar(symbol, 4), bar(symbol, 5)])).written).toBe(2);
  });

  test('text that needs escaping in COPY survives', async () => {
    const s = store();
    const odd = bar('we\\ird\tsym\nbol\r', 7);
    await s.writeWith(method, [odd]);
    const [back] = await s.query({ venue: 'test', symbol: odd.symbol, interval: '1m' });
    same(back!, odd);
    await single.pool.query('DELETE FROM bars WHERE symbol = $1', [odd.symbol]);
  });
});

test('large batches: both methods store the same 5,000 bars, and write() picks COPY above the threshold', async () => {
  const many = (symbol: string) => Array.from({ length: 5_000 }, (_, i) => bar(symbol, i));
  const s = new BarStore(db, { copyThreshold: 1_000 });
  expect(await s.write(many('LARGE-A'))).toEqual({ received: 5_000, written: 5_000 });
  expect(await s.writeWith('unnest', many('LARGE-B'))).toEqual({ received: 5_000, written: 5_000 });
  const a = await s.query({ venue: 'test', symbol: 'LARGE-A', interval: '1m', limit: 10_000 });
  const b = await s.query({ venue: 'test', symbol: 'LARGE-B', interval: '1m', limit: 10_000 });
  expect(a).toHaveLength(5_000);
  expect(a.map((r) => ({ ...r, symbol: '' }))).toEqual(b.map((r) => ({ ...r, symbol: '' })));
  // Written concurrently through the pool: every connection gets its own staging table.
  const batches = await Promise.all([0, 1, 2, 3].map((i) => s.write(many(`LARGE-C${i}`))));
  expect(batches.map((r) => r.written)).toEqual([5_000, 5_000, 5_000, 5_000]);
});

test('a COPY that fails on a fresh connection leaves it able to create its staging table next time', async () => {
  const { databaseUrl } = await testServers();
  const fresh = await Database.open({ url: databaseUrl, schema: db.schema, maxConnections: 1 });
  try {
    const s = new BarStore(fresh);
    await expect(s.writeWith('copy', [bar('FRESH', 1, 0, { endTsNs: 0n })])).rejects.toThrow(HistoryWriteError);
    expect(await s.writeWith('copy', [bar('FRESH', 1)])).toEqual({ received: 1, written: 1 });
  } finally {
    await fresh.close();
  }
});

describe('queries', () => {
  const s = () => new BarStore(db);
  beforeAll(async () => {
    await s().write([...[10, 11, 12, 13, 14].map((m) => bar('Q', m)), bar('Q', 3, 0, { interval: '5m', endTsNs: 8n * MIN }), bar('R', 1)]);
  });

  test('a range is [from, to), oldest first, limited; open ends are open', async () => {
    const starts = async (q: { fromTsNs?: bigint; toTsNs?: bigint; limit?: number }) =>
      (await s().query({ venue: 'test', symbol: 'Q', interval: '1m', ...q })).map((b) => Number(b.startTsNs / MIN));
    expect(await starts({})).toEqual([10, 11, 12, 13, 14]);
    expect(await starts({ fromTsNs: 11n * MIN, toTsNs: 13n * MIN })).toEqual([11, 12]);
    expect(await starts({ fromTsNs: 11n * MIN + 1n })).toEqual([12, 13, 14]);
    expect(await starts({ toTsNs: 12n * MIN })).toEqual([10, 11]);
    expect(await starts({ limit: 2 })).toEqual([10, 11]);
    expect(await starts({ fromTsNs: 12n * MIN, limit: 1 })).toEqual([12]);
    expect(await starts({ fromTsNs: 20n * MIN })).toEqual([]);
    expect(await s().query({ venue: 'test', symbol: 'Q', interval: '1h' })).toEqual([]);
  });

  test('latest is the newest bar of the series; undefined for an unknown series', async () => {
    expect((await s().latest('test', 'Q', '1m'))!.startTsNs).toBe(14n * MIN);
    expect((await s().latest('test', 'Q', '5m'))!.endTsNs).toBe(8n * MIN);
    expect(await s().latest('test', 'NOPE', '1m')).toBeUndefined();
  });

  test('series lists each (venue, symbol, interval) with its extent', async () => {
    const all = await s().series();
    expect(all.filter((x) => x.symbol === 'Q' || x.symbol === 'R')).toEqual([
      { venue: 'test', symbol: 'Q', interval: '1m', bars: 5, firstStartTsNs: 10n * MIN, lastStartTsNs: 14n * MIN },
      { venue: 'test', symbol: 'Q', interval: '5m', bars: 1, firstStartTsNs: 3n * MIN, lastStartTsNs: 3n * MIN },
      { venue: 'test', symbol: 'R', interval: '1m', bars: 1, firstStartTsNs: MIN, lastStartTsNs: MIN },
    ]);
  });

  test.each([
    [{ symbol: '' }, 'symbol "" must be a non-empty string'],
    [{ interval: '' }, 'interval "" must be a non-empty string'],
    [{ venue: '' }, 'venue "" must be a non-empty string'],
    [{ limit: 0 }, 'limit 0 must be an integer in [1, 1000000]'],
    [{ limit: 1_000_001 }, 'limit 1000001 must be an integer in [1, 1000000]'],
    [{ limit: 2.5 }, 'limit 2.5 must be an integer'],
    [{ fromTsNs: -1n }, 'fromTsNs -1 must be >= 0'],
    [{ fromTsNs: 10n, toTsNs: 5n }, 'toTsNs 5 must not be before fromTsNs 10'],
  ])('a bad query %p is refused naming the field', async (bad, message) => {
    const err = await s()
      .query({ venue: 'test', symbol: 'Q', interval: '1m', ...bad })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidHistoryQueryError);
    expect((err as InvalidHistoryQueryError).code).toBe('HISTORY_INVALID_QUERY');
    expect((err as Error).message).toContain(message);
  });
});

describe('trades', () => {
  const trade = (id: string, tsNs: bigint, price: string): StoredTrade => ({
    venue: 'test',
    symbol: 'T',
    tradeId: id,
    price: Decimal.parse(price),
    size: Decimal.parse('0.001'),
    aggressor: id === 'c' ? undefined : 'BUY',
    tsNs,
    receivedTsNs: id === 'c' ? undefined : tsNs + 5n,
  });

  test('a batch goes in by COPY; a repeated trade is not stored twice; ranges come back in time order', async () => {
    const s = new TradeStore(db);
    expect(await s.write([trade('b', 2n, '10.5'), trade('a', 1n, '10.25'), trade('c', 2n, '10.75')])).toBe(3);
    expect(await s.write([trade('a', 1n, '10.25'), trade('d', 3n, '11')])).toBe(1);
    const all = await s.query({ venue: 'test', symbol: 'T' });
    expect(all.map((t) => [t.tradeId, t.tsNs, t.price.toString(), t.aggressor, t.receivedTsNs])).toEqual([
      ['a', 1n, '10.25', 'BUY', 6n],
      ['b', 2n, '10.5', 'BUY', 7n],
      ['c', 2n, '10.75', undefined, undefined],
      ['d', 3n, '11', 'BUY', 8n],
    ]);
    expect((await s.query({ venue: 'test', symbol: 'T', fromTsNs: 2n, toTsNs: 3n })).map((t) => t.tradeId)).toEqual(['b', 'c']);
    await expect(s.write([{ ...trade('e', 4n, '1'), size: Decimal.ZERO }])).rejects.toThrow(HistoryWriteError);
    await expect(s.query({ venue: 'test', symbol: '' })).rejects.toThrow('symbol "" must be a non-empty string');
  });
});
