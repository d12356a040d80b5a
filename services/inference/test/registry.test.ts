// The model registry's admin operations against the real service process, NATS JetStream and
// PostgreSQL: refused without a token under ADMIN_AUTH=required; a hot swap to v2 while Predict
// calls keep coming, none failing; corrupt, replaced and inconsistent files refused with typed
// errors while the version in service keeps serving; a second replica following the change on
// ctl.config.inference. The tests run in order and share the processes.
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Pool } from 'pg';
import { Bus, provisionTopology } from '@meridian/bus';
import { ActivateModelRequest, Bar as WireBar, ListModelsRequest, PredictRequest, RegisterModelRequest } from '@meridian/proto';
import type { ActivateModelResponse, InferenceServiceClient, ListModelsResponse, PredictResponse, RegisterModelResponse } from '@meridian/proto';
import { adminTokenHash } from '@meridian/runtime';
import type { FeatureSpecInput } from '@meridian/signals';
import { ServiceProcess, assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { call, client, failure, fitted, generatedBars, modelBars, writeModel } from './fixtures';

jest.setTimeout(120_000);

const PACKAGE_DIR = join(__dirname, '..');
const TOKEN = 'inference-operator-secret';
const SYMBOL = 'BTC-USDT';
const dir = mkdtempSync(join(tmpdir(), 'inference-registry-'));
const modelDir = join(dir, 'models');
let env: TestEnvironment;
let bus: Bus;
let pool: Pool;
const processes: ServiceProcess[] = [];
let a: InferenceServiceClient;
const wire = generatedBars(SYMBOL, 120, 5);

const serviceEnv = (replica: string): Record<string, string> => ({
  ...env.env,
  SYMBOLS: SYMBOL,
  HOST: '127.0.0.1',
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'info',
  MODEL_DIR: modelDir,
  ADMIN_AUTH: 'required',
  ADMIN_TOKENS_FILE: join(dir, 'tokens'),
  REPLICA_ID: replica,
  MODEL_RECONCILE_INTERVAL_MS: '0',
});
const start = async (replica: string) => {
  const p = await ServiceProcess.start(PACKAGE_DIR, serviceEnv(replica), { name: `inference-${replica}` });
  processes.push(p);
  return p;
};
/** `token` null: no authorization header at all. */
const register = (c: InferenceServiceClient, name: string, version: string, token: string | null = TOKEN) =>
  call<RegisterModelRequest, RegisterModelResponse>(c.registerModel.bind(c), { name, version }, token ?? undefined);
const activate = (c: InferenceServiceClient, name: string, version: string, token: string | null = TOKEN, reason = 'test') =>
  call<ActivateModelRequest, ActivateModelResponse>(c.activateModel.bind(c), ActivateModelRequest.fromPartial({ name, version, reason }), token ?? undefined);
const list = (c: InferenceServiceClient) => call<ListModelsRequest, ListModelsResponse>(c.listModels.bind(c), { name: '' });
const predict = (c: InferenceServiceClient) => call<PredictRequest, PredictResponse>(c.predict.bind(c), PredictRequest.fromPartial({ symbol: SYMBOL, model: 'fc' }));
const q = async (sql: string) => (await pool.query(sql.replaceAll('$schema', env.schema))).rows;

beforeAll(async () => {
  assertBuilt(PACKAGE_DIR, '@meridian/inference');
  const bars = modelBars(wire);
  const { spec, sigma } = fitted(bars.slice(0, 100));
  for (const [version, seed] of [['v1', 1], ['v2', 2], ['v3', 3]] as const) writeModel(modelDir, { kind: 'lstm', name: 'fc', version, seed, spec, sigma });
  // A truncated file, a graph whose `past` has fewer columns than the spec has features, and a spec that reads the book.
  const good = writeModel(modelDir, { kind: 'lstm', name: 'fc', version: 'cut', seed: 4, spec, sigma });
  writeFileSync(good.path, good.bytes.subarray(0, Math.floor(good.bytes.length * 0.6)));
  writeModel(modelDir, { kind: 'lstm', name: 'fc', version: 'narrow', seed: 5, spec, sigma, pastFeatures: 3 });
  const bookSpec = { ...spec, features: [...spec.features, { name: 'imb', kind: 'bookImbalance', input: 'book', params: { levels: 5 }, normalisation: { kind: 'none' } }] } as unknown as FeatureSpecInput;
  writeModel(modelDir, { kind: 'lstm', name: 'fcbook', version: 'v1', seed: 6, spec: bookSpec, sigma });
  writeFileSync(join(dir, 'tokens'), `alice:${adminTokenHash(TOKEN)}\n`);

  env = await createTestEnvironment('infreg');
  pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
  bus = await Bus.connect({ servers: env.natsUrl, name: 'inference-registry-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: [SYMBOL], venues: [] }]);
  for (const b of wire) await bus.publish(bus.subjects.bars('sim', SYMBOL, '1s'), WireBar, b);
  a = client((await start('a')).grpcAddress);
});

afterAll(async () => {
  a?.close();
  for (const p of processes) {
    const exit = await p.stop('SIGTERM');
    if (exit.code !== 0) console.error(p.logs.join('\n'));
  }
  await bus?.close();
  await pool?.end();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('under ADMIN_AUTH=required, registering and activating without a valid token is refused and changes nothing', async () => {
  for (const token of [null, 'wrong']) {
    expect((await failure(register(a, 'fc', 'v1', token))).code).toBe(status.UNAUTHENTICATED);
    expect((await failure(activate(a, 'fc', 'v1', token))).code).toBe(status.UNAUTHENTICATED);
  }
  expect((await list(a)).models).toEqual([]);
  expect(await q('SELECT * FROM $schema.model_audit')).toEqual([]);
});

test('a registered and activated version serves Predict; activating an unregistered one is NOT_FOUND', async () => {
  expect((await register(a, 'fc', 'v1')).created).toBe(true);
  expect((await register(a, 'fc', 'v1')).created).toBe(false);
  expect((await register(a, 'fc', 'v2')).created).toBe(true);
  expect((await failure(activate(a, 'fc', 'v9'))).code).toBe(status.NOT_FOUND);
  const res = await activate(a, 'fc', 'v1');
  expect(res).toMatchObject({ previousVersion: '', revision: 1n, model: { name: 'fc', version: 'v1', active: true, activatedBy: 'alice' } });
  expect((await predict(a)).signal).toMatchObject({ model: 'fc', modelVersion: 'v1' });
});

test('a hot swap to v2 while Predict calls keep coming: none fails, each caller sees v1 then v2', async () => {
  const seen: string[][] = [[], [], [], []];
  const failures: ServiceError[] = [];
  let stop = false;
  // Bounded: a run that only fails ends at once instead of piling up errors.
  const workers = seen.map(async (versions) => {
    while (!stop && failures.length < 100) {
      try {
        versions.push((await predict(a)).signal!.modelVersion);
      } catch (err) {
        failures.push(err as ServiceError);
      }
    }
  });
  await waitFor('Predict calls on v1', async () => failures.length > 0 || seen.every((v) => v.length >= 20), 20_000);
  expect(failures).toEqual([]);
  const res = await activate(a, 'fc', 'v2', TOKEN, 'retrained');
  const afterSwap = seen.map((v) => v.length);
  await waitFor('Predict calls on v2', async () => seen.every((v, i) => v.length >= afterSwap[i]! + 20), 20_000);
  stop = true;
  await Promise.all(workers);
  expect(failures).toEqual([]);
  expect(res).toMatchObject({ previousVersion: 'v1', revision: 2n });
  for (const versions of seen) {
    const first = versions.indexOf('v2');
    expect(first).toBeGreaterThan(0);
    expect(versions.slice(0, first).every((v) => v === 'v1')).toBe(true);
    expect(versions.slice(first).every((v) => v === 'v2')).toBe(true);
  }
  expect(await q("SELECT event, version, previous_version, actor, via, replica, detail FROM $schema.model_audit WHERE event = 'activated' ORDER BY id")).toEqual([
    { event: 'activated', version: 'v1', previous_version: null, actor: 'alice', via: 'token', replica: 'a', detail: 'test' },
    { event: 'activated', version: 'v2', previous_version: 'v1', actor: 'alice', via: 'token', replica: 'a', detail: 'retrained' },
  ]);
});

test('corrupt, replaced and inconsistent files are refused with a typed error and counted; v2 keeps serving', async () => {
  const svc = processes[0]!;
  const refusal = async (p: Promise<unknown>, code: string, message: RegExp) => {
    const err = await failure(p);
    expect({ code: err.code, details: err.details, errorCode: err.metadata.get('error-code')[0] }).toEqual({
      code: status.FAILED_PRECONDITION,
      details: expect.stringMatching(message),
      errorCode: code,
    });
  };
  await refusal(register(a, 'fc', 'cut'), 'ONNX_CORRUPT_MODEL', /^ONNX_CORRUPT_MODEL: .*cut\.onnx/);
  await refusal(register(a, 'fc', 'narrow'), 'MODEL_SHAPE_MISMATCH', /input "past" has 2 covariate columns before the target, the feature spec 4 features/);
  await refusal(register(a, 'fcbook', 'v1'), 'MODEL_NOT_SERVABLE', /feature "imb" reads the order book/);
  await refusal(register(a, 'fc', 'missing'), 'MODEL_FILE_UNREADABLE', /ENOENT/);
  // v3 is registered as it was, then its file is replaced: activation finds the sha256 changed.
  expect((await register(a, 'fc', 'v3')).created).toBe(true);
  writeFileSync(join(modelDir, 'fc', 'v3.onnx'), readFileSync(join(modelDir, 'fc', 'v1.onnx')));
  await refusal(activate(a, 'fc', 'v3'), 'MODEL_SHA_MISMATCH', /has sha256 [0-9a-f]{64}, the registry recorded [0-9a-f]{64}/);

  expect((await predict(a)).signal?.modelVersion).toBe('v2');
  expect(await svc.metric('meridian_inference_model_refusals_total', { model: 'fc', stage: 'register', code: 'ONNX_CORRUPT_MODEL' })).toBe(1);
  expect(await svc.metric('meridian_inference_model_refusals_total', { model: 'fc', stage: 'activate', code: 'MODEL_SHA_MISMATCH' })).toBe(1);
  expect(await q("SELECT event, name, version, previous_version, error_code FROM $schema.model_audit WHERE event LIKE '%refused' ORDER BY id")).toEqual([
    { event: 'register_refused', name: 'fc', version: 'cut', previous_version: null, error_code: 'ONNX_CORRUPT_MODEL' },
    { event: 'register_refused', name: 'fc', version: 'narrow', previous_version: null, error_code: 'MODEL_SHAPE_MISMATCH' },
    { event: 'register_refused', name: 'fcbook', version: 'v1', previous_version: null, error_code: 'MODEL_NOT_SERVABLE' },
    { event: 'register_refused', name: 'fc', version: 'missing', previous_version: null, error_code: 'MODEL_FILE_UNREADABLE' },
    { event: 'activate_refused', name: 'fc', version: 'v3', previous_version: 'v2', error_code: 'MODEL_SHA_MISMATCH' },
  ]);
  expect(await q("SELECT version FROM $schema.model_active WHERE name = 'fc'")).toEqual([{ version: 'v2' }]);
});

test('a second replica serves the active version from its start and follows an activation made on the first', async () => {
  const b = client((await start('b')).grpcAddress);
  try {
    expect((await list(b)).loaded.map((m) => [m.name, m.version])).toEqual([['fc', 'v2']]);
    await activate(a, 'fc', 'v1', TOKEN, 'roll back');
    await waitFor('replica b on v1', async () => (await list(b)).loaded.some((m) => m.name === 'fc' && m.version === 'v1'), 20_000);
    expect((await predict(b)).signal?.modelVersion).toBe('v1');
    expect((await predict(a)).signal?.modelVersion).toBe('v1');
    // The load is audited right after the switch.
    await waitFor('the audit of b\'s load', async () => (await q("SELECT 1 FROM $schema.model_audit WHERE event = 'loaded'")).length === 2, 10_000);
    expect(await q("SELECT event, version, previous_version, actor, replica FROM $schema.model_audit WHERE event = 'loaded' ORDER BY id")).toEqual([
      { event: 'loaded', version: 'v2', previous_version: null, actor: 'replica', replica: 'b' },
      { event: 'loaded', version: 'v1', previous_version: 'v2', actor: 'replica', replica: 'b' },
    ]);
  } finally {
    b.close();
  }
});
