import { ParentOrder } from '../src';
import { Journaled, d, onlySubmit, spec } from './helpers';

describe('POV, worked by hand', () => {
  // BUY 10 lots at 10% of the market volume, children of 2 to 3 lots.
  const pov = (over = {}) =>
    new Journaled(
      ParentOrder.create(spec({ kind: 'pov', rate: d('0.1'), minChildQuantity: d(2), maxChildQuantity: d(3) }, { endNs: 5000n, ...over })),
    );

  it('follows 10% of the volume since the start, in children between the min and max size', () => {
    const p = pov();
    // Before the start, volume does not count.
    expect(p.market({ nowNs: 999n, tradeVolume: d(500) })).toEqual([]);
    expect(p.market({ nowNs: 1000n, tradeVolume: d(5) })).toEqual([]);
    expect(p.order.snapshot()).toMatchObject({ marketVolume: d(5), target: d(0) });
    // 20 traded: target 2 = the minimum child.
    const c1 = onlySubmit(p.market({ nowNs: 1010n, tradeVolume: d(15), tradePrice: d(100) }));
    expect(c1).toMatchObject({ quantity: d(2), type: 'market', timeInForce: 'IOC' });
    expect(p.fill('P-1', 2, 100, 1010n)).toEqual([]);
    // 70 traded: target 7, 5 behind, capped at 3; then the next 2 go as soon as it fills.
    expect(onlySubmit(p.market({ nowNs: 1020n, tradeVolume: d(50) })).quantity).toEqual(d(3));
    expect(onlySubmit(p.fill('P-2', 3, 101, 1021n)).quantity).toEqual(d(2));
    p.fill('P-3', 2, 101, 1022n);
    // 1 behind is below the minimum child: wait.
    expect(p.market({ nowNs: 1030n, tradeVolume: d(10) })).toEqual([]);
    expect(p.order.snapshot()).toMatchObject({ target: d(8), filled: d(7) });
    // 200 traded: the target stops at the parent quantity.
    expect(onlySubmit(p.market({ nowNs: 1040n, tradeVolume: d(120) })).quantity).toEqual(d(3));
    expect(p.order.snapshot().target).toEqual(d(10));
    expect(p.fill('P-4', 3, 102, 1041n)).toEqual([expect.objectContaining({ type: 'finished', reason: 'completed', filled: d(10) })]);
  });

  it('sends the last bit even when it is below the minimum child', () => {
    const p = pov({ quantity: d(3) });
    onlySubmit(p.market({ nowNs: 1000n, tradeVolume: d(20) }));
    p.fill('P-1', 2, 100, 1000n);
    expect(onlySubmit(p.market({ nowNs: 1001n, tradeVolume: d(10) })).quantity).toEqual(d(1));
  });

  it('waits the retry interval after a child that did not fill, then tries again', () => {
    const p = pov();
    onlySubmit(p.market({ nowNs: 1000n, tradeVolume: d(30) }));
    p.fill('P-1', 1, 100, 1000n);
    expect(p.cancelled('P-1', 1000n)).toEqual([]);
    expect(p.market({ nowNs: 1010n, tradeVolume: d(0) })).toEqual([]);
    expect(p.order.nextWakeNs()).toBe(1050n);
    expect(onlySubmit(p.timer(1050n)).quantity).toEqual(d(2));
  });

  it('ends expired when the market did not trade enough, and says what the target was', () => {
    const p = pov();
    expect(onlySubmit(p.market({ nowNs: 1000n, tradeVolume: d(40) })).quantity).toEqual(d(3));
    expect(p.fill('P-1', 3, 100, 1000n)).toEqual([]);
    expect(p.order.nextWakeNs()).toBe(5000n);
    // Volume after the end does not count.
    const end = p.market({ nowNs: 5000n, tradeVolume: d(1000) });
    expect(end).toEqual([expect.objectContaining({ type: 'finished', reason: 'expired', filled: d(3) })]);
    expect(end[0]!.type === 'finished' && end[0]!.detail).toBe('end time 5000 reached with 7 unfilled: the target was 4 (rate 0.1 of the market volume 40)');
  });
});
