import { InvalidAlgoInputError, ParentOrder, UnknownChildOrderError } from '../src';
import { Journaled, cancels, d, onlySubmit, spec } from './helpers';

describe('restoring a parent from its children', () => {
  const s = spec({ kind: 'twap', slices: 4, style: 'passive' }, { limitPrice: d(101) });

  function halfway(): Journaled {
    const p = new Journaled(ParentOrder.create(s));
    onlySubmit(p.market({ nowNs: 1000n, bid: d(100), ask: d('100.5') }));
    p.ack('P-1', 1000n);
    p.fill('P-1', 2, 100, 1040n, 'a');
    onlySubmit(p.timer(1100n));
    p.ack('P-2', 1100n);
    p.fill('P-2', 1, 100, 1150n, 'b');
    p.market({ nowNs: 1160n, bid: d('100.3'), ask: d('100.6') });
    return p;
  }

  it('gives the same snapshot as the original, and the same actions afterwards', () => {
    const original = halfway();
    const restored = ParentOrder.restore(s, {
      children: original.children,
      updates: original.updates,
      bid: d('100.3'),
      ask: d('100.6'),
      nowNs: 1160n,
    });
    expect(restored.snapshot()).toEqual(original.order.snapshot());
    expect(restored.snapshot()).toMatchObject({ filled: d(3), working: d(2), nextChildSeq: 3, slice: { index: 1 } });
    expect(restored.nextWakeNs()).toBe(original.order.nextWakeNs());

    // Both go on identically: the slice-3 cancel, its confirmation, the next child.
    for (const o of [original.order, restored]) {
      expect(cancels(o.onTimer(1200n))).toEqual(['P-2']);
      const next = o.onChildUpdate({ clientOrderId: 'P-2', kind: 'cancel', nowNs: 1201n });
      expect(next).toEqual([expect.objectContaining({ type: 'submit', child: expect.objectContaining({ clientOrderId: 'P-3', quantity: d(4), limitPrice: d('100.3') }) })]);
    }
    expect(restored.snapshot()).toEqual(original.order.snapshot());
  });

  it('keeps a pending cancel pending, and resumes a cancelled parent', () => {
    const original = halfway();
    expect(cancels(original.order.cancel(1170n))).toEqual(['P-2']);
    const restored = ParentOrder.restore(s, {
      children: original.children,
      updates: original.updates,
      cancelRequestedNs: 1170n,
      pendingCancels: ['P-2'],
      bid: d('100.3'),
      ask: d('100.6'),
      nowNs: 1170n,
    });
    expect(restored.snapshot()).toEqual(original.order.snapshot());
    expect(restored.onTimer(1171n)).toEqual([]);
    expect(restored.onChildUpdate({ clientOrderId: 'P-2', kind: 'cancel', nowNs: 1172n })).toEqual([
      expect.objectContaining({ type: 'finished', reason: 'cancelled', filled: d(3) }),
    ]);
  });

  it('replays a redelivered fill once (by trade id)', () => {
    const original = halfway();
    const restored = ParentOrder.restore(s, { children: original.children, updates: [...original.updates, original.updates[1]!], nowNs: 1160n });
    expect(restored.snapshot().filled).toEqual(d(3));
  });

  it('refuses children out of order, of another parent, or asking for more than the quantity', () => {
    const original = halfway();
    const [c1, c2] = original.children;
    expect(() => ParentOrder.restore(s, { children: [c2!], updates: [], nowNs: 1n })).toThrow(/input.children\[0\].clientOrderId/);
    expect(() => ParentOrder.restore(s, { children: [{ ...c1!, parentId: 'Q' }], updates: [], nowNs: 1n })).toThrow(InvalidAlgoInputError);
    expect(() => ParentOrder.restore(s, { children: [{ ...c1!, quantity: d(11) }], updates: [], nowNs: 1n })).toThrow(/more than the parent quantity/);
    expect(() => ParentOrder.restore(s, { children: [c1!], updates: [{ clientOrderId: 'P-9', kind: 'ack', nowNs: 1n }], nowNs: 1n })).toThrow(
      UnknownChildOrderError,
    );
  });
});
