import { Decimal } from '@meridian/domain';
import {
  annualisedReturn,
  computeMetrics,
  drawdowns,
  periodReturns,
  sampleStd,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
  tradeStatistics,
  volatility,
} from '../src';
import type { EquityPoint, RoundTrip } from '../src';

const DAY = 86_400_000;
const d = Decimal.parse;
// 100 → 110 → 99 → 121 over three days: returns +10 %, −10 %, +22.2… %.
const curve: EquityPoint[] = [
  { tsMs: 0, equity: '100' },
  { tsMs: DAY, equity: '110' },
  { tsMs: 2 * DAY, equity: '99' },
  { tsMs: 3 * DAY, equity: '121' },
];
const PPY = 365.25;

describe('metrics of an equity curve, against values worked out by hand', () => {
  test('returns, σ, Sharpe, Sortino and volatility', () => {
    const r = periodReturns(curve);
    expect(r).toEqual([0.1, -0.1, 22 / 99]);
    // mean = (0.1 − 0.1 + 0.2222…)/3 = 0.074074…; sample σ = √(Σ(r − mean)² / 2) = 0.162668…
    expect(sampleStd(r)).toBeCloseTo(0.16266808337776115, 14);
    expect(sharpeRatio(r, PPY)).toBeCloseTo((0.07407407407407414 / 0.16266808337776115) * Math.sqrt(365.25), 10);
    expect(sharpeRatio(r, PPY)).toBeCloseTo(8.70279982119768, 10);
    expect(volatility(r, PPY)).toBeCloseTo(3.108833491683392, 10);
    // downside deviation = √((0 + 0.01 + 0)/3) = 0.057735…
    expect(sortinoRatio(r, PPY)).toBeCloseTo(24.52008498968215, 10);
    expect(sharpeRatio([0.01, 0.01], PPY)).toBeNull();
    expect(sharpeRatio([0.01], PPY)).toBeNull();
    expect(sortinoRatio([0.01, 0.02], PPY)).toBeNull();
  });

  test('total and annualised return, drawdown and its duration, Calmar', () => {
    expect(totalReturn(d('100'), d('121'))).toBe(0.21);
    expect(annualisedReturn(d('100'), d('121'), 365.25 * DAY)).toBeCloseTo(0.21, 12);
    expect(annualisedReturn(d('100'), d('110.25'), 2 * 365.25 * DAY)).toBeCloseTo(0.05, 12);
    expect(annualisedReturn(d('100'), d('0'), DAY)).toBe(-1);
    expect(annualisedReturn(d('100'), d('120'), 0)).toBeNull();
    const dd = drawdowns(curve);
    // The peak of 110 (day 1) falls to 99: 11, a tenth; under water from day 1 to the new high on day 3.
    expect(dd.maxDrawdown.toString()).toBe('11');
    expect(dd.maxDrawdownFraction).toBe(0.1);
    expect(dd.maxDrawdownDurationMs).toBe(2 * DAY);
    // A stretch still under water at the end counts to the last point.
    expect(drawdowns([...curve, { tsMs: 4 * DAY, equity: '120' }, { tsMs: 9 * DAY, equity: '100' }]).maxDrawdownDurationMs).toBe(6 * DAY);
    const m = computeMetrics({ equity: curve, trips: [], initialEquity: d('100'), fees: d('1.5'), turnover: d('857'), exposedNs: 2n * 86_400_000_000_000n, spanNs: 3n * 86_400_000_000_000n, periodsPerYear: PPY });
    expect(m.netPnl).toBe('21');
    expect(m.annualisedReturn).toBeCloseTo(Math.pow(1.21, 365.25 / 3) - 1, 0);
    expect(m.calmar! / m.annualisedReturn!).toBeCloseTo(10, 12);
    // Average equity (100 + 110 + 99 + 121)/4 = 107.5; 857 / 107.5 = 7.972…
    expect(m.turnoverRatio).toBeCloseTo(857 / 107.5, 12);
    expect(m.exposure).toBeCloseTo(2 / 3, 6);
    expect(m.fees).toBe('1.5');
  });
});

function trip(netPnl: string, holdingMs: number): RoundTrip {
  return {
    symbol: 'X',
    direction: 'long',
    maxQuantity: '1',
    quantity: '1',
    entryNs: '0',
    exitNs: '1',
    entryPrice: '1',
    exitPrice: '1',
    pnl: netPnl,
    fees: '0',
    netPnl,
    holdingMs,
    fills: 2,
  };
}

test('trade statistics of round trips, worked by hand', () => {
  const s = tradeStatistics([trip('10', 1000), trip('20', 3000), trip('-5', 1000), trip('-5.5', 1000), trip('0', 4000)]);
  expect(s).toEqual({
    count: 5,
    wins: 2,
    losses: 2,
    winRate: 0.4,
    profitFactor: 30 / 10.5,
    totalNetPnl: '19.5',
    averageNetPnl: '3.9',
    averageWin: '15',
    averageLoss: '-5.25',
    largestWin: '20',
    largestLoss: '-5.5',
    payoffRatio: 15 / 5.25,
    averageHoldingMs: 2000,
    maxConsecutiveWins: 2,
    maxConsecutiveLosses: 2,
  });
  expect(tradeStatistics([])).toMatchObject({ count: 0, winRate: null, profitFactor: null, averageNetPnl: null, payoffRatio: null, averageHoldingMs: null });
  expect(tradeStatistics([trip('3', 1)]).profitFactor).toBeNull();
});
