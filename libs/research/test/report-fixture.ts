import type { ReportInput, TradeRecord, TrialRecord } from '../src';

const HOUR = 3_600_000;

function cents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** A report over ~14 months of hourly equity with a deep drawdown, 57 trades and a 6×5 parameter grid. */
export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const t0 = Date.UTC(2023, 10, 15);
  const equity = [];
  let c = 10_000_000n;
  for (let i = 0; i < 420 * 24; i++) {
    // Rises, falls 30% around day 200, recovers: deterministic.
    const day = i / 24;
    const drift = day > 180 && day < 220 ? -4000n : 600n;
    c += drift + BigInt(Math.round(Math.sin(i / 7) * 2000));
    equity.push({ tsMs: t0 + i * HOUR, equity: cents(c) });
  }
  const trades: TradeRecord[] = Array.from({ length: 57 }, (_, i) => ({
    symbol: i % 2 ? 'BTC-USDT' : 'ETH-USDT',
    direction: i % 3 ? 'long' : 'short',
    entryTsMs: t0 + i * 7 * 24 * HOUR,
    exitTsMs: t0 + (i * 7 + 2) * 24 * HOUR,
    entryPrice: `${100 + i}.5`,
    exitPrice: `${101 + i}.25`,
    quantity: '0.01',
    pnl: i % 4 ? `${i}.75` : `-${i}.5`,
    fees: '0.02',
  }));
  const trials: TrialRecord[] = [];
  let n = 0;
  for (const fast of [5, 10, 15, 20, 25, 30]) {
    for (const slow of [50, 100, 150, 200, 250]) {
      trials.push({ number: n++, state: 'complete', params: { fast, slow, kind: 'ema' }, score: Math.sin(fast / 10) * Math.cos(slow / 100) * 2, metrics: {}, startedAtMs: t0, durationMs: 5 });
    }
  }
  trials.push({ number: n++, state: 'failed', params: { fast: 5, slow: 50, kind: 'ema' }, metrics: {}, error: 'Error: boom', startedAtMs: t0, durationMs: 1 });
  return {
    title: 'EMA crossover BTC-USDT 1m',
    subtitle: 'backtest 2023-11-15 → 2025-01-08',
    equity,
    startEquity: '100000.00',
    trades,
    metrics: { sharpe: 1.2345678, trades: 57, maxDrawdown: '-0.31', cagr: 0.1834 },
    study: { name: 'ema', direction: 'maximize', trials },
    windows: [
      { index: 0, train: { fromMs: t0, toMs: t0 + 90 * 24 * HOUR }, test: { fromMs: t0 + 90 * 24 * HOUR, toMs: t0 + 120 * 24 * HOUR }, trainScore: 1.5, testScore: 0.7, bestParams: { fast: 10, slow: 100 } },
    ],
    generatedAtMs: Date.UTC(2025, 0, 9),
    ...overrides,
  };
}
