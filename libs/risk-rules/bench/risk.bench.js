// Pre-trade decision latency and throughput in process: RiskState (running totals, O(1) per
// decision) against the same checks with every aggregate recomputed by scanning the open orders
// (bench/naive.js), on one seeded session of 1,000 symbols and 10,000 open orders (bench/world.js).
// Run: npm run bench (in libs/risk-rules, after the build). --expose-gc is passed by the script.
// Env: BENCH_N (decisions timed, default 200,000), BENCH_PEER_N (decisions of the peer, 2,000),
// BENCH_SEED.
'use strict';
const { RiskState } = require('../dist');
const { NaiveState } = require('./naive');
const { session, accountCaps, SYMBOLS, OPEN_ORDERS } = require('./world');
const { collectGarbage: collect, machineFloor, summarise, timerOverheadNs } = require('@meridian/testkit');

const N = Number(process.env.BENCH_N ?? 200_000);
const PEER_N = Number(process.env.BENCH_PEER_N ?? 2_000);
const SEED = Number(process.env.BENCH_SEED ?? 20240611);
const PASSES = 3;

const fast = (limits) => new RiskState(limits);
const naive = (limits) => new NaiveState(limits);

const us = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(0)} µs` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${Math.round(ns)} ns`);
const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k/s` : `${x.toFixed(0)}/s`);

/** Untimed passes of `n` decisions with their events: decisions per second, median pass. */
function throughput(create, n, caps, passes) {
  const rates = [];
  for (let p = 0; p < passes; p++) {
    const s = session(SEED, create, n, caps);
    collect();
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < n; k++) s.step(k, false, false);
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/** One pass timing every check. */
function latency(create, n, caps, overheadNs) {
  const s = session(SEED, create, n, caps);
  collect();
  const samples = new Float64Array(n);
  for (let k = 0; k < n; k++) samples[k] = s.step(k, true, false);
  return { ...summarise(samples, overheadNs), reasons: s.reasons, state: s.state };
}

function main() {
  const started = Date.now();
  if (typeof global.gc !== 'function') console.log('(run with --expose-gc for steadier numbers: npm run bench does)');
  const overheadNs = timerOverheadNs();
  console.log(`node ${process.version}; hrtime.bigint() pair overhead ${overheadNs} ns (median), subtracted from every sample.`);
  const caps = accountCaps(SEED);
  console.log(
    `session: ${SYMBOLS} symbols, ${OPEN_ORDERS.toLocaleString('en')} open orders kept open, 20 strategies, every limit set ` +
      `(gross cap ${caps.gross.toFixed(0)}, net cap ${caps.net.toFixed(0)}), seed ${SEED}.`,
  );

  // 1. Both states take the same decisions, word for word, on the peer's stretch.
  const a = session(SEED, fast, PEER_N, caps);
  const b = session(SEED, naive, PEER_N, caps);
  for (let k = 0; k < PEER_N; k++) {
    a.step(k, false, true);
    b.step(k, false, true);
    if (a.outcomes[k] !== b.outcomes[k]) throw new Error(`decision ${k} differs:\n  RiskState: ${a.outcomes[k]}\n  naive:     ${b.outcomes[k]}`);
  }
  console.log(`RiskState and the naive peer took the same ${PEER_N.toLocaleString('en')} decisions (reason and detail).`);

  // 2. Warm-up, throughput, latency.
  throughput(fast, Math.min(N, 50_000), caps, 1);
  const fastRate = throughput(fast, N, caps, PASSES);
  const fastLat = latency(fast, N, caps, overheadNs);
  const acct = fastLat.state.account();
  throughput(naive, Math.min(PEER_N, 200), caps, 1);
  const naiveRate = throughput(naive, PEER_N, caps, 1);
  const naiveLat = latency(naive, PEER_N, caps, overheadNs);
  const floor = machineFloor(N, overheadNs, fastLat.p50);

  console.log('\ndecisions (each followed by its events: the approved order opened, orders beyond 10,000 filled or cancelled, one BBO move)');
  console.log('| state | decisions | decisions/s (with events) | p50 | p99 | p99.9 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r, l] of [
    ['RiskState (running totals)', fastRate, fastLat],
    ['naive peer (scans open orders)', naiveRate, naiveLat],
  ]) {
    console.log(`| ${name} | ${l.n.toLocaleString('en')} | ${rate(r)} | ${us(l.p50)} | ${us(l.p99)} | ${us(l.p999)} | ${us(l.max)} |`);
  }
  console.log(`| machine floor (arithmetic of the same p50) | ${floor.n.toLocaleString('en')} | | ${us(floor.p50)} | ${us(floor.p99)} | ${us(floor.p999)} | ${us(floor.max)} |`);
  console.log(
    `\nRiskState is ${(naiveLat.p50 / fastLat.p50).toFixed(0)}× faster at p50, ${(naiveLat.p99 / fastLat.p99).toFixed(0)}× at p99, ` +
      `${(fastRate / naiveRate).toFixed(0)}× in decisions/s. p99 target < 20 µs: ${fastLat.p99 < 20_000 ? 'met' : 'MISSED'} (${us(fastLat.p99)}).`,
  );
  const total = [...fastLat.reasons.values()].reduce((x, y) => x + y, 0);
  const mix = [...fastLat.reasons.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`);
  console.log(`mix over the ${total.toLocaleString('en')} timed decisions: ${mix.join(', ')}`);
  console.log(`at the end: ${acct.openOrders} open orders, ${acct.openPositions} open positions, gross exposure ${acct.grossExposure.toFixed(0)}.`);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
