import { Decimal } from '@meridian/domain';
import {
  InvalidBarConfigError,
  InvalidSignalInputError,
  TimeBarAggregator,
  createBarAggregator,
  parseBarInterval,
  timeBarInterval,
} from '../src';
import type { BarAggregatorOptions, BarTrade, ExactBar } from '../src';

const MS = 1_000_000n;
const SEC = 1_000n * MS;
const MIN = 60n * SEC;

const trade = (price: string, size: string, tsNs: bigint): BarTrade => ({ price: Decimal.parse(price), size: Decimal.parse(size), tsNs });

function minuteBars(options: BarAggregatorOptions = {}): TimeBarAggregator {
  return new TimeBarAggregator(timeBarInterval(MIN), { graceNs: 0n, lateRetentionNs: 0n, ...options });
}

/** A bar as plain strings, for readable expectations. */
function plain(b: ExactBar) {
  return {
    interval: b.interval,
    start: b.startTsNs,
    end: b.endTsNs,
    ohlc: [b.open, b.high, b.low, b.close].map(String).join(' '),
    volume: b.volume.toString(),
    notional: b.notional.toString(),
    trades: b.tradeCount,
    revision: b.revision,
  };
}

test('OHLC, volume, notional and trade count are exact, and the bar closes when a trade passes its end', () => {
  const agg = minuteBars();
  expect(agg.addTrade(trade('100.10', '0.1', 1n))).toEqual([]);
  expect(agg.addTrade(trade('100.30', '0.2', 20n * SEC))).toEqual([]);
  expect(agg.addTrade(trade('99.90', '0.0000001', 30n * SEC))).toEqual([]);
  expect(agg.addTrade(trade('100.20', '1.3', MIN - 1n))).toEqual([]);
  const closed = agg.addTrade(trade('101', '1', MIN));
  expect(closed.map(plain)).toEqual([
    {
      interval: '1m',
      start: 0n,
      end: MIN,
      ohlc: '100.1 100.3 99.9 100.2',
      volume: '1.6000001',
      // 10.01 + 20.06 + 0.00000999 + 130.26
      notional: '160.33000999',
      trades: 4,
      revision: 0,
    },
  ]);
  // 0.1 + 0.2 is exactly 0.3 here, unlike in floating point.
  const sum = createBarAggregator('1s', { graceNs: 0n });
  sum.addTrade(trade('1', '0.1', 0n));
  sum.addTrade(trade('1', '0.2', 1n));
  expect(sum.advanceTo(SEC)[0]!.volume.toString()).toBe('0.3');
});

test('bars are aligned to the epoch, not to the first trade', () => {
  const agg = createBarAggregator('5m', { graceNs: 0n });
  agg.addTrade(trade('10', '1', 7n * MIN + 12_345n));
  const [bar] = agg.advanceTo(10n * MIN);
  expect(bar!.startTsNs).toBe(5n * MIN);
  expect(bar!.endTsNs).toBe(10n * MIN);
});

test('intervals without trades are emitted as empty bars at the previous close', () => {
  const agg = minuteBars();
  agg.addTrade(trade('100', '1', 0n));
  agg.addTrade(trade('105', '2', SEC));
  const bars = agg.addTrade(trade('90', '1', 3n * MIN + 5n));
  expect(bars.map(plain)).toEqual([
    { interval: '1m', start: 0n, end: MIN, ohlc: '100 105 100 105', volume: '3', notional: '310', trades: 2, revision: 0 },
    { interval: '1m', start: MIN, end: 2n * MIN, ohlc: '105 105 105 105', volume: '0', notional: '0', trades: 0, revision: 0 },
    { interval: '1m', start: 2n * MIN, end: 3n * MIN, ohlc: '105 105 105 105', volume: '0', notional: '0', trades: 0, revision: 0 },
  ]);
});

test('advanceTo closes bars in a quiet market, and does nothing before the first trade or backwards', () => {
  const agg = minuteBars();
  expect(agg.advanceTo(10n * MIN)).toEqual([]);
  agg.addTrade(trade('50', '1', 10n * MIN + 1n));
  expect(agg.advanceTo(11n * MIN - 1n)).toEqual([]);
  expect(agg.advanceTo(11n * MIN).map(plain)).toEqual([
    { interval: '1m', start: 10n * MIN, end: 11n * MIN, ohlc: '50 50 50 50', volume: '1', notional: '50', trades: 1, revision: 0 },
  ]);
  expect(agg.advanceTo(11n * MIN)).toEqual([]);
  expect(agg.advanceTo(5n * MIN)).toEqual([]);
  expect(agg.advanceTo(13n * MIN).map((b) => [b.startTsNs, b.tradeCount, b.close.toString()])).toEqual([
    [11n * MIN, 0, '50'],
    [12n * MIN, 0, '50'],
  ]);
});

test('a trade within the grace period joins its bar before the bar is emitted', () => {
  const agg = minuteBars({ graceNs: 2n * SEC, lateRetentionNs: 0n });
  agg.addTrade(trade('100', '1', 30n * SEC));
  expect(agg.addTrade(trade('101', '1', MIN + SEC))).toEqual([]); // bar 0 not closed yet: grace
  expect(agg.addTrade(trade('99', '1', 59n * SEC))).toEqual([]); // late but within grace
  const [bar] = agg.advanceTo(MIN + 2n * SEC);
  expect(plain(bar!)).toMatchObject({ start: 0n, ohlc: '100 100 99 99', volume: '2', trades: 2, revision: 0 });
  expect(agg.stats).toMatchObject({ trades: 3, lateTrades: 0, tooLateTrades: 0, revisions: 0 });
});

test('open and close follow timestamps, not arrival: an earlier late trade becomes the open', () => {
  const agg = minuteBars({ graceNs: 10n * SEC });
  agg.addTrade(trade('100', '1', 20n * SEC));
  agg.addTrade(trade('102', '1', 40n * SEC));
  agg.addTrade(trade('98', '1', 10n * SEC)); // earlier than the open
  agg.addTrade(trade('101', '1', 30n * SEC)); // between: neither open nor close
  agg.addTrade(trade('103', '1', 40n * SEC)); // same time as the close, arrived later: the new close
  const [bar] = agg.advanceTo(MIN + 10n * SEC);
  expect(plain(bar!).ohlc).toBe('98 103 98 103');
});

test('a late trade within retention revises the closed bar and the empty bars after it', () => {
  const agg = minuteBars({ graceNs: 0n, lateRetentionNs: 5n * MIN });
  agg.addTrade(trade('100', '1', 10n * SEC));
  const closed = agg.addTrade(trade('100', '1', 3n * MIN + SEC)); // bars 0, 1, 2 emitted
  expect(closed.map((b) => [b.startTsNs / MIN, b.revision, b.close.toString()])).toEqual([
    [0n, 0, '100'],
    [1n, 0, '100'],
    [2n, 0, '100'],
  ]);
  // Later than the close of bar 0: it changes bar 0's close, so the empty bars 1 and 2 follow it.
  const revised = agg.addTrade(trade('104', '2', 50n * SEC));
  expect(revised.map(plain)).toEqual([
    { interval: '1m', start: 0n, end: MIN, ohlc: '100 104 100 104', volume: '3', notional: '308', trades: 2, revision: 1 },
    { interval: '1m', start: MIN, end: 2n * MIN, ohlc: '104 104 104 104', volume: '0', notional: '0', trades: 0, revision: 1 },
    { interval: '1m', start: 2n * MIN, end: 3n * MIN, ohlc: '104 104 104 104', volume: '0', notional: '0', trades: 0, revision: 1 },
  ]);
  // A late trade in an empty bar makes it a real bar; the empty bar after it follows its close.
  const second = agg.addTrade(trade('99', '1', MIN + 5n * SEC));
  expect(second.map((b) => [b.startTsNs / MIN, b.revision, plain(b).ohlc, b.tradeCount])).toEqual([
    [1n, 2, '99 99 99 99', 1],
    [2n, 2, '99 99 99 99', 0],
  ]);
  // A late trade that does not move the close revises only its own bar.
  const third = agg.addTrade(trade('120', '1', 20n * SEC));
  expect(third.map((b) => [b.startTsNs / MIN, b.revision, plain(b).ohlc])).toEqual([[0n, 2, '100 120 100 104']]);
  expect(agg.stats).toEqual({ trades: 5, lateTrades: 3, tooLateTrades: 0, revisions: 6, skippedEmptyBars: 0 });
});

test('a trade older than the retention is counted as too late and dropped', () => {
  const agg = minuteBars({ graceNs: 0n, lateRetentionNs: 2n * MIN });
  agg.addTrade(trade('100', '1', 0n));
  agg.addTrade(trade('100', '1', 3n * MIN)); // bar 0 ends at 1m; correctable until 1m + 2m = 3m (exclusive)
  expect(agg.addTrade(trade('1', '1', 30n * SEC))).toEqual([]);
  expect(agg.addTrade(trade('200', '1', MIN + 1n))[0]!.revision).toBe(1); // bar 1 still correctable
  expect(agg.stats).toMatchObject({ trades: 3, lateTrades: 1, tooLateTrades: 1, revisions: 2 });
});

test('a trade before the series start is too late, even within the grace period', () => {
  const agg = minuteBars({ graceNs: 30n * SEC, lateRetentionNs: MIN });
  agg.addTrade(trade('100', '1', 5n * MIN));
  expect(agg.addTrade(trade('100', '1', 5n * MIN - 1n))).toEqual([]);
  expect(agg.stats.tooLateTrades).toBe(1);
  expect(agg.flush().map((b) => b.startTsNs)).toEqual([5n * MIN]);
});

test('a first trade behind a clock that already passed its bar is emitted at once; older than retention it is dropped', () => {
  const agg = minuteBars({ graceNs: 0n, lateRetentionNs: 10n * MIN });
  agg.advanceTo(5n * MIN);
  expect(agg.addTrade(trade('100', '1', 30n * SEC)).map((b) => [b.startTsNs / MIN, b.revision, b.tradeCount])).toEqual([
    [0n, 0, 1],
    [1n, 0, 0],
    [2n, 0, 0],
    [3n, 0, 0],
    [4n, 0, 0],
  ]);
  const other = minuteBars({ graceNs: 0n, lateRetentionNs: MIN });
  other.advanceTo(5n * MIN);
  expect(other.addTrade(trade('100', '1', 30n * SEC))).toEqual([]);
  expect(other.stats.tooLateTrades).toBe(1);
});

test('a jump longer than maxEmptyBarsPerJump emits that many empty bars, skips the rest and resumes where the clock is', () => {
  const agg = minuteBars({ graceNs: 0n, lateRetentionNs: 10n * MIN, maxEmptyBarsPerJump: 3 });
  agg.addTrade(trade('100', '1', 0n));
  const bars = agg.addTrade(trade('110', '1', 100n * MIN + 1n));
  expect(bars.map((b) => [b.startTsNs / MIN, b.tradeCount, b.close.toString()])).toEqual([
    [0n, 1, '100'],
    [1n, 0, '100'],
    [2n, 0, '100'],
    [3n, 0, '100'],
  ]);
  expect(agg.stats.skippedEmptyBars).toBe(96);
  // The skipped gap and what came before it are no longer correctable.
  expect(agg.addTrade(trade('1', '1', 50n * MIN))).toEqual([]);
  expect(agg.addTrade(trade('1', '1', 30n * SEC))).toEqual([]);
  expect(agg.stats.tooLateTrades).toBe(2);
  // The series goes on from the bar the clock is in; empty bars still show the previous close.
  expect(agg.advanceTo(103n * MIN).map((b) => [b.startTsNs / MIN, b.tradeCount, b.close.toString()])).toEqual([
    [100n, 1, '110'],
    [101n, 0, '110'],
    [102n, 0, '110'],
  ]);
  // A clock jump without a trade is capped the same way.
  const quiet = agg.advanceTo(1_000n * MIN);
  expect(quiet).toHaveLength(3);
  expect(quiet.every((b) => b.tradeCount === 0 && b.close.eq('110'))).toBe(true);
  expect(agg.stats.skippedEmptyBars).toBe(96 + 894);
  expect(agg.addTrade(trade('111', '1', 1_000n * MIN)).length).toBe(0);
  expect(agg.advanceTo(1_002n * MIN).map((b) => [b.startTsNs / MIN, b.open.toString(), b.tradeCount])).toEqual([
    [1_000n, '111', 1],
    [1_001n, '111', 0],
  ]);
});

test('a cap of zero emits no empty bar on a jump', () => {
  const agg = minuteBars({ maxEmptyBarsPerJump: 0 });
  agg.addTrade(trade('1', '1', 0n));
  expect(agg.addTrade(trade('2', '1', 2n * MIN)).map((b) => b.startTsNs)).toEqual([0n]);
  expect(agg.stats.skippedEmptyBars).toBe(1);
});

test('a long quiet market with a clock tick per interval emits every empty bar, and memory stays bounded', () => {
  const agg = new TimeBarAggregator(timeBarInterval(SEC), { graceNs: 0n, lateRetentionNs: 10n * SEC, maxEmptyBarsPerJump: 5 });
  agg.addTrade(trade('7', '1', 0n));
  let emitted = 0;
  for (let s = 1n; s <= 100_000n; s++) emitted += agg.advanceTo(s * SEC).length;
  expect(emitted).toBe(100_000);
  expect(agg.stats.skippedEmptyBars).toBe(0);
  // Only the correctable bars are held (the retention covers 10 bars).
  expect((agg as unknown as { slots: unknown[] }).slots.length).toBeLessThanOrEqual(11);
});

test('flush emits the open bars regardless of grace; a later trade for them is a revision', () => {
  const agg = minuteBars({ graceNs: 30n * SEC, lateRetentionNs: 5n * MIN });
  agg.addTrade(trade('100', '1', 10n * SEC));
  agg.addTrade(trade('101', '1', MIN + 10n * SEC));
  expect(agg.flush().map((b) => [b.startTsNs / MIN, b.revision])).toEqual([
    [0n, 0],
    [1n, 0],
  ]);
  expect(agg.flush()).toEqual([]);
  expect(agg.addTrade(trade('102', '1', MIN + 20n * SEC)).map((b) => [b.startTsNs / MIN, b.revision])).toEqual([[1n, 1]]);
});

test('trades and options that would corrupt a bar are refused with typed errors', () => {
  const agg = minuteBars();
  expect(() => agg.addTrade(trade('0', '1', 0n))).toThrow(InvalidSignalInputError);
  expect(() => agg.addTrade(trade('-1', '1', 0n))).toThrow('trade price "-1" must be positive');
  expect(() => agg.addTrade(trade('1', '0', 0n))).toThrow('trade size "0" must be positive');
  expect(() => agg.addTrade(trade('1', '1', -1n))).toThrow(InvalidSignalInputError);
  expect(() => agg.advanceTo(-5n)).toThrow(InvalidSignalInputError);
  expect(agg.stats.trades).toBe(0);
  expect(() => createBarAggregator('1m', { graceNs: -1n })).toThrow(InvalidBarConfigError);
  expect(() => createBarAggregator('1m', { lateRetentionNs: -1n })).toThrow('lateRetentionNs -1 must be a bigint >= 0');
  expect(() => createBarAggregator('1m', { maxEmptyBarsPerJump: 1.5 })).toThrow('maxEmptyBarsPerJump 1.5 must be an integer >= 0');
});

test('createBarAggregator picks the aggregator from the token', () => {
  expect(createBarAggregator('1h')).toBeInstanceOf(TimeBarAggregator);
  expect(createBarAggregator(parseBarInterval('1h')).interval.token).toBe('1h');
  expect(createBarAggregator('v5').interval.kind).toBe('volume');
});
