import type { FastifyInstance } from 'fastify';
import { Health, Metrics, buildHttp } from '../src';

// `app.inject()` cannot be used under jest on Node 20: fastify's light-my-request@6.8 requires
// cookie@2, which is ESM-only, and jest's CommonJS runtime refuses require(esm). The app is
// served on an ephemeral port instead and called with fetch, which also covers the real socket.

let health: Health;
let metrics: Metrics;
let app: FastifyInstance;
let base: string;

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

async function get(url: string): Promise<Reply> {
  const res = await fetch(base + url);
  const body = await res.text();
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body, json: <T>() => JSON.parse(body) as T };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format's sample lines; label order is not significant. */
function samples(body: string): Sample[] {
  return body
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The value of the one sample with this name and exactly these labels. */
function value(body: string, name: string, labels: Record<string, string>): number | undefined {
  const found = samples(body).filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name}`);
  return found[0]?.value;
}

beforeEach(async () => {
  health = new Health();
  metrics = new Metrics('http-test', '1.2.3');
  app = buildHttp({ service: 'http-test', health, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await app.close();
});

test('/healthz answers 200 with the service name whatever readiness says', async () => {
  health.flag('never_ready');
  const res = await get('/healthz');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ok', service: 'http-test' });
});

test('/readyz is 503 naming the failing checks, then 200 once they pass', async () => {
  const bus = health.flag('nats_connected');
  const state = health.flag('state_rebuilt');
  health.addCheck('always', () => true);
  health.addCheck('throws', () => {
    throw new Error('boom');
  });

  let res = await get('/readyz');
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({
    status: 'not ready',
    service: 'http-test',
    checks: { nats_connected: false, state_rebuilt: false, always: true, throws: false },
  });

  bus.set(true);
  res = await get('/readyz');
  expect(res.statusCode).toBe(503);
  const failing = Object.entries(res.json<{ checks: Record<string, boolean> }>().checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  expect(failing).toEqual(['state_rebuilt', 'throws']);

  state.set(true);
  health.addCheck('throws', () => true); // replaces the throwing check
  res = await get('/readyz');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({
    status: 'ready',
    service: 'http-test',
    checks: { nats_connected: true, state_rebuilt: true, always: true, throws: true },
  });
});

test('/readyz with no checks is ready, and is 503 once shutting down', async () => {
  let res = await get('/readyz');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ready', service: 'http-test', checks: {} });

  health.markShuttingDown();
  res = await get('/readyz');
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({ status: 'not ready', service: 'http-test', checks: { not_shutting_down: false } });
});

test('/metrics serves the Prometheus text format with meridian_build_info and prefixed metrics', async () => {
  const orders = metrics.counter({ name: 'orders_total', help: 'Orders', labelNames: ['side'] });
  orders.inc({ side: 'BUY' }, 3);
  const res = await get('/metrics');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe(metrics.registry.contentType);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
  expect(res.body).toContain('# TYPE meridian_build_info gauge');
  expect(value(res.body, 'meridian_build_info', { version: '1.2.3', node: process.version, service: 'http-test' })).toBe(1);
  expect(value(res.body, 'meridian_orders_total', { side: 'BUY', service: 'http-test' })).toBe(3);
  // Default process metrics carry the prefix too; nothing is unprefixed, everything has the service label.
  expect(res.body).toContain('# TYPE meridian_process_cpu_user_seconds_total counter');
  const all = samples(res.body);
  expect(all.length).toBeGreaterThan(10);
  for (const s of all) {
    expect(s.name.startsWith('meridian_')).toBe(true);
    expect(s.labels.service).toBe('http-test');
  }
});

test('the bus observer counts per subject template and strips the symbol from consumer names', async () => {
  const observer = metrics.busObserver();
  observer.published('md.book.{symbol}', 0.001);
  observer.published('md.book.{symbol}', 0.002);
  // Durable names as the topology declares them: per-symbol ones collapse to one label value.
  observer.handled('orders.intent.{symbol}', 'risk-intent-BTC-USDT', 'ack', 0.0001);
  observer.handled('orders.intent.{symbol}', 'risk-intent-ETH-USDT', 'ack', 0.0001);
  observer.handled('orders.approved.{venue}.{symbol}', 'execution-paper-BRK-B', 'retry', 0.0001);
  observer.handled('executions.{venue}.{symbol}', 'recorder-executions', 'dead_letter', 0.0001);
  observer.rejected('orders.intent.{symbol}', 'decode');
  const body = (await get('/metrics')).body;
  const subject = 'md.book.{symbol}';
  const intents = 'orders.intent.{symbol}';
  expect(value(body, 'meridian_bus_published_messages_total', { subject, service: 'http-test' })).toBe(2);
  expect(value(body, 'meridian_bus_handled_messages_total', { subject: intents, consumer: 'risk-intent', outcome: 'ack', service: 'http-test' })).toBe(2);
  expect(
    value(body, 'meridian_bus_handled_messages_total', {
      subject: 'orders.approved.{venue}.{symbol}',
      consumer: 'execution-paper',
      outcome: 'retry',
      service: 'http-test',
    }),
  ).toBe(1);
  expect(
    value(body, 'meridian_bus_handled_messages_total', {
      subject: 'executions.{venue}.{symbol}',
      consumer: 'recorder-executions',
      outcome: 'dead_letter',
      service: 'http-test',
    }),
  ).toBe(1);
  expect(value(body, 'meridian_bus_rejected_messages_total', { subject: intents, reason: 'decode', service: 'http-test' })).toBe(1);
  expect(value(body, 'meridian_bus_publish_seconds_count', { subject, service: 'http-test' })).toBe(2);
  expect(value(body, 'meridian_bus_publish_seconds_sum', { subject, service: 'http-test' })).toBeCloseTo(0.003, 9);
  // Sub-millisecond buckets: 1 ms lands in le=0.001, 2 ms in le=0.0025.
  expect(value(body, 'meridian_bus_publish_seconds_bucket', { le: '0.0005', subject, service: 'http-test' })).toBe(0);
  expect(value(body, 'meridian_bus_publish_seconds_bucket', { le: '0.001', subject, service: 'http-test' })).toBe(1);
  expect(value(body, 'meridian_bus_publish_seconds_bucket', { le: '0.0025', subject, service: 'http-test' })).toBe(2);
  expect(value(body, 'meridian_bus_handle_seconds_bucket', { le: '0.00005', subject: intents, service: 'http-test' })).toBe(0);
  expect(value(body, 'meridian_bus_handle_seconds_bucket', { le: '0.0001', subject: intents, service: 'http-test' })).toBe(2);
});

test('an unknown route is 404', async () => {
  const res = await get('/nope');
  expect(res.statusCode).toBe(404);
});
