import { Decimal } from '@meridian/domain';
import { Database, migrate } from '@meridian/store';
import { createSchema, testServers, uniqueNamespace } from '@meridian/testkit';
import { RecorderRepository } from '../src/repository';
import type { ExecutionRow, OrderRow } from '../src/repository';

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const { databaseUrl } = await testServers();
  const created = await createSchema(databaseUrl, uniqueNamespace('rec'));
  drop = created.drop;
  db = await Database.open({ url: databaseUrl, schema: created.schema });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
  await drop?.();
});

const order = (id: string): OrderRow => ({
  clientOrderId: id,
  strategy: 's',
  venue: 'paper',
  symbol: 'BTC-USDT',
  side: 'BUY',
  orderType: 'MARKET',
  quantity: '0.3',
  limitPrice: null,
  referencePrice: '100',
  notional: '30',
  intentTs: new Date(),
  approvedTs: new Date(),
});

let seq = 0;
const fill = (orderId: string, n: number, side: 'BUY' | 'SELL', qty: string, price: string): ExecutionRow => ({
  executionId: `${orderId}-fill-${n}`,
  clientOrderId: orderId,
  venueOrderId: `P-${orderId}`,
  kind: 'FILL',
  status: 'PARTIALLY_FILLED',
  venue: 'paper',
  symbol: 'BTC-USDT',
  side,
  fillQuantity: qty,
  fillPrice: price,
  fee: '0.01',
  feeCurrency: 'USDT',
  maker: false,
  reason: null,
  ts: new Date(),
  streamSeq: ++seq,
});

async function position(): Promise<{ quantity: string; realized_pnl: string; fees: string; fill_count: number }> {
  const { rows } = await db.pool.query(`SELECT quantity::text, realized_pnl::text, fees::text, fill_count FROM positions WHERE symbol = 'BTC-USDT'`);
  return rows[0];
}

test('a redelivered fill changes nothing; fills recorded before their order are folded into it', async () => {
  const repo = new RecorderRepository(db);
  await repo.loadPositions();
  await repo.recordExecution(fill('o1', 1, 'BUY', '0.1', '100'));
  await repo.recordExecution(fill('o1', 1, 'BUY', '0.1', '100')); // redelivery
  await repo.recordExecution(fill('o1', 2, 'BUY', '0.2', '101'));
  await repo.recordOrder(order('o1'));
  await repo.recordOrder(order('o1')); // redelivery

  const p = await position();
  expect(Decimal.parse(p.quantity).eq('0.3')).toBe(true);
  expect(Decimal.parse(p.fees).eq('0.02')).toBe(true);
  expect(p.fill_count).toBe(2);
  const { rows } = await db.pool.query(`SELECT filled_quantity::text, fees::text, status FROM orders WHERE client_order_id = 'o1'`);
  expect(rows).toHaveLength(1);
  expect(Decimal.parse(rows[0].filled_quantity).eq('0.3')).toBe(true);
  expect(rows[0].status).toBe('PARTIALLY_FILLED');
  expect((await repo.counts()).executions).toBe(2n);
});

test('a restarted recorder rebuilds positions from the recorded fills and continues exactly', async () => {
  const restarted = new RecorderRepository(db);
  await restarted.loadPositions();
  await restarted.recordExecution(fill('o2', 1, 'SELL', '0.3', '102'));
  const p = await position();
  expect(Decimal.parse(p.quantity).isZero()).toBe(true);
  // Continues from the first test's fills: bought 0.1 @ 100 and 0.2 @ 101 (cost 30.2), sold
  // 0.3 @ 102 (30.6): realized 0.4 gross of fees.
  expect(Decimal.parse(p.realized_pnl).eq('0.4')).toBe(true);
  expect(Decimal.parse(p.fees).eq('0.03')).toBe(true);
});

test('a fill that cannot be written leaves the in-memory position as the database has it', async () => {
  const repo = new RecorderRepository(db);
  await repo.loadPositions();
  const bad = { ...fill('o3', 1, 'BUY', '0.1', '100'), side: 'HOLD' as unknown as 'BUY' };
  await expect(repo.recordExecution(bad)).rejects.toThrow();
  await repo.recordExecution(fill('o3', 2, 'BUY', '0.1', '100'));
  const p = await position();
  expect(Decimal.parse(p.quantity).eq('0.1')).toBe(true);
});
