// Timing helpers for the pre-trade benchmark: the timer's own cost (subtracted from every sample),
// percentiles, and a machine floor (plain arithmetic timed the same way) to read the tails against.
'use strict';

const collect = () => {
  if (typeof global.gc === 'function') global.gc();
};

/** The median cost of one hrtime.bigint() pair around nothing. */
function timerOverheadNs(n = 500_000) {
  const samples = new Float64Array(n);
  for (let r = 0; r < 2; r++) {
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
  }
  samples.sort();
  return samples[n >> 1];
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summarise(latencies, overheadNs) {
  const s = Float64Array.from(latencies, (x) => Math.max(0, x - overheadNs)).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i];
  return { n: s.length, mean: sum / s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), p999: percentile(s, 0.999), max: s[s.length - 1] };
}

/**
 * What the machine does to a timing of about `targetNs`, whatever is timed: a fixed arithmetic
 * loop timed exactly like a decision. Its tail (preemption, interrupts, other processes on a
 * shared box) is a floor no decision can get under.
 */
function machineFloor(n, overheadNs, targetNs) {
  let sink = 0;
  const spin = (k) => {
    let x = 0;
    for (let j = 0; j < k; j++) x = (x * 31 + j) | 0;
    return x;
  };
  const samples = new Float64Array(n);
  const run = (k, count) => {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      sink += spin(k);
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
    return summarise(samples.subarray(0, count), overheadNs);
  };
  let k = 64;
  for (let tries = 0; tries < 16; tries++) {
    const { p50 } = run(k, 20_000);
    if (p50 >= targetNs * 0.9) break;
    k = Math.ceil(k * Math.min(4, Math.max(1.2, targetNs / Math.max(p50, 1))));
  }
  return { ...run(k, n), sink };
}

module.exports = { collect, timerOverheadNs, percentile, summarise, machineFloor };
