// Limits changed at run time through gRPC UpdateLimits against a real JetStream server (NATS_URL):
// refused with the offending path, published on ctl.config.risk and applied from the stream (used
// by the next decision, without a restart), kept over a restart, and an invalid change read from
// the stream is refused and counted while the previous limits stay.
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { ApprovedOrder, Bbo, OrderIntent, OrderRejection, OrderType, RiskLimitsChange, RiskServiceClient, Side } from '@meridian/proto';
import type { CheckOrderResponse, GetLimitsResponse, GetRiskSnapshotResponse, UpdateLimitsRequest, UpdateLimitsResponse } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown> | undefined;
let client: RiskServiceClient | undefined;
const approved = new Set<string>();
const rejected = new Map<string, OrderRejection>();
const changes: RiskLimitsChange[] = [];

function serviceEnv(): NodeJS.ProcessEnv {
  return {
    ...env.serviceEnv('BTC-USDT'),
    RISK_MAX_ORDER_QUANTITY: '10',
    RISK_MAX_ORDER_NOTIONAL: '100000',
    RISK_MAX_POSITION: '100',
    RISK_LIMITS: JSON.stringify({ global: { maxOpenOrders: 50 } }),
  };
}

async function start(): Promise<void> {
  risk = (await startService(riskService, serviceEnv())) as unknown as StartedService<unknown>;
  client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
}

async function stop(): Promise<void> {
  client?.close();
  client = undefined;
  await risk?.shutdown();
  risk = undefined;
}

beforeAll(async () => {
  env = await createTestEnvironment('risklim');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-limits-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  await bus.follow('ORDERS', bus.subjects.approvedAll(), ApprovedOrder, (a) => void approved.add(a.intent!.clientOrderId), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.rejectedAll(), OrderRejection, (r) => void rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
  await bus.follow('CONTROL', bus.subjects.config('risk'), RiskLimitsChange, (c) => void changes.push(c), { deliver: 'all' });
  await bus.publish(
    bus.subjects.marketData('sim', 'BTC-USDT', 'bbo'),
    Bbo,
    Bbo.fromPartial({ venue: 'sim', symbol: 'BTC-USDT', seq: 1n, bid: { price: '99', size: '1' }, ask: { price: '101', size: '1' }, tsNs: nowNanos() }),
  );
  await start();
});

afterAll(async () => {
  await stop();
  await bus?.close();
  await env?.cleanup();
});

function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}
const getLimits = () => call<object, GetLimitsResponse>(client!.getLimits.bind(client!), {});
const updateLimits = (req: Partial<UpdateLimitsRequest>) =>
  call<UpdateLimitsRequest, UpdateLimitsResponse>(client!.updateLimits.bind(client!), { limitsJson: '', actor: '', reason: '', expectedRevision: 0n, ...req });
const snapshot = () => call<object, GetRiskSnapshotResponse>(client!.getRiskSnapshot.bind(client!), {});
const refusal = (p: Promise<unknown>) => p.then(() => ({ code: -1, details: 'accepted' }), (err: ServiceError) => ({ code: err.code, details: err.details }));

function intent(id: string, quantity: string): OrderIntent {
  return OrderIntent.fromPartial({
    clientOrderId: id,
    venue: 'paper',
    symbol: 'BTC-USDT',
    side: Side.SIDE_BUY,
    type: OrderType.ORDER_TYPE_LIMIT,
    quantity,
    limitPrice: '100',
    tsNs: nowNanos(),
  });
}
const checkOrder = (i: OrderIntent) => call<{ intent: OrderIntent }, CheckOrderResponse>(client!.checkOrder.bind(client!), { intent: i });

async function decide(i: OrderIntent): Promise<string> {
  await bus.publish(bus.subjects.intent(i.symbol), OrderIntent, i, { msgId: i.clientOrderId });
  return waitFor(`the decision on ${i.clientOrderId}`, () => (approved.has(i.clientOrderId) ? 'approved' : rejected.get(i.clientOrderId)?.reason));
}

async function metric(name: string): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${risk!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out[(m[2] ?? '').replace(/,?service="risk"/, '')] = Number(m[3]);
  }
  return out;
}

const TIGHT = {
  global: { maxOrderQuantity: '2', maxOrderNotional: '100000', maxPosition: '100', maxOpenOrders: 50 },
  perSymbol: { 'BTC-USDT': { maxSymbolOpenOrders: 5 } },
};

test('GetLimits answers the environment\'s limits as revision 0', async () => {
  const { limits } = await getLimits();
  expect({ revision: limits!.revision, actor: limits!.actor }).toEqual({ revision: 0n, actor: 'config' });
  expect(JSON.parse(limits!.limitsJson)).toEqual({ global: { maxOpenOrders: 50, maxOrderQuantity: '10', maxOrderNotional: '100000', maxPosition: '100' } });
  expect((await snapshot()).limitsRevision).toBe(0n);
});

test('UpdateLimits refuses an invalid document naming the path, and the old limits stay', async () => {
  const bad = { ...TIGHT, perSymbol: { 'BTC-USDT': { maxGrossExposure: '10' } } };
  expect(await refusal(updateLimits({ limitsJson: JSON.stringify(bad), actor: 'alice', reason: 'test' }))).toEqual({
    code: status.INVALID_ARGUMENT,
    details: 'limits_json: perSymbol.BTC-USDT.maxGrossExposure is an account-wide limit: allowed in global only',
  });
  expect(await refusal(updateLimits({ limitsJson: JSON.stringify({ global: { maxOrderQuantity: '2' } }), actor: 'alice' }))).toEqual({
    code: status.INVALID_ARGUMENT,
    details: 'limits_json: global.maxOrderNotional is required',
  });
  expect(await refusal(updateLimits({ limitsJson: '{oops', actor: 'alice' }))).toEqual({
    code: status.INVALID_ARGUMENT,
    details: expect.stringMatching(/^limits_json: limits is not JSON/),
  });
  expect(await refusal(updateLimits({ limitsJson: JSON.stringify(TIGHT), actor: ' ' }))).toEqual({
    code: status.INVALID_ARGUMENT,
    details: expect.stringMatching(/actor is required/),
  });
  expect((await getLimits()).limits!.revision).toBe(0n);
  expect(changes).toEqual([]);
  expect((await checkOrder(intent('before-1', '5'))).approved).toBe(true);
});

test('an accepted change goes through ctl.config.risk and is used by the next decision, without a restart', async () => {
  const { limits } = await updateLimits({ limitsJson: JSON.stringify(TIGHT), actor: 'alice', reason: 'tighten after incident 42' });
  expect({ revision: limits!.revision, actor: limits!.actor, reason: limits!.reason }).toEqual({ revision: 1n, actor: 'alice', reason: 'tighten after incident 42' });
  expect(JSON.parse(limits!.limitsJson)).toEqual(TIGHT);
  // On the stream, with what it replaced.
  await waitFor('the change on the stream', () => changes.length === 1);
  expect(changes[0]).toMatchObject({ revision: 1n, previousRevision: 0n, actor: 'alice', reason: 'tighten after incident 42' });
  expect(JSON.parse(changes[0]!.previousJson).global.maxOrderQuantity).toBe('10');
  // Both decision paths see it at once.
  expect(await checkOrder(intent('after-1', '5'))).toMatchObject({ approved: false, reason: 'MAX_ORDER_QUANTITY' });
  expect(await decide(intent('after-2', '5'))).toBe('MAX_ORDER_QUANTITY');
  expect(await decide(intent('after-3', '2'))).toBe('approved');
  expect((await snapshot()).limitsRevision).toBe(1n);
  expect(await metric('meridian_risk_limits_changes_total')).toEqual({ 'outcome="applied"': 1 });
  expect(await metric('meridian_risk_limits_revision')).toEqual({ '': 1 });
  // An expected revision other than the one in force is refused (0 would not check).
  expect(await refusal(updateLimits({ limitsJson: JSON.stringify(TIGHT), actor: 'bob', expectedRevision: 7n }))).toEqual({
    code: status.FAILED_PRECONDITION,
    details: 'expected_revision 7 is not the revision in force, 1',
  });
});

test('GetRiskSnapshot shows the state the checks read', async () => {
  const s = await snapshot();
  expect(s.openOrders).toBe(1); // after-3
  expect(s.openPositions).toBe(1);
  expect(s.exposure).toEqual({ gross: expect.any(String), netLong: expect.any(String), netShort: expect.any(String) });
  expect(Number(s.exposure!.gross)).toBeGreaterThan(0);
  expect(s.positions.map((p) => p.symbol)).toEqual(['BTC-USDT']);
  expect(s.equity).toEqual({ equity: '0', peakEquity: '0', dailyPnl: '0', drawdown: '0' });
  expect(s.globalKillEngaged).toBe(false);
});

test('a restarted risk comes back with the changed limits', async () => {
  await stop();
  await start();
  const { limits } = await getLimits();
  expect({ revision: limits!.revision, actor: limits!.actor, reason: limits!.reason }).toEqual({ revision: 1n, actor: 'alice', reason: 'tighten after incident 42' });
  expect(JSON.parse(limits!.limitsJson)).toEqual(TIGHT);
  expect(await checkOrder(intent('restarted-1', '3'))).toMatchObject({ approved: false, reason: 'MAX_ORDER_QUANTITY' });
  // The next change takes the next revision.
  const loose = { ...TIGHT, global: { ...TIGHT.global, maxOrderQuantity: '4' } };
  expect((await updateLimits({ limitsJson: JSON.stringify(loose), actor: 'bob', reason: 'loosen', expectedRevision: 1n })).limits!.revision).toBe(2n);
  expect((await checkOrder(intent('restarted-2', '3'))).approved).toBe(true);
});

test('an invalid change read from the stream is refused and counted; the previous limits stay, also over a restart', async () => {
  const before = (await getLimits()).limits!;
  const forged = RiskLimitsChange.fromPartial({
    revision: 3n,
    previousRevision: 2n,
    actor: 'mallory',
    reason: 'forged',
    limitsJson: JSON.stringify({ global: { maxOrderQuantity: '-1', maxOrderNotional: '1', maxPosition: '1' } }),
    previousJson: before.limitsJson,
    tsNs: nowNanos(),
  });
  await bus.publish(bus.subjects.config('risk'), RiskLimitsChange, forged, { msgId: 'risk-limits-3' });
  await waitFor('the refusal counted', async () => (await metric('meridian_risk_limits_changes_total'))['outcome="refused"'] === 1);
  expect((await getLimits()).limits).toEqual(before);
  await stop();
  await start();
  const after = (await getLimits()).limits!;
  expect({ revision: after.revision, limitsJson: after.limitsJson }).toEqual({ revision: 2n, limitsJson: before.limitsJson });
  expect(await metric('meridian_risk_limits_changes_total')).toEqual({ 'outcome="refused"': 1 });
  // The next change skips the refused revision.
  expect((await updateLimits({ limitsJson: JSON.stringify(TIGHT), actor: 'alice', reason: 'again' })).limits!.revision).toBe(4n);
});
