// Serving cost of the three architectures at tools/train's default sizes (lookback 48, horizon 12,
// the 9 default features + the target; LSTM 1 × 64 with a 64-unit head, and at half that width;
// N-BEATS generic 4 blocks × 4 layers × 256; TFT d 32, 4 heads, 3 quantiles, the 4 calendar
// inputs), side by side in one run:
//
//   raw ORT, defaults     await InferenceSession.run, the session created without options
//   raw ORT, tuned        the same with intraOpNumThreads 1, interOpNumThreads 1, sequential, 'all'
//                         (what the service uses): the peer every ratio is taken against
//   in-process forecast   ServedModel.forecast: the micro-batcher, tensors assembled, rows split
//   in-process Predict    the Predict handler on a decoded request of explicit windows: checks,
//                         forecast, response built (the service's serving path minus transport)
//   gRPC Predict          the real service as a process (NATS, PostgreSQL), a grpc-js client here
//   gRPC echo             a bare gRPC server process of the same service definition answering the
//                         service's own response at once: the transport floor on this machine
//
// "Service overhead" is in-process Predict / raw ORT tuned (target < 1.5x), both sampled in one
// round. The raw columns (and the raw targets) come from a round of raw ORT alone: every contender
// shares one heap, and beside the service's path a raw run's tail carries the collections that
// path's allocations cause. gRPC adds the transport floor on top: compare gRPC Predict with gRPC
// echo + in-process Predict.
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const ort = require('onnxruntime-node');
const { credentials } = require('@grpc/grpc-js');
const { Bus, provisionTopology } = require('@meridian/bus');
const { createModel } = require('@meridian/models');
const { exportModel } = require('@meridian/onnx');
const { ActivateModelRequest, InferenceServiceClient, PredictRequest, PredictResponse } = require('@meridian/proto');
const { Metrics, createLogger } = require('@meridian/runtime');
const { fitNormalisation } = require('@meridian/signals');
const { collectGarbage, createTestEnvironment, machineFloor, seededRandom, summarise, timerOverheadNs, ServiceProcess } = require('@meridian/testkit');
const { DEFAULT_FEATURE_SPEC, modelConfigFor } = require('@meridian/train');
const { loadModelFile } = require('../dist/model-file');
const { ModelHost } = require('../dist/model-host');
const { ServedModel } = require('../dist/served-model');
const { MomentumSignals } = require('../dist/momentum');
const { inferenceMetrics } = require('../dist/metrics');
const { inferenceGrpc } = require('../dist/grpc');

const L = 48;
const H = 12;
const FEATURES = DEFAULT_FEATURE_SPEC.features.length;
const MODELS = [
  { name: 'lstm', label: 'LSTM (1 × 64, head 64)', choice: 'lstm', target: 'raw p99 < 100 µs' },
  // Half the default width: where the LSTM's latency goes with its size (a quant's budget choice).
  { name: 'lstm32', label: 'LSTM (1 × 32, head 32)', choice: 'lstm', sizes: { hidden: 32 }, target: '' },
  { name: 'nbeats', label: 'N-BEATS generic (4 blocks × 4 × 256)', choice: 'nbeats-g', target: '' },
  { name: 'tft', label: 'TFT (d 32, 4 heads, 3 quantiles)', choice: 'tft', target: 'raw p99 < 2 ms' },
];
const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 3000);
const GRPC_N = Number(process.env.BENCH_GRPC_N ?? 2000);
const THROUGHPUT_MS = Number(process.env.BENCH_THROUGHPUT_MS ?? 1500);
const BATCH = 64;
const SLICE_MS = 100;

/** 500 hourly bars of a random walk: what the default spec is fitted on. */
function bars() {
  const rng = seededRandom(7);
  const out = [];
  let close = 100;
  for (let i = 0; i < 500; i++) {
    const open = close;
    close = open * Math.exp(0.01 * (rng() - 0.5));
    out.push({ startMs: i * 3_600_000, endMs: (i + 1) * 3_600_000, open, high: Math.max(open, close) * 1.002, low: Math.min(open, close) * 0.998, close, volume: 1 + rng(), trades: 10 });
  }
  return out;
}

function windowsOf(d, n, seed) {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => ({
    past: Array.from({ length: d.lookback * d.pastFeatures }, () => rng() * 2 - 1),
    future: Array.from({ length: d.horizon * d.futureFeatures }, () => rng() * 2 - 1),
  }));
}

/** The windows as the model's input arrays, built once: the raw runs wrap them in new tensors each call, nothing more. */
function arraysOf(d, windows) {
  const B = windows.length;
  const past = new Float32Array(B * d.lookback * d.pastFeatures);
  windows.forEach((w, b) => past.set(w.past, b * d.lookback * d.pastFeatures));
  const future = new Float32Array(B * d.horizon * d.futureFeatures);
  windows.forEach((w, b) => future.set(w.future, b * d.horizon * d.futureFeatures));
  return { B, past, future };
}

function feedsOf(d, a) {
  const feeds = { past: new ort.Tensor('float32', a.past, [a.B, d.lookback, d.pastFeatures]) };
  if (d.futureFeatures > 0) feeds.future = new ort.Tensor('float32', a.future, [a.B, d.horizon, d.futureFeatures]);
  return feeds;
}

/**
 * Latency of several contenders sampled in turn (a, b, c, a, b, c, …), so a burst of load from
 * the rest of the machine falls on all of them alike and their tails compare.
 */
async function interleaved(contenders, n, overheadNs, warmup = 300) {
  const names = Object.keys(contenders);
  for (let i = 0; i < warmup; i++) for (const k of names) await contenders[k]();
  collectGarbage();
  const samples = Object.fromEntries(names.map((k) => [k, new Float64Array(n)]));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length];
      const t0 = process.hrtime.bigint();
      await contenders[k]();
      samples[k][i] = Number(process.hrtime.bigint() - t0);
    }
  }
  return Object.fromEntries(names.map((k) => [k, summarise(samples[k], overheadNs)]));
}

/**
 * Forecasts per second of several contenders ({ name: [run, rows per call] }), run in turn in
 * slices of SLICE_MS until each has had `ms`, so they share the machine's load alike.
 */
async function throughputs(contenders, ms = THROUGHPUT_MS, warmup = 5) {
  const names = Object.keys(contenders);
  for (const k of names) for (let i = 0; i < warmup; i++) await contenders[k][0]();
  collectGarbage();
  const rows = Object.fromEntries(names.map((k) => [k, 0]));
  const spent = Object.fromEntries(names.map((k) => [k, 0n]));
  const budget = BigInt(ms) * 1_000_000n;
  while (names.some((k) => spent[k] < budget)) {
    for (const k of names) {
      if (spent[k] >= budget) continue;
      const [run, perCall] = contenders[k];
      const t0 = process.hrtime.bigint();
      const end = t0 + BigInt(SLICE_MS) * 1_000_000n;
      let now = t0;
      while (now < end) {
        await run();
        rows[k] += perCall;
        now = process.hrtime.bigint();
      }
      spent[k] += now - t0;
    }
  }
  return Object.fromEntries(names.map((k) => [k, rows[k] / (Number(spent[k]) / 1e9)]));
}

/** The value of a metric's sample for `model` in a Prometheus text page (0 when absent). */
function metricOf(text, name, model) {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`model="${model}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const unary = (fn, req) => new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

/** The service and the echo server as processes, or the reason they cannot run here. */
async function startServers(modelDir, models) {
  let env;
  try {
    env = await createTestEnvironment('infbench');
  } catch (err) {
    return { skipped: `no NATS/PostgreSQL (${err.message})` };
  }
  const bus = await Bus.connect({ servers: env.natsUrl, name: 'inference-bench', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: [] }]);
  await bus.close();
  const svc = await ServiceProcess.start(
    join(__dirname, '..'),
    { ...env.env, SYMBOLS: 'BTC-USDT', HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'info', MODEL_DIR: modelDir, ADMIN_AUTH: 'off', BAR_INTERVAL: '1h', MODEL_RECONCILE_INTERVAL_MS: '0' },
    { name: 'inference' },
  );
  const client = new InferenceServiceClient(svc.grpcAddress, credentials.createInsecure());
  for (const m of models) {
    await unary(client.registerModel.bind(client), { name: m.name, version: 'v1' });
    await unary(client.activateModel.bind(client), ActivateModelRequest.fromPartial({ name: m.name, version: 'v1', reason: 'bench' }));
  }
  return { env, svc, client };
}

async function startEcho(responses) {
  const child = spawn(process.execPath, [join(__dirname, 'echo-server.js')], { env: { ...process.env, ECHO_RESPONSES: JSON.stringify(responses) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).port));
  });
  return { child, client: new InferenceServiceClient(`127.0.0.1:${port}`, credentials.createInsecure()) };
}

const us = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1000).toFixed(1)} µs`);
const x = (a, b) => `${(a / b).toFixed(2)}x`;
const rate = (r) => Math.round(r).toLocaleString('en');

async function main() {
  if (typeof global.gc !== 'function') console.log('(run with --expose-gc for steadier numbers: npm run bench does)');
  const overheadNs = timerOverheadNs();
  console.log(`node ${process.version}, onnxruntime-node ${ort.env.versions.node}; timer pair overhead ${overheadNs} ns subtracted from every sample`);
  const dir = mkdtempSync(join(tmpdir(), 'inference-bench-'));
  const spec = fitNormalisation(DEFAULT_FEATURE_SPEC, bars());
  const logger = createLogger('inference-bench', 'fatal');
  const metrics = inferenceMetrics(new Metrics('inference-bench', '0'));
  const settings = { maxBatch: BATCH, maxWaitNs: 0n };
  const host = new ModelHost({ modelDir: dir, intraOpNumThreads: 1, batch: settings, historyBars: 1, symbols: [], venue: 'sim', stepMs: 3_600_000, registry: undefined, logger, metrics, publish: async () => undefined });
  const prepared = [];
  for (const m of MODELS) {
    const config = modelConfigFor(m.choice, { lookback: L, horizon: H, pastFeatures: FEATURES + 1, futureFeatures: m.choice === 'tft' ? 4 : 0, staticFeatures: 0 }, m.sizes ?? {});
    const model = createModel(config, 1);
    const { bytes } = exportModel(model, { name: m.name, version: 'v1', featureSpec: spec, targetScaling: { kind: 'shift', scale: 0.01 } });
    const params = model.parameterCount();
    model.dispose();
    mkdirSync(join(dir, m.name), { recursive: true });
    writeFileSync(join(dir, m.name, 'v1.onnx'), bytes);
    // What a swap costs before the switch: read, sha256, session, checks, dry run (the session is
    // created synchronously on the event loop by onnxruntime-node).
    const t0 = process.hrtime.bigint();
    const { model: onnx, descriptor } = await loadModelFile(dir, m.name, 'v1', { intraOpNumThreads: 1 });
    const loadNs = Number(process.hrtime.bigint() - t0);
    const served = new ServedModel(descriptor, onnx, settings);
    host.commit(served);
    prepared.push({ m, bytes, params, served, d: descriptor, loadNs });
  }
  const ctx = { config: { PREDICT_DEFAULT_MODEL: 'momentum', PREDICT_MAX_WINDOWS: 1024, MOMENTUM_SLOW: 32 }, logger, shard: { symbols: [] } };
  const handler = inferenceGrpc({ ctx, momentum: new MomentumSignals([], {}, 'sim', 0), metrics, stepMs: 3_600_000, models: { host, registry: undefined } });
  const inProcess = (req) => new Promise((resolve, reject) => handler.predict({ request: req }, (err, res) => (err ? reject(err) : resolve(res))));

  const servers = await startServers(dir, MODELS);
  if (servers.skipped) console.log(`gRPC rows skipped: ${servers.skipped}`);
  const grpcCall = (c) => (req) => unary(c.predict.bind(c), req);
  const cases = prepared.map((p) => {
    const one = windowsOf(p.d, 1, 1);
    const many = windowsOf(p.d, BATCH, 2);
    return { ...p, one, many, req1: PredictRequest.fromPartial({ model: p.m.name, windows: one }), req64: PredictRequest.fromPartial({ model: p.m.name, windows: many }) };
  });
  // The echo server answers each request with the service's own response to it.
  let echo;
  if (servers.client) {
    const responses = {};
    const call = grpcCall(servers.client);
    for (const c of cases) {
      responses[`${c.m.name}/1`] = Buffer.from(PredictResponse.encode(await call(c.req1)).finish()).toString('base64');
      responses[`${c.m.name}/${BATCH}`] = Buffer.from(PredictResponse.encode(await call(c.req64)).finish()).toString('base64');
    }
    echo = await startEcho(responses);
  }
  const results = [];
  for (const c of cases) {
    const { m, d, served, one, many, req1, req64 } = c;
    const r = { ...c };
    const rawDefault = await ort.InferenceSession.create(c.bytes);
    const rawTuned = await ort.InferenceSession.create(c.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const a1 = arraysOf(d, one);
    const a64 = arraysOf(d, many);
    const input = { past: Float32Array.from(one[0].past), future: Float32Array.from(one[0].future) };
    const inputs = many.map((w) => ({ past: Float32Array.from(w.past), future: Float32Array.from(w.future) }));
    // onnxruntime alone first: sampled beside the service's path, its tail would carry the
    // collections that path's allocations cause (every contender shares one heap).
    Object.assign(r, await interleaved({ rawDefault: () => rawDefault.run(feedsOf(d, a1)), rawTuned: () => rawTuned.run(feedsOf(d, a1)) }, LATENCY_N, overheadNs));
    const inProc = await interleaved(
      { rawTunedBeside: () => rawTuned.run(feedsOf(d, a1)), forecast: () => served.forecast(input), predict: () => inProcess(req1) },
      LATENCY_N,
      overheadNs,
    );
    Object.assign(r, inProc);
    if (servers.client) {
      const svcCall = grpcCall(servers.client);
      const echoCall = grpcCall(echo.client);
      const before = await servers.svc.metrics();
      Object.assign(r, await interleaved({ grpc: () => svcCall(req1), echo: () => echoCall(req1), rawTunedPeer: () => rawTuned.run(feedsOf(d, a1)) }, GRPC_N, overheadNs, 200));
      // Inside the service over those calls: the mean onnxruntime run and wait in the batcher.
      const after = await servers.svc.metrics();
      const mean = (name) => (metricOf(after, `${name}_sum`, m.name) - metricOf(before, `${name}_sum`, m.name)) / (metricOf(after, `${name}_count`, m.name) - metricOf(before, `${name}_count`, m.name));
      r.serviceRunUs = mean('meridian_inference_batch_run_seconds') * 1e6;
      r.serviceQueueUs = mean('meridian_inference_batch_queue_seconds') * 1e6;
    }
    const local = {
      rawDefaultThr: [() => rawDefault.run(feedsOf(d, a64)), BATCH],
      rawTunedThr: [() => rawTuned.run(feedsOf(d, a64)), BATCH],
      forecastThr: [() => Promise.all(inputs.map((i) => served.forecast(i))), BATCH],
      predictThr: [() => inProcess(req64), BATCH],
    };
    if (servers.client) {
      const svcCall = grpcCall(servers.client);
      const echoCall = grpcCall(echo.client);
      const single = many.map((w) => PredictRequest.fromPartial({ model: m.name, windows: [w] }));
      Object.assign(local, {
        grpcThr64: [() => svcCall(req64), BATCH],
        grpcThrConc: [() => Promise.all(single.map((q) => svcCall(q))), BATCH],
        echoThr64: [() => echoCall(req64), BATCH],
        echoThrConc: [() => Promise.all(single.map((q) => echoCall(q))), BATCH],
      });
    }
    Object.assign(r, await throughputs(local));
    await rawDefault.release();
    await rawTuned.release();
    results.push(r);
  }
  const batchSizes = servers.svc ? await servers.svc.metrics() : '';
  if (echo) {
    echo.client.close();
    echo.child.kill('SIGTERM');
  }
  const floor = machineFloor(LATENCY_N, overheadNs, results[0].rawTuned.p50);

  console.log(`\nbatch 1 latency, p50 / p99 (${LATENCY_N} samples of each in-process contender, ${GRPC_N} of each gRPC one, sampled in turn: raw ORT in a round of its own; the service's path in a round with raw ORT tuned beside it, which its ratios are against)`);
  console.log('| model | raw ORT defaults | raw ORT tuned | in-process forecast | in-process Predict | raw ORT tuned beside them | service overhead p50 / p99 | gRPC Predict | gRPC echo (floor) | gRPC Predict / raw p50 | target |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    const pair = (s) => (s ? `${us(s.p50)} / ${us(s.p99)}` : 'n/a');
    console.log(
      `| ${r.m.label} | ${pair(r.rawDefault)} | ${pair(r.rawTuned)} | ${pair(r.forecast)} | ${pair(r.predict)} | ${pair(r.rawTunedBeside)} | ${x(r.predict.p50, r.rawTunedBeside.p50)} / ${x(r.predict.p99, r.rawTunedBeside.p99)} | ${pair(r.grpc)} | ${pair(r.echo)} | ${r.grpc ? x(r.grpc.p50, r.rawTunedPeer.p50) : 'n/a'} | ${r.m.target} |`,
    );
  }
  console.log(`| machine floor (arithmetic timed like the LSTM's raw p50) | | ${us(floor.p50)} / ${us(floor.p99)} | | | | | | | | |`);
  console.log(`\nbatch ${BATCH} throughput, forecasts/s (${THROUGHPUT_MS} ms each, in ${SLICE_MS} ms slices taken in turn; ratios against raw ORT tuned at batch ${BATCH})`);
  console.log(`| model | raw ORT defaults | raw ORT tuned | in-process forecast (${BATCH} concurrent) | in-process Predict (${BATCH} windows) | gRPC Predict (${BATCH} windows) | gRPC Predict (${BATCH} concurrent calls) | gRPC echo (${BATCH} windows / ${BATCH} concurrent) |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const t = (v) => (v === undefined ? 'n/a' : `${rate(v)} (${x(v, r.rawTunedThr)})`);
    console.log(
      `| ${r.m.label} | ${t(r.rawDefaultThr)} | ${rate(r.rawTunedThr)} | ${t(r.forecastThr)} | ${t(r.predictThr)} | ${t(r.grpcThr64)} | ${t(r.grpcThrConc)} | ${r.echoThr64 ? `${rate(r.echoThr64)} / ${rate(r.echoThrConc)}` : 'n/a'} |`,
    );
  }
  for (const m of MODELS) {
    const count = /meridian_inference_batch_size_count\{[^}]*model="([^"]+)"[^}]*\} (\d+)/g;
    const sum = new RegExp(`meridian_inference_batch_size_sum\\{[^}]*model="${m.name}"[^}]*\\} (\\d+)`).exec(batchSizes);
    const runs = [...batchSizes.matchAll(count)].find((x) => x[1] === m.name);
    if (runs && sum) console.log(`service ${m.name}: ${sum[1]} forecasts in ${runs[2]} onnxruntime runs (mean batch ${(Number(sum[1]) / Number(runs[2])).toFixed(1)})`);
  }
  if (servers.svc) {
    console.log(`\ninside the service during the gRPC latency rounds (means, its own histograms): ${results.map((r) => `${r.m.name} onnxruntime run ${r.serviceRunUs.toFixed(0)} µs, batcher wait ${r.serviceQueueUs.toFixed(0)} µs`).join('; ')}`);
  }
  console.log(`\nparameters: ${results.map((r) => `${r.m.name} ${r.params.toLocaleString('en')}`).join(', ')}`);
  console.log(`load + checks + dry run of a version (what a swap does before switching): ${results.map((r) => `${r.m.name} ${us(r.loadNs)} (${(r.bytes.length / 1024).toFixed(0)} KiB)`).join(', ')}`);

  servers.client?.close();
  if (servers.svc) await servers.svc.stop('SIGTERM');
  await servers.env?.cleanup();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
