// The coordinator against a real JetStream server (NATS_URL): every model of a symbol publishes
// under sig.*.<symbol>, and the strategy acts only on the model it is configured to follow.
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { OrderIntent, Side, Signal } from '@meridian/proto';
import { ConfigError, startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { coordinatorService } from '../src/service';

const SYMBOL = 'BTC-USDT';
let env: TestEnvironment;
let bus: Bus;
let coordinator: StartedService<unknown> | undefined;

beforeAll(async () => {
  env = await createTestEnvironment('coordsig');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'coordinator-signal-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: [SYMBOL], venues: ['paper'] }]);
});

afterAll(async () => {
  await coordinator?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

const baseEnv = () => ({ ...env.env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'fatal', SYMBOLS: SYMBOL, SHUTDOWN_TIMEOUT_MS: '5000', INTENT_INTERVAL_MS: '0' });

function signal(model: string, score: number): Signal {
  return Signal.fromPartial({ model, venue: 'sim', symbol: SYMBOL, score, referencePrice: '50000', horizonMs: 60_000n, tsNs: nowNanos() });
}

async function skippedOtherModel(): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${coordinator!.httpPort}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith('meridian_coordinator_signals_skipped_total{') && l.includes('reason="other_model"'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

test('acts on the configured model and counts the others as skipped', async () => {
  const intents: OrderIntent[] = [];
  await bus.follow('ORDERS', bus.subjects.intent(SYMBOL), OrderIntent, (i) => void intents.push(i), { deliver: 'all' });
  coordinator = (await startService(coordinatorService, { ...baseEnv(), SIGNAL_MODEL: 'lstm-btc' })) as unknown as StartedService<unknown>;

  // Momentum says sell hard: not the model this strategy follows.
  await bus.publish(bus.subjects.signal('momentum', SYMBOL), Signal, signal('momentum', -0.9));
  await waitFor('the momentum signal counted as skipped', async () => (await skippedOtherModel()) === 1);
  expect(intents).toEqual([]);

  // The followed model says buy: one intent, a buy.
  await bus.publish(bus.subjects.signal('lstm-btc', SYMBOL), Signal, signal('lstm-btc', 0.9));
  await waitFor('an intent from the followed model', async () => intents.length === 1);
  expect(intents[0]!.side).toBe(Side.SIDE_BUY);
  expect(intents[0]!.symbol).toBe(SYMBOL);

  // Another momentum signal changes nothing; the intent count stays at one.
  await bus.publish(bus.subjects.signal('momentum', SYMBOL), Signal, signal('momentum', -0.9));
  await waitFor('the second momentum signal counted as skipped', async () => (await skippedOtherModel()) === 2);
  expect(intents).toHaveLength(1);
});

test('refuses a model name that is not a subject token, naming the key', async () => {
  const started = startService(coordinatorService, { ...baseEnv(), SIGNAL_MODEL: 'lstm.btc' });
  await expect(started).rejects.toBeInstanceOf(ConfigError);
  await expect(started).rejects.toThrow(/SIGNAL_MODEL/);
});
