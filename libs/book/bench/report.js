// Number formatting and the results table shared by the book and matching-engine benchmarks.
'use strict';

const fmtOps = (x) => `${(x / 1e6).toFixed(2)} M/s`;
const fmtNs = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${Math.round(ns)} ns`);
const fmtCount = (x) => Math.round(x).toLocaleString('en-US');

/** One row per result of `measure`, with its throughput relative to the one named `peerName`. */
function printTable(title, results, peerName, { label = 'book', ratioDigits = 1 } = {}) {
  const peer = results.find((r) => r.name === peerName);
  console.log(`  ${title}`);
  console.log(
    `    ${label.padEnd(34)}${'ops/s'.padStart(11)}${'vs peer'.padStart(9)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'p99.9'.padStart(10)}` +
      `${'max'.padStart(11)}${'heap MB'.padStart(9)}${'held MB'.padStart(9)}${'GCs'.padStart(7)}${'GC ms'.padStart(8)}`,
  );
  for (const r of results) {
    console.log(
      `    ${r.name.padEnd(34)}${fmtOps(r.opsPerSec).padStart(11)}${`${(r.opsPerSec / peer.opsPerSec).toFixed(ratioDigits)}x`.padStart(9)}` +
        `${fmtNs(r.p50).padStart(10)}${fmtNs(r.p99).padStart(10)}${fmtNs(r.p999).padStart(10)}${fmtNs(r.max).padStart(11)}` +
        `${r.heapMB.toFixed(1).padStart(9)}${(r.heldMB + r.buffersMB).toFixed(1).padStart(9)}${r.gcCount.toFixed(0).padStart(7)}${r.gcMs.toFixed(0).padStart(8)}`,
    );
  }
}

module.exports = { fmtOps, fmtNs, fmtCount, printTable };
