import { Decimal } from '@meridian/domain';
import { InvalidSignalInputError, VolumeBarAggregator, createBarAggregator, volumeBarInterval } from '../src';
import type { BarTrade, ExactBar } from '../src';

const trade = (price: string, size: string, tsNs: bigint): BarTrade => ({ price: Decimal.parse(price), size: Decimal.parse(size), tsNs });
const plain = (b: ExactBar) => [b.startTsNs, b.endTsNs, [b.open, b.high, b.low, b.close].map(String).join(' '), b.volume.toString(), b.notional.toString(), b.tradeCount];

test('a bar closes when its volume reaches the size exactly', () => {
  const agg = new VolumeBarAggregator(volumeBarInterval('10'));
  expect(agg.addTrade(trade('100', '4', 1_000n))).toEqual([]);
  expect(agg.addTrade(trade('102', '6', 2_000n)).map(plain)).toEqual([[1_000n, 2_001n, '100 102 100 102', '10', '1012', 2]]);
  expect(agg.partial()).toBeUndefined();
});

test('an overshooting trade is split: the rest opens the next bar at the same price', () => {
  const agg = new VolumeBarAggregator(volumeBarInterval('10'));
  agg.addTrade(trade('100', '7', 1_000n));
  expect(agg.addTrade(trade('101', '5', 2_000n)).map(plain)).toEqual([[1_000n, 2_001n, '100 101 100 101', '10', '1003', 2]]);
  const partial = agg.partial()!;
  expect(plain(partial)).toEqual([2_001n, 2_002n, '101 101 101 101', '2', '202', 1]);
  expect(agg.addTrade(trade('99', '8', 3_000n)).map(plain)).toEqual([[2_001n, 3_001n, '101 101 99 99', '10', '994', 2]]);
});

test('one large print fills several bars; bars at the same nanosecond get consecutive nanoseconds', () => {
  const agg = createBarAggregator('v0p5') as VolumeBarAggregator;
  agg.addTrade(trade('20', '0.25', 5_000n));
  const bars = agg.addTrade(trade('21', '1.6', 5_000n));
  expect(bars.map(plain)).toEqual([
    [5_000n, 5_001n, '20 21 20 21', '0.5', '10.25', 2],
    [5_001n, 5_002n, '21 21 21 21', '0.5', '10.5', 1],
    [5_002n, 5_003n, '21 21 21 21', '0.5', '10.5', 1],
  ]);
  expect(agg.partial()!.volume.toString()).toBe('0.35');
  expect(agg.stats).toMatchObject({ trades: 2, revisions: 0 });
  // Total volume and notional are conserved across the split.
  const all = bars.concat(agg.partial()!);
  expect(Decimal.sum(all.map((b) => b.volume)).eq('1.85')).toBe(true);
  expect(Decimal.sum(all.map((b) => b.notional)).eq(Decimal.parse('20').mul('0.25').add(Decimal.parse('21').mul('1.6')))).toBe(true);
});

test('an out-of-order trade joins the open bar and is counted; start times never go backwards', () => {
  const agg = new VolumeBarAggregator(volumeBarInterval('2'));
  agg.addTrade(trade('10', '2', 10_000n));
  const [bar] = agg.addTrade(trade('11', '2', 9_000n));
  expect(agg.stats.lateTrades).toBe(1);
  expect(bar!.startTsNs).toBe(10_001n); // the previous bar's end, not the trade's earlier time
  expect(bar!.endTsNs).toBe(10_002n);
});

test('advanceTo and flush emit nothing: a partial volume bar is not a volume bar', () => {
  const agg = new VolumeBarAggregator(volumeBarInterval('100'));
  agg.addTrade(trade('1', '50', 1n));
  expect(agg.advanceTo(10n ** 18n)).toEqual([]);
  expect(agg.flush()).toEqual([]);
  expect(agg.partial()!.volume.toString()).toBe('50');
  expect(() => agg.advanceTo(-1n)).toThrow(InvalidSignalInputError);
});

test('invalid trades are refused before they touch the bar', () => {
  const agg = new VolumeBarAggregator(volumeBarInterval('1'));
  expect(() => agg.addTrade(trade('1', '-1', 0n))).toThrow('trade size "-1" must be positive');
  expect(() => agg.addTrade(trade('0', '1', 0n))).toThrow(InvalidSignalInputError);
  expect(agg.partial()).toBeUndefined();
  expect(agg.stats.trades).toBe(0);
});
