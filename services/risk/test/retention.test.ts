// Risk forgets settled orders: against a real JetStream server (NATS_URL), orders filled in full,
// cancelled or rejected leave its memory within two RISK_ORDER_RETENTION_MS while working orders
// stay counted, also after a restart rebuilt everything from the streams; a redelivered intent of
// a remembered order keeps its first decision; a retention shorter than INTENT_MAX_AGE_MS stops
// the service at start-up.
import { credentials, Metadata } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { ApprovedOrder, Bbo, ExecutionKind, ExecutionReport, OrderIntent, OrderRejection, OrderType, RiskServiceClient, Side } from '@meridian/proto';
import type { CheckOrderResponse } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

jest.setTimeout(60_000);

const SYMBOL = 'BTC-USDT';
const RETENTION_MS = 2_000;

let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown> | undefined;
const approved = new Map<string, ApprovedOrder>();
const approvals = new Map<string, number>();
const rejected = new Map<string, OrderRejection>();

function serviceEnv(): NodeJS.ProcessEnv {
  return {
    ...env.serviceEnv(SYMBOL),
    RISK_MAX_ORDER_QUANTITY: '10',
    RISK_MAX_ORDER_NOTIONAL: '100000',
    RISK_MAX_POSITION: '1000',
    RISK_LIMITS: JSON.stringify({ global: { priceBandBps: '100' } }),
    INTENT_MAX_AGE_MS: String(RETENTION_MS),
    RISK_ORDER_RETENTION_MS: String(RETENTION_MS),
  };
}

beforeAll(async () => {
  env = await createTestEnvironment('riskret');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-retention-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: [SYMBOL], venues: ['paper'] }]);
  await bus.follow('ORDERS', bus.subjects.approvedAll(), ApprovedOrder, (a) => {
    approved.set(a.intent!.clientOrderId, a);
    approvals.set(a.intent!.clientOrderId, (approvals.get(a.intent!.clientOrderId) ?? 0) + 1);
  }, { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.rejectedAll(), OrderRejection, (r) => void rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
  await bus.publish(
    bus.subjects.marketData('sim', SYMBOL, 'bbo'),
    Bbo,
    Bbo.fromPartial({ venue: 'sim', symbol: SYMBOL, seq: 1n, bid: { price: '99', size: '1' }, ask: { price: '101', size: '1' }, tsNs: nowNanos() }),
  );
});

afterAll(async () => {
  await risk?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

function intent(id: string, side: 'BUY' | 'SELL', limitPrice: string): OrderIntent {
  return OrderIntent.fromPartial({
    clientOrderId: id,
    strategy: 'ret',
    venue: 'paper',
    symbol: SYMBOL,
    side: side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
    type: OrderType.ORDER_TYPE_LIMIT,
    quantity: '1',
    limitPrice,
    tsNs: nowNanos(),
  });
}

async function decide(i: OrderIntent): Promise<'approved' | string> {
  await bus.publish(bus.subjects.intent(SYMBOL), OrderIntent, i, { msgId: `${i.clientOrderId}-${i.tsNs}` });
  return waitFor(`the decision on ${i.clientOrderId}`, () => (approved.has(i.clientOrderId) ? 'approved' : rejected.get(i.clientOrderId)?.reason));
}

async function execution(kind: 'fill' | 'cancel', id: string): Promise<void> {
  const report = ExecutionReport.fromPartial({
    kind: kind === 'fill' ? ExecutionKind.EXECUTION_KIND_FILL : ExecutionKind.EXECUTION_KIND_CANCEL,
    venue: 'paper',
    symbol: SYMBOL,
    clientOrderId: id,
    executionId: `${id}-${kind}`,
    tsNs: nowNanos(),
    ...(kind === 'fill' ? { side: Side.SIDE_BUY, fillQuantity: '1', fillPrice: '100', fee: '0' } : {}),
  });
  await bus.publish(bus.subjects.execution('paper', SYMBOL, kind), ExecutionReport, report, { msgId: report.executionId });
}

async function metrics(): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${risk!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/^meridian_(risk_orders_remembered|risk_orders_forgotten_total|risk_open_orders)(?:\{[^}]*kind="([a-z]+)"[^}]*\}|\{[^}]*\})? (\S+)$/gm)) {
    out[m[2] ? `${m[1]}.${m[2]}` : m[1]!] = Number(m[3]);
  }
  return out;
}

test('settled orders leave memory within two retention intervals, working ones stay; the same after a restart', async () => {
  risk = (await startService(riskService, serviceEnv())) as unknown as StartedService<unknown>;
  // 8 filled in full, 8 cancelled, 4 rejected by the price band, 2 left working.
  for (let n = 0; n < 18; n++) expect(await decide(intent(`r${n}`, 'BUY', '100'))).toBe('approved');
  for (let n = 0; n < 4; n++) expect(await decide(intent(`x${n}`, 'BUY', '110'))).toBe('PRICE_BAND');
  for (let n = 0; n < 8; n++) await execution('fill', `r${n}`);
  for (let n = 8; n < 16; n++) await execution('cancel', `r${n}`);
  const settled = await waitFor(
    'the settled orders forgotten',
    async () => {
      const m = await metrics();
      return m['risk_orders_remembered.state'] === 2 && m['risk_orders_remembered.decided'] === 2 ? m : undefined;
    },
    10 * RETENTION_MS,
  );
  expect(settled).toMatchObject({ 'risk_open_orders': 2, 'risk_orders_forgotten_total.state': 16, 'risk_orders_forgotten_total.decided': 20 });

  // The working ones still count, and a redelivered intent of one keeps its decision (no second one).
  const client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
  const check = await new Promise<CheckOrderResponse>((resolve, reject) =>
    client.checkOrder({ intent: intent('probe', 'BUY', '100') }, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))),
  );
  client.close();
  expect(check.approved).toBe(true);
  const redelivered = intent('r16', 'BUY', '100');
  await bus.publish(bus.subjects.intent(SYMBOL), OrderIntent, redelivered, { msgId: `again-${redelivered.tsNs}` });
  // Decided in order: once the next intent's decision is out, the repeat was read.
  expect(await decide(intent('after', 'BUY', '100'))).toBe('approved');
  expect(approvals.get('r16')).toBe(1);

  // A restart replays every stream (all 23 orders) and forgets the settled ones again.
  await risk.shutdown();
  risk = (await startService(riskService, serviceEnv())) as unknown as StartedService<unknown>;
  const again = await waitFor(
    'the settled orders forgotten after the restart',
    async () => {
      const m = await metrics();
      return m['risk_orders_remembered.state'] === 3 && m['risk_orders_remembered.decided'] === 3 ? m : undefined;
    },
    10 * RETENTION_MS,
  );
  expect(again).toMatchObject({ 'risk_open_orders': 3, 'risk_orders_forgotten_total.state': 16, 'risk_orders_forgotten_total.decided': 20 });
});

test('a retention shorter than INTENT_MAX_AGE_MS stops the service at start-up, naming both keys', async () => {
  await expect(startService(riskService, { ...serviceEnv(), RISK_ORDER_RETENTION_MS: '1000', INTENT_MAX_AGE_MS: '5000' })).rejects.toThrow(
    'RISK_ORDER_RETENTION_MS: 1000 ms must be at least INTENT_MAX_AGE_MS, 5000 ms',
  );
});
