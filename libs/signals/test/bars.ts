// Bar series for the indicator and feature tests: real ones from ../shared/data (absent → null, and
// the caller skips with a message) and a generated one that is always there.
import { existsSync, readFileSync } from 'node:fs';
import { sharedDataPath } from '@meridian/testkit';
import type { Bar } from '../src';
import { gaussian, rng } from './random';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const BTC_HOURLY = sharedDataPath('crypto_bars', 'binance_BTCUSDT_1h_20170817_20210610.clean.csv');
export const SPY_DAILY = sharedDataPath('equities_lean', 'daily', 'spy.csv');

/** Binance BTCUSDT hourly bars (33,413), volume in BTC; null when the file is absent. */
export function btcHourly(): Bar[] | null {
  if (!existsSync(BTC_HOURLY)) return null;
  const lines = readFileSync(BTC_HOURLY, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    // open_time_ms,open_time_utc,open,high,low,close,volume_BTC,volume_USDT,trade_count
    const c = line.split(',');
    const startMs = Number(c[0]);
    return { startMs, endMs: startMs + HOUR_MS, open: Number(c[2]), high: Number(c[3]), low: Number(c[4]), close: Number(c[5]), volume: Number(c[6]), trades: Number(c[8] || 0) };
  });
}

/** Lean's SPY daily bars 1998-2021 (5,849; prices in deci-cents, raw); null when absent. */
export function spyDaily(): Bar[] | null {
  if (!existsSync(SPY_DAILY)) return null;
  const lines = readFileSync(SPY_DAILY, 'utf8').trim().split('\n');
  return lines.map((line) => {
    // yyyyMMdd 00:00,O,H,L,C,V
    const c = line.split(',');
    const d = c[0]!;
    const startMs = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
    const px = (s: string) => Number(s) / 10_000;
    return { startMs, endMs: startMs + DAY_MS, open: px(c[1]!), high: px(c[2]!), low: px(c[3]!), close: px(c[4]!), volume: Number(c[5]), trades: 0 };
  });
}

/**
 * A geometric random walk of hourly bars with wicks, lognormal volume, and the awkward cases real
 * feeds have: runs of flat, empty bars (OHLC = previous close, volume 0) and gaps at the open.
 */
export function generatedBars(n: number, seed: number): Bar[] {
  const next = rng(seed);
  const normal = gaussian(next);
  const bars: Bar[] = [];
  let close = 100;
  let flatRun = 0;
  for (let i = 0; i < n; i++) {
    const startMs = Date.UTC(2024, 0, 1) + i * HOUR_MS;
    if (flatRun === 0 && next() < 0.01) flatRun = 1 + Math.floor(next() * 20);
    if (flatRun > 0) {
      flatRun -= 1;
      bars.push({ startMs, endMs: startMs + HOUR_MS, open: close, high: close, low: close, close, volume: 0, trades: 0 });
      continue;
    }
    const open = next() < 0.05 ? close * Math.exp(0.01 * normal()) : close;
    close = open * Math.exp(0.005 * normal());
    const high = Math.max(open, close) * (1 + 0.003 * Math.abs(normal()));
    const low = Math.min(open, close) * (1 - 0.003 * Math.abs(normal()));
    const volume = Math.exp(3 + normal());
    bars.push({ startMs, endMs: startMs + HOUR_MS, open, high, low, close, volume, trades: 1 + Math.floor(volume) });
  }
  return bars;
}
