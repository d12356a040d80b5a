import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials, loadPackageDefinition, status as GrpcStatus } from '@grpc/grpc-js';
import type { Client, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Pool } from 'pg';
import { BacktestServiceClient } from '@meridian/proto';
import type { GetBacktestResponse, ListBacktestsResponse, StartBacktestResponse } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { barsCsv, CLI, configJson, METRIC_KEYS, reportData, requireBuilt, runCli, writeJson } from './fixtures';

interface Server {
  readonly child: ChildProcess;
  readonly http: string;
  readonly grpc: string;
  readonly logs: string[];
  readonly exited: Promise<number | null>;
}

let env: TestEnvironment;
let db: Pool;
let dir: string;
let server: Server;
const started: Server[] = [];

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--grpc-port', '0', '--data-root', dir, '--workers', '2', '--study-workers', '2', '--poll-ms', '200', '--lease-ms', '5000'], {
    env: { ...process.env, DATABASE_URL: env.databaseUrl, DATABASE_SCHEMA: env.schema },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ports = await new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start:\n${logs.join('\n')}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it started:\n${logs.join('\n')}`));
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        if (line.includes('"service started"')) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
    }
  });
  const s = { child, http: `http://127.0.0.1:${ports.httpPort}`, grpc: `127.0.0.1:${ports.grpcPort}`, logs, exited };
  started.push(s);
  return s;
}

async function stopServer(s: Server): Promise<number | null> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  return s.exited;
}

beforeAll(async () => {
  requireBuilt();
  env = await createTestEnvironment('btsrv');
  db = new Pool({ connectionString: env.databaseUrl, max: 2, options: `-c search_path=${env.schema}` });
  dir = mkdtempSync(join(tmpdir(), 'backtest-cli-serve-'));
  writeFileSync(join(dir, 'btc-1m.csv'), barsCsv(1500));
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map(stopServer));
  await db?.end();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; type: string; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(`${server.http}${path}`, {
    method,
    ...(body !== undefined || raw !== undefined ? { headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = (await http('GET', '/metrics')).text;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function untilDone(path: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(
    `${path} done`,
    async () => {
      last = (await http('GET', `${path}?result=false`)).json();
      if (last.status === 'failed') throw new Error(`run failed: ${last.error}`);
      return last.status === 'done';
    },
    timeoutMs,
  );
  return last;
}

const request = (overrides: Record<string, unknown> = {}) => ({
  config: configJson(),
  data: ['btc-1m.csv'],
  strategy: { kind: 'momentum', params: { intentIntervalMs: 300000 } },
  ...overrides,
});

function grpcCall<T>(fn: (cb: (err: ServiceError | null, res: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

test('HTTP: POST a backtest, poll until done, fetch its result (the CLI’s, byte for byte in value) and its report; list it', async () => {
  const posted = await http('POST', '/v1/backtests', request({ title: 'over http' }));
  expect(posted.status).toBe(202);
  const { id, status } = posted.json() as { id: string; status: string };
  expect(status).toBe('queued');

  const done = await untilDone(`/v1/backtests/${id}`);
  expect(done).toMatchObject({ id, kind: 'backtest', status: 'done', title: 'over http', error: null, progress: { events: 1500, eventsTotal: 1500, fraction: 1 } });
  expect(Object.keys((done.summary as { metrics: object }).metrics).sort()).toEqual(METRIC_KEYS);

  const full = await http('GET', `/v1/backtests/${id}`);
  expect(full.type).toContain('application/json');
  const result = full.json().result as { counts: { events: number }; metrics: Record<string, unknown> };
  expect(result.counts.events).toBe(1500);

  // The same job through the CLI gives the same result.
  const cliOut = join(dir, 'cli');
  const cli = await runCli(['run', '--config', writeJson(dir, 'config.json', configJson()), '--data', join(dir, 'btc-1m.csv'), '--param', 'intentIntervalMs=300000', '--out', cliOut, '--quiet']);
  expect(cli.code).toBe(0);
  expect(result).toEqual(JSON.parse(readFileSync(join(cliOut, 'result.json'), 'utf8')));

  const report = await http('GET', `/v1/backtests/${id}/report`);
  expect(report.status).toBe(200);
  expect(report.type).toContain('text/html');
  const data = reportData(report.text);
  expect(data.title).toBe('over http');
  expect(data.metrics.find(([k]) => k === 'net P&L')![1]).toBe(`${result.metrics.netPnl} USDT`);

  const list = (await http('GET', '/v1/backtests?limit=10')).json() as { runs: { id: string; status: string }[] };
  expect(list.runs.find((r) => r.id === id)).toMatchObject({ status: 'done' });
  const row = await db.query('SELECT status, kind, attempts, result IS NOT NULL AS has_result FROM backtest_runs WHERE id = $1', [id]);
  expect(row.rows[0]).toEqual({ status: 'done', kind: 'backtest', attempts: 1, has_result: true });
}, 120_000);

test('gRPC: StartBacktest, GetBacktest until done with the result, ListBacktests; grpc.health.v1 serves the service', async () => {
  const client = new BacktestServiceClient(server.grpc, credentials.createInsecure());
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: { Health: ServiceClientConstructor } } } };
  const health = new pkg.grpc.health.v1.Health(server.grpc, credentials.createInsecure()) as unknown as Client & {
    check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
  };
  try {
    const serving = await grpcCall<{ status: string }>((cb) => health.check({ service: 'meridian.v1.BacktestService' }, cb));
    expect(serving.status).toBe('SERVING');
    const started: StartBacktestResponse = await grpcCall((cb) =>
      client.startBacktest({ configJson: JSON.stringify(configJson()), dataJson: JSON.stringify(['btc-1m.csv']), strategyJson: JSON.stringify({ params: { intentIntervalMs: 300000 } }), seed: 5n, title: 'over grpc' }, cb),
    );
    expect(started.status).toBe('queued');
    let got: GetBacktestResponse | undefined;
    await waitFor('grpc run done', async () => {
      const response: GetBacktestResponse = await grpcCall((cb) => client.getBacktest({ id: started.id, includeResult: true }, cb));
      got = response;
      return response.run!.status === 'done';
    }, 60_000);
    expect(got!.run).toMatchObject({ id: started.id, kind: 'backtest', title: 'over grpc', error: '' });
    expect(got!.run!.progress).toMatchObject({ events: 1500n, eventsTotal: 1500n, fraction: 1 });
    expect(got!.run!.finishedTsNs).toBeGreaterThan(got!.run!.createdTsNs);
    const result = JSON.parse(got!.resultJson);
    expect(result.seed).toBe(5);
    expect(result.counts.events).toBe(1500);
    expect(JSON.parse(got!.run!.summaryJson).metrics.netPnl).toBe(result.metrics.netPnl);

    const list: ListBacktestsResponse = await grpcCall((cb) => client.listBacktests({ limit: 5, status: 'done', kind: '' }, cb));
    expect(list.runs.map((r) => r.id)).toContain(started.id);
    expect(list.runs.every((r) => r.status === 'done')).toBe(true);

    const missing = await grpcCall((cb) => client.getBacktest({ id: 'no-such-run', includeResult: false }, cb)).catch((e: ServiceError) => e);
    expect((missing as ServiceError).code).toBe(GrpcStatus.NOT_FOUND);
  } finally {
    client.close();
    health.close();
  }
}, 120_000);

test('malformed requests: 400 (INVALID_ARGUMENT) naming the field, counted in /metrics; nothing is queued', async () => {
  const before = {
    config: await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'config' }),
    data: await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'data' }),
    body: await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'body' }),
    grpc: await metric('meridian_backtest_api_bad_requests_total', { api: 'grpc', field: 'config' }),
  };
  const runsBefore = (await db.query('SELECT count(*)::int AS n FROM backtest_runs')).rows[0].n;

  const badConfig = await http('POST', '/v1/backtests', request({ config: configJson({ equityIntervalMs: -5 }) }));
  expect(badConfig.status).toBe(400);
  expect(badConfig.json()).toEqual({ error: 'bad_request', field: 'config.equityIntervalMs', message: 'config.equityIntervalMs: must be at least 1, got -5' });

  const outside = await http('POST', '/v1/backtests', request({ data: ['/etc/hostname'] }));
  expect(outside.status).toBe(400);
  expect(outside.json()).toMatchObject({ field: 'data[0].path' });
  expect(outside.json().message).toContain('is outside the data roots this server reads');

  const notJson = await http('POST', '/v1/backtests', undefined, '{"config": ');
  expect(notJson.status).toBe(400);
  expect(notJson.json()).toMatchObject({ error: 'bad_request', field: 'body' });

  const unknownKey = await http('POST', '/v1/backtests', { ...request(), speed: 3 });
  expect(unknownKey.status).toBe(400);
  expect(unknownKey.json()).toMatchObject({ field: 'speed' });

  expect((await http('GET', '/v1/backtests/no-such-run')).status).toBe(404);

  const client = new BacktestServiceClient(server.grpc, credentials.createInsecure());
  try {
    const err = (await grpcCall((cb) => client.startBacktest({ configJson: JSON.stringify(configJson({ instruments: [] })), dataJson: '["btc-1m.csv"]', strategyJson: '', title: '' }, cb)).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err.details).toBe('config.instruments: [] must be a non-empty array');
  } finally {
    client.close();
  }

  expect(await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'config' })).toBe(before.config + 1);
  expect(await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'data' })).toBe(before.data + 1);
  expect(await metric('meridian_backtest_api_bad_requests_total', { api: 'http', field: 'body' })).toBe(before.body + 1);
  expect(await metric('meridian_backtest_api_bad_requests_total', { api: 'grpc', field: 'config' })).toBe(before.grpc + 1);
  expect(await metric('meridian_backtest_api_requests_total', { api: 'http', operation: 'GET /v1/backtests/:id', outcome: 'not_found' })).toBeGreaterThanOrEqual(1);
  expect((await db.query('SELECT count(*)::int AS n FROM backtest_runs')).rows[0].n).toBe(runsBefore);
}, 60_000);

test('POST /v1/studies: a grid study on the server, trials in PostgreSQL, the report with its heat map', async () => {
  const posted = await http('POST', '/v1/studies', {
    ...request(),
    study: 'served-grid',
    space: { fastPeriod: { type: 'int', low: 4, high: 8, step: 4 }, slowPeriod: { type: 'int', low: 20, high: 40, step: 20 } },
    sampler: 'grid',
    workers: 2,
  });
  expect(posted.status).toBe(202);
  const { id } = posted.json() as { id: string };
  const done = await untilDone(`/v1/studies/${id}`, 120_000);
  const summary = done.summary as { trials: number; completed: number; best: { score: number; params: Record<string, number> } };
  expect(summary).toMatchObject({ trials: 4, completed: 4 });
  const stored = await db.query<{ score: number }>("SELECT score FROM research_trials WHERE study = 'served-grid' ORDER BY score DESC");
  expect(stored.rows).toHaveLength(4);
  expect(summary.best.score).toBe(stored.rows[0]!.score);
  const report = reportData((await http('GET', `/v1/studies/${id}/report`)).text);
  expect(report.heatmap).toMatchObject({ x: 'fastPeriod', y: 'slowPeriod', trials: 4 });

  // The same name with another configuration is refused at once.
  const clash = await http('POST', '/v1/studies', { ...request({ config: configJson({ seed: 42 }) }), study: 'served-grid', space: { fastPeriod: { type: 'int', low: 4, high: 8, step: 4 }, slowPeriod: { type: 'int', low: 20, high: 40, step: 20 } }, sampler: 'grid' });
  expect(clash.status).toBe(400);
  expect(clash.json()).toMatchObject({ field: 'study' });
}, 180_000);

test('a long backtest runs on a worker thread: the server answers meanwhile, shows progress, cancels it; a stopping server hands its run back to the queue and the next one takes it', async () => {
  const long = request({ data: [{ kind: 'synthetic', bars: 20_000_000, seed: 3 }] });
  const { id } = (await http('POST', '/v1/backtests', long)).json() as { id: string };
  let progress: { events?: number; eventsTotal?: number; fraction?: number } = {};
  await waitFor('progress', async () => {
    progress = (await http('GET', `/v1/backtests/${id}?result=false`)).json().progress as typeof progress;
    return (progress.events ?? 0) > 0;
  }, 30_000);
  expect(progress.eventsTotal).toBe(20_000_000);
  expect(progress.fraction).toBeGreaterThan(0);
  expect(progress.fraction).toBeLessThan(1);
  // The event loop is free: health answers quickly while the engine runs.
  const latencies: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    expect((await http('GET', '/healthz')).status).toBe(200);
    latencies.push(performance.now() - t0);
  }
  expect(Math.max(...latencies)).toBeLessThan(500);

  // SIGTERM: the run goes back to the queue; a new server claims it.
  expect(await stopServer(server)).toBe(0);
  const row = await db.query('SELECT status, attempts FROM backtest_runs WHERE id = $1', [id]);
  expect(row.rows[0]).toEqual({ status: 'queued', attempts: 0 });
  server = await startServer();
  await waitFor('taken again', async () => ((await http('GET', `/v1/backtests/${id}?result=false`)).json().status as string) === 'running', 30_000);

  const cancelled = await http('DELETE', `/v1/backtests/${id}`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
  await waitFor('cancel counted', async () => (await metric('meridian_backtest_runs_finished_total', { kind: 'backtest', outcome: 'cancelled' })) === 1, 10_000);
  expect(await metric('meridian_backtest_runs_running', { kind: 'backtest' })).toBe(0);
  const after = await db.query('SELECT status, result IS NULL AS no_result FROM backtest_runs WHERE id = $1', [id]);
  expect(after.rows[0]).toEqual({ status: 'cancelled', no_result: true });
}, 180_000);

test('a study stopped by SIGTERM keeps its finished trials; the next server resumes it without running them again', async () => {
  const posted = await http('POST', '/v1/studies', {
    ...request({ data: [{ kind: 'synthetic', bars: 20_000, seed: 11 }] }),
    study: 'served-random',
    space: { fastPeriod: { type: 'int', low: 3, high: 12 }, slowPeriod: { type: 'int', low: 20, high: 60 } },
    sampler: 'random',
    trials: 12,
    metric: 'totalReturn',
    workers: 2,
  });
  expect(posted.status).toBe(202);
  const { id } = posted.json() as { id: string };
  await waitFor('two trials stored', async () => ((await db.query("SELECT count(*)::int AS n FROM research_trials WHERE study = 'served-random'")).rows[0].n as number) >= 2, 60_000);
  expect(await stopServer(server)).toBe(0);
  const kept = await db.query<{ number: number; recorded_at: Date }>("SELECT number, recorded_at FROM research_trials WHERE study = 'served-random' ORDER BY number");
  expect(kept.rows.length).toBeGreaterThanOrEqual(2);
  expect(kept.rows.length).toBeLessThan(12);
  expect((await db.query('SELECT status FROM backtest_runs WHERE id = $1', [id])).rows[0].status).toBe('queued');

  server = await startServer();
  const done = await untilDone(`/v1/studies/${id}`, 120_000);
  const summary = done.summary as { trials: number; resumed: number; ran: number; completed: number };
  expect(summary.trials).toBe(12);
  expect(summary.resumed).toBe(kept.rows.length);
  expect(summary.ran).toBe(12 - kept.rows.length);
  const all = await db.query<{ number: number; recorded_at: Date }>("SELECT number, recorded_at FROM research_trials WHERE study = 'served-random' ORDER BY number");
  expect(all.rows.map((r) => r.number)).toEqual([...Array(12).keys()]);
  // The trials of the first server were not run again.
  for (const k of kept.rows) expect(all.rows.find((r) => r.number === k.number)!.recorded_at).toEqual(k.recorded_at);
  expect(done.attempts).toBe(1);
}, 180_000);
