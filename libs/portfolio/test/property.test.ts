import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { Portfolio, PositionLedger } from '../src';
import type { FillInput } from '../src';
import { prng } from './helpers';

/** A positive value with 0 to 8 fraction digits; magnitudes span several orders on purpose. */
function randomDecimal(rand: () => number, maxUnits: number): Decimal {
  const scale = Math.floor(rand() * 9);
  const units = BigInt(1 + Math.floor(rand() * maxUnits));
  return Decimal.fromUnits(units, scale);
}

function randomFill(rand: () => number, position: Decimal): FillInput {
  // Lean against the position so it keeps crossing zero, which exercises closes and flips.
  const buyBias = position.isNegative() ? 0.6 : position.isPositive() ? 0.4 : 0.5;
  const side: Side = rand() < buyBias ? 'BUY' : 'SELL';
  const fee = Decimal.fromUnits(BigInt(Math.floor(rand() * 2_000_000) - 400_000), 8); // rebates included
  const price = randomDecimal(rand, 2e10);
  // Random sizes almost never land exactly flat, so sometimes close out on purpose.
  if (!position.isZero() && rand() < 0.05) {
    return { side: position.isPositive() ? 'SELL' : 'BUY', quantity: position.abs(), price, fee };
  }
  return { side, quantity: randomDecimal(rand, 5e8), price, fee };
}

/** Exact fractions, for a weighted-average reference that never rounds. */
class Ratio {
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static of(n: bigint, d = 1n): Ratio {
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n < 0n ? -n : n, d);
    return new Ratio(n / g, d / g);
  }

  static from(x: Decimal): Ratio {
    return Ratio.of(x.coef, 10n ** BigInt(x.scale));
  }

  add(o: Ratio): Ratio {
    return Ratio.of(this.n * o.d + o.n * this.d, this.d * o.d);
  }

  sub(o: Ratio): Ratio {
    return this.add(Ratio.of(-o.n, o.d));
  }

  mul(o: Ratio): Ratio {
    return Ratio.of(this.n * o.n, this.d * o.d);
  }

  div(o: Ratio): Ratio {
    return Ratio.of(this.n * o.d, this.d * o.n);
  }

  /** |this| <= 10^-digits */
  within(digits: number): boolean {
    const n = this.n < 0n ? -this.n : this.n;
    return n * 10n ** BigInt(digits) <= this.d;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** Weighted-average cost done with exact fractions: what the ledger approximates per partial close. */
class ReferencePosition {
  qty = Ratio.of(0n);
  cost = Ratio.of(0n);
  realized = Ratio.of(0n);

  /** Starts from the ledger's exact state; keeps fractions small enough for a long run. */
  static at(ledger: PositionLedger): ReferencePosition {
    const r = new ReferencePosition();
    r.qty = Ratio.from(ledger.quantity);
    r.cost = Ratio.from(ledger.costBasis);
    return r;
  }

  apply(f: FillInput): Ratio {
    const sign = f.side === 'BUY' ? 1n : -1n;
    let remaining = Ratio.from(f.quantity);
    const price = Ratio.from(f.price);
    let realized = Ratio.of(0n);
    const held = this.qty.n === 0n ? 0n : this.qty.n > 0n ? 1n : -1n;
    if (held !== 0n && held !== sign) {
      const heldSize = Ratio.of(held * this.qty.n, this.qty.d);
      const closing = remaining.sub(heldSize).n >= 0n ? heldSize : remaining;
      const released = this.cost.mul(closing).div(heldSize);
      const closedSigned = Ratio.of(held * closing.n, closing.d);
      realized = closedSigned.mul(price).sub(released);
      this.qty = this.qty.sub(closedSigned);
      this.cost = this.cost.sub(released);
      remaining = remaining.sub(closing);
    }
    if (remaining.n > 0n) {
      const signed = Ratio.of(sign * remaining.n, remaining.d);
      this.qty = this.qty.add(signed);
      this.cost = this.cost.add(signed.mul(price));
    }
    this.realized = this.realized.add(realized);
    return realized;
  }
}

test('20,000 random fills: realized + unrealized - fees equals cash flow + position value, exactly', () => {
  const rand = prng(7);
  const ledger = new PositionLedger('PROP');
  let cash = Decimal.ZERO; // Σ −sign × qty × price − fee
  let position = Decimal.ZERO;
  let realizedSum = Decimal.ZERO;
  let feeSum = Decimal.ZERO;
  let flips = 0;
  let closes = 0;
  let maxCostScale = 0;

  for (let i = 0; i < 20_000; i++) {
    const f = randomFill(rand, position);
    const signed = f.side === 'BUY' ? f.quantity : f.quantity.neg();
    const before = position;
    // The identity below cannot see how P&L is split between realized and carried cost, so each
    // step is also checked against exact weighted-average cost from the same starting state.
    const reference = ReferencePosition.at(ledger);
    const realized = ledger.applyFill(f).realizedPnl;
    realizedSum = realizedSum.add(realized);
    expect(Ratio.from(realized).sub(reference.apply(f)).within(11)).toBe(true);
    expect(Ratio.from(ledger.quantity).sub(reference.qty).n).toBe(0n);
    cash = cash.sub(signed.mul(f.price)).sub(f.fee);
    feeSum = feeSum.add(f.fee);
    position = position.add(signed);
    if (before.sign() !== 0 && position.sign() === -before.sign()) flips++;
    if (before.sign() !== 0 && position.isZero()) closes++;

    const mark = randomDecimal(rand, 2e10);
    expect(ledger.quantity.eq(position)).toBe(true);
    expect(ledger.netPnl(mark).eq(cash.add(position.mul(mark)))).toBe(true);
    maxCostScale = Math.max(maxCostScale, ledger.costBasis.scale);
  }

  expect(ledger.realizedPnl.eq(realizedSum)).toBe(true);
  expect(ledger.fees.eq(feeSum)).toBe(true);
  expect(ledger.fillCount).toBe(20_000);
  const snap = ledger.snapshot();
  expect(snap.boughtQuantity.sub(snap.soldQuantity).eq(position)).toBe(true);
  // Enough sign changes happened for the test to mean something.
  expect(flips).toBeGreaterThan(100);
  // The exact basis does not grow digits without bound.
  expect(maxCostScale).toBeLessThanOrEqual(16);

  // Closing out at any price realizes everything: the ledger then equals the cash flow exactly.
  const exit = Decimal.parse('123.45678901');
  if (!position.isZero()) {
    ledger.applyFill({ side: position.isPositive() ? 'SELL' : 'BUY', quantity: position.abs(), price: exit, fee: Decimal.ZERO });
    cash = cash.add(position.mul(exit));
  }
  expect(ledger.costBasis.isZero()).toBe(true);
  expect(ledger.realizedPnl.sub(ledger.fees).eq(cash)).toBe(true);
  expect(closes).toBeGreaterThan(200);
});

test('2,000 random fills against an independent exact-fraction ledger', () => {
  const rand = prng(2024);
  const ledger = new PositionLedger('REF');
  const reference = new ReferencePosition();
  let flats = 0;
  for (let i = 0; i < 2_000; i++) {
    const f = randomFill(rand, ledger.quantity);
    const realized = ledger.applyFill(f).realizedPnl;
    const expected = reference.apply(f);
    // Each partial close may round its share of cost; the rounding stays in the carried basis,
    // so per fill the difference is tiny and whenever the position is flat it is zero.
    expect(Ratio.from(realized).sub(expected).within(10)).toBe(true);
    if (reference.qty.n === 0n) {
      flats++;
      expect(Ratio.from(ledger.realizedPnl).sub(reference.realized).n).toBe(0n);
      expect(ledger.costBasis.isZero()).toBe(true);
    } else {
      expect(Ratio.from(ledger.realizedPnl).sub(reference.realized).within(10)).toBe(true);
      expect(Ratio.from(ledger.averagePrice).sub(reference.cost.div(reference.qty)).within(11)).toBe(true);
    }
  }
  // Closing out makes both flat: totals must then agree exactly.
  const q = ledger.quantity;
  if (!q.isZero()) {
    const close: FillInput = { side: q.isPositive() ? 'SELL' : 'BUY', quantity: q.abs(), price: Decimal.parse('50.5'), fee: Decimal.ZERO };
    ledger.applyFill(close);
    reference.apply(close);
  }
  expect(Ratio.from(ledger.realizedPnl).sub(reference.realized).n).toBe(0n);
  expect(flats).toBeGreaterThan(20);
});

test('the identity holds per symbol across a portfolio, and after a restore mid-way', () => {
  const rand = prng(99);
  let pf = new Portfolio();
  const symbols = ['A', 'B', 'C'];
  const cash = new Map(symbols.map((s) => [s, Decimal.ZERO]));
  for (let i = 0; i < 3_000; i++) {
    const symbol = symbols[Math.floor(rand() * symbols.length)]!;
    const f = randomFill(rand, pf.position(symbol).quantity);
    pf.applyFill(symbol, f);
    const signed = f.side === 'BUY' ? f.quantity : f.quantity.neg();
    cash.set(symbol, cash.get(symbol)!.sub(signed.mul(f.price)).sub(f.fee));
    if (i === 1_500) pf = Portfolio.restore(pf.positions());
  }
  const mark = Decimal.parse('77.00000001');
  for (const s of pf.positions()) {
    const ledger = pf.position(s.symbol);
    expect(ledger.netPnl(mark).eq(cash.get(s.symbol)!.add(ledger.quantity.mul(mark)))).toBe(true);
  }
});
