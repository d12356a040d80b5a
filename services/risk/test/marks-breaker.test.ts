// Marks at the last trade, and the circuit breaker's other causes, through the running service
// against a real JetStream server: loss velocity, stale market data (which stands for a lost venue
// feed: no feed status is published on the bus) and the reset after the cool-down. Configuration
// that cannot run is refused at start-up naming the key.
import { credentials } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { RiskEvent, RiskEventType, RiskServiceClient } from '@meridian/proto';
import type { GetRiskSnapshotResponse } from '@meridian/proto';
import { ConfigError, startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';
import { call, intent, publishBbo, publishFill, publishTrades } from './post-trade-helpers';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;
const events: RiskEvent[] = [];
const started: { risk: StartedService<unknown>; client: RiskServiceClient }[] = [];

beforeAll(async () => {
  env = await createTestEnvironment('riskmb');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-marks-breaker-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }]);
  await bus.follow('RISK', bus.subjects.riskEventsAll(), RiskEvent, (e) => void events.push(e), { deliver: 'all' });
});

afterAll(async () => {
  for (const s of started) {
    s.client.close();
    await s.risk.shutdown();
  }
  await bus?.close();
  await env?.cleanup();
});

const baseEnv = () => ({
  ...env.serviceEnv('BTC-USDT,ETH-USDT'),
  RISK_MAX_ORDER_QUANTITY: '1000',
  RISK_MAX_ORDER_NOTIONAL: '10000000',
  RISK_MAX_POSITION: '100',
});

async function start(extra: Record<string, string>) {
  const risk = (await startService(riskService, { ...baseEnv(), ...extra })) as unknown as StartedService<unknown>;
  const client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
  started.push({ risk, client });
  return { risk, client, snapshot: () => call<object, GetRiskSnapshotResponse>(client.getRiskSnapshot.bind(client), {}) };
}

async function stopLast(): Promise<void> {
  const s = started.pop()!;
  s.client.close();
  await s.risk.shutdown();
}

test('configuration that cannot run is refused naming the key', async () => {
  const refused = async (extra: Record<string, string>) => {
    try {
      await startService(riskService, { ...baseEnv(), ...extra });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`started with ${JSON.stringify(extra)}`);
  };
  expect(await refused({ RISK_STOPS: '{"ETH-USDT":{"price":"1","distance":"2"}}' })).toMatch(/RISK_STOPS: ETH-USDT must set exactly one of price, distance, distanceBps/);
  expect(await refused({ RISK_STOPS: '{"ETH-USDT":{"distanceBps":"-5"}}' })).toMatch(/RISK_STOPS: ETH-USDT.distanceBps must be positive, got -5/);
  expect(await refused({ RISK_MARK_SOURCE: 'vwap' })).toMatch(/RISK_MARK_SOURCE: expected one of mid, last, got "vwap"/);
  expect(await refused({ RISK_VAR_CONFIDENCE: '1' })).toMatch(/RISK_VAR_CONFIDENCE: expected a number strictly between 0.5 and 1, got "1"/);
  expect(await refused({ RISK_VAR_BAR_INTERVAL: 'v10' })).toMatch(/RISK_VAR_BAR_INTERVAL: expected a time bar interval/);
  expect(await refused({ RISK_VAR_HORIZON: '60', RISK_VAR_LOOKBACK: '60' })).toMatch(/RISK_VAR_HORIZON: 60 bars must be fewer than RISK_VAR_LOOKBACK, 60/);
  expect(await refused({ RISK_ACCOUNT: 'main.1' })).toMatch(/RISK_ACCOUNT: expected letters, digits/);
  expect(await refused({ RISK_BREAKER_MAX_LOSS: '-1' })).toMatch(/RISK_BREAKER_MAX_LOSS: must not be negative, got -1/);
  expect(await refused({ RISK_BREAKER_AUTO_RESET: 'maybe' })).toMatch(/RISK_BREAKER_AUTO_RESET: expected true or false/);
});

test('marks at the last trade value P&L and the exposures the limits read', async () => {
  await publishFill(bus, { strategy: 'alpha', symbol: 'BTC-USDT', side: 'BUY', quantity: '2', price: '100', fee: '0' });
  await publishBbo(bus, 'BTC-USDT', '99', '101');
  await publishTrades(bus, 'BTC-USDT', ['100.5', '103.25']);
  const { snapshot } = await start({ RISK_MARK_SOURCE: 'last', RISK_ACCOUNT: 'last' });
  let s = await snapshot();
  expect(s.markSource).toBe('last');
  // The last trade of the batch is the mark, not the mid 100.
  expect(s.positions.find((p) => p.symbol === 'BTC-USDT')).toMatchObject({ quantity: '2', markPrice: '103.25', unrealizedPnl: '6.5' });
  expect(s.exposure).toMatchObject({ gross: '206.5', netLong: '206.5' });
  // A BBO alone moves nothing; a trade does.
  await publishBbo(bus, 'BTC-USDT', '89', '91');
  await publishTrades(bus, 'BTC-USDT', ['97']);
  s = await waitFor('the trade mark', async () => {
    const r = await snapshot();
    return r.pnl?.unrealizedPnl === '-6' ? r : undefined;
  });
  expect(s.exposure?.gross).toBe('194');
  await stopLast();
});

test('loss velocity trips the breaker; its cause clears and the cool-down resets it', async () => {
  // Long 2 BTC at 100 (previous test), ETH long 1 at 10; marks at the mid.
  await publishFill(bus, { strategy: 'alpha', symbol: 'ETH-USDT', side: 'BUY', quantity: '1', price: '10', fee: '0' });
  await publishBbo(bus, 'BTC-USDT', '99', '101');
  await publishBbo(bus, 'ETH-USDT', '9.9', '10.1');
  const { snapshot } = await start({
    RISK_ACCOUNT: 'velocity',
    RISK_BREAKER_MAX_LOSS: '15',
    RISK_BREAKER_LOSS_WINDOW_MS: '1500',
    RISK_BREAKER_COOL_DOWN_MS: '500',
    RISK_BREAKER_CHECK_INTERVAL_MS: '20',
  });
  await new Promise((r) => setTimeout(r, 100));
  // Equity 0 → −20 (2 × (90 − 100)): a fall of 20 within the window.
  await publishBbo(bus, 'BTC-USDT', '89', '91');
  const trip = await waitFor('loss velocity', () => events.find((e) => e.account === 'velocity' && e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_TRIPPED));
  expect(trip).toMatchObject({ cause: 'LOSS_VELOCITY', detail: 'net P&L fell 20 within 1500 ms, more than 15', eventId: 'breaker-velocity-1' });
  expect((await snapshot()).breaker).toMatchObject({ tripped: true, causes: ['LOSS_VELOCITY'] });
  // The fall leaves the window (1.5 s), then the cool-down has long passed: reset by itself.
  const reset = await waitFor('the reset', () => events.find((e) => e.account === 'velocity' && e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_RESET), 10_000);
  expect(reset).toMatchObject({ eventId: 'breaker-velocity-2', actor: 'cool-down', detail: 'every cause cleared and the cool-down passed' });
  // The window counts from the last sample at the old high, which precedes the trip by about one
  // check interval (20 ms) and the BBO's delivery.
  expect(Number(reset.tsNs - trip.tsNs) / 1e6).toBeGreaterThanOrEqual(1_400);
  expect((await snapshot()).breaker).toMatchObject({ tripped: false, revision: 2n });
  await stopLast();
});

test('stale market data trips the breaker until data flows again', async () => {
  const { client } = await start({ RISK_ACCOUNT: 'stale', RISK_BREAKER_MAX_MARKET_DATA_AGE_MS: '800', RISK_BREAKER_COOL_DOWN_MS: '200', RISK_BREAKER_CHECK_INTERVAL_MS: '20' });
  // The last BBOs were published by the tests before: older than 800 ms soon, for both symbols.
  const trip = await waitFor('stale data', () => events.find((e) => e.account === 'stale' && e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_TRIPPED), 10_000);
  expect(trip).toMatchObject({ cause: 'STALE_MARKET_DATA', detail: expect.stringMatching(/^(BTC|ETH)-USDT market data is \d+ ms old \(limit 800 ms\)$/) });
  expect(await call(client.checkOrder.bind(client), { intent: intent('st-1', 'ETH-USDT', 'BUY', '1', '10') })).toMatchObject({ approved: false, reason: 'CIRCUIT_BREAKER' });
  // Fresh data on both: the cause clears, and 200 ms after the trip it resets.
  const feed = setInterval(() => {
    void publishBbo(bus, 'BTC-USDT', '99', '101');
    void publishBbo(bus, 'ETH-USDT', '9.9', '10.1');
  }, 200);
  try {
    await waitFor('the reset', () => events.some((e) => e.account === 'stale' && e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_RESET), 10_000);
    expect(await call(client.checkOrder.bind(client), { intent: intent('st-2', 'ETH-USDT', 'BUY', '1', '10') })).toMatchObject({ approved: true });
  } finally {
    clearInterval(feed);
  }
  await stopLast();
});
