// Execution forgets settled orders: against a real JetStream server (NATS_URL) with the paper
// venue, orders filled, cancelled and rejected leave its memory within two ORDER_RETENTION_MS
// while a resting order stays (and can still be cancelled); a late execution report of a
// remembered order is matched to it, one of a forgotten order waits for an approval only as long;
// the paper venue's exchange forgets the same orders, with their fills, and keeps the resting one;
// a restart replays every order and forgets the settled ones again; a parent order keeps its
// children while it works and goes with them once it ended; a bad retention stops the start-up.
import { credentials, status } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import {
  ApprovedOrder,
  BookUpdateBatch,
  ExecutionKind,
  ExecutionReport,
  ExecutionServiceClient,
  OrderStatus,
  OrderType,
  SubmitOrderRequest,
  TimeInForce,
} from '@meridian/proto';
import type { CancelOrderResponse, GetOrderResponse, ListOrdersResponse, OrderIntent, SubmitOrderResponse } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { ServiceProcess, TestEnvironment } from '@meridian/testkit';
import { executionService } from '../src/service';
import { call, paperIntent, paperServiceEnv, startPaperRisk } from './paper-harness';

jest.setTimeout(120_000);

const SYMBOL = 'BTC-USDT';
const RETENTION_MS = 2_000;
/** Two sweeps, plus what a loaded machine may add to a timer and to the polling. */
const FORGET_WITHIN_MS = 2 * RETENTION_MS + 2_000;

let env: TestEnvironment;
let bus: Bus;
let execution: StartedService<unknown> | undefined;
let client: ExecutionServiceClient | undefined;
let risk: ServiceProcess | undefined;
const reports: ExecutionReport[] = [];
let bookSeq = 1n;

function serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
  return paperServiceEnv(env, SYMBOL, { VENUE_TIMEOUT_MS: '1000', ORDER_RETENTION_MS: String(RETENTION_MS), ...extra });
}

async function startExecution(): Promise<void> {
  execution = (await startService(executionService, serviceEnv())) as unknown as StartedService<unknown>;
  client = new ExecutionServiceClient(`127.0.0.1:${execution.grpcPort}`, credentials.createInsecure());
  await publishBook();
  await waitFor('the book mirrored', async () => (await fetch(`http://127.0.0.1:${execution!.httpPort}/readyz`)).ok, 20_000, 100);
}

async function stopExecution(): Promise<void> {
  client?.close();
  client = undefined;
  await execution?.shutdown();
  execution = undefined;
}

async function publishBook(): Promise<void> {
  const lv = (price: string, size: string) => ({ price, size });
  await bus.publish(
    bus.subjects.marketData('sim', SYMBOL, 'book'),
    BookUpdateBatch,
    BookUpdateBatch.fromPartial({
      updates: [{ venue: 'sim', symbol: SYMBOL, seq: bookSeq++, snapshot: true, bids: [lv('99.9', '50'), lv('99.8', '50')], asks: [lv('100.1', '50'), lv('100.2', '50')], tsNs: nowNanos() }],
    }),
  );
}

const intent = (cid: string, over: Partial<OrderIntent> = {}): OrderIntent => paperIntent(cid, SYMBOL, '0.1', over);
const resting = (cid: string) => intent(cid, { type: OrderType.ORDER_TYPE_LIMIT, timeInForce: TimeInForce.TIME_IN_FORCE_GTC, limitPrice: '95', referencePrice: '95' });

async function approve(i: OrderIntent): Promise<void> {
  await bus.publish(bus.subjects.approved('paper', SYMBOL), ApprovedOrder, ApprovedOrder.fromPartial({ intent: i, notional: '10', approvedTsNs: nowNanos() }), { msgId: `${i.clientOrderId}-approved` });
}

/** An execution report read back from the stream as if another process had published it (its own Nats-Msg-Id, so it is stored). */
async function publishReport(r: ExecutionReport, msgId: string): Promise<void> {
  await bus.publish(bus.subjects.execution('paper', SYMBOL, r.kind === ExecutionKind.EXECUTION_KIND_FILL ? 'fill' : 'ack'), ExecutionReport, r, { msgId });
}

const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
const settled = (cid: string) => of(cid).some((r) => [OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED].includes(r.status));

const getOrder = (cid: string) => call<{ clientOrderId: string }, GetOrderResponse>(client!.getOrder.bind(client!), { clientOrderId: cid });
const cancelOrder = (cid: string) => call<{ clientOrderId: string; waitMs: number }, CancelOrderResponse>(client!.cancelOrder.bind(client!), { clientOrderId: cid, waitMs: 5_000 });
const listOrders = () => call<{ symbol: string; openOnly: boolean }, ListOrdersResponse>(client!.listOrders.bind(client!), { symbol: '', openOnly: false });
const submitOrder = (req: Partial<SubmitOrderRequest>) => call<SubmitOrderRequest, SubmitOrderResponse>(client!.submitOrder.bind(client!), SubmitOrderRequest.fromPartial(req));

/** The execution metrics this test reads, `name.kind` → value (absent when never set). */
async function metrics(): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${execution!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/^meridian_(execution_orders_remembered|execution_orders_forgotten_total|execution_open_orders|execution_invalid_transitions_total)(?:\{[^}]*?(?:kind="([a-z_]+)")?[^}]*\})? (\S+)$/gm)) {
    out[m[2] ? `${m[1]}.${m[2]}` : m[1]!] = (out[m[2] ? `${m[1]}.${m[2]}` : m[1]!] ?? 0) + Number(m[3]);
  }
  return out;
}

/** Waits until every `expected` metric has its value (absent counts as 0); returns all of them. */
async function metricsReach(what: string, expected: Record<string, number>, timeoutMs = FORGET_WITHIN_MS): Promise<Record<string, number>> {
  return waitFor(
    what,
    async () => {
      const m = await metrics();
      return Object.entries(expected).every(([k, v]) => (m[k] ?? 0) === v) ? m : undefined;
    },
    timeoutMs,
    100,
  );
}

beforeAll(async () => {
  env = await createTestEnvironment('execret');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'execution-retention-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: [SYMBOL], venues: ['paper'] }]);
  await bus.follow('EXECUTIONS', bus.subjects.executionsAll(), ExecutionReport, (r) => void reports.push(r), { deliver: 'all' });
});

afterAll(async () => {
  client?.close();
  await risk?.stop('SIGTERM');
  await execution?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

test('settled orders leave memory within two retention intervals; a resting order stays and can still be cancelled; a late report is matched while its order is remembered', async () => {
  await startExecution();
  // One resting, one cancelled, one refused before the venue, two filled (m-2 last).
  await approve(resting('rest-1'));
  await approve(resting('c-1'));
  await approve(intent('s-1', { referencePrice: '90' }));
  await approve(intent('m-1'));
  await waitFor('rest-1 and c-1 resting', () => of('rest-1').length === 1 && of('c-1').length === 1, 20_000, 50);
  expect((await cancelOrder('c-1')).order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
  await approve(intent('m-2'));
  await waitFor('every order but rest-1 settled', () => ['c-1', 's-1', 'm-1', 'm-2'].every(settled), 20_000, 50);
  expect(of('s-1')[0]!.reason).toMatch(/^SLIPPAGE_LIMIT/);

  // Just settled, m-2 is remembered: a late copy of its fill (another process's, read back) is
  // matched to it and changes nothing; a report of an order never approved here waits. The stream
  // is read in order, so once the second one is waiting the first was handled.
  const fill = of('m-2').find((r) => r.kind === ExecutionKind.EXECUTION_KIND_FILL)!;
  const m2Reports = of('m-2').length;
  await publishReport(fill, `${fill.executionId}-late`);
  const ghost = ExecutionReport.fromPartial({ ...fill, clientOrderId: 'ghost-1', executionId: 'ghost-1-ack', kind: ExecutionKind.EXECUTION_KIND_ACK });
  await publishReport(ghost, ghost.executionId);
  const matched = await metricsReach('the ghost report waiting', { 'execution_orders_remembered.report': 1 }, 10_000);
  expect(matched['execution_invalid_transitions_total'] ?? 0).toBe(0);
  expect((await getOrder('m-2')).order).toMatchObject({ status: OrderStatus.ORDER_STATUS_FILLED, filledQuantity: '0.1' });
  await waitFor('the late copy read back by this test', () => of('m-2').length === m2Reports + 1, 10_000, 50);

  const forgotten = await metricsReach('the settled orders and the ghost report forgotten', {
    'execution_orders_remembered.order': 1,
    'execution_orders_forgotten_total.order': 4,
    'execution_orders_remembered.report': 0,
    'execution_orders_forgotten_total.report': 1,
  });
  expect(forgotten['execution_open_orders']).toBe(1);
  // The paper venue forgot the same orders in the same sweep: c-1, m-1 and m-2 with their fill each
  // (s-1 never reached it); it still holds the resting one.
  expect(forgotten).toMatchObject({
    'execution_orders_remembered.venue_order': 1,
    'execution_orders_forgotten_total.venue_order': 3,
    'execution_orders_remembered.venue_fill': 0,
    'execution_orders_forgotten_total.venue_fill': 2,
  });
  // Nothing was published again for the orders forgotten.
  expect(of('m-2')).toHaveLength(m2Reports + 1);
  for (const cid of ['c-1', 's-1', 'm-1', 'm-2']) await expect(getOrder(cid)).rejects.toMatchObject({ code: status.NOT_FOUND });
  await expect(cancelOrder('c-1')).rejects.toMatchObject({ code: status.NOT_FOUND });
  expect((await listOrders()).orders.map((o) => o.clientOrderId)).toEqual(['rest-1']);

  // A late report of a forgotten order is one whose approval has not come: it waits as long, then goes.
  await publishReport(fill, `${fill.executionId}-later`);
  await metricsReach('the late report of forgotten m-2 waiting', { 'execution_orders_remembered.report': 1 }, 10_000);
  await metricsReach('the late report of forgotten m-2 dropped', { 'execution_orders_remembered.report': 0, 'execution_orders_forgotten_total.report': 2 });

  // The resting order outlived every sweep and is still cancelled at the venue; then it goes too.
  expect((await getOrder('rest-1')).order!.status).toBe(OrderStatus.ORDER_STATUS_ACKED);
  expect((await cancelOrder('rest-1')).order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
  await waitFor('rest-1 cancel reported', () => settled('rest-1'), 10_000, 50);
  await metricsReach('rest-1 forgotten once cancelled', {
    'execution_orders_remembered.order': 0,
    'execution_orders_forgotten_total.order': 5,
    'execution_open_orders': 0,
    'execution_orders_remembered.venue_order': 0,
    'execution_orders_forgotten_total.venue_order': 4,
  });
});

test('a restart replays every order and forgets the settled ones again, keeping the resting one', async () => {
  await approve(resting('rest-2'));
  await waitFor('rest-2 resting', () => of('rest-2').length === 1, 20_000, 50);
  await stopExecution();
  await startExecution();
  // All six orders of the stream are back (the ghost's and the late reports matched or dropped with
  // the replay); the rebuilt paper venue holds only the working one, placed again...
  const replayed = await metrics();
  expect(replayed).toMatchObject({
    'execution_orders_remembered.order': 6,
    'execution_orders_remembered.report': 0,
    'execution_open_orders': 1,
    'execution_orders_remembered.venue_order': 1,
    'execution_orders_remembered.venue_fill': 0,
  });
  // ...and the five settled ones leave again (none of them was at this venue).
  const again = await metricsReach('the replayed settled orders forgotten', { 'execution_orders_remembered.order': 1, 'execution_orders_forgotten_total.order': 5 });
  expect(again).toMatchObject({ 'execution_orders_remembered.venue_order': 1, 'execution_orders_forgotten_total.venue_order': 0 });
  expect((await getOrder('rest-2')).order!.status).toBe(OrderStatus.ORDER_STATUS_ACKED);
  expect((await cancelOrder('rest-2')).order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
  await metricsReach('rest-2 forgotten once cancelled', {
    'execution_orders_remembered.order': 0,
    'execution_orders_forgotten_total.order': 6,
    'execution_orders_remembered.venue_order': 0,
    'execution_orders_forgotten_total.venue_order': 1,
  });
});

test('a parent keeps its children while it works, and goes with them once it ended', async () => {
  if (!execution) await startExecution();
  risk = await startPaperRisk(bus, SYMBOL, serviceEnv());
  const before = await metrics();

  // Three slices 5 s apart: the first child has settled well over two intervals before the parent ends.
  const start = nowNanos();
  const res = await submitOrder({
    intent: intent('twap-1', { quantity: '0.3' }),
    algo: { algo: { $case: 'twap', value: { slices: 3, seed: 0 } }, startTsNs: start, endTsNs: start + 15_000_000_000n },
  });
  expect(res.outcome).toBe('ACCEPTED');
  await waitFor('the first child filled', () => settled('twap-1-1'), 20_000, 50);
  const firstSettled = Date.now();
  // Two sweeps and more later, with the parent still working, the child is still there (once the
  // parent ends it may go at the next sweep, so this is looked at before).
  await new Promise((r) => setTimeout(r, FORGET_WITHIN_MS + 200));
  const child = await getOrder('twap-1-1');
  const parentMeanwhile = await getOrder('twap-1');
  expect(parentMeanwhile.order!.reason).not.toBe('finished: completed');
  expect(child.order!.status).toBe(OrderStatus.ORDER_STATUS_FILLED);
  expect(Date.now() - firstSettled).toBeGreaterThan(FORGET_WITHIN_MS);
  await waitFor('twap-1 completed', async () => (await getOrder('twap-1')).order!.reason === 'finished: completed', 30_000, 100);
  const children = [...new Set(reports.filter((r) => r.parentOrderId === 'twap-1').map((r) => r.clientOrderId))].sort();
  expect(children.length).toBeGreaterThanOrEqual(2);
  // What the paper venue has of them: the children it acknowledged, and each fill.
  const acked = children.filter((cid) => of(cid).some((r) => r.kind === ExecutionKind.EXECUTION_KIND_ACK));
  const childFills = reports.filter((r) => r.parentOrderId === 'twap-1' && r.kind === ExecutionKind.EXECUTION_KIND_FILL).length;
  expect(acked.length).toBeGreaterThanOrEqual(1);
  expect(childFills).toBeGreaterThanOrEqual(1);
  // Kept at the venue while the parent worked, as in the registry.
  expect(await metrics()).toMatchObject({ 'execution_orders_forgotten_total.venue_order': before['execution_orders_forgotten_total.venue_order'] ?? 0 });

  await metricsReach('the ended parent and its children forgotten', {
    'execution_orders_remembered.parent': 0,
    'execution_orders_forgotten_total.parent': (before['execution_orders_forgotten_total.parent'] ?? 0) + 1,
    'execution_orders_remembered.order': 0,
    'execution_orders_forgotten_total.order': (before['execution_orders_forgotten_total.order'] ?? 0) + children.length,
    'execution_orders_remembered.venue_order': 0,
    'execution_orders_forgotten_total.venue_order': (before['execution_orders_forgotten_total.venue_order'] ?? 0) + acked.length,
    'execution_orders_remembered.venue_fill': 0,
    'execution_orders_forgotten_total.venue_fill': (before['execution_orders_forgotten_total.venue_fill'] ?? 0) + childFills,
  });
  await expect(getOrder('twap-1')).rejects.toMatchObject({ code: status.NOT_FOUND });
  for (const cid of children) await expect(getOrder(cid)).rejects.toMatchObject({ code: status.NOT_FOUND });
});

test('a bad retention stops the start-up, naming the key', async () => {
  await expect(startService(executionService, serviceEnv({ ORDER_RETENTION_MS: '999' }))).rejects.toThrow(/ORDER_RETENTION_MS: must be >= 1000, got 999/);
  await expect(startService(executionService, serviceEnv({ ORDER_RETENTION_MS: '2000', VENUE_TIMEOUT_MS: '5000' }))).rejects.toThrow(
    'ORDER_RETENTION_MS: 2000 ms must be at least VENUE_TIMEOUT_MS, 5000 ms',
  );
});
