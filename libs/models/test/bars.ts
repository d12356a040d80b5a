import { existsSync, readFileSync } from 'node:fs';
import type { Bar } from '@meridian/signals';
import { sharedDataPath } from '@meridian/testkit';
import { SeededRandom } from '../src/random';

/** Hourly bars of a random walk with a daily volume cycle, for tests that must always run. */
export function walkBars(n: number, seed = 1): Bar[] {
  const rng = new SeededRandom(seed);
  let close = 100;
  const out: Bar[] = [];
  for (let i = 0; i < n; i++) {
    const open = close;
    close = open * Math.exp(0.01 * rng.normal());
    const high = Math.max(open, close) * (1 + 0.002 * rng.next());
    const low = Math.min(open, close) * (1 - 0.002 * rng.next());
    out.push({ startMs: 1_600_000_000_000 + i * 3_600_000, endMs: 1_600_000_000_000 + (i + 1) * 3_600_000, open, high, low, close, volume: 10 + 5 * Math.sin(i / 4) + rng.next(), trades: 10 });
  }
  return out;
}

export const BTC_HOURLY = sharedDataPath('crypto_bars', 'binance_BTCUSDT_1h_20170817_20210610.clean.csv');

/** The Binance BTCUSDT hourly bars (../shared/data), or undefined when absent. The launch bar (bad open/high) is left out. */
export function btcHourly(): Bar[] | undefined {
  if (!existsSync(BTC_HOURLY)) return undefined;
  const lines = readFileSync(BTC_HOURLY, 'utf8').trim().split('\n').slice(2);
  return lines.map((l) => {
    const c = l.split(',');
    const startMs = Number(c[0]);
    return { startMs, endMs: startMs + 3_600_000, open: Number(c[2]), high: Number(c[3]), low: Number(c[4]), close: Number(c[5]), volume: Number(c[6]), trades: Number(c[8]) || 0 };
  });
}
