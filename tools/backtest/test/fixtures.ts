import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertBuilt } from '@meridian/testkit';

export const PACKAGE_DIR = resolve(__dirname, '..');
export const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');

/** The tests run the CLI as built: refuse a stale dist with a message saying so. */
export function requireBuilt(): void {
  assertBuilt(PACKAGE_DIR, '@meridian/backtest-cli');
}

/** A deterministic generator (LCG), so the fixture bars are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `n` one-minute bars of BTC-USDT whose price swings in slow waves (so the momentum strategy
 * trades, wins some and loses some), with ISO times, as the Binance.US export writes them.
 */
export function barsCsv(n: number, seed = 3, start = Date.UTC(2024, 0, 1)): string {
  const rnd = lcg(seed);
  const rows = ['open_time,open,high,low,close,volume'];
  let close = 20_000;
  for (let i = 0; i < n; i++) {
    const open = close;
    const wave = 0.0015 * Math.sin((2 * Math.PI * i) / 180);
    close = Math.round(open * Math.exp(wave + 0.0008 * (rnd() - 0.5)) * 100) / 100;
    const high = Math.round(Math.max(open, close) * (1 + 0.0004 * rnd()) * 100) / 100;
    const low = Math.round(Math.min(open, close) * (1 - 0.0004 * rnd()) * 100) / 100;
    const t = new Date(start + i * 60_000).toISOString().replace('T', ' ').replace('.000Z', '+00:00');
    rows.push(`${t},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${(1 + 5 * rnd()).toFixed(6)}`);
  }
  return `${rows.join('\n')}\n`;
}

export function configJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instruments: [{ symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: '0.01', lotSize: '0.00001' }],
    seed: 1,
    venue: { fees: { maker: '0.0002', taker: '0.0005', scale: 8 }, account: { mode: 'margin', balances: { USDT: '100000' } } },
    risk: { limits: { global: { maxOrderQuantity: '5', maxOrderNotional: '100000', maxPosition: '10' } } },
    equityIntervalMs: 3_600_000,
    ...overrides,
  };
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a child process to its exit. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`meridian-backtest ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The keys every result's metrics carry (libs/backtest's BacktestMetrics). */
export const METRIC_KEYS = [
  'annualisedReturn',
  'calmar',
  'exposure',
  'fees',
  'finalEquity',
  'initialEquity',
  'maxDrawdown',
  'maxDrawdownDurationMs',
  'maxDrawdownFraction',
  'netPnl',
  'periodsPerYear',
  'sharpe',
  'sortino',
  'totalReturn',
  'trades',
  'turnover',
  'turnoverRatio',
  'volatility',
];

/** The JSON a report embeds (what its script draws). */
export function reportData(html: string): { title: string; equity: [number, number][]; trades: unknown[]; tradesTotal: number; metrics: [string, string][]; heatmap: null | { x: string; y: string; trials: number; cells: (number | null)[][] }; windows: unknown[] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no report-data block in the report');
  return JSON.parse(m[1]!);
}
