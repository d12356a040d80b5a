import { Decimal } from '@meridian/domain';
import type { AlgoParams, ParentOrderSpec } from '../src';
import { generatedMarket } from './support/markets';
import { ACCOUNT, paperVenue } from './support/venue';

// A restart of the execution service: at some moment the parent in memory is dropped and rebuilt
// with ParentOrder.restore from what the service journals (the children it sent, their execution
// reports, the pending cancels, POV's market volume). On the same venue and market, the run with
// the restart must send exactly the same children and get exactly the same fills as the run without.

const d = (v: string | number) => Decimal.from(v);
const S = 1_000_000_000n;
const START = 1_700_000_000n * S;
const tick = d('0.01');
const lot = d('0.01');
const events = generatedMarket({ seed: 33, startNs: START - 5n * S, stepNs: S, steps: 1210, start: d(100), tick, lot, depth: 5 });

function spec(algo: AlgoParams, over: Partial<ParentOrderSpec> = {}): ParentOrderSpec {
  return { id: `r-${algo.kind}`, symbol: 'SIM-USD', side: 'BUY', quantity: d(15), startNs: START, endNs: START + 1200n * S, lotSize: lot, tickSize: tick, algo, ...over };
}

function run(s: ParentOrderSpec, restartAtNs?: bigint) {
  const { venue, driver } = paperVenue({ symbol: 'SIM-USD', base: 'SIM', quote: 'USD', tick, lot });
  const r = driver.run(s, events, restartAtNs === undefined ? {} : { restartAtNs });
  return { ...r, fills: venue.fills(ACCOUNT), open: venue.openOrders(ACCOUNT) };
}

describe('restart: a parent rebuilt from its children’s events goes on exactly as the original', () => {
  it.each<[string, ParentOrderSpec]>([
    ['TWAP passive (a resting child at the restart)', spec({ kind: 'twap', slices: 8, style: 'passive' })],
    ['TWAP randomised', spec({ kind: 'twap', slices: 8, seed: 5 })],
    ['VWAP', spec({ kind: 'vwap', profile: [d('0.4'), d('0.2'), d('0.4')], style: 'passive' })],
    ['iceberg with variance', spec({ kind: 'iceberg', displayQuantity: d('0.4'), displayVariance: d('0.5'), seed: 9 }, { side: 'SELL', limitPrice: d('100.05') })],
    ['POV (market volume handed over)', spec({ kind: 'pov', rate: d('0.05'), minChildQuantity: d('0.1'), maxChildQuantity: d('0.3') })],
  ])('%s', (_name, s) => {
    const whole = run(s);
    // Restart in the middle of the work: when half of what the uninterrupted run filled is filled.
    const half = whole.order.snapshot().filled.div(2n, 2, 'down');
    const restartAt = whole.samples.find((x) => x.filled.gte(half) && x.working.isPositive())?.tsNs ?? whole.samples.find((x) => x.filled.gte(half))!.tsNs;
    const restarted = run(s, restartAt + 1n);
    expect(whole.order.snapshot().filled.isPositive()).toBe(true);
    // The restart happened with the work half done.
    expect(restarted.restored).toBeDefined();
    expect(restarted.restored!.status).toBe('working');
    expect(restarted.restored!.filled.gte(half)).toBe(true);
    if (s.algo.kind === 'twap' && s.algo.style === 'passive') expect(restarted.restored!.working.isPositive()).toBe(true);
    expect(restarted.children).toEqual(whole.children);
    expect(restarted.fills).toEqual(whole.fills);
    expect(restarted.terminal).toEqual(whole.terminal);
    expect(restarted.order.snapshot()).toEqual(whole.order.snapshot());
    expect(restarted.open).toEqual([]);
  });
});
