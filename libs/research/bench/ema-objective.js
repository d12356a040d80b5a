// The bench's objective: an EMA-crossover backtest of one symbol over one year of minute bars
// (525,600), run inside a pool worker. Prices, P&L and fees are integer ticks (exact); the EMAs
// are floats, as indicators are. The bars are generated once per worker thread (seeded random
// walk), as a real worker would load its history once and backtest it many times.
'use strict';

const BARS = Number(process.env.BENCH_BARS ?? 525_600);
const FEE_TICKS_PER_SIDE = 2;

let cached;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Minute bars: open/high/low/close in ticks (Int32), volume (Float64). */
function bars() {
  if (cached) return cached;
  const rnd = mulberry32(20240101);
  const open = new Int32Array(BARS);
  const high = new Int32Array(BARS);
  const low = new Int32Array(BARS);
  const close = new Int32Array(BARS);
  const volume = new Float64Array(BARS);
  let p = 4_000_000; // 40,000.00 in cents
  let drift = 0;
  for (let i = 0; i < BARS; i++) {
    if (i % 1440 === 0) drift = Math.round((rnd() - 0.5) * 6);
    const o = p;
    let hi = o;
    let lo = o;
    for (let k = 0; k < 4; k++) {
      p += drift + Math.round((rnd() - 0.5) * 800);
      if (p < 100_000) p = 100_000;
      if (p > hi) hi = p;
      if (p < lo) lo = p;
    }
    open[i] = o;
    high[i] = hi;
    low[i] = lo;
    close[i] = p;
    volume[i] = 1 + rnd() * 10;
  }
  cached = { open, high, low, close, volume };
  return cached;
}

/**
 * Long/flat EMA crossover: signal on a bar's close, fill at the next bar's open, a stop-loss
 * in basis points checked on each bar's low. Returns the score (daily Sharpe) and metrics.
 */
function backtest(params) {
  const { open, low, close } = bars();
  const fast = params.fast;
  const slow = params.slow;
  const stopBps = params.stopBps;
  if (!(fast < slow)) return { score: -10, metrics: { trades: 0, pnlTicks: 0 } };
  const af = 2 / (fast + 1);
  const as = 2 / (slow + 1);
  let ef = close[0];
  let es = close[0];
  let pos = 0; // 0 or 1 unit
  let entry = 0;
  let stop = 0;
  let realised = 0; // ticks
  let trades = 0;
  let wins = 0;
  let pendingBuy = false;
  let pendingSell = false;
  let peak = 0;
  let maxDd = 0;
  let prevDayEquity = 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i < open.length; i++) {
    const o = open[i];
    if (pendingBuy && pos === 0) {
      pos = 1;
      entry = o;
      stop = o - Math.floor((o * stopBps) / 10_000);
      realised -= FEE_TICKS_PER_SIDE;
    } else if (pendingSell && pos === 1) {
      const pnl = o - entry;
      realised += pnl - FEE_TICKS_PER_SIDE;
      trades++;
      if (pnl > 0) wins++;
      pos = 0;
    }
    pendingBuy = pendingSell = false;
    if (pos === 1 && low[i] <= stop) {
      realised += stop - entry - FEE_TICKS_PER_SIDE;
      trades++;
      pos = 0;
    }
    const c = close[i];
    ef += af * (c - ef);
    es += as * (c - es);
    if (i > slow) {
      if (ef > es && pos === 0) pendingBuy = true;
      else if (ef < es && pos === 1) pendingSell = true;
    }
    const equity = realised + (pos === 1 ? c - entry : 0);
    if (equity > peak) peak = equity;
    if (peak - equity > maxDd) maxDd = peak - equity;
    if (i % 1440 === 0) {
      const r = equity - prevDayEquity;
      prevDayEquity = equity;
      n++;
      sum += r;
      sumSq += r * r;
    }
  }
  const mean = n ? sum / n : 0;
  const sd = n > 1 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0;
  const sharpe = sd > 0 ? (mean / sd) * Math.sqrt(365) : 0;
  return { score: sharpe, metrics: { trades, wins, pnlTicks: realised, maxDrawdownTicks: maxDd, bars: open.length } };
}

async function objective(params) {
  return backtest(params);
}

module.exports = { objective, backtest, bars, BARS };
