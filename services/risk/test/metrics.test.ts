// The risk service against a real JetStream server (NATS_URL): the positions, P&L, decisions and
// consumer lag it exports on /metrics, which the Grafana dashboard of charts/meridian reads.
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { Bbo, ExecutionKind, ExecutionReport, OrderIntent, OrderType, Side } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown> | undefined;

beforeAll(async () => {
  env = await createTestEnvironment('riskmet');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-metrics-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }]);
});

afterAll(async () => {
  await risk?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

/** Sample values of one metric by their labels other than `service` (label order not significant). */
function series(body: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: [string, string][] = [];
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) if (k !== 'service') labels.push([k!, v!]);
    out[JSON.stringify(labels.sort())] = Number(m[3]);
  }
  return out;
}
const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${risk!.httpPort}/metrics`)).text();
}

function fill(id: string, side: Side, quantity: string, price: string, fee: string): ExecutionReport {
  return ExecutionReport.fromPartial({
    kind: ExecutionKind.EXECUTION_KIND_FILL,
    venue: 'paper',
    symbol: 'BTC-USDT',
    clientOrderId: id,
    executionId: `${id}-fill-1`,
    side,
    fillQuantity: quantity,
    fillPrice: price,
    fee,
    tsNs: nowNanos(),
  });
}

async function publishFill(f: ExecutionReport): Promise<void> {
  await bus.publish(bus.subjects.execution('paper', 'BTC-USDT', 'fill'), ExecutionReport, f, { msgId: f.executionId });
}

async function publishMid(bid: string, ask: string): Promise<void> {
  const bbo = Bbo.fromPartial({ venue: 'sim', symbol: 'BTC-USDT', seq: 1n, bid: { price: bid, size: '1' }, ask: { price: ask, size: '1' }, tsNs: nowNanos() });
  await bus.publish(bus.subjects.marketData('sim', 'BTC-USDT', 'bbo'), Bbo, bbo);
}

test('exports positions, realized/unrealized P&L and fees per symbol, decisions by reason, consumer lag and readiness', async () => {
  // History replayed at start: long 2 at 100, then 0.5 sold at 110 (realized 5); fees 0.15.
  await publishFill(fill('o1', Side.SIDE_BUY, '2', '100', '0.1'));
  await publishFill(fill('o2', Side.SIDE_SELL, '0.5', '110', '0.05'));
  await publishMid('119', '121');

  risk = (await startService(riskService, env.serviceEnv('BTC-USDT,ETH-USDT'))) as unknown as StartedService<unknown>;

  const btc = { symbol: 'BTC-USDT' };
  await waitFor('the mark applied', async () => series(await scrape(), 'meridian_pnl_quote')[key({ ...btc, kind: 'unrealized' })] !== undefined);
  let body = await scrape();
  expect(series(body, 'meridian_position_quantity')).toEqual({ [key(btc)]: 1.5 });
  // Unrealized at the mid 120: 1.5 x 120 - 1.5 x 100.
  expect(series(body, 'meridian_pnl_quote')).toEqual({
    [key({ ...btc, kind: 'realized' })]: 5,
    [key({ ...btc, kind: 'fees' })]: 0.15,
    [key({ ...btc, kind: 'unrealized' })]: 30,
  });
  expect(series(body, 'meridian_ready')).toEqual({ [key({})]: 1 });
  const stream = `${env.namespace}_ORDERS`;
  expect(series(body, 'meridian_bus_consumer_lag_messages')).toEqual({
    [key({ stream, consumer: 'risk-intent', symbol: 'BTC-USDT' })]: 0,
    [key({ stream, consumer: 'risk-intent', symbol: 'ETH-USDT' })]: 0,
  });

  // Live: the mark moves, a fill closes part of the position, an intent beyond the position limit is refused.
  await publishMid('129', '131');
  await publishFill(fill('o3', Side.SIDE_SELL, '1', '125', '0.05'));
  await bus.publish(
    bus.subjects.intent('BTC-USDT'),
    OrderIntent,
    OrderIntent.fromPartial({
      clientOrderId: 'i1',
      strategy: 's',
      venue: 'paper',
      symbol: 'BTC-USDT',
      side: Side.SIDE_BUY,
      type: OrderType.ORDER_TYPE_MARKET,
      quantity: '1',
      referencePrice: '130',
      tsNs: nowNanos(),
    }),
    { msgId: 'i1' },
  );
  await waitFor('the fill and the decision applied', async () => {
    const b = await scrape();
    return series(b, 'meridian_position_quantity')[key(btc)] === 0.5 && Object.keys(series(b, 'meridian_risk_decisions_total')).length > 0;
  });
  body = await scrape();
  // Realized 5 + 1 x (125 - 100); unrealized 0.5 x 130 - 0.5 x 100.
  expect(series(body, 'meridian_pnl_quote')[key({ ...btc, kind: 'realized' })]).toBe(30);
  expect(series(body, 'meridian_pnl_quote')[key({ ...btc, kind: 'unrealized' })]).toBe(15);
  expect(series(body, 'meridian_pnl_quote')[key({ ...btc, kind: 'fees' })]).toBe(0.2);
  // Position 0.5 + 1 would exceed RISK_MAX_POSITION 1.
  expect(series(body, 'meridian_risk_decisions_total')).toEqual({ [key({ result: 'rejected', reason: 'MAX_POSITION' })]: 1 });
});
