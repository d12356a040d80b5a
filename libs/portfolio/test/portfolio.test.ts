import { DomainError } from '@meridian/domain';
import { InvalidPortfolioSymbolError, InvalidPositionSnapshotError, Portfolio, PositionLedger } from '../src';
import { d, fill } from './helpers';

test('routes fills per symbol and lists positions sorted by symbol', () => {
  const pf = new Portfolio();
  pf.applyFill('SOL-USDT', fill('BUY', '10', '150'));
  pf.applyFill('BTC-USDT', fill('SELL', '0.5', '60000', '3'));
  expect(pf.applyFill('SOL-USDT', fill('SELL', '4', '155', '0.6')).realizedPnl.toString()).toBe('20');
  pf.applyFill('ETH-USDT', fill('BUY', '1', '3000'));

  const list = pf.positions();
  expect(list.map((p) => p.symbol)).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
  expect(list.map((p) => p.quantity.toString())).toEqual(['-0.5', '1', '6']);
  expect(pf.realizedPnl().toString()).toBe('20');
  expect(pf.fees().toString()).toBe('3.6');
});

test('position() creates a flat ledger once and returns the same one after', () => {
  const pf = new Portfolio();
  expect(pf.has('ETH-USDT')).toBe(false);
  const p = pf.position('ETH-USDT');
  expect(p).toBeInstanceOf(PositionLedger);
  expect(p.quantity.isZero()).toBe(true);
  expect(pf.position('ETH-USDT')).toBe(p);
  expect(pf.positions()).toHaveLength(1);
});

test('sorting is by code unit, not locale', () => {
  const pf = new Portfolio();
  for (const sym of ['b', 'B', 'a', 'A_1', 'A-1']) pf.position(sym);
  expect(pf.positions().map((p) => p.symbol)).toEqual(['A-1', 'A_1', 'B', 'a', 'b']);
});

test('an empty symbol is refused with a typed error', () => {
  const pf = new Portfolio();
  expect(() => pf.applyFill('', fill('BUY', '1', '1'))).toThrow(InvalidPortfolioSymbolError);
  try {
    pf.position('');
  } catch (e) {
    expect((e as DomainError).code).toBe('PORTFOLIO_INVALID_SYMBOL');
  }
});

test('restore round trip', () => {
  const pf = new Portfolio();
  pf.applyFill('A', fill('BUY', '3', '1.1'));
  pf.applyFill('A', fill('SELL', '1', '1.3', '0.01'));
  pf.applyFill('B', fill('SELL', '2', '7'));
  const restored = Portfolio.restore(pf.positions());
  expect(restored.positions()).toEqual(pf.positions());
  expect(restored.position('A').netPnl(d('1.2'))).toEqual(pf.position('A').netPnl(d('1.2')));
  expect(() => Portfolio.restore([...pf.positions(), pf.position('A').snapshot()])).toThrow(InvalidPositionSnapshotError);
});
