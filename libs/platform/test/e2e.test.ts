import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import { Bus, traceIdOf } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import {
  ApprovedOrder,
  ExecutionKind,
  ExecutionReport,
  OrderBookServiceClient,
  OrderIntent,
  OrderRejection,
  OrderStatus,
  KillSwitch,
  RiskServiceClient,
  Side,
  sideFromWire,
} from '@meridian/proto';
import type { CheckOrderResponse, GetBookResponse, Position } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { FAST_MARKET_ENV, SERVICES, Supervisor, bootstrap } from '../src';

// Starts every service as a real process against real NATS JetStream and PostgreSQL, runs the
// simulator fast, then checks that money flowed intent → risk → paper venue → fills, and that
// risk's positions, the streams and the database all agree exactly.
jest.setTimeout(180_000);

const TERMINAL = new Set([OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_EXPIRED]);

const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
let env: TestEnvironment;
let supervisor: Supervisor;
let bus: Bus;
const logs: string[] = [];

const intents = new Map<string, { intent: OrderIntent; traceId: string | undefined }>();
const approved = new Map<string, { order: ApprovedOrder; traceId: string | undefined }>();
const rejected = new Map<string, OrderRejection>();
const reports: { report: ExecutionReport; traceId: string | undefined }[] = [];

beforeAll(async () => {
  env = await createTestEnvironment('e2e');
  await bootstrap({ nats: { servers: env.natsUrl }, namespace: env.namespace, replicas: 1, shards: [{ symbols: SYMBOLS, venues: ['paper'] }] });
  bus = await Bus.connect({ servers: env.natsUrl, name: 'e2e-observer', namespace: env.namespace });
  const s = bus.subjects;
  await bus.follow('ORDERS', s.intentsAll(), OrderIntent, (i, d) => void intents.set(i.clientOrderId, { intent: i, traceId: traceIdOf(d.headers) }), { deliver: 'all' });
  await bus.follow('ORDERS', s.approvedAll(), ApprovedOrder, (a, d) => void approved.set(a.intent!.clientOrderId, { order: a, traceId: traceIdOf(d.headers) }), { deliver: 'all' });
  await bus.follow('ORDERS', s.rejectedAll(), OrderRejection, (r) => void rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
  await bus.follow('EXECUTIONS', s.executionsAll(), ExecutionReport, (r, d) => void reports.push({ report: r, traceId: traceIdOf(d.headers) }), { deliver: 'all' });

  supervisor = new Supervisor({
    env: {
      ...env.env,
      SYMBOLS: SYMBOLS.join(','),
      // Fast market and a twitchy strategy, so a few seconds produce plenty of orders.
      ...FAST_MARKET_ENV,
      // Tight enough that risk refuses some intents.
      RISK_MAX_POSITION: '0.6',
    },
    onLine: (service, line) => void logs.push(`[${service}] ${line}`),
  });
  await supervisor.start();
});

afterAll(async () => {
  await supervisor?.stop().catch(() => undefined);
  await bus?.close();
  // The services' own logs, for when an assertion above needs explaining.
  if (env) writeFileSync(join(tmpdir(), `meridian-${env.namespace}.log`), logs.join('\n'));
  await env?.cleanup();
});

function grpcCall<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: Error | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

function signedFills(symbol: string): { quantity: Decimal; fees: Decimal; count: number } {
  let quantity = Decimal.ZERO;
  let fees = Decimal.ZERO;
  let count = 0;
  for (const { report: r } of reports) {
    if (r.kind !== ExecutionKind.EXECUTION_KIND_FILL || r.symbol !== symbol) continue;
    const q = Decimal.parse(r.fillQuantity);
    quantity = sideFromWire(r.side) === 'BUY' ? quantity.add(q) : quantity.sub(q);
    fees = fees.add(r.fee);
    count += 1;
  }
  return { quantity, fees, count };
}

test('every service is ready, answers health over HTTP, and the book is served over gRPC', async () => {
  for (const name of SERVICES) {
    const { http } = await supervisor.processes.get(name)!.ports;
    await waitFor(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${http}/readyz`)).status === 200, 30_000);
    const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
    expect(metrics).toContain('meridian_build_info');
  }
  const { grpc } = await supervisor.processes.get('order-book')!.ports;
  const client = new OrderBookServiceClient(`127.0.0.1:${grpc}`, credentials.createInsecure());
  try {
    const book = await waitFor('a synced BTC-USDT book', async () => {
      const b = await grpcCall<{ venue: string; symbol: string; depth: number }, GetBookResponse>(client.getBook.bind(client), { venue: 'sim', symbol: 'BTC-USDT', depth: 5 });
      return b.synced ? b : undefined;
    });
    expect(book.bids).toHaveLength(5);
    expect(Decimal.parse(book.bids[0]!.price).lt(book.asks[0]!.price)).toBe(true);
  } finally {
    client.close();
  }
});

test('orders flow through risk to the paper venue and fills come back; positions, streams and PostgreSQL agree', async () => {
  await waitFor('at least 12 fills and 1 risk rejection', () => reports.filter((r) => r.report.kind === ExecutionKind.EXECUTION_KIND_FILL).length >= 12 && rejected.size >= 1, 120_000, 200);

  // Stop the source, then let everything in flight finish.
  const ingestion = supervisor.processes.get('ingestion')!;
  ingestion.child.kill('SIGTERM');
  expect(await ingestion.exited).toBe(0);
  await waitFor('every intent decided and every approved order finished', () => {
    // Finished = a report with a terminal status: an order's first fill may be followed by more fills
    // (a sweep of several levels) or by the cancel of an IOC remainder.
    const done = new Set(reports.filter((r) => TERMINAL.has(r.report.status)).map((r) => r.report.clientOrderId));
    return [...intents.keys()].every((id) => approved.has(id) || rejected.has(id)) && [...approved.keys()].every((id) => done.has(id));
  }, 30_000);

  // Nothing reached the venue without risk: every execution belongs to an approved order.
  for (const { report } of reports) expect(approved.has(report.clientOrderId)).toBe(true);
  // Risk's rejections carry a reason code and the numbers.
  const rejection = [...rejected.values()][0]!;
  expect(rejection.reason).toMatch(/^[A-Z_]+$/);
  expect(rejection.detail).toMatch(/\d/);

  // One trace from the strategy's intent through risk's approval to the venue's fills.
  const filled = reports.find((r) => r.report.kind === ExecutionKind.EXECUTION_KIND_FILL)!;
  const id = filled.report.clientOrderId;
  expect(filled.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(approved.get(id)!.traceId).toBe(filled.traceId);
  expect(intents.get(id)!.traceId).toBe(filled.traceId);

  // Risk's positions equal the sum of the fills, exactly, once risk has booked every fill the
  // stream carries: it reads the reports on a consumer of its own, which a loaded machine delays.
  const { grpc } = await supervisor.processes.get('risk')!.ports;
  const risk = new RiskServiceClient(`127.0.0.1:${grpc}`, credentials.createInsecure());
  const fillsInStream = reports.filter((r) => r.report.kind === ExecutionKind.EXECUTION_KIND_FILL).length;
  let positions: Position[];
  try {
    positions = await waitFor(`risk booked all ${fillsInStream} fills`, async () => {
      const p = (await grpcCall<{ symbol: string }, { positions: Position[] }>(risk.getPositions.bind(risk), { symbol: '' })).positions;
      return p.reduce((n, x) => n + x.fillCount, 0) >= fillsInStream ? p : undefined;
    }, 30_000);
  } finally {
    risk.close();
  }
  let totalFills = 0;
  for (const symbol of SYMBOLS) {
    const expected = signedFills(symbol);
    const p = positions.find((x) => x.symbol === symbol)!;
    expect(Decimal.parse(p.quantity).eq(expected.quantity)).toBe(true);
    expect(Decimal.parse(p.fees).eq(expected.fees)).toBe(true);
    expect(p.fillCount).toBe(expected.count);
    totalFills += expected.count;
  }
  expect(totalFills).toBeGreaterThanOrEqual(12);

  // The recorder's rows match the streams.
  const db = new Client({ connectionString: env.databaseUrl, options: `-c search_path=${env.schema}` });
  await db.connect();
  try {
    await waitFor('recorder caught up', async () => {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM executions');
      return Number(rows[0]!.n) === reports.length;
    }, 30_000);
    const orders = await db.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    expect(Number(orders.rows[0]!.n)).toBe(approved.size);
    const rej = await db.query<{ n: string }>('SELECT count(*) AS n FROM order_rejections');
    expect(Number(rej.rows[0]!.n)).toBe(rejected.size);
    const rows = await db.query<{ symbol: string; quantity: string; fees: string; realized_pnl: string; fill_count: number }>(
      'SELECT symbol, quantity::text, fees::text, realized_pnl::text, fill_count FROM positions',
    );
    expect(rows.rows.map((r) => r.symbol).sort()).toEqual(SYMBOLS.filter((s) => signedFills(s).count > 0).sort());
    for (const row of rows.rows) {
      const expected = signedFills(row.symbol);
      expect(Decimal.parse(row.quantity).eq(expected.quantity)).toBe(true);
      expect(Decimal.parse(row.fees).eq(expected.fees)).toBe(true);
      expect(row.fill_count).toBe(expected.count);
      // Risk and the recorder fold the same fills in the same order with the same ledger.
      expect(Decimal.parse(row.realized_pnl).eq(positions.find((p) => p.symbol === row.symbol)!.realizedPnl)).toBe(true);
    }
    const filledOrders = await db.query<{ client_order_id: string; filled_quantity: string }>(`SELECT client_order_id, filled_quantity::text FROM orders WHERE status = 'FILLED'`);
    for (const o of filledOrders.rows) {
      expect(Decimal.parse(o.filled_quantity).eq(approved.get(o.client_order_id)!.order.intent!.quantity)).toBe(true);
    }
  } finally {
    await db.end();
  }
});

test('the kill switch set over gRPC stops risk approving, and is kept as the last value on the control stream', async () => {
  const { grpc } = await supervisor.processes.get('risk')!.ports;
  const risk = new RiskServiceClient(`127.0.0.1:${grpc}`, credentials.createInsecure());
  try {
    const intent = OrderIntent.fromPartial({ clientOrderId: 'probe', symbol: 'BTC-USDT', venue: 'paper', side: Side.SIDE_BUY, quantity: '0.001', referencePrice: '60000', tsNs: 1n });
    const before = await grpcCall<{ intent: OrderIntent }, CheckOrderResponse>(risk.checkOrder.bind(risk), { intent });
    expect(before.approved).toBe(true);
    const set = await grpcCall<{ killSwitch: KillSwitch }, { globalEngaged: boolean }>(risk.setKillSwitch.bind(risk), {
      killSwitch: KillSwitch.fromPartial({ engaged: true, reason: 'e2e drill', actor: 'e2e' }),
    });
    expect(set.globalEngaged).toBe(true);
    const after = await grpcCall<{ intent: OrderIntent }, CheckOrderResponse>(risk.checkOrder.bind(risk), { intent });
    expect(after).toMatchObject({ approved: false, reason: 'KILL_SWITCH' });
    const stored = await bus.lastValue('CONTROL', bus.subjects.killSwitch('global'), KillSwitch);
    expect(stored).toMatchObject({ engaged: true, actor: 'e2e', reason: 'e2e drill' });
  } finally {
    risk.close();
  }
});

test('SIGTERM shuts every service down cleanly', async () => {
  const codes = await supervisor.stop();
  for (const name of SERVICES) expect({ name, code: codes.get(name) }).toEqual({ name, code: 0 });
});
