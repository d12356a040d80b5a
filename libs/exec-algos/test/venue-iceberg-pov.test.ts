import { Decimal } from '@meridian/domain';
import type { ParentOrderSpec } from '../src';
import { report } from './support/adherence';
import { BTC_BARS_FILE, barsToEvents, dataPresent, generatedMarket, readBinanceBars } from './support/markets';
import { ACCOUNT, paperVenue } from './support/venue';
import type { Sample } from './support/venue-driver';

const d = (v: string | number) => Decimal.from(v);
const S = 1_000_000_000n;
const MIN = 60n * S;
const START = 1_700_000_000n * S;
const tick = d('0.01');
const lot = d('0.01');
const events = generatedMarket({ seed: 21, startNs: START - 5n * S, stepNs: S, steps: 3610, start: d(100), tick, lot, depth: 5 });
const venue = () => paperVenue({ symbol: 'SIM-USD', base: 'SIM', quote: 'USD', tick, lot });

/** The largest shortfall against the target and the largest lead, over every sample while working. */
function tracking(samples: readonly Sample[], untilNs: bigint): { maxBehind: Decimal; maxAhead: Decimal } {
  let maxBehind = Decimal.ZERO;
  let maxAhead = Decimal.ZERO;
  for (const s of samples) {
    if (s.tsNs >= untilNs) break;
    maxBehind = Decimal.max(maxBehind, s.target.sub(s.filled));
    maxAhead = Decimal.max(maxAhead, s.filled.add(s.working).sub(s.target));
  }
  return { maxBehind, maxAhead };
}

describe('iceberg on the paper venue, generated market', () => {
  const spec = (over: Partial<ParentOrderSpec> = {}): ParentOrderSpec => ({
    id: 'ice1',
    symbol: 'SIM-USD',
    side: 'SELL',
    quantity: d(12),
    limitPrice: d('100.00'),
    startNs: START,
    endNs: START + 3600n * S,
    lotSize: lot,
    tickSize: tick,
    algo: { kind: 'iceberg', displayQuantity: d(1), displayVariance: d('0.3'), seed: 4 },
    ...over,
  });

  it('never shows more than the display size (+variance), refreshes until filled, all at or above the limit', () => {
    const { venue: v, driver } = venue();
    const r = driver.run(spec(), events, { trackShown: true });
    const fills = v.fills(ACCOUNT);
    for (const f of fills) expect(f.price.gte(d(100))).toBe(true);
    const maxShown = r.samples.reduce((m, s) => Decimal.max(m, s.shown), Decimal.ZERO);
    report('iceberg, generated', { reason: r.terminal?.reason, filled: r.order.snapshot().filled, children: r.children.length, maxShown, makerFills: fills.filter((f) => f.liquidity === 'maker').length, fills: fills.length });
    expect(maxShown.lte(d('1.3'))).toBe(true);
    // Every child but the last (capped by what was left) within ±30% of the display size.
    expect(r.children.slice(0, -1).every((c) => c.quantity.lte(d('1.3')) && c.quantity.gte(d('0.7')))).toBe(true);
    expect(new Set(r.children.map((c) => c.quantity.toString())).size).toBeGreaterThan(1);
    expect(r.terminal).toMatchObject({ type: 'finished', reason: 'completed', filled: d(12) });
    expect(Decimal.sum(fills.map((f) => f.quantity))).toEqual(d(12));
    // Resting at the limit, the children provide liquidity (the generated book starts at the limit).
    expect(fills.some((f) => f.liquidity === 'maker')).toBe(true);
  });

  it('a parent cancel cancels the shown child at the venue and finishes on its confirmation', () => {
    // Cancel once a third has filled, as an uninterrupted run shows.
    const whole = venue().driver.run(spec(), events);
    const cancelAt = whole.samples.find((s) => s.filled.gte(d(4)))!.tsNs + 1n;
    const { venue: v, driver } = venue();
    const r = driver.run(spec(), events, { cancelAtNs: cancelAt });
    expect(r.terminal).toMatchObject({ type: 'finished', reason: 'cancelled' });
    expect(v.openOrders(ACCOUNT)).toEqual([]);
    const filled = r.order.snapshot().filled;
    expect(Decimal.sum(v.fills(ACCOUNT).map((f) => f.quantity))).toEqual(filled);
    expect(filled.lt(d(12))).toBe(true);
  });

  it('a limit the market never reaches: the shown child rests until the end, then expired_at_limit_price', () => {
    const { venue: v, driver } = venue();
    const r = driver.run(spec({ limitPrice: d('150.00') }), events);
    expect(r.terminal).toMatchObject({ type: 'finished', reason: 'expired_at_limit_price', filled: d(0) });
    expect(r.children).toHaveLength(1);
    expect(v.openOrders(ACCOUNT)).toEqual([]);
  });
});

describe('POV on the paper venue, generated market', () => {
  it('tracks 10% of the market volume within one minimum child, never ahead, and completes', () => {
    const { venue: v, driver } = venue();
    const spec: ParentOrderSpec = {
      id: 'pov1',
      symbol: 'SIM-USD',
      side: 'BUY',
      quantity: d(30),
      startNs: START,
      endNs: START + 3600n * S,
      lotSize: lot,
      tickSize: tick,
      algo: { kind: 'pov', rate: d('0.1'), minChildQuantity: d('0.05'), maxChildQuantity: d('0.5') },
    };
    const r = driver.run(spec, events);
    expect(r.terminal).toMatchObject({ type: 'finished', reason: 'completed', filled: d(30) });
    expect(Decimal.sum(v.fills(ACCOUNT).map((f) => f.quantity))).toEqual(d(30));
    const end = r.samples.find((s) => s.filled.eq(d(30)))!.tsNs;
    const t = tracking(r.samples, end);
    const participation = d(30).div(r.marketVolume, 4);
    report('POV 10%, generated', { ...t, children: r.children.length, secondsToComplete: Number((end - START) / S), participation });
    expect(t.maxAhead).toEqual(Decimal.ZERO);
    // After each market event the parent is less than a minimum child (0.05) behind: it sends as
    // soon as it is that far behind, and the book had the liquidity for every child.
    expect(t.maxBehind.lt(d('0.05'))).toBe(true);
    expect(participation.sub(d('0.1')).abs().lte(d('0.005'))).toBe(true);
  });
});

describe('POV and iceberg on the paper venue, real BTCUSDT 1m bars (2023-03-01 14:00-16:00 UTC)', () => {
  const present = dataPresent(BTC_BARS_FILE);
  const blot = d('0.000001');
  const BSTART = BigInt(Date.UTC(2023, 2, 1, 14, 0)) * 1_000_000n;
  const BEND = BSTART + 120n * MIN;
  const bevents = present
    ? barsToEvents(
        readBinanceBars(BTC_BARS_FILE).filter((b) => b.startNs >= BSTART - MIN && b.startNs < BEND + MIN),
        { tick, lot: blot, depth: 5, levelFraction: d('0.05'), levelFloor: d('0.01') },
      )
    : [];
  const bvenue = () => paperVenue({ symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', tick, lot: blot });

  (present ? it : it.skip)('POV 5%: never ahead, within one minimum child of the target, completes', () => {
    const { venue: v, driver } = bvenue();
    const spec: ParentOrderSpec = {
      id: 'btc-pov',
      symbol: 'BTC-USDT',
      side: 'BUY',
      quantity: d(15),
      startNs: BSTART,
      endNs: BEND,
      lotSize: blot,
      tickSize: tick,
      retryIntervalNs: 15n * S,
      algo: { kind: 'pov', rate: d('0.05'), minChildQuantity: d('0.01'), maxChildQuantity: d('1') },
    };
    const r = driver.run(spec, bevents);
    expect(r.terminal).toMatchObject({ type: 'finished', reason: 'completed', filled: d(15) });
    expect(Decimal.sum(v.fills(ACCOUNT).map((f) => f.quantity))).toEqual(d(15));
    const end = r.samples.find((s) => s.filled.eq(d(15)))!.tsNs;
    const t = tracking(r.samples, end);
    report('POV 5%, BTCUSDT', { ...t, children: r.children.length, minutesToComplete: Number((end - BSTART) / MIN), participation: d(15).div(r.marketVolume, 4) });
    expect(t.maxAhead).toEqual(Decimal.ZERO);
    expect(t.maxBehind.lt(d('0.01'))).toBe(true);
  });

  (present ? it : it.skip)('iceberg sell at 23800: shows 0.5 at a time, fills when the market trades up to it', () => {
    const { venue: v, driver } = bvenue();
    const spec: ParentOrderSpec = {
      id: 'btc-ice',
      symbol: 'BTC-USDT',
      side: 'SELL',
      quantity: d(5),
      limitPrice: d('23800.00'),
      startNs: BSTART,
      endNs: BEND,
      lotSize: blot,
      tickSize: tick,
      algo: { kind: 'iceberg', displayQuantity: d('0.5') },
    };
    const r = driver.run(spec, bevents, { trackShown: true });
    const fills = v.fills(ACCOUNT);
    for (const f of fills) expect(f.price.gte(d(23800))).toBe(true);
    const maxShown = r.samples.reduce((m, s) => Decimal.max(m, s.shown), Decimal.ZERO);
    const filled = r.order.snapshot().filled;
    report('iceberg 23800, BTCUSDT', { reason: r.terminal?.reason, filled, children: r.children.length, maxShown });
    expect(maxShown.lte(d('0.5'))).toBe(true);
    expect(Decimal.sum(fills.map((f) => f.quantity))).toEqual(filled);
    if (filled.eq(d(5))) expect(r.terminal).toMatchObject({ reason: 'completed' });
    else expect(r.terminal).toMatchObject({ reason: 'expired_at_limit_price' });
    expect(filled.isPositive()).toBe(true);
  });
});
