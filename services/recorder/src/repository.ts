import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { PositionLedger } from '@meridian/portfolio';
import type { Database } from '@meridian/store';
import type { PoolClient } from 'pg';

export interface OrderRow {
  clientOrderId: string;
  strategy: string;
  venue: string;
  symbol: string;
  side: Side;
  orderType: string;
  quantity: string;
  limitPrice: string | null;
  referencePrice: string | null;
  notional: string;
  intentTs: Date;
  approvedTs: Date;
}

export interface RejectionRow {
  clientOrderId: string;
  strategy: string;
  symbol: string;
  side: string;
  quantity: string;
  reason: string;
  detail: string;
  rejectedTs: Date;
}

export interface ExecutionRow {
  executionId: string;
  clientOrderId: string;
  venueOrderId: string;
  kind: string;
  status: string;
  venue: string;
  symbol: string;
  side: Side;
  fillQuantity: string | null;
  fillPrice: string | null;
  fee: string | null;
  feeCurrency: string | null;
  maker: boolean | null;
  reason: string | null;
  ts: Date;
  streamSeq: number;
}

/** Brings an order row's fill totals and status in line with its executions. */
async function refreshOrder(client: PoolClient, clientOrderId: string): Promise<void> {
  await client.query(
    `UPDATE orders o SET
       filled_quantity = COALESCE((SELECT sum(fill_quantity) FROM executions e WHERE e.client_order_id = o.client_order_id AND e.kind = 'FILL'), 0),
       fees = COALESCE((SELECT sum(fee) FROM executions e WHERE e.client_order_id = o.client_order_id AND e.kind = 'FILL'), 0),
       status = COALESCE((SELECT e.status FROM executions e WHERE e.client_order_id = o.client_order_id ORDER BY e.stream_seq DESC LIMIT 1), o.status),
       updated_ts = now()
     WHERE o.client_order_id = $1`,
    [clientOrderId],
  );
}

/** The symbol's position as its row has it, locked until the transaction ends (a flat row is created first). */
async function lockedPosition(client: PoolClient, symbol: string): Promise<PositionLedger> {
  await client.query(
    `INSERT INTO positions (symbol, quantity, cost_basis, average_price, realized_pnl, fees, fill_count, bought_quantity, sold_quantity, updated_ts)
     VALUES ($1, 0, 0, 0, 0, 0, 0, 0, 0, now()) ON CONFLICT (symbol) DO NOTHING`,
    [symbol],
  );
  const { rows } = await client.query<{ quantity: string; cost_basis: string; average_price: string; realized_pnl: string; fees: string; fill_count: number; bought_quantity: string; sold_quantity: string }>(
    `SELECT quantity::text, cost_basis::text, average_price::text, realized_pnl::text, fees::text, fill_count, bought_quantity::text, sold_quantity::text
     FROM positions WHERE symbol = $1 FOR UPDATE`,
    [symbol],
  );
  const r = rows[0]!;
  return PositionLedger.restore({
    symbol,
    quantity: Decimal.parse(r.quantity),
    costBasis: Decimal.parse(r.cost_basis),
    averagePrice: Decimal.parse(r.average_price),
    realizedPnl: Decimal.parse(r.realized_pnl),
    fees: Decimal.parse(r.fees),
    fillCount: r.fill_count,
    boughtQuantity: Decimal.parse(r.bought_quantity),
    soldQuantity: Decimal.parse(r.sold_quantity),
  });
}

/**
 * The recorder's writes. Every insert is idempotent on its natural key (client order id,
 * execution id), so a redelivered message changes nothing; positions are updated in the same
 * transaction as the fill that moves them.
 *
 * A position is read from its row under a row lock, moved by the fill and written back, so the
 * database is the only state: several recorder replicas may share the durable consumers (the
 * executions consumer still hands out one fill at a time, in stream order), and a restart has
 * nothing to rebuild.
 */
export class RecorderRepository {
  constructor(private readonly db: Database) {}

  async recordOrder(o: OrderRow): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO orders (client_order_id, strategy, venue, symbol, side, order_type, quantity, limit_price, reference_price,
                             notional, status, intent_ts, approved_ts, updated_ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'APPROVED', $11, $12, now())
         ON CONFLICT (client_order_id) DO NOTHING`,
        [o.clientOrderId, o.strategy, o.venue, o.symbol, o.side, o.orderType, o.quantity, o.limitPrice, o.referencePrice, o.notional, o.intentTs, o.approvedTs],
      );
      // Executions may have been recorded first (separate consumers); fold them in.
      await refreshOrder(client, o.clientOrderId);
    });
  }

  async recordRejection(r: RejectionRow): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO order_rejections (client_order_id, strategy, symbol, side, quantity, reason, detail, rejected_ts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (client_order_id) DO NOTHING`,
      [r.clientOrderId, r.strategy, r.symbol, r.side, r.quantity, r.reason, r.detail, r.rejectedTs],
    );
  }

  async recordExecution(e: ExecutionRow): Promise<void> {
    await this.db.transaction(async (client) => {
      const inserted = await client.query(
        `INSERT INTO executions (execution_id, client_order_id, venue_order_id, kind, status, venue, symbol, side, fill_quantity,
                                 fill_price, fee, fee_currency, maker, reason, ts, stream_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (execution_id) DO NOTHING`,
        [e.executionId, e.clientOrderId, e.venueOrderId, e.kind, e.status, e.venue, e.symbol, e.side, e.fillQuantity, e.fillPrice, e.fee, e.feeCurrency, e.maker, e.reason, e.ts, e.streamSeq],
      );
      if (inserted.rowCount === 0) return; // already recorded: a redelivery
      await refreshOrder(client, e.clientOrderId);
      if (e.kind !== 'FILL' || e.fillQuantity === null || e.fillPrice === null) return;
      const ledger = await lockedPosition(client, e.symbol);
      ledger.applyFill({ side: e.side, quantity: Decimal.parse(e.fillQuantity), price: Decimal.parse(e.fillPrice), fee: Decimal.parse(e.fee ?? '0') });
      const s = ledger.snapshot();
      await client.query(
        `UPDATE positions SET quantity = $2, cost_basis = $3, average_price = $4, realized_pnl = $5, fees = $6,
           fill_count = $7, bought_quantity = $8, sold_quantity = $9, updated_ts = now()
         WHERE symbol = $1`,
        [e.symbol, s.quantity.toString(), ledger.costBasis.toString(), s.averagePrice.toString(), s.realizedPnl.toString(), s.fees.toString(), s.fillCount, s.boughtQuantity.toString(), s.soldQuantity.toString()],
      );
    });
  }

  async counts(): Promise<{ orders: bigint; executions: bigint; positions: bigint; rejections: bigint }> {
    const { rows } = await this.db.pool.query<{ orders: string; executions: string; positions: string; rejections: string }>(
      `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM executions) AS executions,
              (SELECT count(*) FROM positions) AS positions, (SELECT count(*) FROM order_rejections) AS rejections`,
    );
    const r = rows[0]!;
    return { orders: BigInt(r.orders), executions: BigInt(r.executions), positions: BigInt(r.positions), rejections: BigInt(r.rejections) };
  }
}
