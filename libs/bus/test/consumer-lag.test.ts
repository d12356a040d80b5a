// The backlog of bound durable consumers, read from a real JetStream server: what the runtime
// exports as meridian_bus_consumer_lag_messages.
import { OrderIntent, Side } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { Bus, provisionTopology } from '../src';
import type { BoundConsumer, BusObserver } from '../src';

let env: TestEnvironment;
let bus: Bus;
const shard = { symbols: ['BTC-USDT'], venues: ['paper'] };
const bound: BoundConsumer[] = [];
const unbound: BoundConsumer[] = [];
const observer: BusObserver = {
  published() {},
  handled() {},
  rejected() {},
  consumerBound: (c) => bound.push(c),
  consumerUnbound: (c) => unbound.push(c),
};

beforeAll(async () => {
  env = await createTestEnvironment('buslag');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'bus-lag-test', namespace: env.namespace, observer });
  await provisionTopology(bus.jsm, bus.topology, [shard]);
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

function intent(id: string): OrderIntent {
  return OrderIntent.fromPartial({ clientOrderId: id, symbol: 'BTC-USDT', venue: 'paper', side: Side.SIDE_BUY, quantity: '0.01', tsNs: 1n });
}

test('per-symbol durables carry their symbol; shared ones do not', () => {
  const all = bus.topology.allDurables({ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] });
  const symbolOf = Object.fromEntries(all.map((d) => [d.config.durable_name, d.symbol]));
  expect(symbolOf).toEqual({
    'risk-intent-BTC-USDT': 'BTC-USDT',
    'risk-intent-ETH-USDT': 'ETH-USDT',
    'execution-paper-BTC-USDT': 'BTC-USDT',
    'execution-paper-ETH-USDT': 'ETH-USDT',
    'coordinator-signal-BTC-USDT': 'BTC-USDT',
    'coordinator-signal-ETH-USDT': 'ETH-USDT',
    'recorder-approved': undefined,
    'recorder-rejected': undefined,
    'recorder-executions': undefined,
    'recorder-bars': undefined,
    'recorder-risk-limits': undefined,
  });
  for (const d of all) if (d.symbol) expect(d.config.durable_name.endsWith(`-${d.symbol}`)).toBe(true);
});

test('a bound durable reports pending and ack-pending messages from the server, and is unbound on stop', async () => {
  const subject = bus.subjects.intent('BTC-USDT');
  for (const id of ['lag-1', 'lag-2', 'lag-3']) await bus.publish(subject, OrderIntent, intent(id), { msgId: id });

  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const handled: string[] = [];
  const [decl] = bus.topology.durables('risk', shard);
  const handle = await bus.consume(decl!, OrderIntent, async (m) => {
    if (m.clientOrderId === 'lag-1') await blocked;
    handled.push(m.clientOrderId);
  });

  expect(bound).toHaveLength(1);
  const c = bound[0]!;
  expect({ stream: c.stream, name: c.name, symbol: c.symbol }).toEqual({
    stream: `${env.namespace}_ORDERS`,
    name: 'risk-intent-BTC-USDT',
    symbol: 'BTC-USDT',
  });
  // max_ack_pending 1: the first intent is in the handler, the other two wait on the server.
  await waitFor('the first intent delivered', async () => (await c.lag()).ackPending === 1);
  expect(await c.lag()).toEqual({ pending: 2, ackPending: 1 });

  release();
  await waitFor('every intent handled', () => handled.length === 3);
  await waitFor('the last ack counted', async () => (await c.lag()).ackPending === 0);
  expect(await c.lag()).toEqual({ pending: 0, ackPending: 0 });

  expect(unbound).toHaveLength(0);
  await handle.stop();
  await handle.stop();
  expect(unbound).toEqual([c]);
});
