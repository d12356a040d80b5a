import { Decimal } from '@meridian/domain';
import { Database, migrate } from '@meridian/store';
import { PositionLedger } from '@meridian/portfolio';
import { createSchema, seededRandom, testServers, uniqueNamespace } from '@meridian/testkit';
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

test('a restarted recorder continues the positions exactly from the database', async () => {
  const restarted = new RecorderRepository(db);
  await restarted.recordExecution(fill('o2', 1, 'SELL', '0.3', '102'));
  const p = await position();
  expect(Decimal.parse(p.quantity).isZero()).toBe(true);
  // Continues from the first test's fills: bought 0.1 @ 100 and 0.2 @ 101 (cost 30.2), sold
  // 0.3 @ 102 (30.6): realized 0.4 gross of fees.
  expect(Decimal.parse(p.realized_pnl).eq('0.4')).toBe(true);
  expect(Decimal.parse(p.fees).eq('0.03')).toBe(true);
});

test('a fill that cannot be written leaves the position as it was', async () => {
  const repo = new RecorderRepository(db);
  const bad = { ...fill('o3', 1, 'BUY', '0.1', '100'), side: 'HOLD' as unknown as 'BUY' };
  await expect(repo.recordExecution(bad)).rejects.toThrow();
  await repo.recordExecution(fill('o3', 2, 'BUY', '0.1', '100'));
  const p = await position();
  expect(Decimal.parse(p.quantity).eq('0.1')).toBe(true);
});

test('two recorder replicas sharing the fills keep the position a single ledger would', async () => {
  const { databaseUrl } = await testServers();
  const other = await Database.open({ url: databaseUrl, schema: db.schema });
  try {
    const replicas = [new RecorderRepository(db), new RecorderRepository(other)];
    const reference = new PositionLedger('SOL-USDT');
    const random = seededRandom(7);
    const at = (n: number) => ({ ...fill(`r${n}`, 1, random() < 0.5 ? 'BUY' : 'SELL', (1 + Math.floor(random() * 300)) / 100 + '', 150 + Math.floor(random() * 1000) / 100 + ''), symbol: 'SOL-USDT' });
    // In stream order, alternating replicas (the executions consumer hands out one at a time).
    for (let n = 0; n < 120; n++) {
      const f = at(n);
      await replicas[n % 2]!.recordExecution(f);
      reference.applyFill({ side: f.side, quantity: Decimal.parse(f.fillQuantity!), price: Decimal.parse(f.fillPrice!), fee: Decimal.parse(f.fee!) });
    }
    const { rows } = await db.pool.query(`SELECT quantity::text, cost_basis::text, realized_pnl::text, fees::text, fill_count FROM positions WHERE symbol = 'SOL-USDT'`);
    expect(rows[0]).toEqual({
      quantity: reference.quantity.toString(),
      cost_basis: reference.costBasis.toString(),
      realized_pnl: reference.realizedPnl.toString(),
      fees: reference.fees.toString(),
      fill_count: 120,
    });

    // Even fills in flight at once on both replicas lose no update: the row lock serialises them.
    await Promise.all(Array.from({ length: 40 }, (_, n) => replicas[n % 2]!.recordExecution({ ...fill(`c${n}`, 1, 'BUY', '0.5', '100'), symbol: 'ADA-USDT' })));
    const ada = await db.pool.query(`SELECT quantity::text, fill_count FROM positions WHERE symbol = 'ADA-USDT'`);
    expect(Decimal.parse(ada.rows[0].quantity).eq('20')).toBe(true);
    expect(ada.rows[0].fill_count).toBe(40);
  } finally {
    await other.close();
  }
});
