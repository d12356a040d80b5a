import { ChildUpdateConflictError, InvalidAlgoInputError, ParentOrder, UnknownChildOrderError } from '../src';
import { Journaled, cancels, d, onlySubmit, spec } from './helpers';

const twap = () => new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 4 })));

describe('parent cancel', () => {
  it('cancels the working children and finishes when every one is confirmed, fills in between counted', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 2, style: 'passive' })));
    onlySubmit(p.market({ nowNs: 1000n, bid: d(100), ask: d(101) }));
    p.ack('P-1', 1000n);
    expect(cancels(p.order.cancel(1010n))).toEqual(['P-1']);
    expect(p.order.snapshot()).toMatchObject({ status: 'closing', closeCause: 'cancel', cancelRequestedNs: 1010n });
    expect(p.order.nextWakeNs()).toBeUndefined();
    // No new child while closing, whatever happens.
    expect(p.timer(1300n)).toEqual([]);
    expect(p.fill('P-1', 2, 100, 1011n)).toEqual([]);
    expect(p.cancelled('P-1', 1012n, 'USER_REQUEST')).toEqual([{ type: 'finished', reason: 'cancelled', filled: d(2), detail: 'cancelled with 2 of 10 filled' }]);
    expect(p.order.cancel(1013n)).toEqual([]);
  });

  it('before the start, or with nothing out, finishes at once', () => {
    const p = twap();
    expect(p.order.cancel(500n)).toEqual([{ type: 'finished', reason: 'cancelled', filled: d(0), detail: 'cancelled with 0 of 10 filled' }]);
    expect(p.timer(1000n)).toEqual([]);
  });

  it('is completed, not cancelled, when the last fill arrives before the cancel is confirmed', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 1 })));
    onlySubmit(p.timer(1000n));
    expect(cancels(p.order.cancel(1001n))).toEqual(['P-1']);
    expect(p.fill('P-1', 10, 100, 1002n)).toEqual([expect.objectContaining({ type: 'finished', reason: 'completed' })]);
  });
});

describe('rejected children', () => {
  it('fails the parent after maxChildRejects rejections in a row, a fill in between resets the count', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'pov', rate: d('0.5') }, { maxChildRejects: 2 })));
    onlySubmit(p.market({ nowNs: 1000n, tradeVolume: d(4) }));
    p.rejected('P-1', 1000n);
    onlySubmit(p.timer(1050n));
    p.fill('P-2', 2, 100, 1050n);
    expect(p.order.snapshot().status).toBe('working');
    onlySubmit(p.market({ nowNs: 1060n, tradeVolume: d(10) }));
    p.rejected('P-3', 1060n, 'RISK_KILL_SWITCH');
    onlySubmit(p.timer(1110n));
    expect(p.rejected('P-4', 1110n, 'RISK_KILL_SWITCH')).toEqual([
      {
        type: 'failed',
        reason: 'child_rejected',
        filled: d(2),
        detail: '2 children in a row were rejected (the last: RISK_KILL_SWITCH), 2 of 10 filled',
      },
    ]);
  });
});

describe('child updates', () => {
  it('refuses an unknown child', () => {
    const p = twap();
    onlySubmit(p.timer(1000n));
    expect(() => p.ack('Q-1', 1000n)).toThrow(UnknownChildOrderError);
  });

  it('refuses a fill beyond the child, after its end, through its limit, or off the lot grid, and changes nothing', () => {
    const p = new Journaled(ParentOrder.create(spec({ kind: 'twap', slices: 4 }, { limitPrice: d(100) })));
    onlySubmit(p.timer(1000n));
    const before = p.order.snapshot();
    expect(() => p.fill('P-1', 3, 100, 1001n)).toThrow(ChildUpdateConflictError);
    expect(() => p.fill('P-1', 1, '100.01', 1001n)).toThrow(/through its limit price 100/);
    expect(() => p.fill('P-1', '0.5', 100, 1001n)).toThrow(InvalidAlgoInputError);
    expect(p.order.snapshot()).toEqual(before);
    p.fill('P-1', 1, 100, 1001n);
    p.cancelled('P-1', 1001n);
    expect(() => p.fill('P-1', 1, 100, 1002n)).toThrow(/after it ended \(cancelled\)/);
    expect(() => p.rejected('P-1', 1002n)).not.toThrow();
  });

  it('ignores a fill already applied (same trade id), a repeated cancel and a late ack', () => {
    const p = twap();
    onlySubmit(p.timer(1000n));
    p.fill('P-1', 1, 100, 1001n, 't1');
    p.fill('P-1', 1, 100, 1001n, 't1');
    expect(p.order.snapshot().filled).toEqual(d(1));
    p.cancelled('P-1', 1002n);
    p.cancelled('P-1', 1003n);
    p.ack('P-1', 1004n);
    expect(p.order.snapshot().children[0]).toMatchObject({ state: 'done', endedAs: 'cancelled', filled: d(1) });
  });

  it('refuses a reject after fills', () => {
    const p = twap();
    onlySubmit(p.timer(1000n));
    p.fill('P-1', 1, 100, 1001n);
    expect(() => p.rejected('P-1', 1002n)).toThrow(/rejected after 1 of it filled/);
  });

  it('refuses malformed market updates, naming the field', () => {
    const p = twap();
    expect(() => p.order.onMarket({ nowNs: 1n, tradeVolume: d(-1) })).toThrow(/market.tradeVolume/);
    expect(() => p.order.onMarket({ nowNs: 1n, bid: d(0) })).toThrow(/market.bid/);
    expect(() => p.order.onMarket({ nowNs: 1 as never })).toThrow(/market.nowNs/);
  });

  it('takes an input older than the latest one as happening now', () => {
    const p = twap();
    onlySubmit(p.timer(1100n));
    p.fill('P-1', 5, 100, 900n);
    expect(p.order.snapshot().nowNs).toBe(1100n);
  });
});
