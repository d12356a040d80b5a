import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { COST_METHODS, LotLedger, Portfolio, newLedger, restoreLedger } from '../src';
import type { CostMethod, FillInput, LotOrder } from '../src';
import { d, fill, prng } from './helpers';

const realizedAfter = (method: CostMethod, fills: FillInput[]) => {
  const l = newLedger('X', method);
  for (const f of fills) l.applyFill(f);
  return l;
};

describe('cost methods on a worked example', () => {
  // Buy 1 @ 100, buy 1 @ 110, sell 1 @ 120: which lot the sale closes decides what it realizes.
  const fills = [fill('BUY', '1', '100'), fill('BUY', '1', '110'), fill('SELL', '1', '120')];

  it.each([
    ['FIFO', '20', '110'],
    ['LIFO', '10', '100'],
    ['WAC', '15', '105'],
  ] as const)('%s realizes %s and keeps the rest at %s', (method, realized, average) => {
    const l = realizedAfter(method, fills);
    expect(l.realizedPnl.toString()).toBe(realized);
    expect(l.averagePrice.eq(average)).toBe(true);
    expect(l.quantity.toString()).toBe('1');
    // Under every method the total is the same: realized + unrealized at any mark.
    expect(l.realizedPnl.add(l.unrealizedPnl(d('130'))).toString()).toBe('40');
  });

  it('closes across several lots and opens the remainder on the other side', () => {
    const l = new LotLedger('X', 'FIFO');
    l.applyFill(fill('SELL', '0.5', '200')); // short 0.5 @ 200
    l.applyFill(fill('SELL', '0.25', '210')); // short 0.25 @ 210
    const { realizedPnl } = l.applyFill(fill('BUY', '1', '190')); // covers both, long 0.25 @ 190
    expect(realizedPnl.toString()).toBe('10'); // 0.5 × 10 + 0.25 × 20
    expect(l.quantity.toString()).toBe('0.25');
    expect(l.openLots().map((x) => [x.quantity.toString(), x.price.toString()])).toEqual([['0.25', '190']]);
  });

  it('consumes LIFO lots newest first, partially', () => {
    const l = new LotLedger('X', 'LIFO');
    for (const [q, p] of [['1', '100'], ['2', '101'], ['3', '102']] as const) l.applyFill(fill('BUY', q, p));
    l.applyFill(fill('SELL', '4', '103'));
    expect(l.realizedPnl.toString()).toBe('5'); // 3 × 1 + 1 × 2
    expect(l.openLots().map((x) => [x.quantity.toString(), x.price.toString()])).toEqual([['1', '100'], ['1', '101']]);
  });

  it('refuses a fill it cannot book, naming the field, and a snapshot without lots', () => {
    expect(() => new LotLedger('X', 'FIFO').applyFill(fill('BUY', '0', '1'))).toThrow(/quantity/);
    const wac = newLedger('X', 'WAC');
    wac.applyFill(fill('BUY', '1', '1'));
    expect(() => LotLedger.restore(wac.snapshot(), 'FIFO')).toThrow(/lots .* must be given \(the open lots\) to restore a FIFO position/);
  });
});

/**
 * An independent lot ledger on plain bigint fixed point: quantities and prices as integers at
 * 10^-8, money at 10^-16. Nothing shared with the Decimal implementation but the fills.
 */
class FixedPointLots {
  private lots: { q: bigint; p: bigint }[] = [];
  qty = 0n; // 1e-8
  realized = 0n; // 1e-16
  constructor(private readonly order: LotOrder) {}

  apply(side: Side, q: bigint, p: bigint): void {
    const sign = side === 'BUY' ? 1n : -1n;
    let rest = q;
    if (this.qty !== 0n && (this.qty > 0n ? 1n : -1n) !== sign) {
      const held = this.qty > 0n ? 1n : -1n;
      while (rest > 0n && this.lots.length > 0) {
        const lot = this.order === 'FIFO' ? this.lots[0]! : this.lots[this.lots.length - 1]!;
        const c = rest < lot.q ? rest : lot.q;
        this.realized += held * (p - lot.p) * c;
        this.qty -= held * c;
        rest -= c;
        lot.q -= c;
        if (lot.q === 0n) {
          if (this.order === 'FIFO') this.lots.shift();
          else this.lots.pop();
        }
      }
    }
    if (rest > 0n) {
      this.lots.push({ q: rest, p });
      this.qty += sign * rest;
    }
  }
}

const units = (x: bigint) => Decimal.fromUnits(x, 8);

describe.each(['FIFO', 'LIFO'] as const)('%s against an independent fixed-point ledger', (order) => {
  it('agrees exactly over 1,000,000 fills (checked every 997th and at the end), and after a restore mid-way', () => {
    const rand = prng(order === 'FIFO' ? 11 : 12);
    let ledger = new LotLedger('X', order);
    const reference = new FixedPointLots(order);
    for (let i = 0; i < 1_000_000; i++) {
      const q = BigInt(1 + Math.floor(rand() * 5e8)); // up to 5 units at 1e-8
      const p = BigInt(1e8 + Math.floor(rand() * 1e12)); // 1 .. 10,001 at 1e-8
      const held = reference.qty;
      const side: Side = held > 0n ? (rand() < 0.55 ? 'SELL' : 'BUY') : held < 0n ? (rand() < 0.55 ? 'BUY' : 'SELL') : rand() < 0.5 ? 'BUY' : 'SELL';
      ledger.applyFill({ side, quantity: units(q), price: units(p), fee: Decimal.ZERO });
      reference.apply(side, q, p);
      if (i % 997 === 0 || i === 999_999) {
        expect(ledger.quantity.eq(units(reference.qty))).toBe(true);
        expect(ledger.realizedPnl.eq(Decimal.fromUnits(reference.realized, 16))).toBe(true);
      }
      if (i === 500_000) ledger = LotLedger.restore(ledger.snapshot(), order);
    }
    expect(ledger.fillCount).toBe(1_000_000);
  }, 120_000);
});

describe.each(COST_METHODS)('%s: the books balance exactly', (method) => {
  it('realized + unrealized - fees = cash flow + position value at every 101st of 200,000 fills, rebates included', () => {
    const rand = prng(method.length * 31);
    const l = newLedger('X', method);
    let cash = Decimal.ZERO;
    for (let i = 0; i < 200_000; i++) {
      const side: Side = l.quantity.isPositive() ? (rand() < 0.55 ? 'SELL' : 'BUY') : rand() < 0.55 ? 'BUY' : 'SELL';
      const f = { side, quantity: Decimal.fromUnits(BigInt(1 + Math.floor(rand() * 1e6)), Math.floor(rand() * 7)), price: Decimal.fromUnits(BigInt(1 + Math.floor(rand() * 1e9)), Math.floor(rand() * 6)), fee: Decimal.fromUnits(BigInt(Math.floor(rand() * 2e5) - 5e4), 8) };
      l.applyFill(f);
      const flow = f.quantity.mul(f.price);
      cash = (side === 'BUY' ? cash.sub(flow) : cash.add(flow)).sub(f.fee);
      if (i % 101 === 0) {
        const mark = Decimal.fromUnits(BigInt(1 + Math.floor(rand() * 1e9)), 4);
        expect(l.netPnl(mark).eq(cash.add(l.quantity.mul(mark)))).toBe(true);
      }
    }
  }, 60_000);

  it('round-trips through a snapshot and a portfolio of that method', () => {
    const pf = new Portfolio({ costMethod: method });
    pf.applyFill('A', fill('BUY', '1', '10'));
    pf.applyFill('A', fill('BUY', '2', '11'));
    pf.applyFill('A', fill('SELL', '1.5', '12', '0.01'));
    const restored = Portfolio.restore(pf.positions(), { costMethod: method });
    restored.applyFill('A', fill('SELL', '1.5', '13'));
    pf.applyFill('A', fill('SELL', '1.5', '13'));
    expect(restored.positions()).toEqual(pf.positions());
    expect(restoreLedger(pf.positions()[0]!, method).realizedPnl.eq(pf.realizedPnl())).toBe(true);
  });
});
