import { Decimal, DomainError } from '@meridian/domain';
import { InvalidFillError, InvalidPositionSnapshotError, PositionLedger } from '../src';
import type { PositionSnapshot } from '../src';
import { d, fill } from './helpers';

const s = (v: Decimal): string => v.toString();

describe('long', () => {
  test('open, add, reduce, close', () => {
    const p = new PositionLedger('BTC-USDT');
    expect(s(p.quantity)).toBe('0');
    expect(s(p.averagePrice)).toBe('0');

    expect(s(p.applyFill(fill('BUY', '1', '100')).realizedPnl)).toBe('0');
    expect(s(p.quantity)).toBe('1');
    expect(s(p.averagePrice)).toBe('100');

    expect(s(p.applyFill(fill('BUY', '3', '120')).realizedPnl)).toBe('0');
    expect(s(p.quantity)).toBe('4');
    expect(s(p.averagePrice)).toBe('115'); // (100 + 360) / 4

    expect(s(p.applyFill(fill('SELL', '1', '130')).realizedPnl)).toBe('15');
    expect(s(p.quantity)).toBe('3');
    expect(s(p.averagePrice)).toBe('115'); // reducing keeps the average

    expect(s(p.applyFill(fill('SELL', '3', '110')).realizedPnl)).toBe('-15');
    expect(s(p.quantity)).toBe('0');
    expect(s(p.averagePrice)).toBe('0');
    expect(s(p.costBasis)).toBe('0');
    expect(s(p.realizedPnl)).toBe('0');
    expect(p.isFlat()).toBe(true);
  });

  test('flip long to short: closes the long, opens the rest at the fill price', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '2', '10'));
    const r = p.applyFill(fill('SELL', '5', '12'));
    expect(s(r.realizedPnl)).toBe('4');
    expect(s(p.quantity)).toBe('-3');
    expect(s(p.averagePrice)).toBe('12');
    expect(s(p.unrealizedPnl(d('11')))).toBe('3');
  });
});

describe('short', () => {
  test('open, add, reduce, close', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('SELL', '2', '50'));
    p.applyFill(fill('SELL', '2', '60'));
    expect(s(p.quantity)).toBe('-4');
    expect(s(p.averagePrice)).toBe('55');
    expect(s(p.unrealizedPnl(d('50')))).toBe('20');
    expect(s(p.unrealizedPnl(d('60')))).toBe('-20');

    expect(s(p.applyFill(fill('BUY', '1', '45')).realizedPnl)).toBe('10');
    expect(s(p.quantity)).toBe('-3');
    expect(s(p.averagePrice)).toBe('55');
    expect(s(p.applyFill(fill('BUY', '3', '56')).realizedPnl)).toBe('-3');
    expect(s(p.quantity)).toBe('0');
    expect(s(p.realizedPnl)).toBe('7');
  });

  test('flip short to long', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('SELL', '1.5', '20'));
    const r = p.applyFill(fill('BUY', '2', '18'));
    expect(s(r.realizedPnl)).toBe('3');
    expect(s(p.quantity)).toBe('0.5');
    expect(s(p.averagePrice)).toBe('18');
    expect(s(p.snapshot().boughtQuantity)).toBe('2');
    expect(s(p.snapshot().soldQuantity)).toBe('1.5');
  });

  test('an exact flip to flat leaves nothing open', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('SELL', '1', '20'));
    p.applyFill(fill('BUY', '1', '25'));
    expect(s(p.quantity)).toBe('0');
    expect(s(p.costBasis)).toBe('0');
    expect(s(p.realizedPnl)).toBe('-5');
  });
});

describe('fees and P&L', () => {
  test('fees are tracked apart from realized P&L; rebates reduce them', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '2', '100', '0.2'));
    p.applyFill(fill('SELL', '2', '101', '-0.05'));
    expect(s(p.realizedPnl)).toBe('2');
    expect(s(p.fees)).toBe('0.15');
    expect(s(p.netPnl(d('999')))).toBe('1.85');
  });

  test('unrealized and net P&L against a mark', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '0.1', '30000.5', '0.3'));
    p.applyFill(fill('BUY', '0.2', '30010', '0.6'));
    expect(s(p.averagePrice)).toBe('30006.833333333333');
    expect(s(p.unrealizedPnl(d('30100')))).toBe('27.95'); // 0.3 * 30100 - (3000.05 + 6002)
    expect(s(p.netPnl(d('30100')))).toBe('27.05');
    expect(s(new PositionLedger('Y').unrealizedPnl(d('5')))).toBe('0');
  });

  test('a repeating average never drifts: all realized P&L adds up exactly', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '1', '1'));
    p.applyFill(fill('BUY', '2', '2'));
    expect(s(p.averagePrice)).toBe('1.666666666667');
    const parts = [p.applyFill(fill('SELL', '1', '2')), p.applyFill(fill('SELL', '1', '2')), p.applyFill(fill('SELL', '1', '2'))];
    const total = Decimal.sum(parts.map((r) => r.realizedPnl));
    expect(s(total)).toBe('1'); // 6 sold - 5 paid
    expect(s(p.realizedPnl)).toBe('1');
    expect(s(p.costBasis)).toBe('0');
  });

  test('exact quantities: 0.1 + 0.2 then selling 0.3 closes the position', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '0.1', '3'));
    p.applyFill(fill('BUY', '0.2', '3'));
    p.applyFill(fill('SELL', '0.3', '4'));
    expect(p.isFlat()).toBe(true);
    expect(s(p.realizedPnl)).toBe('0.3');
  });
});

describe('validation', () => {
  test.each([
    ['quantity 0', fill('BUY', '0', '1'), /quantity "0" must be a positive Decimal/],
    ['negative quantity', fill('SELL', '-1', '1'), /quantity "-1"/],
    ['price 0', fill('BUY', '1', '0'), /price "0" must be a positive Decimal/],
    ['negative price', fill('BUY', '1', '-2'), /price "-2"/],
    ['bad side', { ...fill('BUY', '1', '1'), side: 'buy' as never }, /side "buy" must be BUY or SELL/],
    ['float quantity', { ...fill('BUY', '1', '1'), quantity: 0.5 as never }, /quantity "0.5"/],
    ['missing fee', { ...fill('BUY', '1', '1'), fee: undefined as never }, /fee "undefined" must be a Decimal/],
  ])('refuses %s with a typed error and books nothing', (_name, bad, message) => {
    const p = new PositionLedger('ETH-USDT');
    let error: unknown;
    try {
      p.applyFill(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFillError);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PORTFOLIO_INVALID_FILL');
    expect((error as Error).message).toMatch(/^invalid fill for ETH-USDT: /);
    expect((error as Error).message).toMatch(message);
    expect(p.fillCount).toBe(0);
  });
});

describe('snapshot and restore', () => {
  test('round trip keeps the exact cost basis and every counter', () => {
    const p = new PositionLedger('X');
    p.applyFill(fill('BUY', '1', '1', '0.01'));
    p.applyFill(fill('BUY', '2', '2', '0.02'));
    p.applyFill(fill('SELL', '0.5', '3', '0.005'));
    const snap = p.snapshot();
    expect(snap).toMatchObject({ symbol: 'X', fillCount: 3 });
    expect(s(snap.averagePrice)).toBe('1.666666666667');
    expect(s(snap.boughtQuantity)).toBe('3');
    expect(s(snap.soldQuantity)).toBe('0.5');

    const r = PositionLedger.restore(JSON.parse(JSON.stringify(snap), revive) as PositionSnapshot);
    expect(r.snapshot()).toEqual(snap);
    for (const ledger of [p, r]) ledger.applyFill(fill('SELL', '2.5', '2'));
    expect(r.snapshot()).toEqual(p.snapshot());
    expect(s(r.realizedPnl)).toBe(s(p.realizedPnl));
    expect(s(r.costBasis)).toBe('0');
  });

  test('a snapshot without costBasis restores from the average price', () => {
    const snap: PositionSnapshot = {
      symbol: 'X', quantity: d('-2'), averagePrice: d('10.5'), realizedPnl: d('1'), fees: d('0.1'),
      fillCount: 4, boughtQuantity: d('1'), soldQuantity: d('3'),
    };
    const r = PositionLedger.restore(snap);
    expect(s(r.costBasis)).toBe('-21');
    expect(s(r.unrealizedPnl(d('10')))).toBe('1');
  });

  test.each([
    ['a flat position with a cost', { quantity: d('0'), costBasis: d('5') }, /costBasis "5" must be 0 when the position is flat/],
    ['a long with a negative cost', { quantity: d('1'), costBasis: d('-5') }, /costBasis "-5" gives a non-positive average price/],
    ['a short with a negative average', { quantity: d('-1'), averagePrice: d('-5'), costBasis: undefined }, /averagePrice "-5" gives a non-positive/],
    ['an open position with no cost', { quantity: d('2'), averagePrice: d('0'), costBasis: undefined }, /averagePrice "0" gives a non-positive/],
    ['a negative fill count', { fillCount: -1 }, /fillCount "-1"/],
    ['a negative bought quantity', { boughtQuantity: d('-1') }, /boughtQuantity "-1"/],
    ['a non-Decimal fee total', { fees: '0.1' as never }, /fees "0.1" must be a Decimal/],
    ['an empty symbol', { symbol: '' }, /symbol "" must be a non-empty string/],
  ])('refuses %s', (_name, patch, message) => {
    const base = new PositionLedger('X').snapshot();
    expect(() => PositionLedger.restore({ ...base, ...patch })).toThrow(InvalidPositionSnapshotError);
    expect(() => PositionLedger.restore({ ...base, ...patch })).toThrow(message);
  });
});

/** JSON reviver for snapshots: the persisted form carries Decimals as strings. */
function revive(key: string, value: unknown): unknown {
  if (typeof value === 'string' && key !== 'symbol') return Decimal.parse(value);
  return value;
}
