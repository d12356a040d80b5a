// The coordinator against a real JetStream server (NATS_URL): an order that settled is forgotten
// within two ORDER_RETENTION_MS, a working one is kept and still counts.
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { ExecutionKind, ExecutionReport, OrderIntent, Side, Signal } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { coordinatorService } from '../src/service';

const SYMBOL = 'BTC-USDT';
let env: TestEnvironment;
let bus: Bus;
let coordinator: StartedService<unknown> | undefined;

beforeAll(async () => {
  env = await createTestEnvironment('coordret');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'coordinator-retention-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: [SYMBOL], venues: ['paper'] }]);
});

afterAll(async () => {
  await coordinator?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

function signal(score: number): Signal {
  return Signal.fromPartial({ model: 'momentum', venue: 'sim', symbol: SYMBOL, score, referencePrice: '50000', horizonMs: 60_000n, tsNs: nowNanos() });
}

/** A sample of the coordinator's /metrics: the first line of `name` whose labels include `labels` (0 when absent). */
async function metric(name: string, labels = ''): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${coordinator!.httpPort}/metrics`)).text();
  const line = body.split('\n').find((l) => (l.startsWith(`meridian_${name}{`) || l.startsWith(`meridian_${name} `)) && l.includes(labels));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

test('forgets an order filled in full within two ORDER_RETENTION_MS; a working one stays and still holds the next signal back', async () => {
  const intents: OrderIntent[] = [];
  await bus.follow('ORDERS', bus.subjects.intent(SYMBOL), OrderIntent, (i) => void intents.push(i), { deliver: 'all' });
  coordinator = (await startService(coordinatorService, {
    ...env.env,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'fatal',
    SYMBOLS: SYMBOL,
    SHUTDOWN_TIMEOUT_MS: '5000',
    INTENT_INTERVAL_MS: '0',
    ORDER_RETENTION_MS: '1000',
  })) as unknown as StartedService<unknown>;

  await bus.publish(bus.subjects.signal('momentum', SYMBOL), Signal, signal(0.9));
  await waitFor('the buy intent', async () => intents.length === 1);
  const buy = intents[0]!;
  const fill = ExecutionReport.fromPartial({
    kind: ExecutionKind.EXECUTION_KIND_FILL,
    venue: 'paper',
    symbol: SYMBOL,
    clientOrderId: buy.clientOrderId,
    executionId: `${buy.clientOrderId}-fill`,
    side: Side.SIDE_BUY,
    fillQuantity: buy.quantity,
    fillPrice: '50000',
    fee: '0',
    tsNs: nowNanos(),
  });
  await bus.publish(bus.subjects.execution('paper', SYMBOL, 'fill'), ExecutionReport, fill, { msgId: fill.executionId });
  await bus.publish(bus.subjects.signal('momentum', SYMBOL), Signal, signal(-0.9));
  await waitFor('the sell intent, sent once the buy filled', async () => intents.length === 2);

  await waitFor('the filled buy forgotten, the working sell kept', async () => (await metric('coordinator_orders_forgotten_total')) === 1 && (await metric('coordinator_orders_remembered')) === 1, 15_000);
  const workingSkips = await metric('coordinator_signals_skipped_total', 'reason="order_working"');
  await bus.publish(bus.subjects.signal('momentum', SYMBOL), Signal, signal(0.9));
  await waitFor('the next signal held back by the working sell', async () => (await metric('coordinator_signals_skipped_total', 'reason="order_working"')) === workingSkips + 1);
  expect(intents).toHaveLength(2);
});
