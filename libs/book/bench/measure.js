// Timing helpers for the book benchmarks: throughput passes, per-update latency with the timer's
// own cost subtracted, GC activity and retained memory.
'use strict';
const { PerformanceObserver } = require('node:perf_hooks');
const { collectGarbage: collect, machineFloor, percentile, timerOverheadNs } = require('@meridian/testkit');

const gcEntries = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration });
}).observe({ entryTypes: ['gc'] });

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));
const memory = () => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

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

module.exports = { measure, timerOverheadNs, machineFloor, memory, collect };
