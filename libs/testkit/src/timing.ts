/**
 * Latency measurement shared by the benchmarks: the timer's own cost, percentiles, and a machine
 * floor to read tails against. Samples are nanoseconds from process.hrtime.bigint().
 */

export interface LatencySummary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Runs a full GC when node was started with --expose-gc, so one contender's garbage is not charged to the next. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
}

/** The median cost of one hrtime.bigint() pair around nothing: subtracted from every sample. */
export function timerOverheadNs(n = 500_000): number {
  const samples = new Float64Array(n);
  for (let r = 0; r < 2; r++) {
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
  }
  samples.sort();
  return samples[n >> 1]!;
}

/** The `p` quantile (0..1) of an ascending array, nearest rank below. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Sorted summary of latency samples with `overheadNs` taken off each (never below 0). */
export function summarise(latenciesNs: ArrayLike<number>, overheadNs = 0): LatencySummary {
  const s = Float64Array.from(latenciesNs, (x) => Math.max(0, x - overheadNs)).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return { n: s.length, mean: sum / s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), p999: percentile(s, 0.999), max: s[s.length - 1]! };
}

/**
 * What the machine does to a timing of about `targetNs`, whatever is timed: a fixed arithmetic
 * loop, calibrated to that median and timed exactly like the code under test. Its tail
 * (preemption, interrupts, other processes on a shared box) is a floor no measured code gets under.
 */
export function machineFloor(n: number, overheadNs: number, targetNs = 100): LatencySummary & { sink: number } {
  let sink = 0;
  const spin = (k: number) => {
    let x = 0;
    for (let j = 0; j < k; j++) x = (x * 31 + j) | 0;
    return x;
  };
  const samples = new Float64Array(n);
  const run = (k: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      sink += spin(k);
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
    return summarise(samples.subarray(0, count), overheadNs);
  };
  let k = 16;
  for (let tries = 0; tries < 16; tries++) {
    const { p50 } = run(k, Math.min(n, 50_000));
    if (p50 >= targetNs * 0.9) break;
    k = Math.ceil(k * Math.min(4, Math.max(1.2, targetNs / Math.max(p50, 1))));
  }
  return { ...run(k, n), sink };
}
