// Metrics read at scrape time: readiness from Health, and the backlog of the durable consumers a
// bus binds, asked from a real JetStream server (NATS_URL).
import type { FastifyInstance } from 'fastify';
import { Bus, provisionTopology } from '@meridian/bus';
import type { BoundConsumer } from '@meridian/bus';
import { OrderIntent, Side } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { CONSUMER_LAG_TIMEOUT_MS, Health, Metrics, buildHttp } from '../src';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

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

/** The samples of one metric, keyed by their labels other than `service`. */
function series(body: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples(body).filter((x) => x.name === name)) {
    const { service: _service, ...rest } = s.labels;
    out[JSON.stringify(Object.entries(rest).sort())] = s.value;
  }
  return out;
}

const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());

describe('readiness', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('meridian_ready and meridian_readiness_check follow Health at scrape time, also through /metrics', async () => {
    const health = new Health();
    const metrics = new Metrics('ready-test', '1.0.0');
    const rebuilt = health.flag('state_rebuilt');
    health.addCheck('nats_connected', () => true);
    app = buildHttp({ service: 'ready-test', health, metrics });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    const scrape = async () => (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();

    let body = await scrape();
    expect(series(body, 'meridian_ready')).toEqual({ [key({})]: 0 });
    expect(series(body, 'meridian_readiness_check')).toEqual({ [key({ check: 'state_rebuilt' })]: 0, [key({ check: 'nats_connected' })]: 1 });

    rebuilt.set(true);
    body = await scrape();
    expect(series(body, 'meridian_ready')).toEqual({ [key({})]: 1 });
    expect(series(body, 'meridian_readiness_check')).toEqual({ [key({ check: 'state_rebuilt' })]: 1, [key({ check: 'nats_connected' })]: 1 });

    health.markShuttingDown();
    body = await scrape();
    expect(series(body, 'meridian_ready')).toEqual({ [key({})]: 0 });
    expect(series(body, 'meridian_readiness_check')[key({ check: 'not_shutting_down' })]).toBe(0);
  });

  test('a second Health replaces the first instead of registering the metrics twice', async () => {
    const metrics = new Metrics('ready-test', '1.0.0');
    const notReady = new Health();
    notReady.flag('never');
    metrics.trackReadiness(notReady);
    metrics.trackReadiness(new Health());
    expect(series(await metrics.registry.metrics(), 'meridian_ready')).toEqual({ [key({})]: 1 });
  });
});

describe('consumer lag', () => {
  let env: TestEnvironment;
  let bus: Bus;
  let metrics: Metrics;
  const shard = { symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] };

  beforeAll(async () => {
    env = await createTestEnvironment('rtlag');
    metrics = new Metrics('lag-test', '1.0.0');
    bus = await Bus.connect({ servers: env.natsUrl, name: 'lag-test', namespace: env.namespace, observer: metrics.busObserver() });
    await provisionTopology(bus.jsm, bus.topology, [shard]);
  });

  afterAll(async () => {
    await bus?.close();
    await env?.cleanup();
  });

  const intent = (id: string, symbol: string) =>
    OrderIntent.fromPartial({ clientOrderId: id, symbol, venue: 'paper', side: Side.SIDE_BUY, quantity: '0.01', tsNs: 1n });

  test('meridian_bus_consumer_lag_messages is pending + ack pending per bound durable, by stream, consumer group and symbol', async () => {
    const stream = `${env.namespace}_ORDERS`;
    const btc = { stream, consumer: 'risk-intent', symbol: 'BTC-USDT' };
    const eth = { stream, consumer: 'risk-intent', symbol: 'ETH-USDT' };
    const scrape = async () => {
      const body = await metrics.registry.metrics();
      return { lag: series(body, 'meridian_bus_consumer_lag_messages'), ackPending: series(body, 'meridian_bus_consumer_ack_pending_messages') };
    };
    // Nothing bound yet: no series.
    expect(await scrape()).toEqual({ lag: {}, ackPending: {} });

    for (let i = 1; i <= 4; i++) await bus.publish(bus.subjects.intent('BTC-USDT'), OrderIntent, intent(`b${i}`, 'BTC-USDT'), { msgId: `b${i}` });
    await bus.publish(bus.subjects.intent('ETH-USDT'), OrderIntent, intent('e1', 'ETH-USDT'), { msgId: 'e1' });

    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const handles = [];
    for (const decl of bus.topology.durables('risk', shard)) {
      handles.push(
        await bus.consume(decl, OrderIntent, async (m) => {
          if (m.symbol === 'BTC-USDT') await blocked;
          handled.push(m.clientOrderId);
        }),
      );
    }
    // BTC: one intent in the handler (max_ack_pending 1), three waiting; ETH: handled.
    await waitFor('ETH handled and the first BTC intent delivered', async () => {
      const s = await scrape();
      return handled.includes('e1') && s.ackPending[key(btc)] === 1 && s.lag[key(eth)] === 0;
    });
    expect(await scrape()).toEqual({
      lag: { [key(btc)]: 4, [key(eth)]: 0 },
      ackPending: { [key(btc)]: 1, [key(eth)]: 0 },
    });

    release();
    await waitFor('every BTC intent handled and acked', async () => handled.length === 5 && (await scrape()).lag[key(btc)] === 0);
    expect(await scrape()).toEqual({
      lag: { [key(btc)]: 0, [key(eth)]: 0 },
      ackPending: { [key(btc)]: 0, [key(eth)]: 0 },
    });

    // A stopped consumer is no longer reported.
    await handles[0]!.stop();
    expect(Object.keys((await scrape()).lag)).toEqual([key(eth)]);
    await handles[1]!.stop();
    expect(await scrape()).toEqual({ lag: {}, ackPending: {} });
  });

  test('a consumer whose server does not answer in time is left out of the scrape, the others are reported', async () => {
    const m = new Metrics('lag-timeout-test', '1.0.0');
    const o = m.busObserver();
    const answering: BoundConsumer = { stream: 'ORDERS', name: 'recorder-approved', symbol: undefined, lag: async () => ({ pending: 5, ackPending: 2 }) };
    const silent: BoundConsumer = { stream: 'ORDERS', name: 'risk-intent-BTC-USDT', symbol: 'BTC-USDT', lag: () => new Promise(() => undefined) };
    const failing: BoundConsumer = { stream: 'ORDERS', name: 'execution-paper-BTC-USDT', symbol: 'BTC-USDT', lag: async () => Promise.reject(new Error('no responders')) };
    o.consumerBound!(answering);
    o.consumerBound!(silent);
    o.consumerBound!(failing);
    const started = Date.now();
    const body = await m.registry.metrics();
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONSUMER_LAG_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(CONSUMER_LAG_TIMEOUT_MS + 1_000);
    expect(series(body, 'meridian_bus_consumer_lag_messages')).toEqual({ [key({ stream: 'ORDERS', consumer: 'recorder-approved', symbol: '' })]: 7 });
    expect(series(body, 'meridian_bus_consumer_ack_pending_messages')).toEqual({ [key({ stream: 'ORDERS', consumer: 'recorder-approved', symbol: '' })]: 2 });
  });
});
