import { ParentOrder } from '../src';
import { Journaled, cancels, d, onlySubmit, spec } from './helpers';

describe('iceberg, worked by hand', () => {
  // SELL 10 lots at 50, showing 4 at a time: 4, 4, then the last 2.
  const iceberg = (over = {}) =>
    new Journaled(ParentOrder.create(spec({ kind: 'iceberg', displayQuantity: d(4) }, { side: 'SELL', limitPrice: d(50), endNs: undefined, ...over })));

  it('shows the display size at the limit price and refreshes when the shown child has filled', () => {
    const p = iceberg();
    const c1 = onlySubmit(p.timer(1000n));
    expect(c1).toMatchObject({ quantity: d(4), type: 'limit', limitPrice: d(50), timeInForce: 'GTC', side: 'SELL' });
    p.ack('P-1', 1000n);
    // A partial fill does not refresh: the rest of the shown child still works.
    expect(p.fill('P-1', 1, 50, 1010n)).toEqual([]);
    expect(p.order.snapshot().working).toEqual(d(3));
    const c2 = onlySubmit(p.fill('P-1', 3, 50, 1020n));
    expect(c2).toMatchObject({ clientOrderId: 'P-2', quantity: d(4) });
    const c3 = onlySubmit(p.fill('P-2', 4, '50.5', 1030n));
    expect(c3.quantity).toEqual(d(2));
    expect(p.fill('P-3', 2, 51, 1040n)).toEqual([expect.objectContaining({ type: 'finished', reason: 'completed', filled: d(10) })]);
    expect(p.order.nextWakeNs()).toBeUndefined();
  });

  it('never shows more than the display size: at most one child out', () => {
    const p = iceberg();
    onlySubmit(p.timer(1000n));
    expect(p.timer(2000n)).toEqual([]);
    expect(p.market({ nowNs: 2001n, bid: d(49), ask: d(50), tradeVolume: d(100) })).toEqual([]);
  });

  it('a cancel of the parent cancels the shown child and finishes once the venue confirms', () => {
    const p = iceberg();
    onlySubmit(p.timer(1000n));
    p.fill('P-1', 1, 50, 1001n);
    expect(cancels(p.order.cancel(1002n))).toEqual(['P-1']);
    expect(p.order.status()).toBe('closing');
    expect(p.order.cancel(1003n)).toEqual([]);
    expect(p.cancelled('P-1', 1004n, 'USER_REQUEST')).toEqual([
      { type: 'finished', reason: 'cancelled', filled: d(1), detail: 'cancelled with 1 of 10 filled' },
    ]);
  });

  it('at its end time cancels the shown child and ends expired_at_limit_price', () => {
    const p = iceberg({ endNs: 2000n });
    onlySubmit(p.timer(1000n));
    expect(p.order.nextWakeNs()).toBe(2000n);
    expect(cancels(p.timer(2000n))).toEqual(['P-1']);
    expect(p.cancelled('P-1', 2000n, 'USER_REQUEST')).toEqual([expect.objectContaining({ type: 'finished', reason: 'expired_at_limit_price', filled: d(0) })]);
  });

  it('refreshes after a venue cancel of the shown child, after the retry interval', () => {
    const p = iceberg();
    onlySubmit(p.timer(1000n));
    expect(p.cancelled('P-1', 1010n, 'EXPIRED')).toEqual([]);
    expect(p.order.nextWakeNs()).toBe(1050n);
    expect(onlySubmit(p.timer(1050n)).clientOrderId).toBe('P-2');
  });

  it('varies the display size within ±variance, the same way for the same seed, and sums to the quantity', () => {
    const sizes = (seed: number) => {
      const p = new Journaled(
        ParentOrder.create(spec({ kind: 'iceberg', displayQuantity: d(10), displayVariance: d('0.2'), seed }, { quantity: d(200), limitPrice: d(50), endNs: undefined })),
      );
      let actions = p.timer(1000n);
      const out: number[] = [];
      for (let i = 0; i < 100 && actions.length > 0; i++) {
        const c = onlySubmit(actions);
        out.push(Number(c.quantity.toString()));
        actions = p.fill(c.clientOrderId, c.quantity.toString(), 50, 1000n + BigInt(i)).filter((a) => a.type === 'submit');
      }
      expect(p.order.snapshot().filled).toEqual(d(200));
      return out;
    };
    const a = sizes(11);
    expect(sizes(11)).toEqual(a);
    expect(sizes(12)).not.toEqual(a);
    // All but the last (capped by what is left) are within [8, 12], and they vary.
    for (const s of a.slice(0, -1)) expect(s >= 8 && s <= 12).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(2);
    expect(a.reduce((x, y) => x + y, 0)).toBe(200);
  });
});
