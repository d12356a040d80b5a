import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { WorkingOrders } from '../src';
import { d, prng } from './helpers';

describe('WorkingOrders', () => {
  test('counts open orders by side, in any order of events', () => {
    const w = new WorkingOrders();
    w.fill('a', d('0.4')); // a fill read before its order (replay of separate streams)
    expect(w.totals()).toEqual({ buy: Decimal.ZERO, sell: Decimal.ZERO, count: 0 });
    w.open('a', 'BUY', d('1'));
    w.open('b', 'SELL', d('2'));
    expect(w.totals().buy.toString()).toBe('0.6');
    expect(w.totals().sell.toString()).toBe('2');
    expect(w.openCount).toBe(2);
    expect(w.signed().toString()).toBe('-1.4');
    w.close('b');
    w.close('b');
    w.open('a', 'BUY', d('1')); // a repeat changes nothing
    expect(w.signed().toString()).toBe('0.6');
    w.fill('a', d('0.6'));
    expect(w.totals()).toEqual({ buy: Decimal.ZERO, sell: Decimal.ZERO, count: 0 });
    expect(w.isOpen('a')).toBe(false);
    expect(w.knows('a')).toBe(true);
    w.close('c'); // the end of an order never opened
    w.open('c', 'BUY', d('5'));
    expect(w.openCount).toBe(0);
  });

  test('the running totals equal a recount of every order after each of 20,000 random events', () => {
    const random = prng(11);
    const w = new WorkingOrders();
    const known = new Map<string, { side?: Side; quantity?: Decimal; filled: Decimal; closed: boolean }>();
    for (let step = 0; step < 20_000; step++) {
      const id = `o${Math.floor(random() * 300)}`;
      const k = known.get(id) ?? { filled: Decimal.ZERO, closed: false };
      known.set(id, k);
      const r = random();
      if (r < 0.4) {
        const side: Side = random() < 0.5 ? 'BUY' : 'SELL';
        const quantity = Decimal.fromUnits(BigInt(1 + Math.floor(random() * 50)), 1);
        w.open(id, side, quantity);
        k.side = side;
        k.quantity = quantity;
      } else if (r < 0.85) {
        const quantity = Decimal.fromUnits(BigInt(1 + Math.floor(random() * 10)), 1);
        w.fill(id, quantity);
        k.filled = k.filled.add(quantity);
      } else {
        w.close(id);
        k.closed = true;
      }
      let buy = Decimal.ZERO;
      let sell = Decimal.ZERO;
      let count = 0;
      for (const e of known.values()) {
        if (e.closed || e.quantity === undefined) continue;
        const left = e.quantity.sub(e.filled);
        if (!left.isPositive()) continue;
        count += 1;
        if (e.side === 'BUY') buy = buy.add(left);
        else sell = sell.add(left);
      }
      const t = w.totals();
      if (!t.buy.eq(buy) || !t.sell.eq(sell) || t.count !== count) {
        throw new Error(`step ${step}: running ${t.buy}/${t.sell}/${t.count}, recount ${buy}/${sell}/${count}`);
      }
    }
  });
});
