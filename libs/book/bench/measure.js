// Timing helpers for the book benchmarks: throughput passes, per-update latency with the timer's
// own cost subtracted, GC activity and retained memory.
'use strict';
const { PerformanceObserver } = require('node:perf_hooks');

const gcEntries = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration });
}).observe({ entryTypes: ['gc'] });

const collect = () => {
  if (typeof global.gc === 'function') global.gc();
};
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));
const memory = () => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

/**
 * The cost of one hrtime.bigint() pair around nothing: the median of `n` empty timings. It is
 * subtracted from every latency sample (and reported), since at ~100 ns per update it is not noise.
 */
function timerOverheadNs(n = 1_000_000) {
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

/**
 * Measures one contender on one stream:
 * - warm-up on a throwaway book (JIT);
 * - `passes` untimed passes over the whole stream on fresh books: ops/s from the median pass,
 *   GC count/pause and the memory the book holds afterwards (heap and typed-array buffers);
 * - one timed pass per `latencyPasses`, every update wrapped in hrtime.bigint(), overhead subtracted.
 * `contender.run(book, stream, from, to, latencies|null)` feeds events [from, to).
 */
async function measure(contender, stream, { passes = 1, latencyPasses = 1, warmup = 200_000, overheadNs }) {
  const n = stream.n;
  // Every book stays referenced until this contender is done: when a book is collected, V8 throws
  // away optimized code that embedded references tied to it (trace-deopt: "weak objects"), and the
  // next pass would partly run unoptimized. Books live for a whole session in the services anyway.
  const alive = [];
  const create = () => {
    const book = contender.create();
    alive.push(book);
    return book;
  };
  contender.run(create(), stream, 0, Math.min(n, warmup), null);

  const times = [];
  let gcCount = 0;
  let gcMs = 0;
  let held = { heap: 0, buffers: 0 };
  let heapAtEnd = 0;
  let book;
  for (let p = 0; p < passes; p++) {
    collect();
    await flush();
    const before = memory();
    gcEntries.length = 0;
    book = create();
    const t0 = process.hrtime.bigint();
    contender.run(book, stream, 0, n, null);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    heapAtEnd = process.memoryUsage().heapUsed;
    await flush();
    times.push(seconds);
    if (process.env.BENCH_DEBUG) console.log(`    [${contender.name}] pass ${p}: ${(n / seconds / 1e6).toFixed(2)} M/s`);
    gcCount += gcEntries.length;
    gcMs += gcEntries.reduce((sum, e) => sum + e.duration, 0);
    collect();
    const after = memory();
    held = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers };
  }
  const final = book;
  times.sort((a, b) => a - b);
  const seconds = times[times.length >> 1];

  const latencies = new Float64Array(n * latencyPasses);
  for (let p = 0; p < latencyPasses; p++) {
    collect();
    contender.run(create(), stream, 0, n, latencies.subarray(p * n, (p + 1) * n));
  }
  for (let i = 0; i < latencies.length; i++) latencies[i] = Math.max(0, latencies[i] - overheadNs);
  latencies.sort();
  return {
    name: contender.name,
    book: final,
    opsPerSec: n / seconds,
    gcCount: gcCount / passes,
    gcMs: gcMs / passes,
    heapMB: heapAtEnd / 2 ** 20,
    heldMB: Math.max(0, held.heap) / 2 ** 20,
    buffersMB: Math.max(0, held.buffers) / 2 ** 20,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    p999: percentile(latencies, 0.999),
    max: latencies[latencies.length - 1],
  };
}

/**
 * What the machine does to a timing, whatever is timed: a fixed arithmetic loop of about the cost
 * of one book update, timed exactly like the updates. Its tail (preemption, interrupts, other
 * processes on a shared 2-core box) is a floor no book can get under.
 */
function machineFloor(n, overheadNs, targetNs = 100) {
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
    for (let i = 0; i < count; i++) samples[i] = Math.max(0, samples[i] - overheadNs);
    const sorted = samples.subarray(0, count).sort();
    return sorted;
  };
  // Calibrate the loop length until the median is about `targetNs`.
  let k = 16;
  for (let tries = 0; tries < 12; tries++) {
    const median = percentile(run(k, 200_000), 0.5);
    if (median >= targetNs * 0.9) break;
    k = Math.ceil(k * Math.min(4, Math.max(1.2, targetNs / Math.max(median, 1))));
  }
  const sorted = run(k, n);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999), sink };
}

module.exports = { measure, timerOverheadNs, machineFloor, memory, collect };
