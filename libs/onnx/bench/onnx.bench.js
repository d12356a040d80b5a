// Raw onnxruntime-node inference of each exported architecture at libs/models' default sizes:
// latency at batch 1 (p50/p99/p99.9 of `await session.run`) and throughput at batch 64, against
// the same model's tfjs forward pass (CPU backend) measured in the same run. One intra-op thread
// and one inter-op thread, sequential execution: the setting a pinned one-core pod runs.
'use strict';
const ort = require('onnxruntime-node');
const { createModel, nbeatsGenericConfig, nbeatsInterpretableConfig, tf } = require('@meridian/models');
const { collectGarbage, machineFloor, summarise, timerOverheadNs, seededRandom } = require('@meridian/testkit');
const { exportModel } = require('../dist');

const SPEC = {
  version: 1,
  features: [{ name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore', mean: 0, std: 0.01 } }],
};

// 48 hourly bars of 12 features plus the target's own history, 12 steps ahead.
const L = 48;
const H = 12;
const P = 13;
const MODELS = [
  { label: 'LSTM (1 × 64 units)', config: { kind: 'lstm', lookback: L, horizon: H, pastFeatures: P }, target: 'p99 < 100 µs' },
  { label: 'N-BEATS generic (3 blocks × 4 × 256)', config: nbeatsGenericConfig(L, H), target: '' },
  { label: 'N-BEATS interpretable (2 stacks × 3 blocks × 4 × 256)', config: nbeatsInterpretableConfig(L, H), target: '' },
  { label: 'TFT (d 32, 4 heads, 3 quantiles)', config: { kind: 'tft', lookback: L, horizon: H, pastFeatures: P }, target: 'p99 < 2 ms' },
];

const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 5000);
const THROUGHPUT_MS = Number(process.env.BENCH_THROUGHPUT_MS ?? 2000);
const PEER_N = Number(process.env.BENCH_PEER_N ?? 100);

function randomInputs(io, batch, seed) {
  const rng = seededRandom(seed);
  const fill = (n) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  return {
    past: fill(batch * io.lookback * io.pastFeatures),
    future: fill(batch * io.horizon * io.futureFeatures),
    statics: fill(batch * io.staticFeatures),
  };
}

function ortFeeds(io, batch, x) {
  const feeds = { past: new ort.Tensor('float32', x.past, [batch, io.lookback, io.pastFeatures]) };
  if (io.futureFeatures > 0) feeds.future = new ort.Tensor('float32', x.future, [batch, io.horizon, io.futureFeatures]);
  if (io.staticFeatures > 0) feeds.static = new ort.Tensor('float32', x.statics, [batch, io.staticFeatures]);
  return feeds;
}

function tfForward(model, io, batch, x) {
  return tf.tidy(() => {
    const y = model.forward({
      past: tf.tensor3d(x.past, [batch, io.lookback, io.pastFeatures]),
      ...(io.futureFeatures > 0 ? { future: tf.tensor3d(x.future, [batch, io.horizon, io.futureFeatures]) } : {}),
      ...(io.staticFeatures > 0 ? { static: tf.tensor2d(x.statics, [batch, io.staticFeatures]) } : {}),
    });
    return y.dataSync();
  });
}

async function latency(run, n, overheadNs, warmup) {
  for (let i = 0; i < warmup; i++) await run();
  collectGarbage();
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  return summarise(samples, overheadNs);
}

async function throughput(run, batch, ms, warmup) {
  for (let i = 0; i < warmup; i++) await run();
  collectGarbage();
  let calls = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(ms) * 1_000_000n;
  let now = t0;
  while (now < end) {
    await run();
    calls++;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - t0) / 1e9;
  return { rows: (calls * batch) / seconds, callUs: (seconds * 1e6) / calls };
}

const us = (ns) => `${(ns / 1000).toFixed(1)} µs`;
const rows = (r) => `${Math.round(r).toLocaleString('en')}`;

async function main() {
  if (typeof global.gc !== 'function') console.log('(run with --expose-gc for steadier numbers: npm run bench does)');
  const overheadNs = timerOverheadNs();
  console.log(`node ${process.version}, onnxruntime-node ${ort.env.versions.node}, tfjs ${tf.version.tfjs} (backend ${tf.getBackend()})`);
  console.log(`onnxruntime: intraOpNumThreads 1, interOpNumThreads 1, executionMode sequential, graphOptimizationLevel all`);
  console.log(`hrtime.bigint() pair overhead ${overheadNs} ns (median), subtracted from every latency sample.\n`);
  const results = [];
  for (const m of MODELS) {
    const model = createModel(m.config, 1);
    const io = model.io;
    const exported = exportModel(model, { name: 'bench', version: '1', featureSpec: SPEC });
    const session = await ort.InferenceSession.create(exported.bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const x1 = randomInputs(io, 1, 1);
    const x64 = randomInputs(io, 64, 2);
    const ortLat = await latency(() => session.run(ortFeeds(io, 1, x1)), LATENCY_N, overheadNs, 500);
    const ortThr = await throughput(() => session.run(ortFeeds(io, 64, x64)), 64, THROUGHPUT_MS, 20);
    // tfjs is 2-3 orders of magnitude slower: fewer samples, a short warm-up.
    const tfLat = await latency(async () => tfForward(model, io, 1, x1), PEER_N, overheadNs, 5);
    const tfThr = await throughput(async () => tfForward(model, io, 64, x64), 64, THROUGHPUT_MS, 2);
    results.push({ m, params: model.parameterCount(), bytes: exported.bytes.length, nodes: exported.graph.nodes.length, ortLat, ortThr, tfLat, tfThr });
    await session.release();
    model.dispose();
  }
  const floor = machineFloor(LATENCY_N, overheadNs, results[0].ortLat.p50);

  console.log('batch 1 latency (await session.run; tfjs: forward + dataSync)');
  console.log('| model | parameters | ONNX nodes / bytes | ORT p50 | ORT p99 | ORT p99.9 | tfjs p50 | tfjs p99 | tfjs/ORT p50 | target |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    console.log(
      `| ${r.m.label} | ${r.params.toLocaleString('en')} | ${r.nodes} / ${(r.bytes / 1024).toFixed(0)} KiB | ${us(r.ortLat.p50)} | ${us(r.ortLat.p99)} | ${us(r.ortLat.p999)} | ${us(r.tfLat.p50)} | ${us(r.tfLat.p99)} | ${(r.tfLat.p50 / r.ortLat.p50).toFixed(1)}x | ${r.m.target} |`,
    );
  }
  console.log(`| machine floor (arithmetic of the LSTM's p50) | | | ${us(floor.p50)} | ${us(floor.p99)} | ${us(floor.p999)} | | | | |`);
  console.log(`\nbatch 64 throughput (forecasts/s; ${THROUGHPUT_MS} ms each)`);
  console.log('| model | ORT forecasts/s | ORT per call | tfjs forecasts/s | ORT/tfjs |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.m.label} | ${rows(r.ortThr.rows)} | ${r.ortThr.callUs.toFixed(0)} µs | ${rows(r.tfThr.rows)} | ${(r.ortThr.rows / r.tfThr.rows).toFixed(1)}x |`);
  }
  console.log(`\nsamples: ORT ${LATENCY_N.toLocaleString('en')} per model at batch 1, tfjs ${PEER_N}.`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
