import { InvalidParentOrderError, ParentOrder, validateParentOrder } from '../src';
import type { AlgoParams, ParentOrderSpec } from '../src';
import { d, spec } from './helpers';

const twap: AlgoParams = { kind: 'twap', slices: 4 };

function rejection(s: ParentOrderSpec): InvalidParentOrderError {
  try {
    ParentOrder.create(s);
  } catch (e) {
    if (e instanceof InvalidParentOrderError) return e;
    throw e;
  }
  throw new Error('expected InvalidParentOrderError');
}

describe('parent order validation', () => {
  it('accepts a valid spec and counts the quantity in lots', () => {
    const v = validateParentOrder(spec(twap, { quantity: d('0.35'), lotSize: d('0.05') }));
    expect(v.lots).toBe(7n);
    expect(v.maxChildRejects).toBe(3);
    expect(v.retryIntervalNs).toBe(50n);
  });

  it.each<[string, Partial<ParentOrderSpec>, string]>([
    ['id', { id: '' }, 'id'],
    ['id with a dot', { id: 'a.b' }, 'id'],
    ['symbol', { symbol: 'btc/usdt' }, 'symbol'],
    ['side', { side: 'buy' as never }, 'side'],
    ['quantity off the lot grid', { quantity: d('10.5') }, 'quantity'],
    ['zero quantity', { quantity: d(0) }, 'quantity'],
    ['quantity not a Decimal', { quantity: 10 as never }, 'quantity'],
    ['lot size', { lotSize: d(0) }, 'lotSize'],
    ['tick size', { tickSize: d('-0.01') }, 'tickSize'],
    ['limit price off the tick grid', { limitPrice: d('100.005') }, 'limitPrice'],
    ['start', { startNs: 5 as never }, 'startNs'],
    ['end before start', { endNs: 1000n }, 'endNs'],
    ['rejects', { maxChildRejects: 0 }, 'maxChildRejects'],
    ['retry interval', { retryIntervalNs: 0n }, 'retryIntervalNs'],
  ])('refuses a bad %s, naming the field', (_name, over, field) => {
    const e = rejection(spec(twap, over));
    expect(e.field).toBe(field);
    expect(e.code).toBe('INVALID_PARENT_ORDER');
    expect(e.message.startsWith(field)).toBe(true);
  });

  it.each<[string, AlgoParams, Partial<ParentOrderSpec>, string]>([
    ['TWAP without slices or interval', { kind: 'twap' }, {}, 'algo.slices'],
    ['TWAP with both', { kind: 'twap', slices: 2, sliceIntervalNs: 100n }, {}, 'algo.slices'],
    ['TWAP slices more than nanoseconds', { kind: 'twap', slices: 401 }, {}, 'algo.slices'],
    ['TWAP interval longer than the window', { kind: 'twap', sliceIntervalNs: 401n }, {}, 'algo.sliceIntervalNs'],
    ['TWAP jitter without a seed', { kind: 'twap', slices: 4, jitter: d('0.3') }, {}, 'algo.jitter'],
    ['TWAP jitter of 1', { kind: 'twap', slices: 4, seed: 7, jitter: d(1) }, {}, 'algo.jitter'],
    ['TWAP seed', { kind: 'twap', slices: 4, seed: -1 }, {}, 'algo.seed'],
    ['TWAP style', { kind: 'twap', slices: 4, style: 'sleepy' as never }, {}, 'algo.style'],
    ['TWAP without an end', twap, { endNs: undefined }, 'endNs'],
    ['VWAP profile not summing to 1', { kind: 'vwap', profile: [d('0.5'), d('0.4')] }, {}, 'algo.profile'],
    ['VWAP negative fraction', { kind: 'vwap', profile: [d('1.5'), d('-0.5')] }, {}, 'algo.profile[1]'],
    ['VWAP empty profile', { kind: 'vwap', profile: [] }, {}, 'algo.profile'],
    ['iceberg without a limit price', { kind: 'iceberg', displayQuantity: d(2) }, {}, 'limitPrice'],
    ['iceberg display off the lot grid', { kind: 'iceberg', displayQuantity: d('2.5') }, { limitPrice: d(100) }, 'algo.displayQuantity'],
    ['iceberg variance of 1', { kind: 'iceberg', displayQuantity: d(2), displayVariance: d(1) }, { limitPrice: d(100) }, 'algo.displayVariance'],
    ['POV rate of 0', { kind: 'pov', rate: d(0) }, {}, 'algo.rate'],
    ['POV rate above 1', { kind: 'pov', rate: d('1.5') }, {}, 'algo.rate'],
    ['POV max below min', { kind: 'pov', rate: d('0.1'), minChildQuantity: d(3), maxChildQuantity: d(2) }, {}, 'algo.maxChildQuantity'],
    ['unknown kind', { kind: 'sniper' } as never, {}, 'algo.kind'],
  ])('refuses %s, naming the field', (_name, algo, over, field) => {
    expect(rejection(spec(algo, over)).field).toBe(field);
  });

  it('allows an iceberg or POV without an end time', () => {
    expect(() => ParentOrder.create(spec({ kind: 'iceberg', displayQuantity: d(2) }, { limitPrice: d(100), endNs: undefined }))).not.toThrow();
    expect(() => ParentOrder.create(spec({ kind: 'pov', rate: d('0.1') }, { endNs: undefined }))).not.toThrow();
  });
});
