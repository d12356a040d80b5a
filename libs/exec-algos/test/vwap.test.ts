import { ParentOrder } from '../src';
import { Journaled, d, onlySubmit, spec } from './helpers';

describe('VWAP, worked by hand', () => {
  // SELL 100 lots of 0.01 over [0, 400) with the profile 0.1, 0.2, 0.3, 0.4: targets 10, 30, 60, 100 lots.
  const vwap = () =>
    new Journaled(
      ParentOrder.create(
        spec(
          { kind: 'vwap', profile: [d('0.1'), d('0.2'), d('0.3'), d('0.4')] },
          { side: 'SELL', quantity: d(1), lotSize: d('0.01'), startNs: 0n, endNs: 400n },
        ),
      ),
    );

  it('sends each bucket its share of the volume', () => {
    const p = vwap();
    const sizes: string[] = [];
    for (const t of [0n, 100n, 200n, 300n]) {
      const c = onlySubmit(p.timer(t));
      sizes.push(c.quantity.toString());
      p.fill(c.clientOrderId, c.quantity.toString(), 50, t);
      expect(p.order.snapshot().target).toEqual(p.order.snapshot().filled);
    }
    expect(sizes).toEqual(['0.1', '0.2', '0.3', '0.4']);
    expect(p.order.status()).toBe('done');
  });

  it('catches up a short bucket in the next one', () => {
    const p = vwap();
    const c1 = onlySubmit(p.timer(0n));
    p.fill(c1.clientOrderId, '0.04', 50, 0n);
    p.cancelled(c1.clientOrderId, 0n);
    // 0.30 - 0.04
    expect(onlySubmit(p.timer(100n)).quantity).toEqual(d('0.26'));
  });

  it('sends nothing in an empty bucket when on target', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'vwap', profile: [d('0.5'), d(0), d('0.5')] }, { quantity: d(9), startNs: 0n, endNs: 300n })));
    const c1 = onlySubmit(p.timer(0n));
    expect(c1.quantity).toEqual(d(4));
    p.fill(c1.clientOrderId, 4, 10, 0n);
    expect(p.timer(100n)).toEqual([]);
    expect(onlySubmit(p.timer(200n)).quantity).toEqual(d(5));
  });
});
