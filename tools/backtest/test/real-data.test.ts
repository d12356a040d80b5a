import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataPath } from '@meridian/testkit';
import { configJson, METRIC_KEYS, reportData, requireBuilt, runCli, writeJson } from './fixtures';

// Real data beside the project (../shared/data, see its MANIFEST.md): three weeks of Binance.US
// BTCUSDT minute bars (the USDC depeg of March 2023 inside), and the first 20,000 LOBSTER
// messages of GOOG on 2012-06-21 with their 5-level book.
const BARS = sharedDataPath('crypto_bars', 'binanceus_BTCUSDT_1m_20230301_20230321.csv');
const LOBSTER = sharedDataPath('lobster', 'GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv');
for (const f of [BARS, LOBSTER]) if (!existsSync(f)) process.stdout.write(`${f} not found: its real-data backtest is skipped\n`);
const withBars = existsSync(BARS) ? test : test.skip;
const withLobster = existsSync(LOBSTER) ? test : test.skip;

let dir: string;
beforeAll(() => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'backtest-cli-real-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

withBars('three weeks of real BTCUSDT minute bars: every bar read, the layout taken from the Binance.US header, a full report', async () => {
  const config = writeJson(dir, 'btc.json', configJson({ latency: { order: { kind: 'lognormal', medianNs: 20_000_000, sigma: 0.5 } }, venue: { fees: { maker: '0.0002', taker: '0.0005', scale: 8 }, slippageTicks: 1, account: { mode: 'margin', balances: { USDT: '100000' } } } }));
  const out = join(dir, 'btc');
  const r = await runCli(['run', '--config', config, '--data', BARS, '--param', 'intentIntervalMs=900000', '--param', 'slowPeriod=60', '--out', out, '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  // 21 days × 1440 bars (MANIFEST: no gaps); each bar is an event at its end.
  expect(result.counts).toMatchObject({ events: 30_240, bars: 30_240, trades: 0, quotes: 0, bookUpdates: 0 });
  expect(result.startNs).toBe(String(Date.parse('2023-03-01T00:01:00Z') * 1e6));
  expect(result.endNs).toBe(String(Date.parse('2023-03-22T00:00:00Z') * 1e6));
  expect(Object.keys(result.metrics).sort()).toEqual(METRIC_KEYS);
  expect(result.counts.fills).toBeGreaterThan(0);
  // Hourly equity points over 21 days, plus the opening one.
  expect(result.equity.length).toBe(21 * 24 + 1);
  const report = reportData(readFileSync(join(out, 'report.html'), 'utf8'));
  expect(report.tradesTotal).toBe(result.trades.length);
  const speed = /^30,240 events in ([\d.]+) s wall time: ([\d.]+k?) events\/s$/m.exec(r.stdout);
  expect(speed).not.toBeNull();
  process.stdout.write(`real BTCUSDT 1m: ${speed![0]}; ${result.counts.orders} orders, ${result.trades.length} round trips, Sharpe ${result.metrics.sharpe}\n`);
}, 180_000);

withLobster('real LOBSTER messages and book: every execution a trade, the book mirrored, bars built from the trades', async () => {
  const config = writeJson(dir, 'goog.json', {
    instruments: [{ symbol: 'GOOG', baseCurrency: 'GOOG', quoteCurrency: 'USD', tickSize: '0.0001', lotSize: '1' }],
    seed: 7,
    venue: { fees: { maker: '-0.0002', taker: '0.0003', scale: 6 }, account: { mode: 'margin', balances: { USD: '1000000' } } },
    risk: { limits: { global: { maxOrderQuantity: '200', maxOrderNotional: '200000', maxPosition: '500' } } },
    latency: { order: { kind: 'lognormal', medianNs: 500_000, sigma: 0.5 } },
    equityIntervalMs: 60_000,
  });
  const out = join(dir, 'goog');
  const r = await runCli(['run', '--config', config, '--data', LOBSTER, '--param', 'barsFromTrades=true', '--param', 'interval=10s', '--param', 'orderLot=1', '--param', 'positionNotional=50000', '--param', 'maxOrderNotional=20000', '--out', out, '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  // Executions (types 4, 5, 6) counted from the file itself.
  const executions = readFileSync(LOBSTER, 'utf8')
    .split('\n')
    .filter((l) => ['4', '5', '6'].includes(l.split(',')[1] ?? ''))
    .length;
  expect(result.counts.trades).toBe(executions);
  expect(result.counts.bookUpdates).toBeGreaterThan(10_000);
  expect(result.counts.bookUpdates).toBeLessThanOrEqual(20_000);
  expect(result.counts.fills).toBeGreaterThan(0);
  expect(result.params).toMatchObject({ barsFromTrades: true, interval: '10s' });
}, 180_000);
