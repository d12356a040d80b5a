// The inference service as a real process against real NATS JetStream and PostgreSQL: three
// small models (LSTM, TFT, N-BEATS) exported from tfjs with libs/onnx are registered and
// activated over gRPC, bars are published on md.sim.<symbol>.bars.1s, and the forecasts on
// sig.<model>.<symbol> are checked against onnxruntime run here on inputs computed here from the
// same bars. Then Predict: by symbol, by explicit windows, batched, and refused inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Pool } from 'pg';
import { Bus, provisionTopology } from '@meridian/bus';
import { ActivateModelRequest, Bar as WireBar, PredictRequest, RegisterModelRequest, Signal } from '@meridian/proto';
import type { ActivateModelResponse, InferenceServiceClient, PredictResponse, RegisterModelResponse } from '@meridian/proto';
import { adminTokenHash } from '@meridian/runtime';
import { featureSpecHash } from '@meridian/signals';
import type { Bar, FeatureSpec } from '@meridian/signals';
import { ServiceProcess, assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { HORIZON, LOOKBACK, QUANTILES, call, client, expectedInputs, failure, fitted, generatedBars, modelBars, runDirect, writeModel } from './fixtures';
import type { Kind } from './fixtures';

jest.setTimeout(120_000);

const PACKAGE_DIR = join(__dirname, '..');
const TOKEN = 'inference-operator-secret';
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
const HISTORY = 100;
const LIVE = 40;
const MODELS: { kind: Kind; name: string; seed: number }[] = [
  { kind: 'lstm', name: 'lstm-t', seed: 1 },
  { kind: 'tft', name: 'tft-t', seed: 2 },
  { kind: 'nbeats', name: 'nbeats-t', seed: 3 },
];

const dir = mkdtempSync(join(tmpdir(), 'inference-serving-'));
const modelDir = join(dir, 'models');
let env: TestEnvironment;
let bus: Bus;
let svc: ServiceProcess;
let grpc: InferenceServiceClient;
let pool: Pool;
let spec: FeatureSpec;
let sigma: number;
const wire = new Map(SYMBOLS.map((s, i) => [s, generatedBars(s, HISTORY + LIVE, 11 + i, 100 * (i + 1))]));
const bars = new Map([...wire].map(([s, w]) => [s, modelBars(w)]));
const files = new Map<string, { path: string; bytes: Uint8Array }>();
const signals: Signal[] = [];

const publishBars = async (from: number, to: number) => {
  for (let i = from; i < to; i++) for (const s of SYMBOLS) await bus.publish(bus.subjects.bars('sim', s, '1s'), WireBar, wire.get(s)![i]!);
};
const predict = (req: Partial<PredictRequest>) => call<PredictRequest, PredictResponse>(grpc.predict.bind(grpc), PredictRequest.fromPartial(req));

beforeAll(async () => {
  assertBuilt(PACKAGE_DIR, '@meridian/inference');
  ({ spec, sigma } = fitted(bars.get('BTC-USDT')!.slice(0, HISTORY)));
  for (const m of MODELS) files.set(m.name, writeModel(modelDir, { ...m, version: 'v1', spec, sigma }));
  writeFileSync(join(dir, 'tokens'), `alice:${adminTokenHash(TOKEN)}\n`);

  env = await createTestEnvironment('infsrv');
  pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
  bus = await Bus.connect({ servers: env.natsUrl, name: 'inference-serving-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: SYMBOLS, venues: [] }]);
  // The history is on the MARKET stream before the service starts: it reads it back to start warm.
  await publishBars(0, HISTORY);
  svc = await ServiceProcess.start(
    PACKAGE_DIR,
    {
      ...env.env,
      SYMBOLS: SYMBOLS.join(','),
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'info',
      MODEL_DIR: modelDir,
      ADMIN_AUTH: 'required',
      ADMIN_TOKENS_FILE: join(dir, 'tokens'),
      MOMENTUM_FAST: '4',
      MOMENTUM_SLOW: '8',
      MOMENTUM_VOL: '8',
      PREDICT_BATCH_MAX: '64',
      PREDICT_BATCH_MAX_WAIT_US: '2000',
    },
    { name: 'inference' },
  );
  grpc = client(svc.grpcAddress);
  for (const s of SYMBOLS) {
    for (const name of [...MODELS.map((m) => m.name), 'momentum']) await bus.follow('SIGNALS', bus.subjects.signal(name, s), Signal, (sig) => void signals.push(sig), { deliver: 'all' });
  }
  for (const m of MODELS) {
    const reg = await call<RegisterModelRequest, RegisterModelResponse>(grpc.registerModel.bind(grpc), { name: m.name, version: 'v1' }, TOKEN);
    expect(reg.created).toBe(true);
    await call<ActivateModelRequest, ActivateModelResponse>(grpc.activateModel.bind(grpc), ActivateModelRequest.fromPartial({ name: m.name, version: 'v1', reason: 'first' }), TOKEN);
  }
});

afterAll(async () => {
  grpc?.close();
  if (svc) {
    const exit = await svc.stop('SIGTERM');
    if (exit.code !== 0) console.error(svc.logs.join('\n'));
  }
  await bus?.close();
  await pool?.end();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const q = (sql: string) => pool.query(sql.replaceAll('$schema', env.schema));

test('each registered version is a row of checked facts; the active versions and who did it are in PostgreSQL', async () => {
  const rows = (await q('SELECT * FROM $schema.model_versions ORDER BY name')).rows;
  expect(rows.map((r) => [r.name, r.version, r.architecture])).toEqual([
    ['lstm-t', 'v1', 'lstm'],
    ['nbeats-t', 'v1', 'nbeats'],
    ['tft-t', 'v1', 'tft'],
  ]);
  for (const r of rows) {
    const file = files.get(r.name)!;
    expect(r.sha256).toBe(createHash('sha256').update(file.bytes).digest('hex'));
    expect(Number(r.size_bytes)).toBe(file.bytes.length);
    expect(r.feature_spec_hash).toBe(featureSpecHash(spec));
    expect(r.target_scaling).toEqual({ kind: 'shift', scale: sigma });
    expect([r.lookback, r.horizon]).toEqual([LOOKBACK, HORIZON]);
    expect(r.quantiles).toEqual(r.architecture === 'nbeats' ? [] : QUANTILES);
    expect(r.registered_by).toBe('alice');
    expect(r.activated_by).toBe('alice');
  }
  expect(rows.find((r) => r.name === 'tft-t').inputs).toEqual([
    { name: 'past', dims: ['batch', LOOKBACK, spec.features.length + 1] },
    { name: 'future', dims: ['batch', HORIZON, 4] },
  ]);
  expect((await q('SELECT name, version, revision, activated_by FROM $schema.model_active ORDER BY name')).rows).toEqual([
    { name: 'lstm-t', version: 'v1', revision: '1', activated_by: 'alice' },
    { name: 'nbeats-t', version: 'v1', revision: '1', activated_by: 'alice' },
    { name: 'tft-t', version: 'v1', revision: '1', activated_by: 'alice' },
  ]);
  const audit = (await q("SELECT event, name, version, actor, via FROM $schema.model_audit WHERE name = 'lstm-t' ORDER BY id")).rows;
  expect(audit).toEqual([
    { event: 'registered', name: 'lstm-t', version: 'v1', actor: 'alice', via: 'token' },
    { event: 'activated', name: 'lstm-t', version: 'v1', actor: 'alice', via: 'token' },
  ]);
});

test('live bars give forecasts on sig.<model>.<symbol> with version and quantiles, equal to onnxruntime on the same window; momentum goes on', async () => {
  await publishBars(HISTORY, HISTORY + LIVE);
  const lastEnd = (s: string) => wire.get(s)![HISTORY + LIVE - 1]!.endTsNs;
  await waitFor('a forecast of every model for the last bar of every symbol', async () =>
    SYMBOLS.every((s) => MODELS.every((m) => signals.some((x) => x.model === m.name && x.symbol === s && x.originTsNs === lastEnd(s)))),
  30_000);
  // Every live bar is forecast once per model and symbol: the history was read back, so the windows were full from the first.
  for (const s of SYMBOLS) for (const m of MODELS) expect(signals.filter((x) => x.model === m.name && x.symbol === s).length).toBe(LIVE);
  await waitFor('momentum signals', async () => signals.some((x) => x.model === 'momentum'), 10_000);
  const momentum = signals.filter((x) => x.model === 'momentum');
  expect(momentum.every((x) => x.modelVersion === '' && x.forecasts.length === 0 && Math.abs(x.score) <= 1)).toBe(true);

  for (const m of MODELS) {
    const mine = signals.filter((x) => x.model === m.name && x.symbol === 'BTC-USDT');
    const all = bars.get('BTC-USDT')!;
    const index = (x: Signal) => all.findIndex((b) => BigInt(b.endMs) * 1_000_000n === x.originTsNs);
    const sample = mine.filter((_, i) => i % 8 === 0 || i === mine.length - 1);
    const direct = await runDirect(files.get(m.name)!.path, m.kind, sample.map((x) => expectedInputs(m.kind, spec, sigma, all, index(x))));
    sample.forEach((x, i) => {
      const k = index(x);
      const bar: Bar = all[k]!;
      expect(x).toMatchObject({ model: m.name, venue: 'sim', symbol: 'BTC-USDT', modelVersion: 'v1', architecture: m.kind, horizonSteps: HORIZON, stepMs: 1000n, horizonMs: 4000n });
      expect(x.referencePrice).toBe(wire.get('BTC-USDT')![k]!.close);
      const levels = m.kind === 'nbeats' ? [0] : QUANTILES;
      expect(x.forecasts.map((f) => f.level)).toEqual(levels);
      const Q = levels.length;
      expect(sample.length).toBeGreaterThanOrEqual(5);
      x.forecasts.forEach((f, qi) => {
        expect([f.values.length, f.logReturns.length, f.prices.length]).toEqual([HORIZON, HORIZON, HORIZON]);
        const want = Array.from({ length: HORIZON }, (_, h) => direct[i]![h * Q + qi]!);
        f.values.forEach((v, h) => expect(Math.abs(v - want[h]!)).toBeLessThan(1e-5));
        f.logReturns.forEach((r, h) => expect(r).toBeCloseTo(f.values[h]! * sigma, 12));
        f.prices.forEach((p, h) => expect(p).toBeCloseTo(bar.close * Math.exp(f.logReturns[h]!), 8));
      });
      const central = x.forecasts[m.kind === 'nbeats' ? 0 : 1]!.values[HORIZON - 1]!;
      expect(x.score).toBeCloseTo(Math.max(-1, Math.min(1, central / Math.sqrt(HORIZON))), 12);
    });
  }
});

test('Predict by symbol runs the model on the live window now; by windows, on the caller’s own inputs', async () => {
  const all = bars.get('ETH-USDT')!;
  const last = HISTORY + LIVE - 1;
  const res = await predict({ symbol: 'ETH-USDT', model: 'tft-t' });
  expect(res.signal).toMatchObject({ model: 'tft-t', modelVersion: 'v1', symbol: 'ETH-USDT', originTsNs: wire.get('ETH-USDT')![last]!.endTsNs });
  const [direct] = await runDirect(files.get('tft-t')!.path, 'tft', [expectedInputs('tft', spec, sigma, all, last)]);
  expect(res.signal!.forecasts.map((f) => f.values.length)).toEqual([HORIZON, HORIZON, HORIZON]);
  res.signal!.forecasts.forEach((f, qi) => f.values.forEach((v, h) => expect(Math.abs(v - direct![h * 3 + qi]!)).toBeLessThan(1e-5)));

  // A notebook's own windows: any numbers of the right shape.
  const windows = [0, 1, 2].map((w) => ({
    past: Array.from({ length: LOOKBACK * 5 }, (_, i) => Math.sin(i * 0.37 + w)),
    future: Array.from({ length: HORIZON * 4 }, (_, i) => Math.cos(i + w)),
  }));
  const byWindows = await predict({ model: 'tft-t', windows });
  expect(byWindows.signal).toBeUndefined();
  const want = await runDirect(files.get('tft-t')!.path, 'tft', windows.map((w) => ({ past: Float32Array.from(w.past), future: Float32Array.from(w.future) })));
  expect(byWindows.forecasts).toHaveLength(3);
  byWindows.forecasts.forEach((s, w) => {
    expect(s).toMatchObject({ model: 'tft-t', modelVersion: 'v1', originTsNs: 0n });
    expect(s.forecasts.every((f) => f.values.length === HORIZON && f.prices.length === 0 && f.logReturns.length === 0)).toBe(true);
    s.forecasts.forEach((f, qi) => f.values.forEach((v, h) => expect(Math.abs(v - want[w]![h * 3 + qi]!)).toBeLessThan(1e-5)));
  });

  // The default model is still momentum, answered as before.
  expect((await predict({ symbol: 'BTC-USDT' })).signal?.model).toBe('momentum');
});

test('concurrent Predict calls run as fewer onnxruntime batches, each caller getting its own row', async () => {
  const sizes = async () => ({
    runs: (await svc.metric('meridian_inference_batch_size_count', { model: 'lstm-t' })) ?? 0,
    rows: (await svc.metric('meridian_inference_batch_size_sum', { model: 'lstm-t' })) ?? 0,
  });
  const before = await sizes();
  const N = 48;
  const windows = Array.from({ length: N }, (_, w) => ({ past: Array.from({ length: LOOKBACK * 5 }, (_, i) => ((i * 7 + w * 13) % 17) / 17 - 0.5), future: [] }));
  const results = await Promise.all(windows.map((w, i) => (i % 2 === 0 ? predict({ model: 'lstm-t', windows: [w] }) : predict({ model: 'lstm-t', symbol: SYMBOLS[i % 4 === 1 ? 0 : 1]! }))));
  const after = await sizes();
  expect(after.rows - before.rows).toBe(N);
  expect(after.runs - before.runs).toBeLessThan(N / 4);
  // Each window's answer is its own row: compare with one direct run over all of them.
  const mine = windows.filter((_, i) => i % 2 === 0);
  const direct = await runDirect(files.get('lstm-t')!.path, 'lstm', mine.map((w) => ({ past: Float32Array.from(w.past), future: new Float32Array(0) })));
  expect(results.every((r, i) => (i % 2 === 0 ? r.forecasts[0]!.forecasts[0]!.values.length === HORIZON : r.signal!.forecasts[0]!.values.length === HORIZON))).toBe(true);
  results
    .filter((_, i) => i % 2 === 0)
    .forEach((r, j) => r.forecasts[0]!.forecasts.forEach((f, qi) => f.values.forEach((v, h) => expect(Math.abs(v - direct[j]![h * 3 + qi]!)).toBeLessThan(1e-5))));
  const histogram = await svc.metrics();
  expect(histogram).toMatch(/meridian_inference_batch_size_bucket\{[^}]*le="1",[^}]*model="lstm-t"[^}]*\} \d+/);
});

test('bad inputs are INVALID_ARGUMENT with a message naming the problem, and counted', async () => {
  const cases: [Partial<PredictRequest>, RegExp, string][] = [
    [{ model: 'lstm-t', windows: [{ past: [1, 2, 3], future: [] }] }, /windows\[0\]\.past holds 3 values; model lstm-t v1 reads lookback 16 × 5 past features = 80/, 'window_shape'],
    [{ model: 'tft-t', windows: [{ past: new Array(80).fill(0), future: [] }] }, /windows\[0\]\.future holds 0 values; .* = 16/, 'window_shape'],
    [{ model: 'lstm-t', windows: [{ past: [...new Array(79).fill(0), Number.NaN], future: [] }] }, /windows\[0\]\.past\[79\] is NaN/, 'non_finite'],
    [{ model: 'lstm-t', symbol: 'BTC-USDT', windows: [{ past: new Array(80).fill(0), future: [] }] }, /not both/, 'symbol_and_windows'],
    [{ model: 'lstm-t' }, /give a symbol of this replica/, 'no_input'],
    [{ model: 'momentum', windows: [{ past: [1], future: [] }] }, /reads live bars only/, 'windows_for_momentum'],
  ];
  for (const [req, message, reason] of cases) {
    const before = (await svc.metric('meridian_inference_predict_invalid_total', { reason })) ?? 0;
    const err = await failure(predict(req));
    expect({ code: err.code, details: err.details }).toEqual({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
    expect(await svc.metric('meridian_inference_predict_invalid_total', { reason })).toBe(before + 1);
  }
  expect((await failure(predict({ model: 'nope', symbol: 'BTC-USDT' }))).code).toBe(status.NOT_FOUND);
  expect((await failure(predict({ model: 'lstm-t', symbol: 'SOL-USDT' }))).code).toBe(status.NOT_FOUND);
});
