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

/**
 * The recorder's writes. Every insert is idempotent on its natural key (client order id,
 * execution id), so a redelivered message changes nothing; positions are updated in the same
 * transaction as the fill that moves them.
 */
export class RecorderRepository {
  private readonly ledgers = new Map<string, PositionLedger>();

  constructor(private readonly db: Database) {}

  /** Rebuilds every position from the recorded fills, in stream order. */
  async loadPositions(symbol?: string): Promise<void> {
    const { rows } = await this.db.pool.query<{ symbol: string; side: Side; fill_quantity: string; fill_price: string; fee: string | null }>(
      `SELECT symbol, side, fill_quantity::text, fill_price::text, fee::text FROM executions
       WHERE kind = 'FILL' AND ($1::text IS NULL OR symbol = $1) ORDER BY stream_seq`,
      [symbol ?? null],
    );
    if (symbol) this.ledgers.delete(symbol);
    else this.ledgers.clear();
    for (const r of rows) {
      this.ledger(r.symbol).applyFill({ side: r.side, quantity: Decimal.parse(r.fill_quantity), price: Decimal.parse(r.fill_price), fee: Decimal.parse(r.fee ?? '0') });
    }
  }

  private ledger(symbol: string): PositionLedger {
    let l = this.ledgers.get(symbol);
    if (!l) this.ledgers.set(symbol, (l = new PositionLedger(symbol)));
    return l;
  }

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
    let applied = false;
    try {
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
        const ledger = this.ledger(e.symbol);
        ledger.applyFill({ side: e.side, quantity: Decimal.parse(e.fillQuantity), price: Decimal.parse(e.fillPrice), fee: Decimal.parse(e.fee ?? '0') });
        applied = true;
        const s = ledger.snapshot();
        await client.query(
          `INSERT INTO positions (symbol, quantity, cost_basis, average_price, realized_pnl, fees, fill_count, bought_quantity, sold_quantity, updated_ts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
           ON CONFLICT (symbol) DO UPDATE SET quantity = $2, cost_basis = $3, average_price = $4, realized_pnl = $5, fees = $6,
             fill_count = $7, bought_quantity = $8, sold_quantity = $9, updated_ts = now()`,
          [e.symbol, s.quantity.toString(), ledger.costBasis.toString(), s.averagePrice.toString(), s.realizedPnl.toString(), s.fees.toString(), s.fillCount, s.boughtQuantity.toString(), s.soldQuantity.toString()],
        );
      });
    } catch (err) {
      // The in-memory ledger moved but the transaction did not commit: re-read the truth.
      if (applied) await this.loadPositions(e.symbol);
      throw err;
    }
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
