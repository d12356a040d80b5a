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

  test('forgets a settled order at the second sweep after it settled, never an open one', () => {
    const w = new WorkingOrders();
    w.open('open', 'BUY', d('1'));
    w.open('done', 'SELL', d('2'));
    w.fill('done', d('2'));
    w.open('closed', 'BUY', d('3'));
    w.close('closed');
    w.fill('stray', d('1')); // known only by a fill: counts nothing
    expect(w.tracked).toBe(4);
    expect(w.forgetSettled()).toBe(0); // settled in this interval: kept for one more
    expect(w.tracked).toBe(4);
    expect(w.forgetSettled()).toBe(3);
    expect(w.tracked).toBe(1);
    expect(w.knows('done')).toBe(false);
    expect(w.totals()).toEqual({ buy: d('1'), sell: Decimal.ZERO, count: 1 });
    // The open one settles later and goes two sweeps after that.
    w.fill('open', d('1'));
    expect(w.forgetSettled()).toBe(0);
    expect(w.forgetSettled()).toBe(1);
    expect(w.tracked).toBe(0);
  });

  test('an order settled and then opened again by a late event is kept while it works', () => {
    const w = new WorkingOrders();
    w.close('x'); // its end read before its order: settled
    w.forgetSettled();
    w.open('x', 'BUY', d('1')); // still closed: counts nothing
    expect(w.openCount).toBe(0);
    w.fill('y', d('1'));
    w.open('y', 'BUY', d('5')); // a fill first, then its order: 4 working
    w.forgetSettled();
    expect(w.knows('y')).toBe(true);
    expect(w.signed()).toEqual(d('4'));
    w.forgetSettled();
    expect(w.knows('y')).toBe(true);
    expect(w.knows('x')).toBe(false);
  });

  test('with a sweep every 1,000 of 200,000 random events, the totals equal a recount and what is kept stays bounded', () => {
    const random = prng(5);
    const w = new WorkingOrders();
    const live = new Map<string, { side: Side; left: Decimal }>();
    let next = 0;
    let most = 0;
    for (let step = 0; step < 200_000; step++) {
      const r = random();
      if (r < 0.3 || live.size === 0) {
        const id = `o${next++}`;
        const side: Side = random() < 0.5 ? 'BUY' : 'SELL';
        const quantity = Decimal.fromUnits(BigInt(1 + Math.floor(random() * 20)), 1);
        w.open(id, side, quantity);
        live.set(id, { side, left: quantity });
      } else {
        const ids = [...live.keys()];
        const id = ids[Math.floor(random() * Math.min(ids.length, 8))]!;
        const o = live.get(id)!;
        if (r < 0.8) {
          const q = Decimal.min(o.left, Decimal.fromUnits(BigInt(1 + Math.floor(random() * 10)), 1));
          w.fill(id, q);
          o.left = o.left.sub(q);
          if (o.left.isZero()) live.delete(id);
        } else {
          w.close(id);
          live.delete(id);
        }
      }
      if (step % 1_000 === 999) {
        w.forgetSettled();
        most = Math.max(most, w.tracked);
        let buy = Decimal.ZERO;
        let sell = Decimal.ZERO;
        for (const o of live.values()) if (o.side === 'BUY') buy = buy.add(o.left);
        else sell = sell.add(o.left);
        expect(w.totals()).toEqual({ buy, sell, count: live.size });
        for (const id of live.keys()) expect(w.isOpen(id)).toBe(true);
      }
    }
    // About 60,000 orders went through; at most two intervals of settled ones are kept besides the open ones.
    expect(next).toBeGreaterThan(50_000);
    expect(most).toBeLessThan(1_000);
  });
});
