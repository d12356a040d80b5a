import { ParentOrder } from '../src';
import { Journaled, cancels, d, onlySubmit, spec } from './helpers';

describe('TWAP, worked by hand', () => {
  // BUY 10 lots over [1000, 1400) in 4 slices: targets 2, 5, 7, 10 at the ends of the slices.
  it('sends each slice what it lacks, catches up after a short slice, and sweeps the rest at the end', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 4 })));
    expect(p.timer(999n)).toEqual([]);
    expect(p.order.status()).toBe('pending');
    expect(p.order.nextWakeNs()).toBe(1000n);

    const c1 = onlySubmit(p.timer(1000n));
    expect(c1).toMatchObject({ clientOrderId: 'P-1', seq: 1, quantity: d(2), type: 'market', timeInForce: 'IOC', limitPrice: undefined, submittedNs: 1000n });
    expect(p.ack('P-1', 1000n)).toEqual([]);
    expect(p.fill('P-1', 2, 100, 1001n)).toEqual([]);
    expect(p.order.nextWakeNs()).toBe(1100n);
    expect(p.timer(1050n)).toEqual([]);

    // Slice 2: 5 - 2 = 3 lots; only 1 fills and the IOC remainder is cancelled.
    expect(onlySubmit(p.timer(1100n)).quantity).toEqual(d(3));
    p.fill('P-2', 1, '100.5', 1100n);
    expect(p.cancelled('P-2', 1100n)).toEqual([]);
    // Same slice: it waits retryIntervalNs (50) from P-2's submission before it tries again.
    expect(p.order.nextWakeNs()).toBe(1150n);
    expect(p.timer(1149n)).toEqual([]);
    const c3 = onlySubmit(p.timer(1150n));
    expect(c3.quantity).toEqual(d(2));
    expect(p.rejected('P-3', 1150n)).toEqual([]);

    // Slice 3 starts: target 7, filled 3, so it catches up with 4 at once (no wait at a new slice).
    expect(p.order.nextWakeNs()).toBe(1200n);
    expect(onlySubmit(p.timer(1200n)).quantity).toEqual(d(4));
    expect(p.fill('P-4', 4, 101, 1201n)).toEqual([]);
    expect(p.order.snapshot()).toMatchObject({ filled: d(7), target: d(7), working: d(0), slice: { index: 2, count: 4, startNs: 1200n, endNs: 1300n } });

    // The final slice sweeps the rest.
    expect(onlySubmit(p.timer(1300n)).quantity).toEqual(d(3));
    const done = p.fill('P-5', 3, 102, 1301n);
    expect(done).toEqual([{ type: 'finished', reason: 'completed', filled: d(10), detail: 'filled 10' }]);
    const s = p.order.snapshot();
    expect(s.status).toBe('done');
    // 2×100 + 1×100.5 + 4×101 + 3×102 = 1010.5 over 10 lots.
    expect(s.filledNotional).toEqual(d('1010.5'));
    expect(s.averagePrice).toEqual(d('101.05'));
    expect(p.order.nextWakeNs()).toBeUndefined();
    expect(p.timer(1350n)).toEqual([]);
  });

  it('never asks for more than the current target while a child is out, and a late timer catches up all missed slices at once', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 4 })));
    onlySubmit(p.timer(1000n));
    // The child is still out when the next slice starts: no second child.
    expect(p.timer(1100n)).toEqual([]);
    // The fill arrives in slice 2: what it lacks now (5 - 2) goes at once.
    const c2 = onlySubmit(p.fill('P-1', 2, 100, 1101n));
    expect(c2.quantity).toEqual(d(3));
    p.cancelled('P-2', 1101n);
    // The driver next wakes it in the final slice: 10 - 2.
    expect(onlySubmit(p.timer(1310n)).quantity).toEqual(d(8));
  });

  it('honours the limit price and ends expired_at_limit_price when the market never trades there', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 2 }, { limitPrice: d('100.00'), endNs: 1200n })));
    const c1 = onlySubmit(p.timer(1000n));
    expect(c1).toMatchObject({ type: 'limit', limitPrice: d(100), timeInForce: 'IOC', quantity: d(5) });
    p.cancelled('P-1', 1000n);
    expect(onlySubmit(p.timer(1100n)).quantity).toEqual(d(10));
    p.fill('P-2', 4, '99.5', 1100n);
    p.cancelled('P-2', 1100n);
    expect(onlySubmit(p.timer(1150n)).quantity).toEqual(d(6));
    p.cancelled('P-3', 1150n);
    expect(p.order.nextWakeNs()).toBe(1200n);
    const end = p.timer(1200n);
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ type: 'finished', reason: 'expired_at_limit_price', filled: d(4) });
    expect(end[0]!.type === 'finished' && end[0]!.detail).toContain('limit price 100');
  });

  it('ends expired without a limit price when the liquidity is not there', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 1 }, { endNs: 1100n })));
    onlySubmit(p.timer(1000n));
    p.fill('P-1', 6, 100, 1000n);
    p.cancelled('P-1', 1000n, 'NO_LIQUIDITY');
    expect(p.timer(1100n)).toEqual([expect.objectContaining({ type: 'finished', reason: 'expired', filled: d(6) })]);
  });

  it('passive: joins the bid, cancels the leftover at the next slice, re-sends once the cancel is confirmed', () => {
    // BUY 6 in 3 slices of [1000, 1300): targets 2, 4, 6; limit 101.
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 3, style: 'passive' }, { quantity: d(6), endNs: 1300n, limitPrice: d(101) })));
    const c1 = onlySubmit(p.market({ nowNs: 1000n, bid: d('100.004'), ask: d('100.5') }));
    // The bid is floored to the tick grid.
    expect(c1).toMatchObject({ quantity: d(2), type: 'limit', limitPrice: d('100'), timeInForce: 'GTC' });
    p.ack('P-1', 1000n);
    p.fill('P-1', 1, 100, 1050n);
    expect(p.market({ nowNs: 1060n, bid: d('100.2'), ask: d('100.6') })).toEqual([]);
    expect(cancels(p.timer(1100n))).toEqual(['P-1']);
    // Asking again changes nothing while the cancel is pending.
    expect(p.timer(1101n)).toEqual([]);
    expect(p.order.snapshot().children[0]!.cancelPending).toBe(true);
    const c2 = onlySubmit(p.cancelled('P-1', 1102n, 'USER_REQUEST'));
    expect(c2).toMatchObject({ quantity: d(3), limitPrice: d('100.2'), timeInForce: 'GTC' });
    p.ack('P-2', 1102n);
    // The bid goes above the limit: the child would be priced at the limit, but it is still working.
    expect(p.market({ nowNs: 1150n, bid: d('101.5'), ask: d('101.7') })).toEqual([]);
    // Final slice: cancel, then take liquidity for all that is left, at most at the limit.
    expect(cancels(p.timer(1200n))).toEqual(['P-2']);
    const c3 = onlySubmit(p.cancelled('P-2', 1200n, 'USER_REQUEST'));
    expect(c3).toMatchObject({ quantity: d(5), type: 'limit', limitPrice: d(101), timeInForce: 'IOC' });
    p.fill('P-3', 2, 101, 1200n);
    p.cancelled('P-3', 1200n);
    expect(onlySubmit(p.timer(1250n)).quantity).toEqual(d(3));
    p.cancelled('P-4', 1250n);
    expect(p.timer(1300n)).toEqual([expect.objectContaining({ type: 'finished', reason: 'expired_at_limit_price', filled: d(3) })]);
  });

  it('passive without a known touch takes liquidity instead', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 2, style: 'passive' })));
    expect(onlySubmit(p.timer(1000n))).toMatchObject({ type: 'market', timeInForce: 'IOC' });
  });

  it('passive sell joins the ask, rounded up to the tick, never below the limit', () => {
    const p = new Journaled(
      ParentOrder.create(spec({ kind: 'twap', slices: 2, style: 'passive' }, { side: 'SELL', limitPrice: d('100.10') })),
    );
    expect(onlySubmit(p.market({ nowNs: 1000n, bid: d('99.9'), ask: d('100.001') })).limitPrice).toEqual(d('100.1'));
    const q = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 2, style: 'passive' }, { side: 'SELL' })));
    expect(onlySubmit(q.market({ nowNs: 1000n, bid: d('99.9'), ask: d('100.001') })).limitPrice).toEqual(d('100.01'));
  });

  it('randomised slice times are the same for the same seed and only move when children go out', () => {
    const run = (seed: number) => {
      const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 4, seed }, { endNs: 1_001_000n })));
      const times: bigint[] = [];
      for (let t = 1000n; t <= 1_001_000n; t += 100n) {
        for (const c of p.timer(t).flatMap((a) => (a.type === 'submit' ? [a.child] : []))) {
          times.push(c.submittedNs);
          p.fill(c.clientOrderId, c.quantity.toString(), 100, t);
        }
      }
      return { times, quantities: p.children.map((c) => c.quantity.toString()) };
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(a.quantities).toEqual(['2', '3', '2', '3']);
    expect(a.times[0]).toBe(1000n);
    const even = [1000n, 251_000n, 501_000n, 751_000n];
    expect(a.times).not.toEqual(even);
    // Reach: 0.5 × 250,000 / 2 = 62,500 ns, plus the 100 ns between timer calls.
    a.times.slice(1).forEach((t, i) => expect(t >= even[i + 1]! - 62_500n && t <= even[i + 1]! + 62_600n).toBe(true));
  });
});
