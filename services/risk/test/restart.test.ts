// Risk killed with SIGKILL mid-run and started again, as a process (node dist/main.js) against a
// real JetStream server: positions, stops (a trailing stop's best mark included), the circuit
// breaker and the equity curve's drawdown come back identical. They are rebuilt from the streams
// only: positions from EXECUTIONS; stops from their checkpoints on ctl.stop.<symbol> and the marks
// after them on MARKET; the breaker from ctl.breaker.<account>; the drawdown and the limits' peak
// from the last point on risk.equity.<account>. A stop that fired just before the kill does not
// send a second closing intent.
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { ApprovedOrder, OrderIntent, OrderRejection, RiskEquitySnapshot, RiskServiceClient, RiskStop, RiskStopState, SetStopRequest } from '@meridian/proto';
import type { GetRiskSnapshotResponse, SetStopResponse } from '@meridian/proto';
import { ServiceProcess, assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { call, intent, publishBbo, publishFill } from './post-trade-helpers';

jest.setTimeout(120_000);

const PACKAGE = join(__dirname, '..');
let env: TestEnvironment;
let bus: Bus;
let risk: ServiceProcess | undefined;
let client: RiskServiceClient | undefined;
const intents: OrderIntent[] = [];
const approved: ApprovedOrder[] = [];
const rejected: OrderRejection[] = [];
const points: RiskEquitySnapshot[] = [];

const riskEnv = () => ({
  ...env.env,
  HOST: '127.0.0.1',
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  SYMBOLS: 'BTC-USDT,ETH-USDT',
  SHUTDOWN_TIMEOUT_MS: '5000',
  RISK_MAX_ORDER_QUANTITY: '1000',
  RISK_MAX_ORDER_NOTIONAL: '10000000',
  RISK_MAX_POSITION: '100',
  RISK_EQUITY_INTERVAL_MS: '200',
  // Longer than the test: the trailing stop's checkpoint keeps the best mark of its arming (100),
  // so only the replay of the marks after it can bring back the best mark (125).
  RISK_STOP_CHECKPOINT_MS: '60000',
  RISK_BREAKER_MAX_REJECTS: '2',
  RISK_BREAKER_REJECT_WINDOW_MS: '60000',
  RISK_BREAKER_AUTO_RESET: 'false',
});

async function start(): Promise<void> {
  risk = await ServiceProcess.start(PACKAGE, riskEnv(), { name: 'risk' });
  client = new RiskServiceClient(risk.grpcAddress, credentials.createInsecure());
}

async function kill(): Promise<void> {
  client?.close();
  const exit = await risk!.stop('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
}

const snapshot = () => call<object, GetRiskSnapshotResponse>(client!.getRiskSnapshot.bind(client!), {});

/** The state that must survive the restart (times of the response and of the stops' reads left out). */
function durable(s: GetRiskSnapshotResponse) {
  return {
    positions: s.positions,
    pnl: s.pnl,
    strategies: s.strategies,
    exposure: s.exposure,
    equity: s.equity,
    stops: s.stops.map((t) => ({ ...t, tsNs: 0n })),
    breaker: s.breaker,
    drawdown: { ...s.drawdown, maxDurationMs: 0n },
  };
}

beforeAll(async () => {
  assertBuilt(PACKAGE, '@meridian/risk');
  env = await createTestEnvironment('riskkill');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-restart-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }]);
  await bus.follow('ORDERS', bus.subjects.intentsAll(), OrderIntent, (i) => void intents.push(i), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.approvedAll(), ApprovedOrder, (a) => void approved.push(a), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.rejectedAll(), OrderRejection, (r) => void rejected.push(r), { deliver: 'all' });
  await bus.follow('RISK', bus.subjects.riskEquity('main'), RiskEquitySnapshot, (p) => void points.push(p), { deliver: 'all' });
  await publishFill(bus, { strategy: 'alpha', symbol: 'BTC-USDT', side: 'BUY', quantity: '2', price: '100', fee: '0.1' });
  await publishFill(bus, { strategy: 'beta', symbol: 'ETH-USDT', side: 'BUY', quantity: '4', price: '10', fee: '0.1' });
  await publishBbo(bus, 'BTC-USDT', '99', '101');
  await publishBbo(bus, 'ETH-USDT', '9.9', '10.1');
  await start();
});

afterAll(async () => {
  client?.close();
  await risk?.stop('SIGTERM');
  await bus?.close();
  await env?.cleanup();
});

test('after SIGKILL, positions, stops, the breaker and the drawdown come back identical', async () => {
  const setStop = (req: Partial<SetStopRequest>) => call<SetStopRequest, SetStopResponse>(client!.setStop.bind(client!), SetStopRequest.fromPartial(req));
  await setStop({ symbol: 'BTC-USDT', distance: '10', actor: 'alice', reason: 'trail' });
  await setStop({ symbol: 'ETH-USDT', price: '8', actor: 'alice', reason: 'floor' });

  // BTC runs to 125 and turns to 118: equity 2 × 25 − 0.2 = 49.8 at the peak, then 35.8.
  await publishBbo(bus, 'BTC-USDT', '109', '111');
  await publishBbo(bus, 'BTC-USDT', '124', '126');
  await waitFor('a point at the peak', () => points.some((p) => p.pnl?.equity === '49.8'));
  await publishBbo(bus, 'BTC-USDT', '117', '119');
  await waitFor('a point after the turn', () => points.some((p) => p.pnl?.equity === '35.8'));
  // Two rejections trip the breaker (no auto reset).
  for (const id of ['k-big-1', 'k-big-2']) {
    await bus.publish(bus.subjects.intent('BTC-USDT'), OrderIntent, intent(id, 'BTC-USDT', 'BUY', '5000', '118'), { msgId: id });
  }
  await waitFor('the breaker tripped', async () => (await snapshot()).breaker?.tripped === true);

  const before = await snapshot();
  expect(before.stops.map((t) => [t.symbol, t.extreme, t.stopPrice])).toEqual([
    ['BTC-USDT', '125', '115'],
    ['ETH-USDT', '', '8'],
  ]);
  expect(before.drawdown).toMatchObject({ peakEquity: '49.8', drawdown: '14', maxDrawdown: '14' });
  expect(before.equity).toMatchObject({ equity: '35.8', peakEquity: '49.8', dailyPnl: '35.8', drawdown: '14' });
  expect(before.breaker).toMatchObject({ tripped: true, causes: ['REJECT_BURST'], revision: 1n });
  // On the stream the trailing stop's checkpoint still has the best mark of its arming.
  expect(await bus.lastValue('CONTROL', bus.subjects.stop('BTC-USDT'), RiskStop)).toMatchObject({ extreme: '100', stopPrice: '90', state: RiskStopState.RISK_STOP_STATE_ARMED });

  await kill();
  await start();
  const after = await snapshot();
  expect(durable(after)).toEqual(durable(before));
  expect(after.drawdown!.maxDurationMs).toBeGreaterThanOrEqual(before.drawdown!.maxDurationMs);
  // Still refusing opening orders.
  expect(await call(client!.checkOrder.bind(client!), { intent: intent('k-probe', 'BTC-USDT', 'BUY', '1', '118') })).toMatchObject({ reason: 'CIRCUIT_BREAKER' });
});

test('a stop that fired just before the kill sends no second closing intent', async () => {
  const armed = await bus.lastValue('CONTROL', bus.subjects.stop('BTC-USDT'), RiskStop);
  // Through the trailing stop at 115: one closing intent, approved although the breaker is tripped (it reduces).
  await publishBbo(bus, 'BTC-USDT', '113', '115');
  await waitFor('the closing intent', () => intents.some((i) => i.clientOrderId === 'risk-stop-BTC-USDT-1'));
  await kill();
  // As if risk had died between the intent and its checkpoint: the stop is armed again on the stream.
  await bus.publish(bus.subjects.stop('BTC-USDT'), RiskStop, armed!);
  await start();
  await waitFor('the stop triggered again from the replayed marks', async () => (await bus.lastValue('CONTROL', bus.subjects.stop('BTC-USDT'), RiskStop))?.state === RiskStopState.RISK_STOP_STATE_TRIGGERED);
  await waitFor('the decision', () => approved.some((a) => a.intent?.clientOrderId === 'risk-stop-BTC-USDT-1'));
  await new Promise((r) => setTimeout(r, 500));
  // One intent on the stream (the repeat had the same Nats-Msg-Id), one decision.
  expect(intents.filter((i) => i.clientOrderId === 'risk-stop-BTC-USDT-1')).toHaveLength(1);
  expect(approved.filter((a) => a.intent?.clientOrderId === 'risk-stop-BTC-USDT-1')).toHaveLength(1);
  expect(rejected.filter((r) => r.intent?.clientOrderId === 'risk-stop-BTC-USDT-1')).toHaveLength(0);
  expect((await snapshot()).stops.map((t) => t.symbol)).toEqual(['ETH-USDT']);
  expect(risk!.logs.some((l) => l.includes('stop triggered: closing intent sent'))).toBe(true);
});
